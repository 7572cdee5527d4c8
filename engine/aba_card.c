/* aba_card.c - cards: create through the ledger, read with SELECTs. */
#include "aba_card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_db.h"
#include "aba_text.h"

static const char SQL_CREATE[] = "SELECT aba.card_create($1, $2, $3, $4)";

/* Search by code, name or phone (sql/052), in steps so that typing stays
 * fast on a million cards.  Dense matches ("ani") are found by walking
 * card_search in code order, an index-only scan that stops after a page;
 * the walk is bounded by $4 cards, and starts after code $5.  When that
 * finds less than the page, matches are rarer than one in (LIST_WALK /
 * page) cards, and the trigram index finds them all (SQL_LIST_RARE), few
 * enough to sort.  The two costs meet about there: walking 20,000 cards
 * and sorting the 1,000-2,500 matches it would have missed each take some
 * 6-10 ms on 1M cards.  Near the edge (the walk found half a page or more)
 * walking on for the rest is cheaper still (walk_on).  $1 is the needle:
 * the text, or U+001F and the text to match the start of a field
 * (card_search.hay); cards and partners are read for the page's rows
 * only.  No step counts all the matches: the console shows "50+". */
#define LIST_WALK 20000
#define LIST_ROW_SQL \
	"SELECT c.code, p.name, coalesce(p.phone, ''), coalesce(c.level_code, ''), c.balance," \
	"       c.active"
#define LIST_PAGE_SQL \
	" JOIN aba.cards c ON c.id = m.card_id JOIN aba.partners p ON p.id = c.partner_id" \
	" ORDER BY m.code"

static const char SQL_LIST_ALL[] =
	LIST_ROW_SQL
	"  FROM aba.cards c JOIN aba.partners p ON p.id = c.partner_id"
	" ORDER BY c.code LIMIT $1::integer OFFSET $2::integer";

static const char SQL_LIST[] =
	LIST_ROW_SQL
	"  FROM (SELECT card_id, code"
	"          FROM (SELECT card_id, code, hay FROM aba.card_search WHERE code > $5"
	"                 ORDER BY code LIMIT $4::integer) walk"
	"         WHERE strpos(hay, lower($1)) > 0"
	"         ORDER BY code LIMIT $2::integer OFFSET $3::integer) m"
	LIST_PAGE_SQL;

/* The trigram index is asked for the text squeezed (sql/053), strpos is
 * the exact test.  MATERIALIZED: the matches are few (the walk said so),
 * but the planner cannot know that and might walk the code index to the
 * end for them. */
static const char SQL_LIST_RARE[] =
	"WITH found AS MATERIALIZED ("
	"  SELECT card_id, code FROM aba.card_search"
	"   WHERE squeezed LIKE '%' || aba.card_search_squeeze(lower($1)) || '%'"
	"     AND strpos(hay, lower($1)) > 0)"
	LIST_ROW_SQL
	"  FROM (SELECT card_id, code FROM found"
	"         ORDER BY code LIMIT $2::integer OFFSET $3::integer) m"
	LIST_PAGE_SQL;

/* Text with fewer than three letters or digits ("a b", "+6 2") has no
 * trigram to look up: every card is read. */
static const char SQL_LIST_SCAN[] =
	LIST_ROW_SQL
	"  FROM (SELECT card_id, code FROM aba.card_search WHERE strpos(hay, lower($1)) > 0"
	"         ORDER BY code LIMIT $2::integer OFFSET $3::integer) m"
	LIST_PAGE_SQL;

/* Text of one or two characters matches the start of code, name or phone
 * (no trigram to look up); the btree indexes of sql/051 find the rare
 * ones.  $1 is 'text%'. */
static const char SQL_LIST_PREFIX[] =
	LIST_ROW_SQL
	"  FROM aba.cards c JOIN aba.partners p ON p.id = c.partner_id"
	" WHERE c.id IN (SELECT id FROM aba.cards WHERE lower(code) LIKE lower($1)"
	"                UNION SELECT c2.id FROM aba.cards c2 JOIN aba.partners p2 ON p2.id = c2.partner_id"
	"                 WHERE lower(p2.name) LIKE lower($1) OR p2.phone LIKE $1)"
	" ORDER BY c.code LIMIT $2::integer OFFSET $3::integer";

static const char SQL_CARD[] =
	"SELECT c.code, p.name, coalesce(p.phone, ''), coalesce(c.level_code, ''), c.balance,"
	"       c.active, coalesce(p.email, ''), c.id"
	"  FROM aba.cards c JOIN aba.partners p ON p.id = c.partner_id WHERE c.code = $1";

static const char SQL_LOTS[] =
	"SELECT id, " ABA_DB_UTC("gained_at") ", coalesce(" ABA_DB_UTC("expires_at") ", ''),"
	"       initial, remaining, state, origin"
	"  FROM aba.point_moves WHERE card_id = $1::bigint"
	" ORDER BY state <> 'active', expires_at ASC NULLS LAST, gained_at, id LIMIT $2::integer";

static const char SQL_HISTORY[] =
	"SELECT id, kind, delta, balance_after, origin, idempotency_key, actor, " ABA_DB_UTC("at")
	"  FROM aba.point_history WHERE card_id = $1::bigint ORDER BY id DESC LIMIT $2::integer";

/* Keyset paging: below the oldest id shown, through point_history_card_idx. */
static const char SQL_HISTORY_PAGE[] =
	"SELECT h.id, h.kind, h.delta, h.balance_after, h.origin, h.idempotency_key, h.actor, "
	ABA_DB_UTC("h.at")
	"  FROM aba.cards c JOIN aba.point_history h ON h.card_id = c.id"
	" WHERE c.code = $1 AND ($2::bigint = 0 OR h.id < $2::bigint)"
	" ORDER BY h.id DESC LIMIT $3::integer";

int aba_card_create(struct aba_db *db, const struct aba_card_new *c, struct aba_err *err)
{
	const char *params[] = { c->code, c->name, c->phone, c->email };
	PGresult *res = NULL;

	if (aba_text_check(c->code, "card code", 64, err) ||
	    aba_text_check(c->name, "name", 200, err) ||
	    (c->phone && aba_text_check(c->phone, "phone", 32, err)) ||
	    (c->email && aba_text_check(c->email, "email", 254, err)))
		return -1;
	if (aba_db_call(db, SQL_CREATE, 4, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	PQclear(res);
	return 0;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

static void read_row(const PGresult *res, int i, struct aba_card_row *r)
{
	copy(r->code, sizeof(r->code), PQgetvalue(res, i, 0));
	copy(r->name, sizeof(r->name), PQgetvalue(res, i, 1));
	copy(r->phone, sizeof(r->phone), PQgetvalue(res, i, 2));
	copy(r->level, sizeof(r->level), PQgetvalue(res, i, 3));
	r->balance = strtoll(PQgetvalue(res, i, 4), NULL, 10);
	r->active = PQgetvalue(res, i, 5)[0] == 't';
}

/* Short search text matches prefixes only: see SQL_LIST_PREFIX. */
#define PREFIX_ONLY_BELOW 3

/* The field separator of card_search.hay (sql/052). */
#define HAY_FIELD "\x1f"

/* Letters and digits of s, as card_search_squeeze keeps them (every
 * character past ASCII counted as one). */
static int alnum_count(const char *s)
{
	int n = 0;

	for (const unsigned char *r = (const unsigned char *)s; *r; r++)
		n += (*r >= 0xc0) || (*r >= '0' && *r <= '9') || (*r >= 'a' && *r <= 'z') ||
		     (*r >= 'A' && *r <= 'Z');
	return n;
}

/* Search text is at most 200 characters of UTF-8 (aba_text_check). */
#define SEARCH_MAX 200
#define SEARCH_BYTES (4 * SEARCH_MAX + 1)

/* 'text%' with LIKE's wildcards and escape character taken literally. */
static void prefix_pattern(const char *search, char out[2 * SEARCH_BYTES + 1])
{
	char *w = out;

	for (const char *r = search; *r; r++) {
		if (*r == '%' || *r == '_' || *r == '\\')
			*w++ = '\\';
		*w++ = *r;
	}
	*w++ = '%';
	*w = '\0';
}

/* What answers when the walk did not fill the page. */
static const char *rest_sql(const char *search, int prefix)
{
	if (prefix)
		return SQL_LIST_PREFIX;
	return alnum_count(search) >= 3 ? SQL_LIST_RARE : SQL_LIST_SCAN;
}

static void emit_rows(const PGresult *res, aba_card_row_fn fn, void *arg)
{
	for (int i = 0; i < PQntuples(res); i++) {
		struct aba_card_row row;

		read_row(res, i, &row);
		fn(arg, &row);
	}
}

static int list_all(struct aba_db *db, const char *lim, const char *off, aba_card_row_fn fn,
		    void *arg, struct aba_err *err)
{
	const char *params[] = { lim, off };
	PGresult *res = NULL;

	if (aba_db_call_repeatable(db, SQL_LIST_ALL, 2, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	emit_rows(res, fn, arg);
	PQclear(res);
	return 0;
}

/* The walk found r < limit rows, the last of them last_code: when that is
 * half the page or more, walks on for the rest, about twice as far as the
 * matches so far say it takes.  Returns the rest when they fill the page,
 * NULL when they do not (or on error: the trigram index will answer). */
static PGresult *walk_on(struct aba_db *db, const char *needle, int limit, int offset, int r,
			 const char *last_code)
{
	int matched = offset + r, want = limit - r;
	long walk = 2L * want * LIST_WALK / matched;
	char lim[16], bound[24];
	const char *params[] = { needle, lim, "0", bound, last_code };
	PGresult *res = NULL;
	struct aba_err err;

	if (r == 0 || 2 * r < limit)
		return NULL;
	snprintf(lim, sizeof(lim), "%d", want);
	snprintf(bound, sizeof(bound), "%ld", walk < 1000 ? 1000 : walk);
	if (aba_db_call_repeatable(db, SQL_LIST, 5, params, PGRES_TUPLES_OK, &res, &err) == 0 &&
	    PQntuples(res) == want)
		return res;
	PQclear(res);
	return NULL;
}

int aba_card_list(struct aba_db *db, const char *search, int limit, int offset,
		  aba_card_row_fn fn, void *arg, struct aba_err *err)
{
	char lim[16], off[16], walk[16], needle[SEARCH_BYTES + 1], pattern[2 * SEARCH_BYTES + 1];
	const char *params[] = { needle, lim, off, walk, "" };
	PGresult *res = NULL, *rest = NULL;
	int prefix, r;

	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(off, sizeof(off), "%d", offset);
	snprintf(walk, sizeof(walk), "%d", LIST_WALK);
	if (!search)
		return list_all(db, lim, off, fn, arg, err);
	if (aba_text_check(search, "search text", SEARCH_MAX, err))
		return -1;
	prefix = aba_utf8_length(search) < PREFIX_ONLY_BELOW;
	snprintf(needle, sizeof(needle), "%s%s", prefix ? HAY_FIELD : "", search);
	if (aba_db_call_repeatable(db, SQL_LIST, 5, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	/* The walk's rows are the answer only when they fill the page. */
	r = PQntuples(res);
	if (r < limit && !(rest = walk_on(db, needle, limit, offset, r,
					  r ? PQgetvalue(res, r - 1, 0) : ""))) {
		PQclear(res);
		res = NULL;
		if (prefix) {
			prefix_pattern(search, pattern);
			params[0] = pattern;
		}
		if (aba_db_call_repeatable(db, rest_sql(search, prefix), 3, params, PGRES_TUPLES_OK,
					   &res, err))
			return -1;
	}
	emit_rows(res, fn, arg);
	if (rest)
		emit_rows(rest, fn, arg);
	PQclear(res);
	PQclear(rest);
	return 0;
}

static int load_lots(struct aba_db *db, const char *card_id, int max, struct aba_card_view *v,
		     struct aba_err *err)
{
	char lim[16];
	const char *params[] = { card_id, lim };
	PGresult *res = NULL;

	snprintf(lim, sizeof(lim), "%d", max);
	if (aba_db_call(db, SQL_LOTS, 2, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	v->nlots = PQntuples(res);
	v->lots = calloc(v->nlots ? v->nlots : 1, sizeof(*v->lots));
	for (int i = 0; v->lots && i < v->nlots; i++) {
		struct aba_lot *l = &v->lots[i];

		l->id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		copy(l->gained_at, sizeof(l->gained_at), PQgetvalue(res, i, 1));
		copy(l->expires_at, sizeof(l->expires_at), PQgetvalue(res, i, 2));
		l->initial = strtoll(PQgetvalue(res, i, 3), NULL, 10);
		l->remaining = strtoll(PQgetvalue(res, i, 4), NULL, 10);
		copy(l->state, sizeof(l->state), PQgetvalue(res, i, 5));
		copy(l->origin, sizeof(l->origin), PQgetvalue(res, i, 6));
	}
	PQclear(res);
	return v->lots ? 0 : aba_fail(err, ABA_NOMEM, "out of memory");
}

static void read_history(const PGresult *res, int i, struct aba_history_entry *h)
{
	h->id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	copy(h->kind, sizeof(h->kind), PQgetvalue(res, i, 1));
	h->delta = strtoll(PQgetvalue(res, i, 2), NULL, 10);
	h->balance_after = strtoll(PQgetvalue(res, i, 3), NULL, 10);
	copy(h->origin, sizeof(h->origin), PQgetvalue(res, i, 4));
	copy(h->key, sizeof(h->key), PQgetvalue(res, i, 5));
	copy(h->actor, sizeof(h->actor), PQgetvalue(res, i, 6));
	copy(h->at, sizeof(h->at), PQgetvalue(res, i, 7));
}

int aba_card_history(struct aba_db *db, const char *code, int64_t before_id, int limit,
		     struct aba_history_entry *out, int *n, struct aba_err *err)
{
	char before[24], lim[16];
	const char *params[] = { code, before, lim };
	PGresult *res = NULL;

	if (limit < 1 || before_id < 0)
		return aba_fail(err, ABA_INPUT, "a history page needs a positive size");
	snprintf(before, sizeof(before), "%lld", (long long)before_id);
	snprintf(lim, sizeof(lim), "%d", limit);
	if (aba_db_call(db, SQL_HISTORY_PAGE, 3, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	*n = PQntuples(res);
	for (int i = 0; i < *n && i < limit; i++)
		read_history(res, i, &out[i]);
	PQclear(res);
	return 0;
}

static int load_history(struct aba_db *db, const char *card_id, int max,
			struct aba_card_view *v, struct aba_err *err)
{
	char lim[16];
	const char *params[] = { card_id, lim };
	PGresult *res = NULL;

	snprintf(lim, sizeof(lim), "%d", max);
	if (aba_db_call(db, SQL_HISTORY, 2, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	v->nhistory = PQntuples(res);
	v->history = calloc(v->nhistory ? v->nhistory : 1, sizeof(*v->history));
	for (int i = 0; v->history && i < v->nhistory; i++)
		read_history(res, i, &v->history[i]);
	PQclear(res);
	return v->history ? 0 : aba_fail(err, ABA_NOMEM, "out of memory");
}

int aba_card_load(struct aba_db *db, const char *code, int max_lots, int max_history,
		  struct aba_card_view *out, struct aba_err *err)
{
	const char *params[] = { code };
	char card_id[24];
	PGresult *res = NULL;

	memset(out, 0, sizeof(*out));
	if (aba_text_check(code, "card code", 64, err))
		return -1;
	/* One snapshot, so balance, lots and history agree on screen. */
	if (aba_db_begin_snapshot(db, err))
		return -1;
	if (aba_db_call(db, SQL_CARD, 1, params, PGRES_TUPLES_OK, &res, err))
		goto fail;
	if (PQntuples(res) == 0) {
		PQclear(res);
		aba_fail(err, ABA_NOT_FOUND, "card '%s' not found", code);
		goto fail;
	}
	read_row(res, 0, &out->card);
	copy(out->email, sizeof(out->email), PQgetvalue(res, 0, 6));
	copy(card_id, sizeof(card_id), PQgetvalue(res, 0, 7));
	PQclear(res);
	if (load_lots(db, card_id, max_lots, out, err) ||
	    load_history(db, card_id, max_history, out, err))
		goto fail;
	return aba_db_end_snapshot(db, err);
fail:
	aba_db_end_snapshot(db, NULL);
	aba_card_view_clear(out);
	return -1;
}

void aba_card_view_clear(struct aba_card_view *v)
{
	free(v->lots);
	free(v->history);
	memset(v, 0, sizeof(*v));
}
