-- Promotion and loyalty programs (DESIGN.md "Promotions and discounts").
--
-- Each program is stored whole, as the JSON the engine's parser reads
-- (engine/aba_program.c), so that `aba simulate` and order posting load
-- every active program in one query; the other columns repeat what lists
-- and filters need.  The C side validates a file with the same parser
-- before calling program_import(), the only write path; the checks here
-- keep the table sane whoever calls it.
SET LOCAL ROLE aba_owner;
SET LOCAL search_path = aba;

CREATE TABLE programs (
	id text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	program_type text NOT NULL CHECK (program_type IN ('promotion', 'buy_x_get_y', 'coupons',
		'promo_code', 'referral', 'next_order_coupons', 'loyalty')),
	trigger text NOT NULL CHECK (trigger IN ('auto', 'with_code')),
	stacking text NOT NULL CHECK (stacking IN ('combine', 'exclusive')),
	sequence integer NOT NULL,
	active boolean NOT NULL,
	date_from text,			-- as written in the program
	date_to text,
	program jsonb NOT NULL CHECK (jsonb_typeof(program) = 'object' AND program->>'id' = id),
	updated_at timestamptz NOT NULL DEFAULT now(),
	updated_by text NOT NULL DEFAULT session_user
);
CREATE INDEX programs_active_idx ON programs (sequence, id) WHERE active;

-- Inserts or replaces each program of p_programs (an array, or one
-- object) in one transaction, auditing every change; a program identical
-- to the stored one is left alone.  Returns how many changed.
CREATE FUNCTION program_import(p_programs jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = aba, pg_temp AS $$
DECLARE
	p jsonb;
	before jsonb;
	changed integer := 0;
BEGIN
	IF jsonb_typeof(p_programs) = 'object' THEN
		p_programs := jsonb_build_array(p_programs);
	END IF;
	IF jsonb_typeof(p_programs) IS DISTINCT FROM 'array' THEN
		RAISE EXCEPTION 'programs: expected an array of programs or one program object'
			USING ERRCODE = 'AB422';
	END IF;
	FOR p IN SELECT value FROM jsonb_array_elements(p_programs) LOOP
		IF jsonb_typeof(p) IS DISTINCT FROM 'object' OR jsonb_typeof(p->'id') IS DISTINCT FROM 'string' THEN
			RAISE EXCEPTION 'programs: each program needs a string id' USING ERRCODE = 'AB422';
		END IF;
		SELECT program INTO before FROM programs WHERE id = p->>'id' FOR UPDATE;
		CONTINUE WHEN before = p;
		INSERT INTO programs (id, name, program_type, trigger, stacking, sequence, active,
				      date_from, date_to, program)
		VALUES (p->>'id', coalesce(p->>'name', p->>'id'), p->>'program_type',
			coalesce(p->>'trigger', 'auto'), coalesce(p->>'stacking', 'combine'),
			coalesce((p->>'sequence')::integer, 10), coalesce((p->>'active')::boolean, true),
			p->>'date_from', p->>'date_to', p)
		ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
			program_type = EXCLUDED.program_type, trigger = EXCLUDED.trigger,
			stacking = EXCLUDED.stacking, sequence = EXCLUDED.sequence,
			active = EXCLUDED.active, date_from = EXCLUDED.date_from,
			date_to = EXCLUDED.date_to, program = EXCLUDED.program,
			updated_at = now(), updated_by = session_user;
		PERFORM audit_append(CASE WHEN before IS NULL THEN 'program.create'
					  ELSE 'program.update' END,
				     'program', p->>'id', before, p, NULL);
		changed := changed + 1;
	END LOOP;
	RETURN changed;
END
$$;

REVOKE ALL ON programs FROM PUBLIC;
GRANT SELECT ON programs TO aba_clerk, aba_auditor, aba_pos;
GRANT EXECUTE ON FUNCTION program_import(jsonb) TO aba_admin;
