/* fuzz_order.c - libFuzzer target: `aba order post`'s reader and parsers
 * (a stream of JSON values: one order, arrays of orders, JSON lines), the
 * order envelope, its cart, and the evaluation against a fixed program set
 * with points and per-point spending, up to the database call; each input
 * goes through both paths, one order at a time and in batches.
 *
 * Linked with --wrap so that no database is needed: the level lookup
 * answers "no level, x1", and every statement fails as a lost connection
 * would, which order posting must report per order and go on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aba_db.h"
#include "aba_member.h"
#include "aba_order.h"
#include "aba_program.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int __wrap_aba_member_level_at(struct aba_db *db, const char *card, const char *at,
			       char level[ABA_LEVEL_CODE_MAX + 8], int64_t *multiplier,
			       struct aba_err *err);
int __wrap_aba_db_call(struct aba_db *db, const char *sql, int nparams,
		       const char *const *params, ExecStatusType expected, PGresult **out,
		       struct aba_err *err);
int __wrap_aba_db_call_repeatable(struct aba_db *db, const char *sql, int nparams,
				  const char *const *params, ExecStatusType expected,
				  PGresult **out, struct aba_err *err);
int __wrap_aba_db_call_json(struct aba_db *db, int repeatable, const char *sql, int nparams,
			    const char *const *params, json_t **out, struct aba_err *err);

static const char PROGRAMS[] =
	"[{\"id\":\"LOY\",\"name\":\"points\",\"program_type\":\"loyalty\",\"trigger\":\"auto\","
	"\"sequence\":1,\"point_validity_days\":365,"
	"\"rules\":[{\"reward_point_mode\":\"money\",\"reward_point_amount\":\"0.01\"}],"
	"\"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"1\",\"discount_mode\":\"per_point\"}]},"
	"{\"id\":\"P10\",\"name\":\"10%\",\"program_type\":\"promo_code\",\"trigger\":\"with_code\","
	"\"code\":\"TEN\",\"sequence\":10,"
	"\"rules\":[{\"minimum_amount\":\"100.00\"}],"
	"\"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"10\"}]}]";

static struct aba_program_set *programs;
static long posts;

int __wrap_aba_member_level_at(struct aba_db *db, const char *card, const char *at,
			       char level[ABA_LEVEL_CODE_MAX + 8], int64_t *multiplier,
			       struct aba_err *err)
{
	(void)db, (void)card, (void)at, (void)err;
	level[0] = '\0';
	*multiplier = 10000;
	return 0;
}

int __wrap_aba_db_call(struct aba_db *db, const char *sql, int nparams,
		       const char *const *params, ExecStatusType expected, PGresult **out,
		       struct aba_err *err)
{
	(void)db, (void)sql, (void)expected, (void)out;
	/* What reaches the database must be well-formed: every parameter a
	 * string (or NULL). */
	for (int i = 0; i < nparams; i++)
		if (params[i])
			posts += (long)strlen(params[i]);
	return aba_fail(err, ABA_CONNECTION, "fuzz: no database");
}

int __wrap_aba_db_call_repeatable(struct aba_db *db, const char *sql, int nparams,
				  const char *const *params, ExecStatusType expected,
				  PGresult **out, struct aba_err *err)
{
	return __wrap_aba_db_call(db, sql, nparams, params, expected, out, err);
}

int __wrap_aba_db_call_json(struct aba_db *db, int repeatable, const char *sql, int nparams,
			    const char *const *params, json_t **out, struct aba_err *err)
{
	(void)repeatable, (void)out;
	return __wrap_aba_db_call(db, sql, nparams, params, PGRES_TUPLES_OK, NULL, err);
}

static void fail_fn(void *arg, const char *ref, const struct aba_err *err)
{
	(void)arg, (void)ref;
	if (err->msg[0] == '\0')
		abort();	/* every failure says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct aba_db db = { 0 };
	struct aba_order_totals t;
	struct aba_err err;
	FILE *f;

	if (!programs) {
		json_t *j = json_loads(PROGRAMS, 0, NULL);

		if (!j || aba_program_set_parse(j, &programs, &err))
			abort();
		json_decref(j);
	}
	for (size_t batch = 1; batch <= 16; batch += 15) {
		if (size == 0 || !(f = fmemopen((void *)data, size, "r")))
			return 0;
		if (aba_order_post_file_batch(&db, programs, f, batch, fail_fn, NULL, NULL, &t,
					      &err) == 0 && t.posted + t.replayed != 0)
			abort();	/* nothing can be posted without a database */
		fclose(f);
	}
	return 0;
}
