/* aba_member.c - the C side of sql/020-021: levels, evaluation, overrides. */
#include "aba_member.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_db.h"
#include "aba_jp.h"
#include "aba_text.h"
#include "aba_time.h"

static const char SQL_LEVEL_SET[] =
	"SELECT aba.level_set($1, $2, $3::integer, $4::integer, $5::bigint, $6::integer,"
	" $7::boolean, $8::boolean)";
static const char SQL_LEVELS[] =
	"SELECT l.code, l.name, l.sequence, l.earn_multiplier, p.threshold IS NOT NULL,"
	"       coalesce(p.threshold, 0), coalesce(p.window_days, 0),"
	"       coalesce(p.upgradable, false), coalesce(p.downgradable, false)"
	"  FROM aba.levels l LEFT JOIN aba.level_paths p ON p.level_code = l.code"
	" ORDER BY l.sequence";
static const char SQL_INFO[] = "SELECT aba.member_info($1, $2::timestamptz)";
static const char SQL_EVALUATE[] =
	"SELECT aba.member_evaluate($1::timestamptz, $2, $3::bigint, $4::integer)";
static const char SQL_OVERRIDE[] =
	"SELECT aba.level_override_direct($1, $2, $3::timestamptz, $4)";
static const char SQL_LEVEL_AT[] =
	"SELECT coalesce(level, ''), earn_multiplier FROM aba.order_level($1, $2::timestamptz)";

#define EVALUATE_BATCH "500"

static void copy_str(char *dst, size_t size, const json_t *v)
{
	snprintf(dst, size, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static void copy_time(char *dst, size_t size, const json_t *v)
{
	char buf[ABA_TIME_BUFSZ];
	const char *t = NULL;

	dst[0] = '\0';
	if (json_is_string(v) && aba_time_canonical(json_string_value(v), "time", buf, &t, NULL) == 0 && t)
		snprintf(dst, size, "%s", t);
}

/* Runs a function that returns one jsonb value and parses it. */
int aba_member_level_set(struct aba_db *db, const struct aba_level *l, struct aba_err *err)
{
	char seq[16], mult[24], thr[24], win[16];
	const char *params[8] = { l->code, l->name, seq, mult, NULL, NULL,
				  l->upgradable ? "t" : "f", l->downgradable ? "t" : "f" };
	json_t *r;

	if (aba_text_check(l->code, "level code", ABA_LEVEL_CODE_MAX, err) ||
	    aba_text_check(l->name, "level name", 100, err))
		return -1;
	if (l->multiplier < 0 || l->multiplier > 1000000)
		return aba_fail(err, ABA_INPUT, "earn multiplier must be from 0 to 100");
	snprintf(seq, sizeof(seq), "%d", l->sequence);
	snprintf(mult, sizeof(mult), "%" PRId64, l->multiplier);
	if (l->has_path) {
		snprintf(thr, sizeof(thr), "%" PRId64, l->threshold);
		snprintf(win, sizeof(win), "%d", l->window_days);
		params[4] = thr;
		params[5] = win;
	}
	if (aba_db_call_json(db, 0, SQL_LEVEL_SET, 8, params, &r, err))
		return -1;
	json_decref(r);
	return 0;
}

int aba_member_levels(struct aba_db *db, aba_level_fn fn, void *arg, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_LEVELS, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct aba_level l;

		memset(&l, 0, sizeof(l));
		snprintf(l.code, sizeof(l.code), "%s", PQgetvalue(res, i, 0));
		snprintf(l.name, sizeof(l.name), "%s", PQgetvalue(res, i, 1));
		l.sequence = atoi(PQgetvalue(res, i, 2));
		l.multiplier = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		l.has_path = PQgetvalue(res, i, 4)[0] == 't';
		l.threshold = strtoll(PQgetvalue(res, i, 5), NULL, 10);
		l.window_days = atoi(PQgetvalue(res, i, 6));
		l.upgradable = PQgetvalue(res, i, 7)[0] == 't';
		l.downgradable = PQgetvalue(res, i, 8)[0] == 't';
		fn(arg, &l);
	}
	PQclear(res);
	return 0;
}

static void fill_info(struct aba_member_info *m, json_t *j)
{
	const json_t *next = json_object_get(j, "next"), *ov = json_object_get(j, "override");

	m->json = j;
	copy_str(m->card, sizeof(m->card), json_object_get(j, "card"));
	copy_time(m->at, sizeof(m->at), json_object_get(j, "at"));
	copy_str(m->level, sizeof(m->level), json_object_get(j, "level"));
	copy_str(m->level_name, sizeof(m->level_name), json_object_get(j, "level_name"));
	copy_time(m->since, sizeof(m->since), json_object_get(j, "since"));
	copy_str(m->change, sizeof(m->change), json_object_get(j, "change"));
	m->multiplier = aba_jp_int_or_zero(j, "earn_multiplier");
	m->has_spend = json_is_integer(json_object_get(j, "spend"));
	m->spend = aba_jp_int_or_zero(j, "spend");
	m->threshold = aba_jp_int_or_zero(j, "threshold");
	m->window_days = (int)aba_jp_int_or_zero(j, "window_days");
	if (next) {
		copy_str(m->next_level, sizeof(m->next_level), json_object_get(next, "level"));
		copy_str(m->next_name, sizeof(m->next_name), json_object_get(next, "name"));
		m->next_threshold = aba_jp_int_or_zero(next, "threshold");
		m->next_spend = aba_jp_int_or_zero(next, "spend");
		m->next_distance = aba_jp_int_or_zero(next, "distance");
		m->next_window_days = (int)aba_jp_int_or_zero(next, "window_days");
	}
	if (ov) {
		copy_str(m->override_level, sizeof(m->override_level), json_object_get(ov, "level"));
		copy_time(m->override_until, sizeof(m->override_until), json_object_get(ov, "until"));
		copy_str(m->override_reason, sizeof(m->override_reason), json_object_get(ov, "reason"));
	}
}

int aba_member_info(struct aba_db *db, const char *card, const char *at,
		    struct aba_member_info *out, struct aba_err *err)
{
	char buf[ABA_TIME_BUFSZ];
	const char *params[2] = { card, NULL };
	json_t *j;

	memset(out, 0, sizeof(*out));
	if (aba_text_check(card, "card", 64, err) || aba_time_canonical(at, "at", buf, &params[1], err))
		return -1;
	if (aba_db_call_json(db, 0, SQL_INFO, 2, params, &j, err))
		return -1;
	fill_info(out, j);
	return 0;
}

void aba_member_info_clear(struct aba_member_info *m)
{
	json_decref(m->json);
	memset(m, 0, sizeof(*m));
}

static void add_counts(struct aba_member_totals *t, const json_t *r)
{
	const json_t *c = json_object_get(r, "counts");

	t->cards += aba_jp_int_or_zero(r, "cards");
	t->upgraded += aba_jp_int_or_zero(c, "upgrade");
	t->downgraded += aba_jp_int_or_zero(c, "downgrade");
	t->overridden += aba_jp_int_or_zero(c, "override");
	t->lapsed += aba_jp_int_or_zero(c, "override_lapsed");
	t->pinned += aba_jp_int_or_zero(c, "pinned");
	t->unchanged += aba_jp_int_or_zero(c, "unchanged");
	t->skipped += aba_jp_int_or_zero(c, "skipped");
}

static void report_changes(const json_t *r, aba_member_change_fn fn, void *arg)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(r, "changes"), i, c) {
		struct aba_member_change mc = {
			.card = json_string_value(json_object_get(c, "card")),
			.from = json_is_string(json_object_get(c, "from"))
				? json_string_value(json_object_get(c, "from")) : "",
			.to = json_is_string(json_object_get(c, "to"))
				? json_string_value(json_object_get(c, "to")) : "",
			.outcome = json_string_value(json_object_get(c, "outcome")),
			.spend = aba_jp_int_or_zero(c, "spend"),
		};
		fn(arg, &mc);
	}
}

int aba_member_evaluate(struct aba_db *db, const char *as_of, const char *card,
			aba_member_change_fn fn, aba_member_progress progress, void *arg,
			struct aba_member_totals *out, struct aba_err *err)
{
	char at[64], after[24] = "0";
	const char *params[4] = { NULL, card, after, EVALUATE_BATCH };
	int64_t n;

	memset(out, 0, sizeof(*out));
	if ((card && aba_text_check(card, "card", 64, err)) ||
	    aba_time_canonical(as_of, "as-of", at, &params[0], err))
		return -1;
	do {
		json_t *r;

		if (aba_db_call_json(db, 0, SQL_EVALUATE, 4, params, &r, err))
			return -1;
		n = aba_jp_int_or_zero(r, "cards");
		add_counts(out, r);
		if (fn)
			report_changes(r, fn, arg);
		snprintf(after, sizeof(after), "%" PRId64, aba_jp_int_or_zero(r, "last_id"));
		/* Later batches use the first batch's as-of, so "now" does not move. */
		if (!params[0]) {
			snprintf(at, sizeof(at), "%s", json_string_value(json_object_get(r, "as_of")));
			params[0] = at;
		}
		json_decref(r);
		if (progress && n)
			progress(arg, out);
	} while (n > 0 && !card);
	return 0;
}

int aba_member_override(struct aba_db *db, const char *card, const char *level,
			const char *until, const char *reason, int64_t *override_id,
			struct aba_err *err)
{
	char buf[ABA_TIME_BUFSZ];
	const char *params[4] = { card, level, NULL, reason };
	json_t *r;

	if (aba_text_check(card, "card", 64, err) ||
	    aba_text_check(level, "level", ABA_LEVEL_CODE_MAX, err) ||
	    aba_text_check(reason, "reason", 500, err))
		return -1;
	if (!until)
		return aba_fail(err, ABA_INPUT, "an override needs an end time");
	if (aba_time_canonical(until, "until", buf, &params[2], err) ||
	    aba_db_call_json(db, 0, SQL_OVERRIDE, 4, params, &r, err))
		return -1;
	if (override_id)
		*override_id = aba_jp_int_or_zero(r, "override");
	json_decref(r);
	return 0;
}

int aba_member_level_at(struct aba_db *db, const char *card, const char *at,
			char level[ABA_LEVEL_CODE_MAX + 8], int64_t *multiplier,
			struct aba_err *err)
{
	char buf[ABA_TIME_BUFSZ];
	const char *params[2] = { card, NULL };
	PGresult *res = NULL;
	int found;

	if (aba_time_canonical(at, "at", buf, &params[1], err))
		return -1;
	if (!params[1])
		return aba_fail(err, ABA_INPUT, "at: a time is required");
	/* a read: safe to run again after a lost connection */
	if (aba_db_call_repeatable(db, SQL_LEVEL_AT, 2, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	found = PQntuples(res) == 1;
	if (found) {
		snprintf(level, ABA_LEVEL_CODE_MAX + 8, "%s", PQgetvalue(res, 0, 0));
		*multiplier = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	}
	PQclear(res);
	return found ? 0 : aba_fail(err, ABA_NOT_FOUND, "card '%.64s' not found", card);
}
