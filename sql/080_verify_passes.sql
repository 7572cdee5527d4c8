-- The findings of the last full `aba verify`, so that the consistency
-- report need not read the whole ledger again (162 s on 20 million history
-- entries) to say what holds.
--
-- Every change to a card's balance or lots writes a history entry of that
-- card (postings are the only way to write the ledger), and entries and
-- lot movements never change.  So a card without an entry above the
-- pass's history watermark is as the pass found it; for a card with newer
-- entries the report checks its balance and lots again, live, and its
-- newer entries, keeping what the pass found about its older ones; and the
-- postings above the postings watermark for keys posted twice.  A change
-- made behind the ledger's back (a superuser's UPDATE) shows at the next
-- full pass, which is why the report names the pass's time.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE TABLE verify_passes (
	id bigserial PRIMARY KEY,
	history_upto bigint NOT NULL,	-- every history entry <= this was committed when the pass read
	postings_upto bigint NOT NULL,	-- and every posting <= this
	started_at timestamptz NOT NULL,
	finished_at timestamptz NOT NULL,
	actor text NOT NULL DEFAULT session_user
);

CREATE TABLE verify_findings (
	pass_id bigint NOT NULL REFERENCES verify_passes ON DELETE CASCADE,
	card_id bigint,			-- NULL: a problem of the whole ledger
	problem text NOT NULL,
	detail text NOT NULL
);
CREATE INDEX verify_findings_pass_idx ON verify_findings (pass_id, card_id);

-- Step 1 of a recorded pass, its own short transaction: waits until no
-- posting is in flight (as report_refresh_mark does), so that every id up
-- to the maxima is committed before the pass takes its snapshot.  Postings
-- first: a posting writes its postings row before its history, so taking
-- them in that order cannot deadlock with one.  NULL on a read-only
-- server (a replica): there the pass is only run, not kept.
CREATE FUNCTION verify_mark() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
BEGIN
	IF pg_is_in_recovery() OR current_setting('transaction_read_only')::boolean THEN
		RETURN NULL;
	END IF;
	LOCK TABLE postings, point_history IN SHARE MODE;
	RETURN jsonb_build_object('history', coalesce((SELECT max(id) FROM point_history), 0),
				  'postings', coalesce((SELECT max(id) FROM postings), 0));
END
$$;

-- Step 2: the full pass (one statement, so one snapshot, taken after step
-- 1), kept as the newest pass; older passes go.  Returns what verify(NULL)
-- returns.
CREATE FUNCTION verify_record(p_history bigint, p_postings bigint)
RETURNS TABLE (card text, problem text, detail text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp
SET max_parallel_workers_per_gather = 0 SET jit = off AS $$
DECLARE
	pid bigint;
BEGIN
	INSERT INTO verify_passes (history_upto, postings_upto, started_at, finished_at)
	VALUES (p_history, p_postings, clock_timestamp(), clock_timestamp())
	RETURNING id INTO pid;
	INSERT INTO verify_findings (pass_id, card_id, problem, detail)
	SELECT pid, v.card_id, v.problem, v.detail FROM verify_cards(NULL) v;
	UPDATE verify_passes SET finished_at = clock_timestamp() WHERE id = pid;
	DELETE FROM verify_passes WHERE id <> pid AND history_upto <= p_history;
	RETURN QUERY
	SELECT c.code, f.problem, f.detail
	  FROM verify_findings f LEFT JOIN cards c ON c.id = f.card_id
	 WHERE f.pass_id = pid
	 ORDER BY 1 NULLS FIRST, 2, 3;
END
$$;

-- The newest pass and how many cards changed since: what the report says
-- it stands on.  No row: no pass was ever recorded.
CREATE FUNCTION verify_last_pass()
RETURNS TABLE (finished_at timestamptz, history_upto bigint, changed_cards bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = aba, pg_temp AS $$
	SELECT p.finished_at, p.history_upto,
	       (SELECT count(DISTINCT h.card_id) FROM point_history h WHERE h.id > p.history_upto)
	  FROM verify_passes p
	 ORDER BY p.history_upto DESC, p.id DESC
	 LIMIT 1
$$;

-- Every broken invariant as of now: the newest pass's findings for cards
-- unchanged since and about older entries of changed cards, the other
-- checks again for the changed cards, and the keys of newer postings.
-- The pass may have seen entries above its watermark, which are checked
-- again: the same finding twice is one row.  Without a pass: verify(NULL).
CREATE FUNCTION verify_since_pass()
RETURNS TABLE (card text, problem text, detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = aba, pg_temp
SET max_parallel_workers_per_gather = 0 SET jit = off AS $$
DECLARE
	pass verify_passes;
	changed bigint[];
BEGIN
	SELECT * INTO pass FROM verify_passes ORDER BY history_upto DESC, id DESC LIMIT 1;
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

REVOKE ALL ON verify_passes, verify_findings FROM PUBLIC;
GRANT SELECT ON verify_passes, verify_findings TO aba_clerk, aba_auditor;
GRANT EXECUTE ON FUNCTION verify_mark(), verify_record(bigint, bigint) TO aba_clerk, aba_auditor;
GRANT EXECUTE ON FUNCTION verify_last_pass(), verify_since_pass() TO aba_clerk, aba_auditor;
