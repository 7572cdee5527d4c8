/* aba_approval.c - the C side of sql/032 and sql/034. */
#include "aba_approval.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aba_amount.h"
#include "aba_db.h"
#include "aba_text.h"
#include "aba_time.h"

static const char SQL_ADJUST[] = "SELECT aba.adjust_request($1, $2::bigint, $3, $4)";
static const char SQL_OVERRIDE[] =
	"SELECT aba.override_request($1, $2, $3::timestamptz, $4, $5)";
static const char SQL_APPROVE[] = "SELECT aba.approval_approve($1::bigint, $2)";
static const char SQL_REJECT[] = "SELECT aba.approval_reject($1::bigint, $2)";
static const char SQL_CANCEL[] = "SELECT aba.approval_cancel($1::bigint)";
static const char SQL_EXPIRE[] = "SELECT (aba.approvals_expire() ->> 'expired')::bigint";
static const char SQL_LIST[] =
	"SELECT aba.approval_json(r) FROM aba.approval_requests r"
	" WHERE ($1::text IS NULL OR r.state = $1) AND ($2::text IS NULL OR r.kind = $2)"
	"   AND ($3::text IS NULL OR r.card_id = (SELECT id FROM aba.cards WHERE code = $3))"
	" ORDER BY r.id LIMIT $4::bigint";
static const char SQL_REASON_SET[] = "SELECT aba.reason_code_set($1, $2, $3, $4::boolean)";
static const char SQL_REASON_LIST[] =
	"SELECT code, label, applies_to, active FROM aba.reason_codes ORDER BY code";
static const char SQL_SETTING_SET[] = "SELECT aba.approval_setting_set($1, $2::bigint)";
static const char SQL_SETTING_LIST[] =
	"SELECT name, value, description FROM aba.approval_settings ORDER BY name";

static const char *const states[] = { "pending", "approved", "rejected", "cancelled", "expired" };

static void copy_str(char *dst, size_t size, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	snprintf(dst, size, "%s", v ? v : "");
}

/* "2026-01-31T23:59:59.123456Z" -> "2026-01-31T23:59:59Z": seconds are
 * plenty on a screen; the audit log keeps the microseconds. */
static void copy_time(char *dst, size_t size, json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	if (v && strlen(v) > 19)
		snprintf(dst, size, "%.19sZ", v);
	else
		snprintf(dst, size, "%s", v ? v : "");
}

static void from_json(json_t *o, struct aba_approval *a)
{
	json_t *result = json_object_get(o, "result");

	memset(a, 0, sizeof(*a));
	a->id = json_integer_value(json_object_get(o, "id"));
	a->points = json_integer_value(json_object_get(o, "points"));
	a->automatic = json_is_true(json_object_get(o, "auto"));
	a->balance = json_is_integer(json_object_get(result, "balance"))
		? json_integer_value(json_object_get(result, "balance")) : -1;
	copy_str(a->kind, sizeof(a->kind), o, "kind");
	copy_str(a->card, sizeof(a->card), o, "card");
	copy_str(a->level, sizeof(a->level), o, "level_code");
	copy_str(a->reason, sizeof(a->reason), o, "reason_code");
	copy_str(a->note, sizeof(a->note), o, "note");
	copy_str(a->state, sizeof(a->state), o, "state");
	copy_str(a->maker, sizeof(a->maker), o, "maker");
	copy_str(a->checker, sizeof(a->checker), o, "checker");
	copy_str(a->decision_note, sizeof(a->decision_note), o, "decision_note");
	copy_time(a->valid_until, sizeof(a->valid_until), o, "valid_until");
	copy_time(a->created_at, sizeof(a->created_at), o, "created_at");
	copy_time(a->expires_at, sizeof(a->expires_at), o, "expires_at");
	copy_time(a->decided_at, sizeof(a->decided_at), o, "decided_at");
}

static int parse_row(const PGresult *res, int i, struct aba_approval *out, struct aba_err *err)
{
	json_error_t jerr;
	json_t *o = json_loads(PQgetvalue(res, i, 0), 0, &jerr);

	if (!json_is_object(o)) {
		json_decref(o);
		return aba_fail(err, ABA_DB, "unreadable approval request: %s", jerr.text);
	}
	from_json(o, out);
	json_decref(o);
	return 0;
}

/* One approval function returning a request as jsonb. */
static int call(struct aba_db *db, const char *sql, int n, const char *const *params,
		struct aba_approval *out, struct aba_err *err)
{
	PGresult *res = NULL;
	int rc;

	if (aba_db_call(db, sql, n, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	rc = parse_row(res, 0, out, err);
	PQclear(res);
	return rc;
}

static int check_note(const char *note, struct aba_err *err)
{
	return note ? aba_text_check(note, "note", 1000, err) : 0;
}

static int check_reason(const char *reason, struct aba_err *err)
{
	if (!reason)
		return aba_fail(err, ABA_INPUT, "a reason code is required");
	return aba_text_check(reason, "reason code", 32, err);
}

int aba_adjust_request(struct aba_db *db, const char *card, int64_t points, const char *reason,
		       const char *note, struct aba_approval *out, struct aba_err *err)
{
	char pts[24];
	const char *params[4] = { card, pts, reason, note };

	if (!card || aba_text_check(card, "card", 64, err))
		return card ? -1 : aba_fail(err, ABA_INPUT, "a card is required");
	if (points == 0)
		return aba_fail(err, ABA_INPUT, "points must not be zero");
	if (points > ABA_AMOUNT_MAX || points < -ABA_AMOUNT_MAX)
		return aba_fail(err, ABA_INPUT, "points exceed the maximum 999999999999.99");
	if (check_reason(reason, err) || check_note(note, err))
		return -1;
	snprintf(pts, sizeof(pts), "%" PRId64, points);
	return call(db, SQL_ADJUST, 4, params, out, err);
}

int aba_override_request(struct aba_db *db, const char *card, const char *level,
			 const char *until, const char *reason, const char *note,
			 struct aba_approval *out, struct aba_err *err)
{
	char at[ABA_TIME_BUFSZ];
	const char *params[5] = { card, level, at, reason, note };
	int64_t t;

	if (!card || !level || !until)
		return aba_fail(err, ABA_INPUT, "an override needs a card, a level and an end date");
	if (aba_text_check(card, "card", 64, err) || aba_text_check(level, "level", 32, err) ||
	    aba_time_parse(until, "--until", &t, err) || check_reason(reason, err) ||
	    check_note(note, err))
		return -1;
	aba_time_format(t, at);
	return call(db, SQL_OVERRIDE, 5, params, out, err);
}

/* approve, reject, cancel: the request id, then the note when the SQL takes one. */
static int decide(struct aba_db *db, const char *sql, int64_t id, int with_note, const char *note,
		  struct aba_approval *out, struct aba_err *err)
{
	char ids[24];
	const char *params[2] = { ids, note };

	if (id <= 0)
		return aba_fail(err, ABA_INPUT, "request id must be a positive number");
	if (check_note(note, err))
		return -1;
	snprintf(ids, sizeof(ids), "%" PRId64, id);
	if (call(db, sql, with_note ? 2 : 1, params, out, err) == 0)
		return 0;
	/* "permission denied for function approval_approve" says less than this */
	if (err && strcmp(err->sqlstate, "42501") == 0)
		snprintf(err->msg, sizeof(err->msg), "this login may not %s requests (%s)",
			 sql == SQL_CANCEL ? "cancel" : "decide",
			 sql == SQL_CANCEL ? "clerks cancel their own" : "approvers and admins do");
	return -1;
}

int aba_approval_approve(struct aba_db *db, int64_t id, const char *note,
			 struct aba_approval *out, struct aba_err *err)
{
	return decide(db, SQL_APPROVE, id, 1, note, out, err);
}

int aba_approval_reject(struct aba_db *db, int64_t id, const char *note,
			struct aba_approval *out, struct aba_err *err)
{
	return decide(db, SQL_REJECT, id, 1, note, out, err);
}

int aba_approval_cancel(struct aba_db *db, int64_t id, struct aba_approval *out,
			struct aba_err *err)
{
	return decide(db, SQL_CANCEL, id, 0, NULL, out, err);
}

int aba_approval_expire(struct aba_db *db, int64_t *expired, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_EXPIRE, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	*expired = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

static int check_filter(const struct aba_approval_filter *f, struct aba_err *err)
{
	int known = !f->state;

	for (size_t i = 0; !known && i < sizeof(states) / sizeof(states[0]); i++)
		known = strcmp(f->state, states[i]) == 0;
	if (!known)
		return aba_fail(err, ABA_INPUT, "state '%.32s' is not one of pending, approved,"
				" rejected, cancelled, expired", f->state);
	if (f->kind && strcmp(f->kind, "adjust") != 0 && strcmp(f->kind, "override") != 0)
		return aba_fail(err, ABA_INPUT, "kind '%.32s' is not adjust or override", f->kind);
	if (f->limit < 0)
		return aba_fail(err, ABA_INPUT, "limit must not be negative");
	return 0;
}

int aba_approval_list(struct aba_db *db, const struct aba_approval_filter *f,
		      aba_approval_fn fn, void *arg, struct aba_err *err)
{
	char limit[24];
	const char *params[4] = { f->state, f->kind, f->card, NULL };
	PGresult *res = NULL;
	int rc = 0;

	if (check_filter(f, err))
		return -1;
	if (f->limit > 0) {
		snprintf(limit, sizeof(limit), "%ld", f->limit);
		params[3] = limit;
	}
	if (aba_db_call(db, SQL_LIST, 4, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		struct aba_approval a;

		rc = parse_row(res, i, &a, err);
		if (rc == 0)
			fn(arg, &a);
	}
	PQclear(res);
	return rc;
}

/* A configuration function whose answer only the audit log needs. */
static int configure(struct aba_db *db, const char *sql, int n, const char *const *params,
		     struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, sql, n, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	PQclear(res);
	return 0;
}

int aba_reason_set(struct aba_db *db, const struct aba_reason *r, struct aba_err *err)
{
	const char *params[4] = { r->code, r->label, r->applies_to, r->active ? "true" : "false" };

	if (aba_text_check(r->label, "label", 200, err))
		return -1;
	return configure(db, SQL_REASON_SET, 4, params, err);
}

int aba_reason_list(struct aba_db *db, aba_reason_fn fn, void *arg, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_REASON_LIST, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct aba_reason r;

		snprintf(r.code, sizeof(r.code), "%s", PQgetvalue(res, i, 0));
		snprintf(r.label, sizeof(r.label), "%s", PQgetvalue(res, i, 1));
		snprintf(r.applies_to, sizeof(r.applies_to), "%s", PQgetvalue(res, i, 2));
		r.active = strcmp(PQgetvalue(res, i, 3), "t") == 0;
		fn(arg, &r);
	}
	PQclear(res);
	return 0;
}

int aba_setting_set(struct aba_db *db, const struct aba_setting *s, struct aba_err *err)
{
	char v[24];
	const char *params[2] = { s->name, s->has_value ? v : NULL };

	snprintf(v, sizeof(v), "%" PRId64, s->value);
	return configure(db, SQL_SETTING_SET, 2, params, err);
}

int aba_setting_list(struct aba_db *db, aba_setting_fn fn, void *arg, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_SETTING_LIST, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct aba_setting s;

		snprintf(s.name, sizeof(s.name), "%s", PQgetvalue(res, i, 0));
		s.has_value = !PQgetisnull(res, i, 1);
		s.value = s.has_value ? strtoll(PQgetvalue(res, i, 1), NULL, 10) : 0;
		snprintf(s.description, sizeof(s.description), "%s", PQgetvalue(res, i, 2));
		fn(arg, &s);
	}
	PQclear(res);
	return 0;
}
