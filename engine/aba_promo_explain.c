/* aba_promo_explain.c - one line, for people, on why a program applied or
 * not.  Pure formatting of what aba_promo_evaluate recorded. */
#include "aba_promo.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_time.h"

struct sb {
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3)))
static void sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + (size_t)n < b->size ? b->len + (size_t)n : b->size - 1;
}

/* "12.5" for 1250 bp: a decimal with trailing zeros dropped. */
static const char *trimmed(int64_t v, int places, char *buf)
{
	char *end;

	aba_decimal_format(v, places, buf);
	if (!strchr(buf, '.'))
		return buf;
	end = buf + strlen(buf) - 1;
	while (*end == '0')
		*end-- = '\0';
	if (*end == '.')
		*end = '\0';
	return buf;
}

static const char *money(int64_t v, char *buf)
{
	return aba_amount_format(v, buf);
}

/* The combined percent of a cascade, in millionths: 10 then 5 -> 145000. */
static int64_t cascade_ppm(const struct aba_reward *rw)
{
	__int128 keep = 1, scale = 1;

	for (int i = 0; i < rw->n_cascade; i++) {
		keep *= ABA_BP_ONE - rw->cascade[i];
		scale *= ABA_BP_ONE;
	}
	return (int64_t)((scale - keep) * 1000000 / scale);
}

static void add_ids(struct sb *b, const struct aba_pid_list *l, const char *sep)
{
	for (size_t i = 0; i < l->n && i < 3; i++)
		sb_add(b, "%s%s", i ? sep : "", l->v[i].s);
	if (l->n > 3)
		sb_add(b, " and %zu more", l->n - 3);
}

/* What a discount is off: "the order", "SKU-1, SKU-2", ... */
static void add_target(struct sb *b, const struct aba_promo_result *r,
		       const struct aba_promo_entry *e)
{
	const struct aba_reward *rw = e->reward;

	if (rw->applicability == ABA_APPLY_ORDER) {
		sb_add(b, "the order");
	} else if (rw->applicability == ABA_APPLY_CHEAPEST) {
		sb_add(b, "one unit of the cheapest product");
		if (e->line < r->n_lines)
			sb_add(b, " (%s)", r->cart->lines[e->line].product.s);
	} else {
		add_ids(b, &rw->filter.products, ", ");
		if (rw->filter.categories.n) {
			sb_add(b, "%scategory ", rw->filter.products.n ? ", " : "");
			add_ids(b, &rw->filter.categories, ", ");
		}
	}
}

static void add_discount(struct sb *b, const struct aba_promo_result *r,
			 const struct aba_promo_entry *e)
{
	const struct aba_reward *rw = e->reward;
	char t1[ABA_AMOUNT_BUFSZ], t2[ABA_AMOUNT_BUFSZ];

	if (rw->type == ABA_RT_MULTIPLE_DISCOUNT) {
		for (int i = 0; i < rw->n_cascade; i++)
			sb_add(b, "%s%s%%", i ? " then " : "", trimmed(rw->cascade[i], 2, t1));
		sb_add(b, " (%s%%) off ", trimmed(cascade_ppm(rw), 4, t1));
	} else if (rw->mode == ABA_DISC_PERCENT) {
		sb_add(b, "%s%% off ", trimmed(rw->discount, 2, t1));
	} else if (rw->mode == ABA_DISC_PER_ORDER) {
		sb_add(b, "%s off ", money(rw->discount, t1));
	} else {
		sb_add(b, "%s points at %s each off ", money(e->points_spent, t1),
		       money(rw->discount, t2));
	}
	add_target(b, r, e);
}

static void add_product(struct sb *b, const struct aba_promo_entry *e)
{
	const struct aba_reward *rw = e->reward;

	if (e->program->type == ABA_PT_BUY_X_GET_Y && e->rule)
		sb_add(b, "buy %lld get %lld %s: %lld free in the cart",
		       (long long)e->rule->minimum_qty, (long long)rw->product_qty,
		       rw->product.s, (long long)e->free_units);
	else
		sb_add(b, "%lld x %s free", (long long)rw->product_qty, rw->product.s);
	if (e->missing_units > 0)
		sb_add(b, ", add %lld more %s free", (long long)e->missing_units, rw->product.s);
}

static void add_reward(struct sb *b, const struct aba_promo_result *r,
		       const struct aba_promo_entry *e)
{
	const struct aba_reward *rw = e->reward;
	char t1[ABA_AMOUNT_BUFSZ];

	switch (rw->type) {
	case ABA_RT_DISCOUNT:
	case ABA_RT_MULTIPLE_DISCOUNT:
		add_discount(b, r, e);
		break;
	case ABA_RT_PRODUCT:
		add_product(b, e);
		break;
	case ABA_RT_SPECIAL_PRICE:
		sb_add(b, "%lld units at the special price of %s each", (long long)e->units,
		       money(rw->special_price, t1));
		break;
	case ABA_RT_SPECIAL_SET:
		sb_add(b, "%lld set%s at %s each (", (long long)e->units, e->units == 1 ? "" : "s",
		       money(rw->set_price, t1));
		for (size_t i = 0; i < rw->n_set_items; i++)
			sb_add(b, "%s%lld x %s", i ? " + " : "", (long long)rw->set_items[i].qty,
			       rw->set_items[i].product.s);
		sb_add(b, ")");
		break;
	case ABA_RT_POINT:
		sb_add(b, "%s bonus points", trimmed(rw->point_amount, ABA_POINT_PLACES, t1));
		break;
	default:
		break;
	}
}

static void add_applied(struct sb *b, const struct aba_promo_result *r,
			const struct aba_promo_entry *e)
{
	const struct aba_rule *rule = e->rule;
	char t1[ABA_AMOUNT_BUFSZ], t2[ABA_AMOUNT_BUFSZ];

	if (e->reward)
		add_reward(b, r, e);
	else
		sb_add(b, "earns points");
	if (rule && rule->minimum_amount > 0)
		sb_add(b, " (minimum %s reached)", money(rule->minimum_amount, t1));
	else if (rule && rule->minimum_qty > 0 && e->program->type != ABA_PT_BUY_X_GET_Y)
		sb_add(b, " (minimum %lld units reached)", (long long)rule->minimum_qty);
	if (e->caps & ABA_PROMO_CAP_MAX)
		sb_add(b, "; capped at the maximum of %s", money(e->reward->max_amount, t1));
	if (e->caps & ABA_PROMO_CAP_LINES)
		sb_add(b, "; capped to %s (of %s) by what the lines had left",
		       money(e->discount, t1), money(e->computed, t2));
	if (e->points > 0)
		sb_add(b, "; earns %s points", money(e->points, t1));
}

static void add_minimum(struct sb *b, const struct aba_promo_entry *e)
{
	const struct aba_rule *rule = e->rule;
	char t1[ABA_AMOUNT_BUFSZ], t2[ABA_AMOUNT_BUFSZ];

	if (!rule)
		sb_add(b, "no rule is met");
	else if (e->have_amount < rule->minimum_amount)
		sb_add(b, "needs %s of qualifying products, the cart has %s",
		       money(rule->minimum_amount, t1), money(e->have_amount, t2));
	else if (e->have_qty < rule->minimum_qty)
		sb_add(b, "needs %lld units of qualifying products, the cart has %lld",
		       (long long)rule->minimum_qty, (long long)e->have_qty);
	else
		sb_add(b, "no qualifying product in the cart");
}

static void add_nothing(struct sb *b, const struct aba_promo_entry *e)
{
	const struct aba_reward *rw = e->reward;
	char t1[ABA_AMOUNT_BUFSZ];

	if (!rw)
		sb_add(b, "the program has no reward for this cart");
	else if (rw->type == ABA_RT_SPECIAL_PRICE)
		sb_add(b, "no eligible line is priced above %s", money(rw->special_price, t1));
	else if (rw->type == ABA_RT_SPECIAL_SET)
		sb_add(b, "the cart holds no complete set");
	else if (rw->type != ABA_RT_PRODUCT && rw->mode == ABA_DISC_PER_POINT)
		sb_add(b, "no points to spend on eligible lines");
	else
		sb_add(b, "no line is eligible for the reward");
}

static void add_level(struct sb *b, const struct aba_promo_result *r,
		      const struct aba_program *p)
{
	sb_add(b, "for level");
	for (size_t i = 0; i < p->n_levels && i < 5; i++)
		sb_add(b, "%s %s", i ? "," : "", p->levels[i]);
	if (r->level)
		sb_add(b, " only; the customer is %s", r->level);
	else
		sb_add(b, " only; the customer has no level");
}

static void add_rejected(struct sb *b, const struct aba_promo_result *r,
			 const struct aba_promo_entry *e)
{
	const struct aba_program *p = e->program;
	char t1[ABA_TIME_BUFSZ], t2[ABA_AMOUNT_BUFSZ];

	switch (e->reason) {
	case ABA_PR_INACTIVE:
		sb_add(b, "the program is not active");
		break;
	case ABA_PR_NOT_STARTED:
		sb_add(b, "starts %s", aba_time_format(p->date_from, t1));
		break;
	case ABA_PR_EXPIRED:
		sb_add(b, "ended %s", aba_time_format(p->date_end - 1, t1));
		break;
	case ABA_PR_CODE_MISSING:
		sb_add(b, "needs the code '%s'", p->code);
		break;
	case ABA_PR_LEVEL:
		add_level(b, r, p);
		break;
	case ABA_PR_MINIMUM_NOT_MET:
		add_minimum(b, e);
		break;
	case ABA_PR_LOST_TO_EXCLUSIVE:
		if (e->rival)
			sb_add(b, "exclusive program '%s' gives more", e->rival->id);
		else
			sb_add(b, "the combinable programs give more together");
		sb_add(b, " (%s", money(e->rival_total, t1));
		sb_add(b, " against %s)", money(e->own_total, t2));
		break;
	case ABA_PR_CAPPED_TO_ZERO:
		sb_add(b, "its %s was capped to 0.00: the lines were already fully discounted",
		       money(e->computed, t2));
		break;
	default:
		add_nothing(b, e);
		break;
	}
}

char *aba_promo_explain(const struct aba_promo_result *r, const struct aba_promo_entry *e,
			char *buf, size_t size)
{
	struct sb b = { buf, size, 0 };

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (e->reason == ABA_PR_APPLIED)
		add_applied(&b, r, e);
	else
		add_rejected(&b, r, e);
	return buf;
}
