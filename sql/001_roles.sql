-- Roles and the schema's owner.  Runs as the superuser that migrates.
--
-- aba_owner (NOLOGIN) owns every table and every SECURITY DEFINER function,
-- so those functions run with the owner's rights and never a superuser's.
-- Staff log in with their own role, member of one of the group roles; the
-- groups get SELECT where they may read and EXECUTE on the functions their
-- job needs, never INSERT/UPDATE/DELETE on ledger, approval or audit tables.
-- Roles are cluster-wide, so each is created only when missing.
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['aba_owner', 'aba_clerk', 'aba_approver', 'aba_auditor',
				 'aba_admin', 'aba_pos']
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END
$$;

-- An approver is a clerk who may also decide; an admin configures and may
-- decide (never on their own requests: the approval functions check that).
GRANT aba_clerk TO aba_approver;
GRANT aba_approver TO aba_admin;

ALTER SCHEMA aba OWNER TO aba_owner;
ALTER TABLE aba.schema_migrations OWNER TO aba_owner;
REVOKE ALL ON SCHEMA aba FROM PUBLIC;
GRANT USAGE ON SCHEMA aba TO aba_clerk, aba_approver, aba_auditor, aba_admin, aba_pos;

-- Functions the owner creates are not executable by PUBLIC; each grant is
-- explicit.
ALTER DEFAULT PRIVILEGES FOR ROLE aba_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
