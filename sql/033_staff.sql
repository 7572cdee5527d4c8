-- Staff logins.  A login is a PostgreSQL role (session_user is the actor of
-- every audit row), member of exactly one aba_* group.  Admins create them
-- through staff_add, never with CREATE ROLE by hand, so each is audited.
--
-- Creating roles needs CREATEROLE; aba_owner gets it here, before the
-- SET LOCAL ROLE, because only the migrating superuser can grant it.  From
-- PostgreSQL 16 on, granting a group also needs ADMIN OPTION on it.
ALTER ROLE aba_owner CREATEROLE;
DO $$
BEGIN
	IF current_setting('server_version_num')::integer >= 160000 THEN
		EXECUTE 'GRANT aba_clerk, aba_approver, aba_auditor, aba_admin, aba_pos TO aba_owner'
			' WITH ADMIN OPTION';
	END IF;
END
$$;

SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- 'clerk' or 'aba_clerk' -> 'aba_clerk'; NULL when not a staff group.
CREATE FUNCTION staff_group(p_role text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT g FROM unnest(ARRAY['aba_clerk', 'aba_approver', 'aba_auditor', 'aba_admin', 'aba_pos']) g
	 WHERE g = p_role OR g = 'aba_' || p_role
$$;

CREATE FUNCTION staff_add(p_name text, p_role text)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	grp text := staff_group(p_role);
	after jsonb;
BEGIN
	-- Strict: lowercase so that the name needs no quoting anywhere, and
	-- never a name of ours or of the system.
	IF p_name IS NULL OR p_name !~ '^[a-z][a-z0-9_]{1,62}$' OR p_name LIKE 'aba\_%'
	   OR p_name LIKE 'pg\_%' OR p_name IN ('public', 'postgres', 'none', 'current_user',
						'session_user', 'current_role') THEN
		RAISE EXCEPTION 'staff name ''%'' must be 2 to 63 lowercase letters, digits or ''_'','
			' starting with a letter, not aba_ or pg_', left(p_name, 63) USING ERRCODE = 'AB422';
	END IF;
	IF grp IS NULL THEN
		RAISE EXCEPTION 'role ''%'' is not one of clerk, approver, auditor, admin, pos',
			left(p_role, 32) USING ERRCODE = 'AB422';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
		RAISE EXCEPTION 'role ''%'' already exists', p_name USING ERRCODE = 'AB409';
	END IF;
	EXECUTE format('CREATE ROLE %I LOGIN', p_name);
	EXECUTE format('GRANT %I TO %I', grp, p_name);
	after := jsonb_build_object('name', p_name, 'role', grp);
	PERFORM audit_append('staff.add', 'staff', p_name, NULL, after, NULL);
	RETURN after;
END
$$;

-- Logins that are members of a staff group, with their groups.
CREATE FUNCTION staff_list()
RETURNS TABLE (name text, roles text, can_login boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = aba, pg_temp AS $$
	SELECT u.rolname::text, string_agg(g.rolname::text, ',' ORDER BY g.rolname), u.rolcanlogin
	  FROM pg_roles u
	  JOIN pg_auth_members m ON m.member = u.oid
	  JOIN pg_roles g ON g.oid = m.roleid
	 WHERE g.rolname IN ('aba_clerk', 'aba_approver', 'aba_auditor', 'aba_admin', 'aba_pos')
	   AND u.rolname NOT LIKE 'aba\_%'
	 GROUP BY u.rolname, u.rolcanlogin
	 ORDER BY 1
$$;
