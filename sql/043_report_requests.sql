-- Reports on the maker-checker workflow (031-032): adjustments by maker
-- and reason, and the pending queue by age.  Like the ledger reports
-- (041) they run with the caller's rights and only read.  Requests are few
-- next to history (one per manual adjustment), so they read the table
-- itself through its indexes; no summary is needed.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

-- Requests are looked up by creation time for a period.
CREATE INDEX approval_requests_created_idx ON approval_requests (created_at);

-- The median of whole microseconds, exact: the middle value, or the mean
-- of the two middle values rounded half up.  NULL for no values.
CREATE FUNCTION report_median_us(p_sorted bigint[]) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN n = 0 THEN NULL
		    WHEN n % 2 = 1 THEN p_sorted[(n + 1) / 2]
		    ELSE (p_sorted[n / 2] + p_sorted[n / 2 + 1] + 1) / 2 END
	  FROM (SELECT coalesce(cardinality(p_sorted), 0) AS n) s
$$;

-- Microseconds to whole seconds, half up (durations are never negative).
CREATE FUNCTION report_us_to_s(p_us bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
	SELECT (p_us + 500000) / 1000000
$$;

CREATE FUNCTION report_us(p_from timestamptz, p_to timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT (extract(epoch FROM p_to - p_from) * 1000000)::bigint
$$;

-- Adjustment requests made from p_from's UTC day to p_to's, by maker and
-- reason code: how many, how they ended, the points approved ones moved
-- (credited and debited, both positive), and how long a checker took to
-- approve (median and longest, whole seconds; automatic approvals take no
-- checker and are left out of the times).  Still-pending requests count
-- as pending whatever their age.  A total row over all makers.
CREATE FUNCTION report_adjustments(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (maker text, reason_code text, requests bigint, approved bigint, auto bigint,
	       rejected bigint, withdrawn bigint, pending bigint, credited bigint, debited bigint,
	       median_approval bigint, max_approval bigint, total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan
SET jit = off AS $$
#variable_conflict use_column
DECLARE
	t1 timestamptz := utc_start(utc_day(p_from));
	t2 timestamptz := utc_start(utc_day(p_to) + 1);
BEGIN
	RETURN QUERY
	WITH r AS (
		SELECT a.maker, a.reason_code, a.state, a.auto, a.points,
		       CASE WHEN a.state = 'approved' AND NOT a.auto
			    THEN report_us(a.created_at, a.decided_at) END AS wait_us
		  FROM approval_requests a
		 WHERE a.kind = 'adjust' AND a.created_at >= t1 AND a.created_at < t2
	)
	SELECT CASE WHEN grouping(r.maker) = 1 THEN 'total' ELSE r.maker END,
	       CASE WHEN grouping(r.maker) = 1 THEN NULL ELSE r.reason_code END,
	       count(*),
	       count(*) FILTER (WHERE r.state = 'approved'),
	       count(*) FILTER (WHERE r.state = 'approved' AND r.auto),
	       count(*) FILTER (WHERE r.state = 'rejected'),
	       count(*) FILTER (WHERE r.state IN ('cancelled', 'expired')),
	       count(*) FILTER (WHERE r.state = 'pending'),
	       coalesce(sum(r.points) FILTER (WHERE r.state = 'approved' AND r.points > 0), 0)::bigint,
	       coalesce(-sum(r.points) FILTER (WHERE r.state = 'approved' AND r.points < 0), 0)::bigint,
	       report_us_to_s(report_median_us(array_agg(r.wait_us ORDER BY r.wait_us)
					       FILTER (WHERE r.wait_us IS NOT NULL))),
	       report_us_to_s(max(r.wait_us)),
	       grouping(r.maker) = 1
	  FROM r
	 GROUP BY GROUPING SETS ((r.maker, r.reason_code), ())
	 ORDER BY grouping(r.maker), r.maker, r.reason_code;
END
$$;

-- Requests pending at p_as_of (made by then, not yet decided then, not
-- yet past their expiry then: those can no longer be approved), by maker:
-- how many of each kind, how many in each age bucket, the points asked
-- for (credits and debits both counted positive) and the oldest one's age
-- in whole seconds.  Past times are exact: a request's creation and
-- decision times never change.  A total row over all makers.
CREATE FUNCTION report_approvals(p_as_of timestamptz)
RETURNS TABLE (maker text, pending bigint, adjustments bigint, overrides bigint,
	       under_1h bigint, h1_to_4h bigint, h4_to_24h bigint, d1_to_3d bigint, over_3d bigint,
	       points bigint, oldest bigint, total boolean)
LANGUAGE plpgsql STABLE SET search_path = aba, pg_temp SET plan_cache_mode = force_custom_plan
SET jit = off AS $$
#variable_conflict use_column
DECLARE
	t timestamptz := coalesce(p_as_of, now());
BEGIN
	RETURN QUERY
	WITH q AS (
		SELECT a.maker, a.kind, abs(a.points) AS points, t - a.created_at AS age,
		       report_us(a.created_at, t) AS age_us
		  FROM approval_requests a
		 WHERE a.created_at <= t AND a.expires_at > t
		   AND (a.decided_at IS NULL OR a.decided_at > t)
	)
	SELECT CASE WHEN grouping(q.maker) = 1 THEN 'total' ELSE q.maker END,
	       count(*),
	       count(*) FILTER (WHERE q.kind = 'adjust'),
	       count(*) FILTER (WHERE q.kind = 'override'),
	       count(*) FILTER (WHERE q.age < interval '1 hour'),
	       count(*) FILTER (WHERE q.age >= interval '1 hour' AND q.age < interval '4 hours'),
	       count(*) FILTER (WHERE q.age >= interval '4 hours' AND q.age < interval '24 hours'),
	       count(*) FILTER (WHERE q.age >= interval '24 hours' AND q.age < interval '72 hours'),
	       count(*) FILTER (WHERE q.age >= interval '72 hours'),
	       coalesce(sum(q.points), 0)::bigint,
	       report_us_to_s(max(q.age_us)),
	       grouping(q.maker) = 1
	  FROM q
	 GROUP BY GROUPING SETS ((q.maker), ())
	 ORDER BY grouping(q.maker), q.maker;
END
$$;
