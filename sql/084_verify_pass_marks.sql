-- A kept pass's watermarks come from the server, never from the caller.
-- 080's verify_record took them as parameters, so any clerk or auditor
-- could keep a pass with a watermark from the future: the consistency
-- report would then take its findings for every later change, and no
-- honest pass (with a lower watermark) would ever replace it.  Now
-- verify_mark opens the pass with the watermarks it reads under its lock
-- and returns the pass's id; verify_record fills in an open pass only; the
-- readers take finished passes only.  An open pass left by a failed run
-- goes with the next kept pass, as older passes do.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

ALTER TABLE verify_passes ALTER COLUMN finished_at DROP NOT NULL;
DROP FUNCTION verify_record(bigint, bigint);
DROP FUNCTION verify_mark();

-- Step 1, its own short transaction (see 080): the new pass's id, NULL on
-- a read-only server (a replica), where the pass is only run.
CREATE FUNCTION verify_mark() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	pid bigint;
BEGIN
	IF pg_is_in_recovery() OR current_setting('transaction_read_only')::boolean THEN
		RETURN NULL;
	END IF;
	LOCK TABLE postings, point_history IN SHARE MODE;
	INSERT INTO verify_passes (history_upto, postings_upto, started_at)
	VALUES (coalesce((SELECT max(id) FROM point_history), 0),
		coalesce((SELECT max(id) FROM postings), 0), clock_timestamp())
	RETURNING id INTO pid;
	RETURN pid;
END
$$;

-- Step 2: the full pass (one statement, so one snapshot, taken after step
-- 1) into the open pass p_pass, kept as the newest; older passes go.
-- Returns what verify(NULL) returns.
CREATE FUNCTION verify_record(p_pass bigint)
RETURNS TABLE (card text, problem text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp
SET max_parallel_workers_per_gather = 0 SET jit = off AS $$
DECLARE
	pass verify_passes;
BEGIN
	SELECT * INTO pass FROM verify_passes WHERE id = p_pass AND finished_at IS NULL FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no open verify pass %: aba.verify_mark() opens one', p_pass
			USING ERRCODE = 'AB404';
	END IF;
	INSERT INTO verify_findings (pass_id, card_id, problem, detail)
	SELECT pass.id, v.card_id, v.problem, v.detail FROM verify_cards(NULL) v;
	UPDATE verify_passes SET finished_at = clock_timestamp() WHERE id = pass.id;
	DELETE FROM verify_passes WHERE id <> pass.id AND history_upto <= pass.history_upto;
	RETURN QUERY
	SELECT c.code, f.problem, f.detail
	  FROM verify_findings f LEFT JOIN cards c ON c.id = f.card_id
	 WHERE f.pass_id = pass.id
	 ORDER BY 1 NULLS FIRST, 2, 3;
END
$$;

CREATE OR REPLACE FUNCTION verify_last_pass()
RETURNS TABLE (finished_at timestamptz, history_upto bigint, changed_cards bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = aba, pg_temp AS $$
	SELECT p.finished_at, p.history_upto,
	       (SELECT count(DISTINCT h.card_id) FROM point_history h WHERE h.id > p.history_upto)
	  FROM verify_passes p
	 WHERE p.finished_at IS NOT NULL
	 ORDER BY p.history_upto DESC, p.id DESC
	 LIMIT 1
$$;

CREATE OR REPLACE FUNCTION verify_since_pass()
RETURNS TABLE (card text, problem text, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = aba, pg_temp
SET max_parallel_workers_per_gather = 0 SET jit = off AS $$
DECLARE
	pass verify_passes;
	changed bigint[];
BEGIN
	SELECT * INTO pass FROM verify_passes WHERE finished_at IS NOT NULL
	 ORDER BY history_upto DESC, id DESC LIMIT 1;
	IF NOT FOUND THEN
		RETURN QUERY SELECT * FROM verify(NULL);
		RETURN;
	END IF;
	changed := ARRAY(SELECT DISTINCT h.card_id FROM point_history h
			  WHERE h.id > pass.history_upto);
	RETURN QUERY
	SELECT c.code, v.problem, v.detail
	  FROM (SELECT f.card_id, f.problem, f.detail
		  FROM verify_findings f
		 WHERE f.pass_id = pass.id
		   AND (f.card_id IS NULL OR f.card_id <> ALL (changed)
			OR f.problem IN ('history_sequence', 'history_vs_movements',
					 'entry_without_posting'))
		UNION
		SELECT * FROM verify_cards(changed, pass.history_upto)
		UNION
		SELECT NULL::bigint, 'key_posted_twice',
		       format('idempotency key ''%s'' has %s postings', p.key, count(*))
		  FROM postings p
		 WHERE p.key IN (SELECT n.key FROM postings n WHERE n.id > pass.postings_upto)
		 GROUP BY p.key HAVING count(*) > 1) v
	  LEFT JOIN cards c ON c.id = v.card_id
	 ORDER BY 1 NULLS FIRST, 2, 3;
END
$$;

REVOKE ALL ON FUNCTION verify_mark(), verify_record(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION verify_mark(), verify_record(bigint) TO aba_clerk, aba_auditor;
