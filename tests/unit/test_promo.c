/* test_promo.c - the discount and points engine: every reward type, the
 * gates, caps, stacking, rounding and exact allocation, with figures
 * worked out by hand in the comments. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "aba_amount.h"
#include "aba_cart.h"
#include "aba_program.h"
#include "aba_promo.h"
#include "aba_spread.h"
#include "aba_time.h"

/* JSON written with single quotes, for legibility. */
static json_t *js(const char *text)
{
	char *s = strdup(text);
	json_error_t jerr;
	json_t *j;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	j = json_loads(s, JSON_DECODE_ANY, &jerr);
	ck_assert_msg(j != NULL, "bad test JSON: %s: %s", jerr.text, s);
	free(s);
	return j;
}

struct sim {
	struct aba_program_set *set;
	struct aba_cart *cart;
	struct aba_promo_result *res;
	struct aba_promo_ctx ctx;
};

static struct aba_program_set *programs(const char *text)
{
	struct aba_program_set *set;
	struct aba_err err;
	json_t *j = js(text);

	ck_assert_msg(aba_program_set_parse(j, &set, &err) == 0, "programs: %s", err.msg);
	json_decref(j);
	return set;
}

static struct aba_cart *cart(const char *text)
{
	struct aba_cart *c;
	struct aba_err err;
	json_t *j = js(text);

	ck_assert_msg(aba_cart_parse(j, &c, &err) == 0, "cart: %s", err.msg);
	json_decref(j);
	return c;
}

/* Evaluates with the cart's own level, codes, time and multiplier. */
static void eval(struct sim *s)
{
	struct aba_err err;

	s->ctx.level = s->cart->level;
	s->ctx.codes = s->cart->codes;
	s->ctx.n_codes = s->cart->n_codes;
	s->ctx.at = s->cart->has_at ? s->cart->at : 1795000000;
	s->ctx.multiplier = s->cart->earn_multiplier;
	if (!s->res)
		s->res = aba_promo_result_new();
	ck_assert_msg(aba_promo_evaluate(s->cart, s->set->v, s->set->n, &s->ctx, s->res,
					 &err) == 0, "evaluate: %s", err.msg);
}

static struct sim run(const char *progs, const char *c)
{
	struct sim s = { programs(progs), cart(c), NULL, { 0 } };

	eval(&s);
	return s;
}

static void done(struct sim *s)
{
	aba_promo_result_free(s->res);
	aba_cart_free(s->cart);
	aba_program_set_free(s->set);
}

static int64_t amt(const char *s)
{
	int64_t v;
	struct aba_err err;

	ck_assert_msg(aba_amount_parse(s, "test", &v, &err) == 0, "%s", err.msg);
	return v;
}

static const struct aba_promo_entry *entry(const struct sim *s, const char *id)
{
	for (size_t k = 0; k < s->res->n_entries; k++)
		if (strcmp(s->res->entries[k].program->id, id) == 0)
			return &s->res->entries[k];
	ck_abort_msg("no entry for program %s", id);
	return NULL;
}

static const char *why(const struct sim *s, const char *id)
{
	static char buf[512];

	return aba_promo_explain(s->res, entry(s, id), buf, sizeof(buf));
}

static void applied(const struct sim *s, const char *id, const char *discount)
{
	const struct aba_promo_entry *e = entry(s, id);

	ck_assert_msg(e->reason == ABA_PR_APPLIED, "%s: %s (%s)", id,
		      aba_promo_reason_name(e->reason), why(s, id));
	ck_assert_msg(e->discount == amt(discount), "%s: discount %lld, expected %s", id,
		      (long long)e->discount, discount);
}

static void rejected(const struct sim *s, const char *id, enum aba_promo_reason reason)
{
	const struct aba_promo_entry *e = entry(s, id);

	ck_assert_msg(e->reason == reason, "%s: %s, expected %s (%s)", id,
		      aba_promo_reason_name(e->reason), aba_promo_reason_name(reason),
		      why(s, id));
}

static void explains(const struct sim *s, const char *id, const char *text)
{
	ck_assert_msg(strstr(why(s, id), text), "%s: '%s' lacks '%s'", id, why(s, id), text);
}

static void line_is(const struct sim *s, size_t i, const char *discount)
{
	ck_assert_msg(s->res->lines[i].discount == amt(discount),
		      "line %zu: discount %lld, expected %s", i,
		      (long long)s->res->lines[i].discount, discount);
	ck_assert_int_eq(s->res->lines[i].net, s->res->lines[i].base - amt(discount));
}

static void totals_are(const struct sim *s, const char *discount, const char *points)
{
	ck_assert_msg(s->res->total_discount == amt(discount), "total discount %lld, expected %s",
		      (long long)s->res->total_discount, discount);
	ck_assert_msg(s->res->points == amt(points), "points %lld, expected %s",
		      (long long)s->res->points, points);
}

#define P10 "{'id':'P10','name':'10% over 100k','program_type':'promotion','trigger':'auto'," \
	"'code':null,'sequence':10,'stacking':'combine','date_from':null,'date_to':null," \
	"'membership_levels':[],'point_validity_days':365," \
	"'rules':[{'minimum_qty':0,'minimum_amount':'100000.00','product_ids':[]," \
	"'reward_point_mode':'money','reward_point_amount':'0.001'}]," \
	"'rewards':[{'reward_type':'discount','discount':'10','discount_mode':'percent'," \
	"'discount_applicability':'order','discount_product_ids':[],'discount_max_amount':'0'}]}"

#define LINE(p, q, price) "{'product':'" p "','qty':" #q ",'unit_price':'" price "'}"
#define CART(lines) "{'lines':[" lines "]}"

/* --- discount rewards ---------------------------------------------- */

START_TEST(percent_off_the_order)
{
	/* The design's example: 10% of 100000.00 = 10000.00, spread 30000/70000
	 * -> 3000.00 / 7000.00; points 0.001 x net 90000.00 = 90.00. */
	struct sim s = run("[" P10 "]", CART(LINE("SKU-1", 2, "15000.00") ","
					     LINE("SKU-2", 1, "70000.00")));

	applied(&s, "P10", "10000.00");
	explains(&s, "P10", "10% off the order (minimum 100000.00 reached)");
	line_is(&s, 0, "3000.00");
	line_is(&s, 1, "7000.00");
	totals_are(&s, "10000.00", "90.00");
	ck_assert_int_eq(s.res->total_net, amt("90000.00"));
	done(&s);
}
END_TEST

START_TEST(minimum_not_met)
{
	struct sim s = run("[" P10 "]", CART(LINE("SKU-1", 1, "99999.99")));

	rejected(&s, "P10", ABA_PR_MINIMUM_NOT_MET);
	explains(&s, "P10", "needs 100000.00 of qualifying products, the cart has 99999.99");
	totals_are(&s, "0.00", "0.00");
	done(&s);
}
END_TEST

START_TEST(fixed_amount_spread_by_largest_remainder)
{
	/* 100.00 over three lines of 50.00: 33.34 / 33.33 / 33.33. */
	struct sim s = run("[{'id':'F','program_type':'promotion','rewards':[{'reward_type':"
			   "'discount','discount':'100','discount_mode':'per_order'}]}]",
			   CART(LINE("A", 1, "50.00") "," LINE("B", 1, "50.00") ","
				LINE("C", 1, "50.00")));

	applied(&s, "F", "100.00");
	line_is(&s, 0, "33.34");
	line_is(&s, 1, "33.33");
	line_is(&s, 2, "33.33");
	explains(&s, "F", "100.00 off the order");
	done(&s);
}
END_TEST

START_TEST(cheapest_unit)
{
	/* 50% off one unit of the cheapest: B at 7000.00 -> 3500.00 on B only. */
	struct sim s = run("[{'id':'CH','program_type':'promotion','rewards':[{'reward_type':"
			   "'discount','discount':'50','discount_applicability':'cheapest'}]}]",
			   CART(LINE("A", 2, "15000.00") "," LINE("B", 3, "7000.00")));

	applied(&s, "CH", "3500.00");
	line_is(&s, 0, "0.00");
	line_is(&s, 1, "3500.00");
	explains(&s, "CH", "one unit of the cheapest product (B)");
	done(&s);
}
END_TEST

START_TEST(specific_products_and_categories)
{
	/* 20% of SKU-2's 70000.00 = 14000.00; 10% of the shoes line 30000.00
	 * = 3000.00; a product not in the cart: no eligible lines. */
	struct sim s = run("[{'id':'S','program_type':'promotion','rewards':[{'reward_type':"
			   "'discount','discount':'20','discount_applicability':'specific',"
			   "'discount_product_ids':['SKU-2']}]},"
			   "{'id':'SHOES','program_type':'promotion','rewards':[{'reward_type':"
			   "'discount','discount':'10','discount_applicability':'specific',"
			   "'discount_product_category_ids':['shoes']}]},"
			   "{'id':'NONE','program_type':'promotion','rewards':[{'reward_type':"
			   "'discount','discount':'10','discount_applicability':'specific',"
			   "'discount_product_ids':['SKU-9']}]}]",
			   "{'lines':[{'product':'SKU-1','qty':2,'unit_price':'15000.00',"
			   "'categories':['shoes']}," LINE("SKU-2", 1, "70000.00") "]}");

	applied(&s, "S", "14000.00");
	applied(&s, "SHOES", "3000.00");
	rejected(&s, "NONE", ABA_PR_NO_ELIGIBLE_LINES);
	line_is(&s, 0, "3000.00");
	line_is(&s, 1, "14000.00");
	done(&s);
}
END_TEST

START_TEST(discount_max_amount)
{
	/* 10% of 1000000.00 = 100000.00, capped at 50000.00. */
	struct sim s = run("[{'id':'M','program_type':'promotion','rewards':[{'reward_type':"
			   "'discount','discount':'10','discount_max_amount':'50000.00'}]}]",
			   CART(LINE("A", 1, "1000000.00")));

	applied(&s, "M", "50000.00");
	explains(&s, "M", "capped at the maximum of 50000.00");
	ck_assert_int_eq(entry(&s, "M")->computed, amt("100000.00"));
	done(&s);
}
END_TEST

START_TEST(per_point)
{
	/* 150.50 points at 100.00 each = 15050.00; a second per_point program
	 * finds no points left. */
	struct sim s = run("[{'id':'L','program_type':'loyalty','rewards':[{'reward_type':"
			   "'discount','discount':'100','discount_mode':'per_point'}]},"
			   "{'id':'L2','program_type':'loyalty','sequence':20,'rewards':[{"
			   "'reward_type':'discount','discount':'1','discount_mode':'per_point'}]}]",
			   "{'points_to_spend':'150.50','lines':[" LINE("A", 1, "90000.00") "]}");

	applied(&s, "L", "15050.00");
	ck_assert_int_eq(entry(&s, "L")->points_spent, amt("150.50"));
	explains(&s, "L", "150.50 points at 100.00 each off the order");
	rejected(&s, "L2", ABA_PR_NO_ELIGIBLE_LINES);
	done(&s);
}
END_TEST

START_TEST(multiple_discount_cascades)
{
	/* 10 then 5: 1 - 0.9 x 0.95 = 14.5% of 100000.00 = 14500.00.
	 * 12.5 then 7.5: 1 - 0.875 x 0.925 = 19.0625% of 100.00 = 19.06. */
	struct sim s = run("[{'id':'MD','program_type':'promotion','rewards':[{'reward_type':"
			   "'multiple_discount','discount':['10','5']}]}]",
			   CART(LINE("A", 1, "100000.00")));
	struct sim t = run("[{'id':'MD','program_type':'promotion','rewards':[{'reward_type':"
			   "'multiple_discount','discount':['12.5','7.5']}]}]",
			   CART(LINE("A", 1, "100.00")));

	applied(&s, "MD", "14500.00");
	explains(&s, "MD", "10% then 5% (14.5%) off the order");
	struct sim u = run("[{'id':'MD','program_type':'promotion','rewards':[{'reward_type':"
			   "'multiple_discount','discount':['10','5']}]}]",
			   CART(LINE("A", 1, "1.00")));

	applied(&t, "MD", "19.06");
	explains(&t, "MD", "(19.0625%)");
	applied(&u, "MD", "0.15");	/* 14.5% of 1.00 = 0.145: half up */
	done(&s);
	done(&t);
	done(&u);
}
END_TEST

/* --- product, special price, special set, point ------------------------ */

START_TEST(special_price)
{
	/* SKU-1 at 9000.00 instead of 15000.00, 2 units: 12000.00; SKU-3 is
	 * already cheaper than the special price and keeps its price. */
	struct sim s = run("[{'id':'SP','program_type':'promotion','rewards':[{'reward_type':"
			   "'special_price','special_price':'9000','discount_product_ids':"
			   "['SKU-1','SKU-3']}]}]",
			   CART(LINE("SKU-1", 2, "15000.00") "," LINE("SKU-2", 1, "20000.00") ","
				LINE("SKU-3", 1, "8000.00")));

	applied(&s, "SP", "12000.00");
	line_is(&s, 0, "12000.00");
	line_is(&s, 1, "0.00");
	line_is(&s, 2, "0.00");
	explains(&s, "SP", "2 units at the special price of 9000.00 each");
	done(&s);
}
END_TEST

START_TEST(special_set)
{
	/* A x1 + B x2 at 50000.00 per set.  3 A at 30000.00, 5 B at 15000.00:
	 * 2 sets; their units are worth 2x30000 + 4x15000 = 120000.00, so the
	 * discount is 120000.00 - 100000.00 = 20000.00, split 60000:60000. */
	const char *progs = "[{'id':'SET','program_type':'promotion','rewards':[{'reward_type':"
			    "'special_set','set_items':[{'product':'A','qty':1},"
			    "{'product':'B','qty':2}],'set_price':'50000.00'}]}]";
	struct sim s = run(progs, CART(LINE("A", 3, "30000.00") "," LINE("B", 5, "15000.00")));
	struct sim t = run(progs, CART(LINE("A", 3, "30000.00") "," LINE("B", 1, "15000.00")));

	applied(&s, "SET", "20000.00");
	line_is(&s, 0, "10000.00");
	line_is(&s, 1, "10000.00");
	explains(&s, "SET", "2 sets at 50000.00 each (1 x A + 2 x B)");
	rejected(&t, "SET", ABA_PR_NO_ELIGIBLE_LINES);
	explains(&t, "SET", "no complete set");
	done(&s);
	done(&t);
}
END_TEST

START_TEST(free_product)
{
	/* A free SKU-C: in the cart it costs nothing (5000.00 off); absent,
	 * it is to be added. */
	const char *progs = "[{'id':'FP','program_type':'promotion','rewards':[{'reward_type':"
			    "'product','reward_product_id':'SKU-C','reward_product_qty':1}]}]";
	struct sim s = run(progs, CART(LINE("SKU-C", 2, "5000.00")));
	struct sim t = run(progs, CART(LINE("SKU-A", 2, "5000.00")));

	applied(&s, "FP", "5000.00");
	ck_assert_int_eq(s.res->lines[0].free_units, 1);
	ck_assert_uint_eq(s.res->n_free_items, 0);
	applied(&t, "FP", "0.00");
	ck_assert_uint_eq(t.res->n_free_items, 1);
	ck_assert_str_eq(t.res->free_items[0].product->s, "SKU-C");
	ck_assert_int_eq(t.res->free_items[0].qty, 1);
	done(&s);
	done(&t);
}
END_TEST

/* buy 2 get 1 on n units of C at 1000.00. */
static void b2g1(int n, int free_in_cart, int missing)
{
	char c[256];
	struct sim s;

	snprintf(c, sizeof(c), "{'lines':[{'product':'C','qty':%d,'unit_price':'1000.00'}]}", n);
	s = run("[{'id':'B2G1','program_type':'buy_x_get_y','rules':[{'minimum_qty':2,"
		"'product_ids':['C']}],'rewards':[{'reward_type':'product',"
		"'reward_product_id':'C','reward_product_qty':1}]}]", c);
	ck_assert_msg(entry(&s, "B2G1")->free_units == free_in_cart, "%d units: %lld free", n,
		      (long long)entry(&s, "B2G1")->free_units);
	ck_assert_int_eq(s.res->total_discount, free_in_cart * 100000);
	ck_assert_uint_eq(s.res->n_free_items, missing ? 1 : 0);
	if (missing)
		ck_assert_int_eq(s.res->free_items[0].qty, missing);
	done(&s);
}

START_TEST(buy_x_get_y)
{
	/* free = ⌊n/3⌋·1 + max(0, r − 2), missing = r ≥ 2 ? 1 − (r − 2) : 0 */
	b2g1(7, 2, 0);	/* 6 = 2 groups, 1 left over (r=1 < x): paid */
	b2g1(8, 2, 1);	/* r = 2 = x: the third of that group is missing */
	b2g1(6, 2, 0);
	b2g1(5, 1, 1);
	b2g1(3, 1, 0);
	b2g1(2, 0, 1);
}
END_TEST

START_TEST(buy_x_get_other_product)
{
	/* buy 2 A get 1 B: 5 A earn 2 B; one B in the cart is free (4000.00),
	 * one more is to be added. */
	struct sim s = run("[{'id':'AB','program_type':'buy_x_get_y','rules':[{'minimum_qty':2,"
			   "'product_ids':['A']}],'rewards':[{'reward_type':'product',"
			   "'reward_product_id':'B','reward_product_qty':1}]}]",
			   CART(LINE("A", 5, "1000.00") "," LINE("B", 1, "4000.00")));

	applied(&s, "AB", "4000.00");
	ck_assert_int_eq(entry(&s, "AB")->free_units, 1);
	ck_assert_int_eq(entry(&s, "AB")->missing_units, 1);
	explains(&s, "AB", "buy 2 get 1 B: 1 free in the cart, add 1 more B free");
	done(&s);
}
END_TEST

START_TEST(bonus_points_and_multiplier)
{
	/* 50 bonus points x 1.5 = 75.00. */
	struct sim s = run("[{'id':'BP','program_type':'promotion','rewards':[{'reward_type':"
			   "'point','reward_point_amount':'50'}]}]",
			   "{'earn_multiplier':'1.5','lines':[" LINE("A", 1, "10.00") "]}");

	applied(&s, "BP", "0.00");
	totals_are(&s, "0.00", "75.00");
	done(&s);
}
END_TEST

/* --- points -------------------------------------------------------- */

START_TEST(points_modes_floor_to_hundredths)
{
	/* money: 0.001 x 12345.67 = 12.34567 -> 12.34; x 1.5 = 18.518505 -> 18.51.
	 * order: 10 per order.  unit: 2 per paid unit of B: 3 units -> 6. */
	const char *progs = "[{'id':'MO','program_type':'loyalty','rules':[{"
			    "'reward_point_mode':'money','reward_point_amount':'0.001'}]},"
			    "{'id':'OR','program_type':'loyalty','rules':[{'reward_point_mode':"
			    "'order','reward_point_amount':'10','product_ids':['A']}]},"
			    "{'id':'UN','program_type':'loyalty','rules':[{'reward_point_mode':"
			    "'unit','reward_point_amount':'2','product_ids':['B']}]}]";
	struct sim s = run(progs, CART(LINE("A", 1, "12345.67")));
	struct sim t = run(progs, "{'earn_multiplier':'1.5','lines':[" LINE("A", 1, "12345.67")
			   "]}");
	struct sim u = run(progs, CART(LINE("B", 3, "0.00")));

	totals_are(&s, "0.00", "22.34");	/* 12.34567 + 10 = 22.34567 */
	applied(&s, "MO", "0.00");
	explains(&s, "MO", "earns 12.34 points");
	rejected(&s, "UN", ABA_PR_MINIMUM_NOT_MET);
	totals_are(&t, "0.00", "33.51");	/* 22.34567 x 1.5 = 33.518505 */
	totals_are(&u, "0.00", "6.00");
	rejected(&u, "OR", ABA_PR_MINIMUM_NOT_MET);
	explains(&u, "OR", "no qualifying product in the cart");
	done(&s);
	done(&t);
	done(&u);
}
END_TEST

START_TEST(points_on_net_and_paid_units)
{
	/* buy 2 get 1 on 6 C at 1000.00: 2 free.  unit mode 1 per paid unit:
	 * 4.  money mode 0.01 per 1.00 of net 4000.00: 40.  Total 44.00. */
	struct sim s = run("[{'id':'B','program_type':'buy_x_get_y','rules':[{'minimum_qty':2,"
			   "'product_ids':['C'],'reward_point_mode':'unit','reward_point_amount':'1'}],"
			   "'rewards':[{'reward_type':'product','reward_product_id':'C'}]},"
			   "{'id':'M','program_type':'loyalty','sequence':99,'rules':[{"
			   "'reward_point_mode':'money','reward_point_amount':'0.01'}]}]",
			   CART(LINE("C", 6, "1000.00")));

	applied(&s, "B", "2000.00");
	totals_are(&s, "2000.00", "44.00");
	done(&s);
}
END_TEST

/* --- gates ------------------------------------------------------------- */

#define DATED "[{'id':'D','program_type':'promotion','date_from':'2026-11-01'," \
	"'date_to':'2026-11-30','rewards':[{'reward_type':'discount','discount':'10'}]}]"

static enum aba_promo_reason dated_at(const char *at)
{
	char c[256];
	struct sim s;
	enum aba_promo_reason r;

	snprintf(c, sizeof(c), "{'at':'%s','lines':[" LINE("A", 1, "100.00") "]}", at);
	s = run(DATED, c);
	r = entry(&s, "D")->reason;
	if (r == ABA_PR_NOT_STARTED)
		explains(&s, "D", "starts 2026-11-01T00:00:00Z");
	if (r == ABA_PR_EXPIRED)
		explains(&s, "D", "ended 2026-11-30T23:59:59Z");
	done(&s);
	return r;
}

START_TEST(date_window)
{
	ck_assert_int_eq(dated_at("2026-10-31T23:59:59Z"), ABA_PR_NOT_STARTED);
	ck_assert_int_eq(dated_at("2026-11-01T00:00:00Z"), ABA_PR_APPLIED);
	/* a date-only date_to covers that whole day */
	ck_assert_int_eq(dated_at("2026-11-30T23:59:59Z"), ABA_PR_APPLIED);
	ck_assert_int_eq(dated_at("2026-12-01T00:00:00Z"), ABA_PR_EXPIRED);
	ck_assert_int_eq(dated_at("2026-12-01T06:00:00+07:00"), ABA_PR_APPLIED);
}
END_TEST

START_TEST(codes)
{
	const char *progs = "[{'id':'C','program_type':'promo_code','trigger':'with_code',"
			    "'code':'PROMO10','rewards':[{'reward_type':'discount','discount':'10'}]}]";
	struct sim s = run(progs, CART(LINE("A", 1, "100.00")));
	struct sim t = run(progs, "{'codes':['promo10'],'lines':[" LINE("A", 1, "100.00") "]}");
	struct sim u = run(progs, "{'codes':['OTHER'],'lines':[" LINE("A", 1, "100.00") "]}");

	rejected(&s, "C", ABA_PR_CODE_MISSING);
	explains(&s, "C", "needs the code 'PROMO10'");
	applied(&t, "C", "10.00");
	rejected(&u, "C", ABA_PR_CODE_MISSING);
	done(&s);
	done(&t);
	done(&u);
}
END_TEST

START_TEST(levels_and_inactive)
{
	const char *progs = "[{'id':'G','program_type':'promotion','membership_levels':"
			    "['GOLD','PLATINUM'],'rewards':[{'reward_type':'discount','discount':'10'}]},"
			    "{'id':'OFF','program_type':'promotion','active':false,'rewards':[{"
			    "'reward_type':'discount','discount':'50'}]}]";
	struct sim s = run(progs, "{'level':'SILVER','lines':[" LINE("A", 1, "100.00") "]}");
	struct sim t = run(progs, CART(LINE("A", 1, "100.00")));
	struct sim u = run(progs, "{'level':'PLATINUM','lines':[" LINE("A", 1, "100.00") "]}");

	rejected(&s, "G", ABA_PR_LEVEL);
	explains(&s, "G", "for level GOLD, PLATINUM only; the customer is SILVER");
	rejected(&t, "G", ABA_PR_LEVEL);
	explains(&t, "G", "the customer has no level");
	applied(&u, "G", "10.00");
	rejected(&u, "OFF", ABA_PR_INACTIVE);
	done(&s);
	done(&t);
	done(&u);
}
END_TEST

/* --- caps, order, stacking --------------------------------------------- */

START_TEST(caps_never_exceed_base)
{
	/* 90% then 20% of 100000.00: the second computes 20000.00 but only
	 * 10000.00 is left: capped, still applied.  A third finds nothing
	 * left: capped_to_zero.  The line ends at exactly 0.00. */
	struct sim s = run("[{'id':'B','program_type':'promotion','sequence':2,'rewards':[{"
			   "'reward_type':'discount','discount':'20'}]},"
			   "{'id':'A','program_type':'promotion','sequence':1,'rewards':[{"
			   "'reward_type':'discount','discount':'90'}]},"
			   "{'id':'C','program_type':'promotion','sequence':3,'rewards':[{"
			   "'reward_type':'discount','discount':'500','discount_mode':'per_order'}]}]",
			   CART(LINE("A", 1, "100000.00")));

	applied(&s, "A", "90000.00");
	applied(&s, "B", "10000.00");
	explains(&s, "B", "capped to 10000.00 (of 20000.00)");
	rejected(&s, "C", ABA_PR_CAPPED_TO_ZERO);
	line_is(&s, 0, "100000.00");
	ck_assert_int_eq(s.res->total_net, 0);
	/* evaluation order is sequence, whatever the file's order */
	ck_assert_str_eq(s.res->entries[0].program->id, "A");
	done(&s);
}
END_TEST

START_TEST(fixed_amount_moves_to_lines_with_room)
{
	/* Line X is free already (special price 0); 300.00 off the order goes
	 * to Y and Z (100.00 each in base), not lost on X: 150.00 / 150.00. */
	struct sim s = run("[{'id':'SP','program_type':'promotion','sequence':1,'rewards':[{"
			   "'reward_type':'special_price','special_price':'0',"
			   "'discount_product_ids':['X']}]},"
			   "{'id':'F','program_type':'promotion','sequence':2,'rewards':[{"
			   "'reward_type':'discount','discount':'300','discount_mode':'per_order'}]}]",
			   CART(LINE("X", 1, "800.00") "," LINE("Y", 1, "200.00") ","
				LINE("Z", 1, "200.00")));

	applied(&s, "F", "300.00");
	line_is(&s, 0, "800.00");
	line_is(&s, 1, "150.00");
	line_is(&s, 2, "150.00");
	done(&s);
}
END_TEST

#define EXCL(id, seq, pct) "{'id':'" id "','program_type':'promotion','stacking':'exclusive'," \
	"'sequence':" #seq ",'rewards':[{'reward_type':'discount','discount':'" pct "'}]}"
#define COMB(id, seq, pct) "{'id':'" id "','program_type':'promotion','sequence':" #seq "," \
	"'rewards':[{'reward_type':'discount','discount':'" pct "'}]}"

START_TEST(exclusive_best_for_customer)
{
	/* On 1000.00: combinable 10% + 5% = 150.00 against exclusive 20% =
	 * 200.00 -> the exclusive alone; against exclusive 12% -> combined. */
	struct sim s = run("[" COMB("C1", 10, "10") "," COMB("C2", 20, "5") "," EXCL("X", 30, "20")
			   "," EXCL("Y", 40, "12") "]", CART(LINE("A", 1, "1000.00")));
	struct sim t = run("[" COMB("C1", 10, "10") "," COMB("C2", 20, "5") "," EXCL("Y", 40, "12")
			   "]", CART(LINE("A", 1, "1000.00")));

	applied(&s, "X", "200.00");
	rejected(&s, "C1", ABA_PR_LOST_TO_EXCLUSIVE);
	rejected(&s, "C2", ABA_PR_LOST_TO_EXCLUSIVE);
	rejected(&s, "Y", ABA_PR_LOST_TO_EXCLUSIVE);
	explains(&s, "C1", "exclusive program 'X' gives more (200.00 against 150.00)");
	totals_are(&s, "200.00", "0.00");
	applied(&t, "C1", "100.00");
	applied(&t, "C2", "50.00");
	rejected(&t, "Y", ABA_PR_LOST_TO_EXCLUSIVE);
	explains(&t, "Y", "the combinable programs give more together (150.00 against 120.00)");
	done(&s);
	done(&t);
}
END_TEST

START_TEST(exclusive_ties_go_to_lower_sequence)
{
	/* 15% exclusive against 10% + 5% combined: both 150.00. */
	struct sim s = run("[" COMB("C1", 10, "10") "," COMB("C2", 20, "5") "," EXCL("X", 5, "15")
			   "]", CART(LINE("A", 1, "1000.00")));
	struct sim t = run("[" COMB("C1", 10, "10") "," COMB("C2", 20, "5") "," EXCL("X", 15, "15")
			   "]", CART(LINE("A", 1, "1000.00")));
	struct sim u = run("[" EXCL("X", 15, "15") "," EXCL("W", 15, "15") "]",
			   CART(LINE("A", 1, "1000.00")));

	applied(&s, "X", "150.00");
	rejected(&s, "C1", ABA_PR_LOST_TO_EXCLUSIVE);
	applied(&t, "C1", "100.00");
	rejected(&t, "X", ABA_PR_LOST_TO_EXCLUSIVE);
	/* An exclusive program giving only points beats an empty combinable side. */
	struct sim v = run("[{'id':'XP','program_type':'promotion','stacking':'exclusive',"
			   "'rewards':[{'reward_type':'point','reward_point_amount':'50'}]}]",
			   CART(LINE("A", 1, "1000.00")));

	applied(&u, "W", "150.00");	/* same sequence: lower id */
	rejected(&u, "X", ABA_PR_LOST_TO_EXCLUSIVE);
	applied(&v, "XP", "0.00");
	totals_are(&v, "0.00", "50.00");
	done(&s);
	done(&t);
	done(&u);
	done(&v);
}
END_TEST

START_TEST(best_reward_of_a_program)
{
	/* Two rewards: 10% (100.00) or 150.00 off: the customer gets 150.00. */
	struct sim s = run("[{'id':'R','program_type':'promotion','rewards':["
			   "{'reward_type':'discount','discount':'10'},"
			   "{'reward_type':'discount','discount':'150','discount_mode':'per_order'}]}]",
			   CART(LINE("A", 1, "1000.00")));

	applied(&s, "R", "150.00");
	ck_assert_int_eq(entry(&s, "R")->reward->mode, ABA_DISC_PER_ORDER);
	done(&s);
}
END_TEST

/* --- allocation ---------------------------------------------------------- */

START_TEST(spread_largest_remainder)
{
	int64_t w[3] = { 5000, 5000, 5000 }, lim[3] = { 5000, 5000, 5000 }, out[3], x[6];
	int64_t w2[3] = { 1, 2, 3 }, lim2[3] = { 100, 0, 100000 };

	/* 100.00 over equal lines: 33.34 / 33.33 / 33.33 */
	ck_assert_int_eq(aba_spread(10000, w, lim, out, 3, x), 10000);
	ck_assert_int_eq(out[0], 3334);
	ck_assert_int_eq(out[1], 3333);
	ck_assert_int_eq(out[2], 3333);
	/* more than the limits hold: everything they hold, no more */
	ck_assert_int_eq(aba_spread(20000, w, lim, out, 3, x), 15000);
	ck_assert_int_eq(out[0] + out[1] + out[2], 15000);
	/* weights 1:2:3 of 600 with limits 100, 0, big: line 0 takes 100,
	 * line 1 nothing, line 2 the remaining 500 */
	ck_assert_int_eq(aba_spread(600, w2, lim2, out, 3, x), 600);
	ck_assert_int_eq(out[0], 100);
	ck_assert_int_eq(out[1], 0);
	ck_assert_int_eq(out[2], 500);
	/* 0.01 over three: the first line */
	ck_assert_int_eq(aba_spread(1, w, lim, out, 3, x), 1);
	ck_assert_int_eq(out[0], 1);
}
END_TEST

/* A tiny deterministic generator (xorshift64*). */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static json_t *random_reward(uint64_t *s)
{
	static const char *const types[] = { "discount", "discount", "product", "special_price",
					     "special_set", "multiple_discount", "point" };
	static const char *const modes[] = { "percent", "per_order", "per_point" };
	static const char *const appl[] = { "order", "cheapest", "specific" };
	const char *t = types[rnd(s) % 7];
	char d[32], m[32], p[8];
	unsigned bp = (unsigned)(rnd(s) % 10001);

	snprintf(d, sizeof(d), "%u.%02u", bp / 100, bp % 100);
	snprintf(m, sizeof(m), "%llu", (unsigned long long)(rnd(s) % 3 ? 0 : rnd(s) % 5000));
	snprintf(p, sizeof(p), "P%d", (int)(rnd(s) % 6));
	if (!strcmp(t, "discount"))
		return json_pack("{s:s, s:s, s:s, s:s, s:[s], s:s}", "reward_type", t,
				 "discount", d, "discount_mode", modes[rnd(s) % 3],
				 "discount_applicability", appl[rnd(s) % 3],
				 "discount_product_ids", p, "discount_max_amount", m);
	if (!strcmp(t, "multiple_discount"))
		return json_pack("{s:s, s:[s,s]}", "reward_type", t, "discount", d, "33.3");
	if (!strcmp(t, "product"))
		return json_pack("{s:s, s:s, s:I}", "reward_type", t, "reward_product_id", p,
				 "reward_product_qty", (json_int_t)(1 + rnd(s) % 3));
	if (!strcmp(t, "special_price"))
		return json_pack("{s:s, s:s, s:[s]}", "reward_type", t, "special_price", m,
				 "discount_product_ids", p);
	if (!strcmp(t, "special_set"))
		return json_pack("{s:s, s:[{s:s, s:i}, {s:s, s:i}], s:s}", "reward_type", t,
				 "set_items", "product", p, "qty", 1, "product", "P1", "qty", 2,
				 "set_price", m);
	return json_pack("{s:s, s:s}", "reward_type", t, "reward_point_amount", "1.5");
}

static json_t *random_program(uint64_t *s, int i)
{
	static const char *const types[] = { "promotion", "buy_x_get_y", "loyalty" };
	char id[16], amount[32];
	const char *type = types[rnd(s) % 3];

	snprintf(id, sizeof(id), "R%d", i);
	snprintf(amount, sizeof(amount), "%llu", (unsigned long long)(rnd(s) % 3000));
	return json_pack("{s:s, s:s, s:I, s:s, s:[{s:I, s:s, s:s, s:s}], s:[o, o]}", "id", id,
			 "program_type", type, "sequence", (json_int_t)(rnd(s) % 5),
			 "stacking", rnd(s) % 4 ? "combine" : "exclusive", "rules",
			 "minimum_qty", (json_int_t)(1 + rnd(s) % 3), "minimum_amount",
			 rnd(s) % 2 ? "0" : amount, "reward_point_mode", "money",
			 "reward_point_amount", "0.01", "rewards", random_reward(s),
			 random_reward(s));
}

static json_t *random_cart(uint64_t *s)
{
	json_t *lines = json_array();
	int n = (int)(rnd(s) % 8);

	for (int i = 0; i < n; i++) {
		char product[8], price[32];

		snprintf(product, sizeof(product), "P%d", (int)(rnd(s) % 6));
		snprintf(price, sizeof(price), "%llu.%02llu", (unsigned long long)(rnd(s) % 2000),
			 (unsigned long long)(rnd(s) % 100));
		json_array_append_new(lines, json_pack("{s:s, s:I, s:s}", "product", product, "qty",
						       (json_int_t)(1 + rnd(s) % 9), "unit_price",
						       price));
	}
	return json_pack("{s:s, s:o}", "points_to_spend", "25.50", "lines", lines);
}

static void check_invariants(const struct aba_promo_result *r)
{
	int64_t sum = 0, applied = 0;

	for (size_t i = 0; i < r->n_lines; i++) {
		ck_assert_int_ge(r->lines[i].discount, 0);
		ck_assert_int_le(r->lines[i].discount, r->lines[i].base);
		ck_assert_int_eq(r->lines[i].net, r->lines[i].base - r->lines[i].discount);
		sum += r->lines[i].discount;
	}
	for (size_t k = 0; k < r->n_entries; k++)
		if (r->entries[k].reason == ABA_PR_APPLIED) {
			ck_assert_int_ge(r->entries[k].discount, 0);
			applied += r->entries[k].discount;
		}
	ck_assert_int_eq(sum, r->total_discount);
	ck_assert_int_eq(applied, r->total_discount);
	ck_assert_int_eq(r->total_net, r->total_base - r->total_discount);
	ck_assert_int_ge(r->points, 0);
}

/* The programs' order in the input does not matter: sequence, then id. */
static void same_reversed(const struct sim *s, const json_t *progs)
{
	json_t *rev = json_array();
	struct sim t = { 0 };
	struct aba_err err;

	for (size_t i = json_array_size(progs); i > 0; i--)
		json_array_append(rev, json_array_get(progs, i - 1));
	ck_assert_int_eq(aba_program_set_parse(rev, &t.set, &err), 0);
	t.cart = s->cart;
	eval(&t);
	ck_assert_int_eq(t.res->total_discount, s->res->total_discount);
	ck_assert_int_eq(t.res->points, s->res->points);
	for (size_t k = 0; k < s->res->n_entries; k++) {
		ck_assert_str_eq(t.res->entries[k].program->id, s->res->entries[k].program->id);
		ck_assert_int_eq(t.res->entries[k].reason, s->res->entries[k].reason);
	}
	t.cart = NULL;
	done(&t);
	json_decref(rev);
}

START_TEST(property_random_carts_sum_exactly)
{
	uint64_t seed = UINT64_C(0x9E3779B97F4A7C15);
	struct aba_promo_result *again = aba_promo_result_new();

	for (int round = 0; round < 1500; round++) {
		json_t *progs = json_array(), *c = random_cart(&seed);
		int n = 1 + (int)(rnd(&seed) % 6);
		struct aba_err err;
		struct sim s = { 0 };

		for (int i = 0; i < n; i++)
			json_array_append_new(progs, random_program(&seed, i));
		ck_assert_msg(aba_program_set_parse(progs, &s.set, &err) == 0, "%s", err.msg);
		ck_assert_msg(aba_cart_parse(c, &s.cart, &err) == 0, "%s", err.msg);
		eval(&s);
		check_invariants(s.res);
		/* deterministic: the same answer again, into a reused result */
		ck_assert_int_eq(aba_promo_evaluate(s.cart, s.set->v, s.set->n, &s.ctx, again,
						    &err), 0);
		ck_assert_int_eq(again->total_discount, s.res->total_discount);
		ck_assert_int_eq(again->points, s.res->points);
		for (size_t i = 0; i < s.res->n_lines; i++)
			ck_assert_int_eq(again->lines[i].discount, s.res->lines[i].discount);
		same_reversed(&s, progs);
		json_decref(progs);
		json_decref(c);
		done(&s);
	}
	aba_promo_result_free(again);
}
END_TEST

/* --- parsers and output -------------------------------------------------- */

static void program_error(const char *text, const char *expect)
{
	struct aba_program_set *set = NULL;
	struct aba_err err = { 0 };
	json_t *j = js(text);

	ck_assert_msg(aba_program_set_parse(j, &set, &err) == -1, "accepted: %s", text);
	ck_assert_int_eq(err.code, ABA_INPUT);
	ck_assert_msg(strstr(err.msg, expect), "'%s' lacks '%s'", err.msg, expect);
	ck_assert_ptr_null(set);
	json_decref(j);
}

#define PROG(extra) "{'id':'P','program_type':'promotion'" extra "}"

START_TEST(program_parse_errors)
{
	program_error(PROG(",'rules':[{'minimum_amount':'1.234'}]"),
		      "program 'P': rules[0].minimum_amount: expected a decimal with at most 2 "
		      "places, got '1.234'");
	program_error(PROG(",'rules':[{'minimum_amount':12.5}]"),
		      "rules[0].minimum_amount: expected a decimal with at most 2 places as a string");
	program_error(PROG(",'rules':[{},{'minimun_amount':'5'}]"),
		      "rules[1].minimun_amount: unknown field");
	program_error(PROG(",'rewards':[{'reward_type':'discount','discount':'101'}]"),
		      "rewards[0].discount: '101' is too large");
	program_error(PROG(",'rewards':[{'reward_type':'discount'}]"),
		      "rewards[0].discount: required");
	program_error(PROG(",'rewards':[{'reward_type':'discount','discount':'-5'}]"),
		      "rewards[0].discount: must not be negative");
	program_error(PROG(",'rewards':[{'reward_type':'gift'}]"),
		      "rewards[0].reward_type: expected one of discount, product, special_price, "
		      "special_set, multiple_discount, point, got 'gift'");
	program_error(PROG(",'rewards':[{'reward_type':'multiple_discount','discount':'10'}]"),
		      "rewards[0].discount: expected a list of 1 to 5 percents");
	program_error(PROG(",'rewards':[{'reward_type':'multiple_discount','discount':['10','x']}]"),
		      "rewards[0].discount[1]: expected a decimal");
	program_error(PROG(",'rewards':[{'reward_type':'special_price','special_price':'1'}]"),
		      "rewards[0].discount_product_ids: special_price needs the products");
	program_error(PROG(",'rewards':[{'reward_type':'special_set','set_price':'1',"
			   "'set_items':[{'product':'A','qty':0}]}]"),
		      "rewards[0].set_items[0].qty: must be between 1 and");
	program_error(PROG(",'rewards':[{'reward_type':'product'}]"),
		      "rewards[0].reward_product_id: required");
	program_error(PROG(",'trigger':'with_code'"), "code: required when trigger is with_code");
	program_error(PROG(",'date_from':'2026-12-01','date_to':'2026-11-01'"),
		      "date_to: before date_from");
	program_error(PROG(",'date_to':'2026-02-30'"), "date_to");
	program_error(PROG(",'sequence':'1'"), "program 'P': sequence: expected an integer");
	program_error("{'id':'B','program_type':'buy_x_get_y','rules':[{'minimum_qty':0}]}",
		      "rules[0].minimum_qty: buy_x_get_y needs at least 1");
	program_error("[" PROG("") "," PROG("") "]", "programs[1]: duplicate program id 'P'");
	program_error("[{'program_type':'promotion'}]", "programs[0]: id: required");
	program_error("{'id':'P'}", "program 'P': program_type: required");
	program_error("[1]", "programs[0]: expected an object");
	program_error("'x'", "expected an array of programs or one program object");
}
END_TEST

static void cart_error(const char *text, const char *expect)
{
	struct aba_cart *c = NULL;
	struct aba_err err = { 0 };
	json_t *j = js(text);

	ck_assert_msg(aba_cart_parse(j, &c, &err) == -1, "accepted: %s", text);
	ck_assert_msg(strstr(err.msg, expect), "'%s' lacks '%s'", err.msg, expect);
	ck_assert_ptr_null(c);
	json_decref(j);
}

START_TEST(cart_parse_errors)
{
	cart_error("{'lines':[{'product':'A','qty':1,'unit_price':'1.5'},"
		   "{'product':'B','qty':0,'unit_price':'1'}]}",
		   "lines[1].qty: must be between 1 and 1000000, got 0");
	cart_error("{'lines':[{'product':'A','qty':1,'unit_price':'1.005'}]}",
		   "lines[0].unit_price: expected a decimal with at most 2 places, got '1.005'");
	cart_error("{'lines':[{'product':'','qty':1,'unit_price':'1'}]}",
		   "lines[0].product: expected 1 to 128 characters");
	cart_error("{'lines':[{'product':'A','qty':2,'unit_price':'999999999999.99'}]}",
		   "lines[0]: qty x unit_price is too large");
	cart_error("{'lines':[{'product':'A','qty':1,'unit_price':'1','colour':'red'}]}",
		   "lines[0].colour: unknown field");
	cart_error("{'at':'yesterday','lines':[]}", "at");
	cart_error("{'codes':[5],'lines':[]}", "codes[0]: expected a string");
	cart_error("{}", "lines: expected an array");
}
END_TEST

START_TEST(result_json)
{
	struct sim s = run("[" P10 "," COMB("P20", 20, "5") ", {'id':'P30','program_type':"
			   "'promotion','rules':[{'minimum_amount':'900000'}]}]",
			   CART(LINE("SKU-1", 2, "15000.00") "," LINE("SKU-2", 1, "70000.00")));
	json_t *j = aba_promo_result_json(s.res);
	char *text = json_dumps(j, JSON_COMPACT);

	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "total_base")), "100000.00");
	ck_assert_str_eq(json_string_value(json_object_get(j, "total_discount")), "15000.00");
	ck_assert_str_eq(json_string_value(json_object_get(j, "total_net")), "85000.00");
	ck_assert_str_eq(json_string_value(json_object_get(j, "points")), "85.00");
	ck_assert_msg(strstr(text, "{\"product\":\"SKU-1\",\"qty\":2,\"base\":\"30000.00\","
			     "\"discount\":\"4500.00\",\"net\":\"25500.00\"}"), "%s", text);
	ck_assert_msg(strstr(text, "{\"program\":\"P10\",\"reward_type\":\"discount\","
			     "\"discount\":\"10000.00\",\"explanation\":\"10% off the order "
			     "(minimum 100000.00 reached); earns 85.00 points\"}"), "%s", text);
	ck_assert_msg(strstr(text, "{\"program\":\"P30\",\"reason\":\"minimum_not_met\","
			     "\"explanation\":\"needs 900000.00"), "%s", text);
	ck_assert_int_eq(json_array_size(json_object_get(j, "free_items_to_add")), 0);
	free(text);
	json_decref(j);
	done(&s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("promo");
	TCase *tc = tcase_create("promo");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, percent_off_the_order);
	tcase_add_test(tc, minimum_not_met);
	tcase_add_test(tc, fixed_amount_spread_by_largest_remainder);
	tcase_add_test(tc, cheapest_unit);
	tcase_add_test(tc, specific_products_and_categories);
	tcase_add_test(tc, discount_max_amount);
	tcase_add_test(tc, per_point);
	tcase_add_test(tc, multiple_discount_cascades);
	tcase_add_test(tc, special_price);
	tcase_add_test(tc, special_set);
	tcase_add_test(tc, free_product);
	tcase_add_test(tc, buy_x_get_y);
	tcase_add_test(tc, buy_x_get_other_product);
	tcase_add_test(tc, bonus_points_and_multiplier);
	tcase_add_test(tc, points_modes_floor_to_hundredths);
	tcase_add_test(tc, points_on_net_and_paid_units);
	tcase_add_test(tc, date_window);
	tcase_add_test(tc, codes);
	tcase_add_test(tc, levels_and_inactive);
	tcase_add_test(tc, caps_never_exceed_base);
	tcase_add_test(tc, fixed_amount_moves_to_lines_with_room);
	tcase_add_test(tc, exclusive_best_for_customer);
	tcase_add_test(tc, exclusive_ties_go_to_lower_sequence);
	tcase_add_test(tc, best_reward_of_a_program);
	tcase_add_test(tc, spread_largest_remainder);
	tcase_add_test(tc, property_random_carts_sum_exactly);
	tcase_add_test(tc, program_parse_errors);
	tcase_add_test(tc, cart_parse_errors);
	tcase_add_test(tc, result_json);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
