-- Membership overrides go through maker-checker: a clerk asks, a checker
-- approves, and approval_approve (032) calls set_level_override (021) in
-- its transaction.  The admin-only direct override of 021 was a stopgap
-- until this existed; nobody keeps it.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE FUNCTION override_request(p_card text, p_level text, p_until timestamptz, p_reason text,
				 p_note text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	c cards := request_card(p_card);
BEGIN
	IF p_level IS NULL OR NOT EXISTS (SELECT 1 FROM levels WHERE code = p_level) THEN
		RAISE EXCEPTION 'level ''%'' not found', left(p_level, 40) USING ERRCODE = 'AB404';
	END IF;
	IF p_until IS NULL OR p_until <= now() THEN
		RAISE EXCEPTION 'override of card ''%'' must end in the future', c.code
			USING ERRCODE = 'AB422';
	END IF;
	RETURN request_result(new_request('override', c, NULL, p_level, p_until, p_reason, p_note));
END
$$;

GRANT EXECUTE ON FUNCTION override_request(text, text, timestamptz, text, text) TO aba_clerk;
REVOKE EXECUTE ON FUNCTION level_override_direct(text, text, timestamptz, text) FROM aba_admin;
