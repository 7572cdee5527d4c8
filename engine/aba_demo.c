/* aba_demo.c - demo levels, programs, customers and 18 months of orders. */
#include "aba_demo.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_approval.h"
#include "aba_card.h"
#include "aba_db.h"
#include "aba_ledger.h"
#include "aba_member.h"
#include "aba_order.h"
#include "aba_order_batch.h"
#include "aba_program_store.h"
#include "aba_staff.h"
#include "aba_time.h"

static const char *const first_names[] = {
	"Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Putri", "Wahyu", "Sri", "Joko",
	"Ayu", "Bambang", "Indah", "Hendra", "Fitri", "Rudi", "Lestari", "Eko", "Nur", "Yusuf",
};
static const char *const last_names[] = {
	"Santoso", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama", "Lestari", "Nugroho",
	"Setiawan", "Halim", "Gunawan", "Siregar", "Nasution", "Wibowo", "Hakim", "Purnomo",
};

/* A small Indonesian store's catalogue: product, unit price (IDR). */
static const struct {
	const char *sku, *price;
} products[] = {
	{ "BERAS-5KG", "78000.00" }, { "MINYAK-2L", "36000.00" }, { "KOPI-200G", "42000.00" },
	{ "TEH-BOX", "12000.00" }, { "SABUN-3", "15000.00" }, { "SAMPO-340", "32000.00" },
	{ "SEPATU-LARI", "450000.00" }, { "SANDAL", "85000.00" }, { "KAOS", "99000.00" },
	{ "BATIK", "275000.00" }, { "TAS", "350000.00" }, { "MIE-5", "14500.00" },
};

/* Levels: qualifying spend in 365 days (IDR). */
static const struct aba_level levels[] = {
	{ "SILVER", "Silver", 10, 10000, 1, 0, 365, 1, 1 },
	{ "GOLD", "Gold", 20, 12500, 1, 300000000, 365, 1, 1 },
	{ "PLATINUM", "Platinum", 30, 15000, 1, 1000000000, 365, 1, 1 },
};

/* A dozen programs, one of each kind the engine knows and then some. */
static const char PROGRAMS[] =
	"[{\"id\":\"LOYALTY\",\"name\":\"1 point per Rp1,000\",\"program_type\":\"loyalty\","
	"  \"sequence\":1,\"point_validity_days\":365,"
	"  \"rules\":[{\"reward_point_mode\":\"money\",\"reward_point_amount\":\"0.001\"}],"
	"  \"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"100\",\"discount_mode\":\"per_point\"}]},"
	" {\"id\":\"P10\",\"name\":\"10% over Rp500,000\",\"program_type\":\"promotion\",\"sequence\":10,"
	"  \"point_validity_days\":365,\"rules\":[{\"minimum_amount\":\"500000.00\"}],"
	"  \"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"10\",\"discount_mode\":\"percent\","
	"   \"discount_applicability\":\"order\",\"discount_max_amount\":\"100000.00\"}]},"
	" {\"id\":\"MIE-B2G1\",\"name\":\"buy 2 noodles get 1\",\"program_type\":\"buy_x_get_y\",\"sequence\":5,"
	"  \"rules\":[{\"minimum_qty\":2,\"product_ids\":[\"MIE-5\"]}],"
	"  \"rewards\":[{\"reward_type\":\"product\",\"reward_product_id\":\"MIE-5\",\"reward_product_qty\":1}]},"
	" {\"id\":\"HEMAT25\",\"name\":\"Rp25,000 off with HEMAT25\",\"program_type\":\"promo_code\","
	"  \"trigger\":\"with_code\",\"code\":\"HEMAT25\",\"sequence\":20,"
	"  \"rules\":[{\"minimum_amount\":\"150000.00\"}],"
	"  \"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"25000\",\"discount_mode\":\"per_order\"}]},"
	" {\"id\":\"SHOES15\",\"name\":\"15% off shoes\",\"program_type\":\"promotion\",\"sequence\":15,"
	"  \"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"15\",\"discount_mode\":\"percent\","
	"   \"discount_applicability\":\"specific\",\"discount_product_ids\":[\"SEPATU-LARI\",\"SANDAL\"]}]},"
	" {\"id\":\"FASHION-CHEAP\",\"name\":\"50% off the cheapest fashion item of two\","
	"  \"program_type\":\"promotion\",\"sequence\":16,"
	"  \"rules\":[{\"minimum_qty\":2,\"product_ids\":[\"KAOS\",\"BATIK\",\"TAS\"]}],"
	"  \"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"50\",\"discount_mode\":\"percent\","
	"   \"discount_applicability\":\"cheapest\",\"discount_product_ids\":[\"KAOS\",\"BATIK\",\"TAS\"]}]},"
	" {\"id\":\"KOPI-35\",\"name\":\"coffee at Rp35,000\",\"program_type\":\"promotion\",\"sequence\":17,"
	"  \"rewards\":[{\"reward_type\":\"special_price\",\"discount_product_ids\":[\"KOPI-200G\"],"
	"   \"special_price\":\"35000.00\"}]},"
	" {\"id\":\"SEMBAKO\",\"name\":\"rice + oil set Rp105,000\",\"program_type\":\"promotion\",\"sequence\":18,"
	"  \"rewards\":[{\"reward_type\":\"special_set\",\"set_items\":[{\"product\":\"BERAS-5KG\",\"qty\":1},"
	"   {\"product\":\"MINYAK-2L\",\"qty\":1}],\"set_price\":\"105000.00\"}]},"
	" {\"id\":\"BIG-SPENDER\",\"name\":\"10% then 5% over Rp1,000,000 (exclusive)\","
	"  \"program_type\":\"promotion\",\"sequence\":40,\"stacking\":\"exclusive\","
	"  \"rules\":[{\"minimum_amount\":\"1000000.00\"}],"
	"  \"rewards\":[{\"reward_type\":\"multiple_discount\",\"discount\":[\"10\",\"5\"],"
	"   \"discount_applicability\":\"order\"}]},"
	" {\"id\":\"GOLD-BONUS\",\"name\":\"20 bonus points for Gold and Platinum\","
	"  \"program_type\":\"promotion\",\"sequence\":30,\"membership_levels\":[\"GOLD\",\"PLATINUM\"],"
	"  \"point_validity_days\":365,\"rules\":[{\"minimum_amount\":\"200000.00\"}],"
	"  \"rewards\":[{\"reward_type\":\"point\",\"reward_point_amount\":\"20\"}]},"
	" {\"id\":\"PLAT5\",\"name\":\"5% for Platinum\",\"program_type\":\"promotion\",\"sequence\":31,"
	"  \"membership_levels\":[\"PLATINUM\"],"
	"  \"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"5\",\"discount_mode\":\"percent\"}]},"
	" {\"id\":\"TEMAN\",\"name\":\"referral: Rp20,000 off with TEMAN\",\"program_type\":\"referral\","
	"  \"trigger\":\"with_code\",\"code\":\"TEMAN\",\"sequence\":21,"
	"  \"rewards\":[{\"reward_type\":\"discount\",\"discount\":\"20000\",\"discount_mode\":\"per_order\"}]}]";

static int exists(struct aba_db *db, const char *sql, int *yes, struct aba_err *err);
static int make_requests(struct aba_db *db, const struct aba_demo_opts *o, struct aba_err *err);

#define NELEM(a) (long)(sizeof(a) / sizeof((a)[0]))
#define DAY 86400L
#define SPAN_DAYS 540L		/* 18 months */

/* xorshift64: deterministic demo data, no global state. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int aba_demo_is_empty(struct aba_db *db, int *empty, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, "SELECT NOT EXISTS (SELECT 1 FROM aba.cards)", 0, NULL,
			PGRES_TUPLES_OK, &res, err))
		return -1;
	*empty = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return 0;
}

/* Stores the demo programs unless the database has programs already, so
 * that aba order post and aba simulate use them too. */
static int store_programs(struct aba_db *db, struct aba_err *err)
{
	json_t *j;
	size_t n;
	int any, rc;

	if (exists(db, "SELECT EXISTS (SELECT 1 FROM aba.programs)", &any, err))
		return -1;
	if (any)
		return 0;
	if (!(j = json_loads(PROGRAMS, 0, NULL)))
		return aba_fail(err, ABA_INPUT, "demo programs are not valid JSON");
	rc = aba_program_store_import(db, j, &n, err);
	json_decref(j);
	return rc;
}

int aba_demo_programs(struct aba_program_set **out, struct aba_err *err)
{
	json_error_t jerr;
	json_t *j = json_loads(PROGRAMS, 0, &jerr);
	int rc;

	if (!j)
		return aba_fail(err, ABA_INPUT, "demo programs: %s", jerr.text);
	rc = aba_program_set_parse(j, out, err);
	json_decref(j);
	return rc;
}

static int exists(struct aba_db *db, const char *sql, int *yes, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, sql, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	*yes = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return 0;
}

static int seed_levels(struct aba_db *db, struct aba_err *err)
{
	int any;

	if (exists(db, "SELECT EXISTS (SELECT 1 FROM aba.levels)", &any, err))
		return -1;
	for (long i = 0; !any && i < NELEM(levels); i++)
		if (aba_member_level_set(db, &levels[i], err))
			return -1;
	return 0;
}

static void card_code(long i, char *buf, size_t size)
{
	snprintf(buf, size, "C%04ld", i);
}

static int seed_customers(struct aba_db *db, const struct aba_demo_opts *o, uint64_t *rnd,
			  struct aba_err *err)
{
	char code[24], name[96], phone[24];

	for (long i = 1; i <= o->customers; i++) {
		struct aba_card_new c = { code, name, phone, NULL };
		struct aba_err local;

		card_code(i, code, sizeof(code));
		snprintf(name, sizeof(name), "%s %s",
			 first_names[next_random(rnd) % NELEM(first_names)],
			 last_names[next_random(rnd) % NELEM(last_names)]);
		snprintf(phone, sizeof(phone), "+62812%07d", (int)(next_random(rnd) % 10000000));
		if (aba_card_create(db, &c, &local) && local.code != ABA_CONFLICT) {
			*err = local;
			return -1;
		}
		if (o->progress && (i % 1000 == 0 || i == o->customers))
			o->progress(o->arg, "customers", i, o->customers);
	}
	return 0;
}

/* The k-th of n orders: its time walks through the 18 months, a few
 * customers buy much more often than the rest. */
static json_t *make_order(const struct aba_demo_opts *o, long k, long n, uint64_t *rnd,
			  const int64_t *balances, long *who)
{
	char ref[32], code[24], at[ABA_TIME_BUFSZ], pts[32];
	long heavy = o->customers / 10 + 1, lines = 1 + (long)(next_random(rnd) % 4);
	long when = o->now - SPAN_DAYS * DAY + (long)((SPAN_DAYS * DAY - DAY) * (k + 1) / (n + 1));
	json_t *ls = json_array(), *order;

	*who = 1 + (long)(next_random(rnd) % (next_random(rnd) % 10 < 3 ? heavy : o->customers));
	snprintf(ref, sizeof(ref), "DEMO-%07ld", k + 1);
	card_code(*who, code, sizeof(code));
	for (long i = 0; i < lines; i++) {
		long p = (long)(next_random(rnd) % NELEM(products));

		json_array_append_new(ls, json_pack("{s:s, s:I, s:s}", "product", products[p].sku,
			"qty", (json_int_t)(1 + next_random(rnd) % 3), "unit_price", products[p].price));
	}
	/* now and then pay part with points: whole points, up to half the balance */
	snprintf(pts, sizeof(pts), "%lld.00", next_random(rnd) % 4 == 0
		 ? (long long)(balances[*who] / 200 < 500 ? balances[*who] / 200 : 500) : 0LL);
	order = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:s}", "ref", ref, "card", code,
			  "at", aba_time_format(when + (long)(next_random(rnd) % 3600), at),
			  "pos", next_random(rnd) % 2 ? "JKT-01" : "BDG-02",
			  "offline", next_random(rnd) % 10 == 0, "lines", ls, "points_to_spend", pts);
	if (order && next_random(rnd) % 20 == 0)
		json_object_set_new(order, "codes", json_pack("[s]", k % 2 ? "HEMAT25" : "TEMAN"));
	return order;
}

/* Orders go in batches (aba_order_batch.h): a million of them in minutes,
 * not an hour.  The balances that decide how many points an order spends
 * lag a batch behind, so now and then an order asks for more than the
 * card has: the customer pays in full instead. */
#define DEMO_BATCH 1000

struct demo_posting {
	const struct aba_demo_opts *o;
	struct aba_order_batch *batch;
	int64_t *balances;
	long total, done;
	int failed;
	struct aba_err err;
};

static void demo_posted(void *arg, const json_t *order, const struct aba_order_result *r,
			const struct aba_err *err)
{
	struct demo_posting *d = arg;
	const char *card = json_string_value(json_object_get(order, "card"));
	const char *pts = json_string_value(json_object_get(order, "points_to_spend"));
	json_t *again;

	if (!r && err->code == ABA_INSUFFICIENT && pts && strcmp(pts, "0") != 0 &&
	    (again = json_deep_copy(order))) {
		json_object_set_new(again, "points_to_spend", json_string("0"));
		aba_order_batch_add(d->batch, again, NULL);
		return;
	}
	if (!r) {
		if (!d->failed)
			d->err = *err;
		d->failed = 1;
	} else if (card && card[0] == 'C') {
		d->balances[strtol(card + 1, NULL, 10)] = r->balance;
	}
	d->done++;
	if (d->o->progress && (d->done % 1000 == 0 || d->done == d->total))
		d->o->progress(d->o->arg, "orders", d->done, d->total);
}

static int seed_orders(struct aba_db *db, const struct aba_demo_opts *o, long n, uint64_t *rnd,
		       struct aba_err *err)
{
	struct aba_program_set *programs = NULL;
	struct demo_posting d = { o, NULL, calloc((size_t)o->customers + 1, sizeof(int64_t)), n, 0,
				  0, { 0 } };
	int rc = -1;

	if (!d.balances)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (aba_demo_programs(&programs, err))
		goto out;
	if (!(d.batch = aba_order_batch_new(db, programs, DEMO_BATCH, demo_posted, &d))) {
		aba_fail(err, ABA_NOMEM, "out of memory");
		goto out;
	}
	for (long k = 0; k < n && !d.failed; k++) {
		long who;

		if (aba_order_batch_add(d.batch, make_order(o, k, n, rnd, d.balances, &who), err))
			goto out;
	}
	if (aba_order_batch_flush(d.batch, err))
		goto out;
	if (d.failed) {
		*err = d.err;
		goto out;
	}
	rc = 0;
out:
	aba_order_batch_free(d.batch);
	aba_program_set_free(programs);
	free(d.balances);
	return rc;
}

/* A few requests waiting for an approver, as clerk1 would leave them: a
 * superuser's connection (the embedded cluster's) takes that login for
 * the while, so that the console shows a clerk as their maker and lets
 * the seeding user approve them; elsewhere they are the seeding user's. */
static int seed_requests(struct aba_db *db, const struct aba_demo_opts *o, struct aba_err *err)
{
	struct aba_err reset_err;
	int super, rc;

	if (exists(db, "SELECT rolsuper FROM pg_roles WHERE rolname = session_user", &super, err) ||
	    (super && aba_db_command(db, "SET SESSION AUTHORIZATION clerk1", 0, NULL, err)))
		return -1;
	rc = make_requests(db, o, err);
	if (super && aba_db_command(db, "RESET SESSION AUTHORIZATION", 0, NULL, &reset_err)) {
		if (rc == 0)
			*err = reset_err;
		rc = -1;
	}
	return rc;
}

static int make_requests(struct aba_db *db, const struct aba_demo_opts *o, struct aba_err *err)
{
	static const struct {
		long card;
		int64_t points;
		const char *reason, *note;
	} reqs[] = {
		{ 3, 5000, "GOODWILL", "late delivery, customer complained at the store" },
		{ 7, 12000, "MISSED_EARN", "receipt JKT-01 not scanned, card shown afterwards" },
		{ 11, -2500, "CORRECTION", "points earned twice on a returned item" },
	};
	char code[24];

	for (long i = 0; i < NELEM(reqs) && reqs[i].card <= o->customers; i++) {
		struct aba_approval a;

		card_code(reqs[i].card, code, sizeof(code));
		if (aba_adjust_request(db, code, reqs[i].points, reqs[i].reason, reqs[i].note, &a, err))
			return -1;
	}
	return 0;
}

/* The evaluation and the expiry run go through every card in batches: their
 * progress, as stages whose total is not known until the end. */
#define STAGE_EVALUATED "cards' levels evaluated"
#define STAGE_EXPIRED "cards with points expired"

static void evaluated(void *arg, const struct aba_member_totals *so_far)
{
	const struct aba_demo_opts *o = arg;

	o->progress(o->arg, STAGE_EVALUATED, (long)so_far->cards, 0);
}

static void expired(void *arg, const struct aba_expire_totals *so_far)
{
	const struct aba_demo_opts *o = arg;

	o->progress(o->arg, STAGE_EXPIRED, (long)so_far->cards, 0);
}

int aba_demo_seed(struct aba_db *db, const struct aba_demo_opts *o, struct aba_err *err)
{
	uint64_t rnd = 0x9E3779B97F4A7C15ULL;
	long n = o->orders < 0 ? o->customers * 8 : o->orders;
	struct aba_member_totals mt;
	struct aba_expire_totals et;
	int done;

	/* The demo's staff logins, so that `aba --user clerk1 ...` works. */
	if (aba_staff_demo(db, err))
		return -1;
	/* Demo data can be made again: no need to wait for each commit's flush. */
	if (aba_db_command(db, "SET synchronous_commit = off", 0, NULL, err) ||
	    seed_levels(db, err) || store_programs(db, err) || seed_customers(db, o, &rnd, err) ||
	    exists(db, "SELECT EXISTS (SELECT 1 FROM aba.orders WHERE ref LIKE 'DEMO-%')", &done, err))
		return -1;
	if (done || n == 0)
		return 0;
	if (seed_orders(db, o, n, &rnd, err) ||
	    aba_member_evaluate(db, NULL, NULL, NULL, o->progress ? evaluated : NULL, (void *)o, &mt,
				err))
		return -1;
	if (o->progress)
		o->progress(o->arg, STAGE_EVALUATED, (long)mt.cards, (long)mt.cards);
	if (aba_ledger_expire(db, NULL, o->progress ? expired : NULL, (void *)o, &et, err))
		return -1;
	if (o->progress)
		o->progress(o->arg, STAGE_EXPIRED, (long)et.cards, (long)et.cards);
	return seed_requests(db, o, err);
}
