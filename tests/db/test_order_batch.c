/* test_order_batch.c - orders posted in batches (aba.post_orders through
 * aba_order_batch) against the same orders posted one by one: a mix of
 * set-based cards, an upgrade in the middle of a batch (the next order is
 * evaluated again at the new level), redemptions, a replay, a conflict, an
 * unknown card and insufficient points.  The good orders post, each bad
 * one gets its own error and writes nothing, and every card's ledger is
 * the same as one by one, whatever the batch size.  A second mix climbs:
 * cards without a level moving up order after order (set-based, each
 * upgrade just after its order), orders out of time order, an override,
 * two orders at the same time; then the whole batch again, all replays. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_card.h"
#include "aba_ledger.h"
#include "aba_member.h"
#include "aba_order.h"
#include "aba_order_batch.h"
#include "aba_time.h"
#include "testdb.h"

#define DBNAME "t_order_batch"
#define DAY 86400
#define NORDERS 12

static struct aba_db *db;
static struct aba_program_set *programs;

/* As test_order: 0.01 point per 1.00 net (x level multiplier), a point
 * pays 1.00, valid 365 days; 10% off from 1,000.00. */
static const char PROGRAMS[] =
	"[{\"id\":\"LOY\",\"name\":\"points\",\"program_type\":\"loyalty\",\"sequence\":1,"
	"\"point_validity_days\":365,"
	"\"rules\":[{\"reward_point_mode\":\"money\",\"reward_point_amount\":\"0.01\"}],"
	"\"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"1\",\"discount_mode\":\"per_point\"}]},"
	"{\"id\":\"P10\",\"name\":\"10% from 1000\",\"program_type\":\"promotion\",\"sequence\":10,"
	"\"point_validity_days\":365,\"rules\":[{\"minimum_amount\":\"1000.00\"}],"
	"\"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"10\",\"discount_mode\":\"percent\"}]}]";

/* What happened to one order. */
struct outcome {
	int seen, ok, replay;
	enum aba_status code;
	char msg[256];
	char level[40], upgraded[40];
	long long earned, redeemed, balance;
};

static char when[6][ABA_TIME_BUFSZ];	/* 50, 40, 30, 20, 10, 5 days ago */
static char sixty[ABA_TIME_BUFSZ];	/* the cards' start, 60 days ago */

static void level(const char *code, int seq, int64_t mult, int64_t threshold)
{
	struct aba_level l = { .sequence = seq, .multiplier = mult, .has_path = 1,
			       .threshold = threshold, .window_days = 365, .upgradable = 1,
			       .downgradable = 1 };
	struct aba_err err;

	snprintf(l.code, sizeof(l.code), "%s", code);
	snprintf(l.name, sizeof(l.name), "%s", code);
	ck_assert_msg(aba_member_level_set(db, &l, &err) == 0, "%s", err.msg);
}

static void create_db(void)
{
	static const long days[6] = { 50, 40, 30, 20, 10, 5 };
	json_t *j = json_loads(PROGRAMS, 0, NULL);
	struct aba_err err;

	ck_assert_msg(aba_program_set_parse(j, &programs, &err) == 0, "%s", err.msg);
	json_decref(j);
	for (int i = 0; i < 6; i++)
		aba_time_format((int64_t)time(NULL) - days[i] * DAY, when[i]);
	aba_time_format((int64_t)time(NULL) - 60 * DAY, sixty);
	db = testdb_create(DBNAME);
	level("SILVER", 10, 10000, 0);
	level("GOLD", 20, 20000, 100000);	/* x2 from 1,000.00 */
	level("PLATINUM", 30, 30000, 500000);	/* x3 from 5,000.00 */
	aba_db_free(db);
	db = NULL;
}

static void connect_db(void)
{
	db = testdb_connect(DBNAME, NULL, NULL);
}

static void disconnect_db(void)
{
	aba_db_free(db);
	db = NULL;
}

/* Card p<i>, SILVER since 60 days ago if silver. */
static void new_card(char p, int i, int silver, char *code, size_t size)
{
	struct aba_card_new c = { code, "Siti Lestari", NULL, NULL };
	struct aba_member_totals mt;
	struct aba_err err;

	snprintf(code, size, "%c%d", p, i);
	ck_assert_msg(aba_card_create(db, &c, &err) == 0, "%s", err.msg);
	if (silver)
		ck_assert_int_eq(aba_member_evaluate(db, sixty, code, NULL, NULL, NULL, &mt, &err), 0);
}

/* Cards P1..P4, SILVER since 60 days ago; P2 and P4 hold 10.00 points. */
static void cards(char p)
{
	char code[8], key[16];
	struct aba_posting post;
	struct aba_err err;

	for (int i = 1; i <= 4; i++) {
		new_card(p, i, 1, code, sizeof(code));
		if (i % 2 == 0) {
			struct aba_earn e = { code, 1000, key, "test", sixty, 0 };

			snprintf(key, sizeof(key), "%c-pre-%d", p, i);
			ck_assert_msg(aba_ledger_earn(db, &e, &post, &err) == 0, "%s", err.msg);
			aba_posting_clear(&post);
		}
	}
}

/* The k-th order of the mix for cards prefixed p (refs "p-..."). */
static json_t *order(char p, int k)
{
	static const struct {
		int card, ref, when, qty;
		const char *price, *spend;
	} mix[NORDERS] = {
		{ 1, 1, 0, 1, "1500.00", "0" },		/* SILVER, earns 13.50, up to GOLD */
		{ 3, 1, 4, 1, "100.00", "0" },		/* set-based: 1.00 */
		{ 1, 2, 1, 1, "500.00", "0" },		/* GOLD x2: 10.00 */
		{ 2, 1, 3, 1, "100.00", "20.00" },	/* has 10.00: insufficient */
		{ 4, 1, 4, 1, "100.00", "3.00" },	/* set-based redemption: 0.97 */
		{ 1, 3, 2, 1, "200.00", "5.00" },	/* GOLD: 195.00 net, 3.90 */
		{ 2, 2, 4, 1, "100.00", "5.00" },	/* 0.95 */
		{ 3, 2, 5, 1, "50.00", "0" },		/* set-based: 0.50 */
		{ 1, 1, 0, 1, "1500.00", "0" },		/* replay of the first */
		{ 1, 2, 1, 2, "500.00", "0" },		/* same ref, other content */
		{ 9, 1, 5, 1, "10.00", "0" },		/* unknown card */
		{ 3, 3, 5, 0, "10.00", "0" },		/* qty 0: refused by the parser */
	};
	char ref[32], code[8];

	snprintf(ref, sizeof(ref), "%c-%d-%d", p, mix[k].card, mix[k].ref);
	snprintf(code, sizeof(code), "%c%d", p, mix[k].card);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:i, s:s}]}", "ref", ref, "card", code,
			 "at", when[mix[k].when], "pos", "POS1", "points_to_spend", mix[k].spend,
			 "lines", "product", "SKU-1", "qty", mix[k].qty, "unit_price", mix[k].price);
}

/* The climbing mix, cards p1..p5: p1 has no level and climbs in rising
 * time (none, SILVER, GOLD, PLATINUM); p2 is SILVER with its second order
 * dated before its first (no upgrade: a later order exists); p3 is SILVER
 * with a GOLD override set now (its past order cannot move it); p4 has no
 * level and two orders at the same time (the second earns at none: SILVER
 * starts just after the first); p5 is SILVER with 10.00 points and spends
 * 3.00 of them in the first of its two orders.  Amounts below 1,000.00
 * get no discount but the points spent. */
#define NCLIMB 12
static json_t *climb_order(char p, int k)
{
	static const struct {
		int card, ref, when;
		const char *price, *spend;
	} mix[NCLIMB] = {
		{ 1, 1, 0, "200.00", "0" },	/* none: 2.00, up to SILVER (spend 200.00) */
		{ 2, 1, 2, "600.00", "0" },	/* SILVER: 6.00 */
		{ 1, 2, 1, "900.00", "0" },	/* SILVER: 9.00, up to GOLD (1,100.00) */
		{ 3, 1, 2, "2000.00", "0" },	/* SILVER: 1,800.00 net, 18.00, no upgrade */
		{ 1, 3, 2, "500.00", "0" },	/* GOLD x2: 10.00 (1,600.00) */
		{ 4, 1, 3, "300.00", "0" },	/* none: 3.00, up to SILVER */
		{ 2, 2, 1, "1200.00", "0" },	/* SILVER: 1,080.00 net, 10.80, no upgrade */
		{ 1, 4, 3, "4000.00", "0" },	/* GOLD x2: 3,600.00 net, 72.00, up to PLATINUM */
		{ 4, 2, 3, "300.00", "0" },	/* none: 3.00, no upgrade */
		{ 1, 5, 4, "100.00", "0" },	/* PLATINUM x3: 3.00 */
		{ 5, 1, 1, "500.00", "3.00" },	/* SILVER: 497.00 net, 4.97 */
		{ 5, 2, 2, "200.00", "0" },	/* SILVER: 2.00 */
	};
	char ref[32], code[8];

	snprintf(ref, sizeof(ref), "%c-%d-%d", p, mix[k].card, mix[k].ref);
	snprintf(code, sizeof(code), "%c%d", p, mix[k].card);
	return json_pack("{s:s, s:s, s:s, s:b, s:s, s:[{s:s, s:i, s:s}]}", "ref", ref, "card", code,
			 "at", when[mix[k].when], "offline", 1, "points_to_spend", mix[k].spend,
			 "lines", "product", "SKU-2", "qty", 1, "unit_price", mix[k].price);
}

static void record(struct outcome *out, const struct aba_order_result *r, const struct aba_err *err)
{
	out->seen++;
	if (!r) {
		out->code = err->code;
		snprintf(out->msg, sizeof(out->msg), "%s", err->msg);
		return;
	}
	out->ok = 1;
	out->replay = r->replay;
	snprintf(out->level, sizeof(out->level), "%s", r->level);
	snprintf(out->upgraded, sizeof(out->upgraded), "%s", r->upgraded_to);
	out->earned = r->points_earned;
	out->redeemed = r->points_redeemed;
	out->balance = r->balance;
}

/* The batch hands back the order it was given: which one it is. */
struct sent {
	json_t *orders[NORDERS];
	struct outcome *out;
	int n;
};

static void done(void *arg, const json_t *o, const struct aba_order_result *r,
		 const struct aba_err *err)
{
	struct sent *s = arg;
	int i = 0;

	while (i < s->n && s->orders[i] != o)
		i++;
	ck_assert_int_lt(i, s->n);
	record(&s->out[i], r, err);
}

typedef json_t *(*order_fn)(char p, int k);

static void post_one_by_one(char p, order_fn make, int n, struct outcome *out)
{
	for (int k = 0; k < n; k++) {
		json_t *o = make(p, k);
		struct aba_order_result r;
		struct aba_err err;

		if (aba_order_post(db, programs, o, &r, &err) == 0) {
			record(&out[k], &r, NULL);
			aba_order_result_clear(&r);
		} else {
			record(&out[k], NULL, &err);
		}
		json_decref(o);
	}
}

static void post_batched(char p, order_fn make, int n, size_t size, struct outcome *out)
{
	struct sent s = { { NULL }, out, n };
	struct aba_order_batch *b = aba_order_batch_new(db, programs, size, done, &s);
	struct aba_err err;

	ck_assert_int_le(n, (int)(sizeof(s.orders) / sizeof(s.orders[0])));
	ck_assert_ptr_nonnull(b);
	for (int k = 0; k < n; k++) {
		s.orders[k] = make(p, k);
		ck_assert_msg(aba_order_batch_add(b, json_incref(s.orders[k]), &err) == 0, "%s", err.msg);
	}
	ck_assert_msg(aba_order_batch_flush(b, &err) == 0, "%s", err.msg);
	aba_order_batch_free(b);
	for (int k = 0; k < n; k++)
		json_decref(s.orders[k]);
}

/* A card's ledger with the card prefix and ids taken out: history,
 * lots, orders, level periods, balance and outbox events.  A period
 * boundary within the last hour was set by the test's clock (an override),
 * not by an order (all days old): it reads 'now'. */
static char *ledger(char p, int n)
{
	static const char SQL[] =
		"SELECT concat_ws(' | ', c.balance,"
		" (SELECT string_agg(concat_ws('/', kind, delta, balance_after, level_code, at,"
		"   substr(idempotency_key, 2)), ';' ORDER BY id) FROM aba.point_history WHERE card_id = c.id),"
		" (SELECT string_agg(concat_ws('/', initial, remaining, state, gained_at, expires_at, level_code),"
		"   ';' ORDER BY id) FROM aba.point_moves WHERE card_id = c.id),"
		" (SELECT string_agg(concat_ws('/', m.amount, h.kind), ';' ORDER BY m.id)"
		"   FROM aba.lot_movements m JOIN aba.point_history h ON h.id = m.history_id"
		"  WHERE m.card_id = c.id),"
		" (SELECT string_agg(concat_ws('/', substr(ref, 2), ordered_at, level_code, total_net,"
		"   points_earned, points_redeemed, earned_lot_id IS NULL, detail), ';' ORDER BY ordered_at)"
		"   FROM aba.orders WHERE card_id = c.id),"
		" (SELECT string_agg(concat_ws('/', level_code,"
		"   CASE WHEN valid_from > now() - interval '1 hour' THEN 'now' ELSE valid_from::text END,"
		"   CASE WHEN valid_to > now() - interval '1 hour' THEN 'now' ELSE valid_to::text END,"
		"   change, spend), ';' ORDER BY valid_from) FROM aba.level_history WHERE card_id = c.id),"
		" (SELECT string_agg(concat_ws('/', topic, payload - 'posting' - 'card' - 'order' - 'lot'), ';' ORDER BY id)"
		"   FROM aba.outbox WHERE card_id = c.id))"
		"  FROM aba.cards c WHERE c.code = $1";
	char code[16];
	const char *params[1] = { code };
	PGresult *res;
	char *s;

	snprintf(code, sizeof(code), "%c%d", p, n);
	res = PQexecParams(db->conn, SQL, 1, NULL, params, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(res), 1);
	s = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return s;
}

/* The outcomes computed by hand (see the mix). */
static void check_outcomes(char p, const struct outcome *o)
{
	char msg[160];

	for (int k = 0; k < NORDERS; k++)
		ck_assert_msg(o[k].seen == 1, "%c order %d reported %d times", p, k, o[k].seen);
	ck_assert(o[0].ok && !o[0].replay);
	ck_assert_str_eq(o[0].level, "SILVER");
	ck_assert_str_eq(o[0].upgraded, "GOLD");
	ck_assert_int_eq(o[0].earned, 1350);
	ck_assert(o[2].ok);
	ck_assert_str_eq(o[2].level, "GOLD");
	ck_assert_int_eq(o[2].earned, 1000);
	ck_assert_int_eq(o[5].redeemed, 500);
	ck_assert_int_eq(o[5].earned, 390);
	ck_assert_int_eq(o[5].balance, 1350 + 1000 - 500 + 390);
	ck_assert_int_eq(o[3].code, ABA_INSUFFICIENT);
	snprintf(msg, sizeof(msg), "card '%c2' has 10.00 points available, order '%c-2-1' spends 20.00",
		 p, p);
	ck_assert_str_eq(o[3].msg, msg);
	ck_assert_int_eq(o[6].balance, 1000 - 500 + 95);
	ck_assert_int_eq(o[1].earned, 100);
	ck_assert_str_eq(o[1].level, "SILVER");
	ck_assert_int_eq(o[7].balance, 150);
	ck_assert_int_eq(o[4].redeemed, 300);
	ck_assert_int_eq(o[4].balance, 1000 - 300 + 97);
	ck_assert(o[8].ok && o[8].replay);
	ck_assert_int_eq(o[8].earned, 1350);
	ck_assert_int_eq(o[9].code, ABA_CONFLICT);
	ck_assert_int_eq(o[10].code, ABA_NOT_FOUND);
	ck_assert_int_eq(o[11].code, ABA_INPUT);
}

static void same_ledgers(char a, char b, int cards)
{
	for (int n = 1; n <= cards; n++) {
		char *x = ledger(a, n), *y = ledger(b, n);

		if (strcmp(x, y) != 0)
			fprintf(stderr, "card %d:\n%c: %s\n%c: %s\n", n, a, x, b, y);
		ck_assert_msg(strcmp(x, y) == 0, "card %d: %c and %c differ", n, a, b);
		free(x);
		free(y);
	}
}

static long problems(void)
{
	struct aba_err err;
	long n = -1;

	ck_assert_msg(aba_ledger_verify(db, NULL, NULL, NULL, &n, &err) == 0, "%s", err.msg);
	return n;
}

START_TEST(batch_posts_as_one_by_one)
{
	struct outcome one[NORDERS], big[NORDERS], small[NORDERS], again[NORDERS];
	long long postings;

	memset(one, 0, sizeof(one));
	memset(big, 0, sizeof(big));
	memset(small, 0, sizeof(small));
	memset(again, 0, sizeof(again));
	cards('A');
	cards('B');
	cards('C');
	post_one_by_one('A', order, NORDERS, one);
	post_batched('B', order, NORDERS, 100, big);	/* one batch: P1's upgrade in its middle */
	post_batched('C', order, NORDERS, 2, small);	/* six batches */
	check_outcomes('A', one);
	check_outcomes('B', big);
	check_outcomes('C', small);
	same_ledgers('A', 'B', 4);
	same_ledgers('A', 'C', 4);
	/* 7 orders posted of the 12 (a replay and 4 refused); 2 earns before */
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.orders WHERE ref LIKE 'B-%'"), 7);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.outbox o JOIN aba.postings p"
				      " ON p.id = o.posting_id WHERE p.key LIKE 'C-%'"), 7 + 2);
	ck_assert_int_eq(problems(), 0);
	/* the whole batch again: every order a replay or the same refusal */
	postings = testdb_value(db, "SELECT count(*) FROM aba.postings");
	post_batched('B', order, NORDERS, 100, again);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.postings"), postings);
	for (int k = 0; k < NORDERS; k++) {
		ck_assert_int_eq(again[k].ok, big[k].ok);
		ck_assert_int_eq(again[k].code, big[k].code);
		if (again[k].ok) {
			ck_assert_int_eq(again[k].replay, 1);
			ck_assert_int_eq(again[k].balance, big[k].balance);
		}
	}
}
END_TEST

/* Cards p1..p5 of the climbing mix: p2, p3 and p5 SILVER since 60 days
 * ago, p3 with a GOLD override from now on, p5 holding 10.00 points from
 * then and 5.00 from 5 days ago that expire first (an order before them
 * cannot spend them). */
static void climb_cards(char p)
{
	char code[8], key[16], sql[160];
	struct aba_earn early = { code, 1000, key, "test", sixty, 0 };
	struct aba_earn late = { code, 500, key, "test", when[5], 30 };
	struct aba_posting post;
	struct aba_err err;

	for (int i = 1; i <= 5; i++)
		new_card(p, i, i != 1 && i != 4, code, sizeof(code));
	snprintf(key, sizeof(key), "%c-pre-5", p);
	ck_assert_msg(aba_ledger_earn(db, &early, &post, &err) == 0, "%s", err.msg);
	aba_posting_clear(&post);
	snprintf(key, sizeof(key), "%c-late-5", p);
	ck_assert_msg(aba_ledger_earn(db, &late, &post, &err) == 0, "%s", err.msg);
	aba_posting_clear(&post);
	snprintf(sql, sizeof(sql), "SELECT count(aba.level_override_direct('%c3', 'GOLD',"
		 " now() + interval '30 days', 'test'))", p);
	ck_assert_int_eq(testdb_value(db, sql), 1);
}

/* The outcomes of the climbing mix, computed by hand. */
static void check_climb(char p, const struct outcome *o)
{
	static const struct {
		const char *level, *upgraded;
		long long earned, balance;
	} want[NCLIMB] = {
		{ "", "SILVER", 200, 200 },
		{ "SILVER", "", 600, 600 },
		{ "SILVER", "GOLD", 900, 1100 },
		{ "SILVER", "", 1800, 1800 },
		{ "GOLD", "", 1000, 2100 },
		{ "", "SILVER", 300, 300 },
		{ "SILVER", "", 1080, 1680 },
		{ "GOLD", "PLATINUM", 7200, 9300 },
		{ "", "", 300, 600 },
		{ "PLATINUM", "", 300, 9600 },
		{ "SILVER", "", 497, 1500 - 300 + 497 },
		{ "SILVER", "", 200, 1897 },
	};
	char sql[512];

	for (int k = 0; k < NCLIMB; k++) {
		ck_assert_msg(o[k].seen == 1 && o[k].ok && !o[k].replay, "%c order %d: %s", p, k, o[k].msg);
		ck_assert_msg(strcmp(o[k].level, want[k].level) == 0, "%c order %d level %s", p, k,
			      o[k].level);
		ck_assert_msg(strcmp(o[k].upgraded, want[k].upgraded) == 0, "%c order %d upgraded %s", p,
			      k, o[k].upgraded);
		ck_assert_int_eq(o[k].earned, want[k].earned);
		ck_assert_int_eq(o[k].balance, want[k].balance);
	}
	/* p1's periods start just after the order that earned them, with the
	 * spend that did: 200.00, 1,100.00, 5,200.00 */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM aba.level_history h JOIN aba.cards c ON c.id = h.card_id"
		 " JOIN aba.orders o ON o.card_id = c.id AND h.valid_from = o.ordered_at + interval '1 microsecond'"
		 " WHERE c.code = '%c1' AND h.change = 'upgrade' AND (o.ref, h.level_code, h.spend) IN"
		 " (('%c-1-1', 'SILVER', 20000), ('%c-1-2', 'GOLD', 110000), ('%c-1-4', 'PLATINUM', 520000))",
		 p, p, p, p);
	ck_assert_int_eq(testdb_value(db, sql), 3);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM aba.level_history h JOIN aba.cards c"
		 " ON c.id = h.card_id WHERE c.code LIKE '%c_'", p);
	ck_assert_int_eq(testdb_value(db, sql), 3 + 1 + 2 + 1 + 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM aba.cards WHERE (code, level_code) IN"
		 " (('%c1', 'PLATINUM'), ('%c2', 'SILVER'), ('%c3', 'GOLD'), ('%c4', 'SILVER'),"
		 " ('%c5', 'SILVER'))", p, p, p, p, p);
	ck_assert_int_eq(testdb_value(db, sql), 5);
}

START_TEST(climbing_batch_posts_as_one_by_one)
{
	struct outcome out[4][NCLIMB];
	struct outcome *one = out[0], *big = out[1], *small = out[2], *again = out[3];
	long long postings, history, outbox;

	memset(out, 0, sizeof(out));
	for (const char *p = "LMN"; *p; p++)
		climb_cards(*p);
	post_one_by_one('L', climb_order, NCLIMB, one);
	post_batched('M', climb_order, NCLIMB, 100, big);	/* one batch, p1 climbs in four rounds */
	post_batched('N', climb_order, NCLIMB, 3, small);	/* p2, p4 split: set-based, blocked */
	check_climb('L', one);
	check_climb('M', big);
	check_climb('N', small);
	same_ledgers('L', 'M', 5);
	same_ledgers('L', 'N', 5);
	ck_assert_int_eq(problems(), 0);
	/* again: every order a replay of its first result, nothing written */
	postings = testdb_value(db, "SELECT count(*) FROM aba.postings");
	history = testdb_value(db, "SELECT count(*) FROM aba.level_history");
	outbox = testdb_value(db, "SELECT count(*) FROM aba.outbox");
	post_batched('M', climb_order, NCLIMB, 100, again);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.postings"), postings);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.level_history"), history);
	ck_assert_int_eq(testdb_value(db, "SELECT count(*) FROM aba.outbox"), outbox);
	for (int k = 0; k < NCLIMB; k++) {
		ck_assert(again[k].seen == 1 && again[k].ok && again[k].replay);
		ck_assert_str_eq(again[k].upgraded, big[k].upgraded);
		ck_assert_int_eq(again[k].earned, big[k].earned);
		ck_assert_int_eq(again[k].balance, big[k].balance);
	}
}
END_TEST

/* post_orders refuses what is not a batch; the POS role may call it, a
 * clerk may not. */
START_TEST(post_orders_guards)
{
	struct aba_db *pos = testdb_connect(DBNAME, "t_batch_pos", "aba_pos");
	struct aba_db *clerk = testdb_connect(DBNAME, "t_batch_clerk", "aba_clerk");

	ck_assert_str_eq(testdb_fails(db, "SELECT * FROM aba.post_orders('{}')"), "AB422");
	ck_assert_str_eq(testdb_fails(db, "SELECT * FROM aba.post_orders('[1]')"), "AB422");
	ck_assert_str_eq(testdb_fails(clerk, "SELECT * FROM aba.post_orders('[]')"), "42501");
	ck_assert_int_eq(testdb_value(pos, "SELECT count(*) FROM aba.post_orders('[]')"), 0);
	/* an order that does not add up is refused on its own */
	ck_assert_int_eq(testdb_value(pos,
		"SELECT count(*) FROM aba.post_orders('[{\"ref\":\"G-1\",\"card\":\"NOPE\","
		"\"at\":\"2026-01-01T00:00:00Z\",\"request\":{},\"total_base\":5,\"total_discount\":0,"
		"\"total_net\":4,\"earn\":0,\"redeem\":0}]') WHERE state = 'AB422'"), 1);
	aba_db_free(pos);
	aba_db_free(clerk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("order_batch");
	TCase *tc = tcase_create("order_batch");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, batch_posts_as_one_by_one);
	tcase_add_test(tc, climbing_batch_posts_as_one_by_one);
	tcase_add_test(tc, post_orders_guards);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	aba_program_set_free(programs);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
