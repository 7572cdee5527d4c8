/* aba_program_store.c - programs in the database: one query to load the
 * active ones, one call to import, plain SELECTs to list and show. */
#include "aba_program_store.h"

#include <stdlib.h>
#include <string.h>

#include "aba_db.h"

/* All active programs as one JSON array, already in evaluation order. */
static const char SQL_LOAD[] =
	"SELECT coalesce(jsonb_agg(program ORDER BY sequence, id), '[]'::jsonb)::text"
	"  FROM aba.programs WHERE active";

static const char SQL_IMPORT[] = "SELECT aba.program_import($1::jsonb)";

static const char SQL_LIST[] =
	"SELECT id, name, program_type, trigger, stacking, sequence, active,"
	"       coalesce(date_from, ''), coalesce(date_to, ''),"
	"       " ABA_DB_UTC("updated_at")
	"  FROM aba.programs ORDER BY sequence, id";

static const char SQL_GET[] = "SELECT program::text FROM aba.programs WHERE id = $1";

/* Parses a JSON text the database returned. */
static int parse_text(const char *text, json_t **out, struct aba_err *err)
{
	json_error_t jerr;

	*out = json_loads(text, 0, &jerr);
	if (!*out)
		return aba_fail(err, ABA_SERVER, "stored programs: %s", jerr.text);
	return 0;
}

int aba_program_store_load(struct aba_db *db, struct aba_program_set **out,
			   struct aba_err *err)
{
	PGresult *res = NULL;
	json_t *j = NULL;
	int ret = -1;

	*out = NULL;
	if (aba_db_call(db, SQL_LOAD, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	if (parse_text(PQgetvalue(res, 0, 0), &j, err))
		goto out;
	ret = aba_program_set_parse(j, out, err);
out:
	json_decref(j);
	PQclear(res);
	return ret;
}

int aba_program_store_import(struct aba_db *db, const json_t *programs, size_t *count,
			     struct aba_err *err)
{
	struct aba_program_set *set;
	const char *params[1];
	PGresult *res = NULL;
	char *text;
	int ret;

	if (aba_program_set_parse(programs, &set, err))
		return -1;
	*count = set->n;
	aba_program_set_free(set);
	text = json_dumps(programs, JSON_COMPACT);
	if (!text)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	params[0] = text;
	ret = aba_db_call(db, SQL_IMPORT, 1, params, PGRES_TUPLES_OK, &res, err);
	PQclear(res);
	free(text);
	return ret;
}

int aba_program_store_list(struct aba_db *db,
			   void (*fn)(void *arg, const struct aba_program_row *row),
			   void *arg, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_LIST, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct aba_program_row row = {
			.id = PQgetvalue(res, i, 0),
			.name = PQgetvalue(res, i, 1),
			.program_type = PQgetvalue(res, i, 2),
			.trigger = PQgetvalue(res, i, 3),
			.stacking = PQgetvalue(res, i, 4),
			.sequence = strtoll(PQgetvalue(res, i, 5), NULL, 10),
			.active = PQgetvalue(res, i, 6)[0] == 't',
			.date_from = PQgetvalue(res, i, 7),
			.date_to = PQgetvalue(res, i, 8),
			.updated_at = PQgetvalue(res, i, 9),
		};

		fn(arg, &row);
	}
	PQclear(res);
	return 0;
}

int aba_program_store_get(struct aba_db *db, const char *id, json_t **out,
			  struct aba_err *err)
{
	const char *params[] = { id };
	PGresult *res = NULL;
	int ret;

	*out = NULL;
	if (aba_db_call(db, SQL_GET, 1, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	if (PQntuples(res) == 0)
		ret = aba_fail(err, ABA_NOT_FOUND, "program '%.100s' not found", id);
	else
		ret = parse_text(PQgetvalue(res, 0, 0), out, err);
	PQclear(res);
	return ret;
}
