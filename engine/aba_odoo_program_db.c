/* aba_odoo_program_db.c - the programs built from Odoo exports, stored the
 * way `aba program import` stores programs, or compared with the stored
 * ones.
 *
 * The write is aba_program_store_import, nothing else: the same parser,
 * the same SQL function, the same program.create/program.update audit
 * rows.  Around it, in the same transaction, each stored program is read
 * first so the output can say created, updated or unchanged, and each
 * program file gets its odoo.import audit row.
 */
#include "aba_odoo.h"

#include <stdio.h>
#include <string.h>

#include "aba_db.h"
#include "aba_odoo_record.h"
#include "aba_program_store.h"

/* The stored program with the same id, or *stored NULL when there is none. */
static int stored_program(struct aba_db *db, const json_t *prog, json_t **stored,
			  struct aba_err *err)
{
	struct aba_err e;

	if (aba_program_store_get(db, json_string_value(json_object_get(prog, "id")), stored,
				  &e) == 0)
		return 0;
	if (e.code == ABA_NOT_FOUND)
		return 0;
	if (err)
		*err = e;
	return -1;
}

static int classify(struct aba_db *db, const json_t *programs,
		    struct aba_odoo_program_result *out, struct aba_err *err)
{
	const json_t *prog;
	size_t i;

	json_array_foreach(programs, i, prog) {
		json_t *stored;

		if (stored_program(db, prog, &stored, err))
			return -1;
		if (!stored)
			out->created++;
		else if (json_equal(stored, (json_t *)prog))
			out->unchanged++;
		else
			out->updated++;
		json_decref(stored);
	}
	out->programs = (long)json_array_size(programs);
	return 0;
}

/* One odoo.import audit row per program file: its records, and for the
 * loyalty.program files what became of the programs. */
static int audit_files(struct aba_db *db, const struct aba_odoo_file *files, size_t nfiles,
		       const struct aba_odoo_program_result *r, struct aba_err *err)
{
	for (size_t i = 0; i < nfiles; i++) {
		json_t *counts;
		int rc;

		if (!aba_odoo_model_is_program(files[i].model))
			continue;
		counts = files[i].model == ABA_ODOO_PROGRAM ?
			json_pack("{s:I,s:I,s:I,s:I}", "programs", (json_int_t)r->programs,
				  "created", (json_int_t)r->created, "updated",
				  (json_int_t)r->updated, "unchanged", (json_int_t)r->unchanged) :
			json_object();
		if (!counts)
			return aba_fail(err, ABA_NOMEM, "out of memory");
		rc = aba_odoo_audit_file(db, &files[i], counts, err);
		json_decref(counts);
		if (rc)
			return -1;
	}
	return 0;
}

static int store_once(struct aba_db *db, const struct aba_odoo_file *files, size_t nfiles,
		      const json_t *programs, int nested, struct aba_odoo_program_result *out,
		      struct aba_err *err)
{
	size_t count;

	memset(out, 0, sizeof(*out));
	if (aba_odoo_tx_begin(db, nested, err))
		return -1;
	if (classify(db, programs, out, err) ||
	    (out->created + out->updated > 0 &&
	     aba_program_store_import(db, programs, &count, err)) ||
	    audit_files(db, files, nfiles, out, err) || aba_odoo_tx_commit(db, nested, err)) {
		aba_odoo_tx_abort(db, nested);
		return -1;
	}
	return 0;
}

int aba_odoo_import_programs(struct aba_db *db, const struct aba_odoo_file *files,
			     size_t nfiles, struct aba_odoo_program_result *out,
			     struct aba_err *err)
{
	int nested = aba_odoo_tx_nested(db);
	json_t *programs;
	long records[3];
	int rc;

	memset(out, 0, sizeof(*out));
	if (aba_odoo_programs_build(files, nfiles, &programs, records, err))
		return -1;
	/* One transaction for all of them, so a serialization failure or
	 * deadlock retries the whole, never half of it. */
	for (int attempt = 0;; attempt++) {
		rc = store_once(db, files, nfiles, programs, nested, out, err);
		if (rc == 0 || !aba_odoo_tx_retry(nested, attempt, err))
			break;
	}
	json_decref(programs);
	memcpy(out->records, records, sizeof(records));
	if (rc && strncmp(err->msg, "programs", 8) != 0) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "programs: %.240s", msg);
	}
	return rc;
}

/* The top-level fields whose values differ, "rules, rewards". */
static void differing(const json_t *ours, const json_t *stored, char *buf, size_t size)
{
	const char *key;
	const json_t *v;
	size_t n = 0;

	buf[0] = '\0';
	json_object_foreach((json_t *)ours, key, v) {
		if (json_equal((json_t *)v, json_object_get(stored, key)) || n + 2 >= size)
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", key);
		if (n >= size)
			n = size - 1;
	}
}

static int compare_all(struct aba_db *db, const json_t *programs,
		       void (*fn)(void *arg, const struct aba_odoo_program_state *s), void *arg,
		       long *differ, struct aba_err *err)
{
	const json_t *prog;
	size_t i;

	json_array_foreach(programs, i, prog) {
		struct aba_odoo_program_state s = {
			json_string_value(json_object_get(prog, "id")),
			json_string_value(json_object_get(prog, "name")), "equal", ""
		};
		char fields[160];
		json_t *stored;

		if (stored_program(db, prog, &stored, err))
			return -1;
		if (!stored) {
			s.state = "missing";
		} else if (!json_equal(stored, (json_t *)prog)) {
			s.state = "different";
			differing(prog, stored, fields, sizeof(fields));
			s.fields = fields;
		}
		*differ += strcmp(s.state, "equal") != 0;
		fn(arg, &s);
		json_decref(stored);
	}
	return 0;
}

int aba_odoo_check_programs(struct aba_db *db, const struct aba_odoo_file *files,
			    size_t nfiles,
			    void (*fn)(void *arg, const struct aba_odoo_program_state *s),
			    void *arg, long *differ, struct aba_err *err)
{
	json_t *programs;
	int rc;

	*differ = 0;
	if (aba_odoo_programs_build(files, nfiles, &programs, NULL, err))
		return -1;
	rc = aba_db_begin_snapshot(db, err);
	if (rc == 0) {
		rc = compare_all(db, programs, fn, arg, differ, err);
		if (rc)
			aba_db_end_snapshot(db, NULL);
		else
			rc = aba_db_end_snapshot(db, err);
	}
	json_decref(programs);
	return rc;
}
