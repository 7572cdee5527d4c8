/* aba_promo.c - the one-pass discount and points evaluation.
 *
 * Points are accumulated in units of 10^-8 point (a millionth of a
 * hundredth) so that "0.001 points per 1.00" times any net amount is
 * exact; the multiplier and the floor to hundredths come once, at the end.
 */
#include "aba_promo.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aba_amount.h"
#include "aba_spread.h"

#define POINT_ACC_PER_HUNDREDTH ABA_POINT_SCALE

/* One side of the stacking choice: the combinable programs, or one
 * exclusive program alone. */
struct scen {
	int64_t *disc;			/* per line */
	int64_t *free;			/* free units per line */
	struct aba_promo_free_item *items;
	size_t n_items;
	int64_t points_left;		/* of the cart's points_to_spend */
	int64_t total;
	__int128 acc;			/* points, 10^-8 */
	const struct aba_program *first;	/* lowest sequence applied */
};

/* A reward tried on the lines as they stand. */
struct outcome {
	const struct aba_reward *reward;
	int64_t *alloc;			/* per line */
	int64_t *free;			/* per line */
	int64_t discount, computed, free_units, missing, units, points_spent;
	__int128 bonus;			/* points, 10^-8 */
	int caps;
	size_t line;			/* cheapest: the line discounted */
};

struct aba_promo_scratch {
	size_t cap_lines, cap_programs;
	size_t *order;
	__int128 *acc;			/* per entry */
	size_t *rules_at;		/* per entry: its first rule's mask */
	uint64_t *masks;		/* per rule: the lines it matches, a bit each */
	size_t cap_masks, words;	/* words per mask */
	struct scen s[2];
	struct outcome o[2];
	int64_t *weight, *limit, *spread;
};

struct run {
	const struct aba_cart *cart;
	const struct aba_promo_ctx *ctx;
	struct aba_promo_scratch *x;
	struct scen *s;
};

#define NAME_ITEM(NAME, name) name,
static const char *const reason_names[] = { ABA_PROMO_REASONS(NAME_ITEM) };
#undef NAME_ITEM

const char *aba_promo_reason_name(enum aba_promo_reason reason)
{
	return reason < ABA_PR_COUNT ? reason_names[reason] : "?";
}

struct aba_promo_result *aba_promo_result_new(void)
{
	struct aba_promo_result *r = calloc(1, sizeof(*r));

	if (r && !(r->scratch = calloc(1, sizeof(*r->scratch)))) {
		free(r);
		return NULL;
	}
	return r;
}

static void scratch_free_arrays(struct aba_promo_scratch *x)
{
	free(x->order);
	free(x->acc);
	free(x->rules_at);
	for (int i = 0; i < 2; i++) {
		free(x->s[i].disc);
		free(x->s[i].free);
		free(x->s[i].items);
		free(x->o[i].alloc);
		free(x->o[i].free);
	}
	free(x->weight);
	free(x->limit);
	free(x->spread);
}

void aba_promo_result_free(struct aba_promo_result *r)
{
	if (!r)
		return;
	scratch_free_arrays(r->scratch);
	free(r->scratch->masks);
	free(r->scratch);
	free(r->lines);
	free(r->entries);
	free(r);
}

/* Grows every buffer to hold nl lines and np programs. */
static int reserve(struct aba_promo_result *r, size_t nl, size_t np)
{
	struct aba_promo_scratch *x = r->scratch;
	size_t l = nl ? nl : 1, p = np ? np : 1;
	int ok = 1;

	if (l <= x->cap_lines && p <= x->cap_programs)
		return 0;
	l = l > x->cap_lines ? l : x->cap_lines;
	p = p > x->cap_programs ? p : x->cap_programs;
	scratch_free_arrays(x);
	free(r->lines);
	free(r->entries);
	memset(x->s, 0, sizeof(x->s));
	memset(x->o, 0, sizeof(x->o));
	r->lines = calloc(l, sizeof(*r->lines));
	r->entries = calloc(p, sizeof(*r->entries));
	x->order = calloc(p, sizeof(*x->order));
	x->acc = calloc(p, sizeof(*x->acc));
	x->rules_at = calloc(p, sizeof(*x->rules_at));
	for (int i = 0; i < 2; i++) {
		ok &= (x->s[i].disc = calloc(l, sizeof(int64_t))) != NULL;
		ok &= (x->s[i].free = calloc(l, sizeof(int64_t))) != NULL;
		ok &= (x->s[i].items = calloc(p, sizeof(*x->s[i].items))) != NULL;
		ok &= (x->o[i].alloc = calloc(l, sizeof(int64_t))) != NULL;
		ok &= (x->o[i].free = calloc(l, sizeof(int64_t))) != NULL;
	}
	x->weight = calloc(l, sizeof(int64_t));
	x->limit = calloc(l, sizeof(int64_t));
	x->spread = calloc(2 * l, sizeof(int64_t));
	ok &= r->lines && r->entries && x->order && x->acc && x->rules_at && x->weight &&
	      x->limit && x->spread;
	x->cap_lines = ok ? l : 0;
	x->cap_programs = ok ? p : 0;
	return ok ? 0 : -1;
}

/* Room for a line mask per rule of every program. */
static int reserve_masks(struct aba_promo_scratch *x, const struct aba_program *programs,
			 size_t n, size_t n_lines)
{
	size_t rules = 0, need;

	for (size_t i = 0; i < n; i++)
		rules += programs[i].n_rules;
	x->words = n_lines / 64 + 1;
	/* At least one mask, so that masks + 0 is never NULL + 0. */
	need = (rules ? rules : 1) * x->words;
	if (need > x->cap_masks) {
		uint64_t *m = realloc(x->masks, need * sizeof(*m));

		if (!m)
			return -1;
		x->masks = m;
		x->cap_masks = need;
	}
	return 0;
}

/* --- ordering and gates -------------------------------------------- */

static int program_before(const struct aba_program *a, const struct aba_program *b)
{
	if (a->sequence != b->sequence)
		return a->sequence < b->sequence;
	return strcmp(a->id, b->id) < 0;
}

/* Insertion sort: program lists are short and usually already sorted. */
static void sort_programs(size_t *order, const struct aba_program *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = i, v = i;

		for (; k > 0 && program_before(&p[v], &p[order[k - 1]]); k--)
			order[k] = order[k - 1];
		order[k] = v;
	}
}

static int has_code(const struct aba_promo_ctx *ctx, const char *code)
{
	for (size_t i = 0; i < ctx->n_codes; i++)
		if (strcasecmp(ctx->codes[i], code) == 0)
			return 1;
	return 0;
}

static int has_level(const struct aba_program *p, const char *level)
{
	for (size_t i = 0; level && i < p->n_levels; i++)
		if (strcmp(p->levels[i], level) == 0)
			return 1;
	return 0;
}

/* The lines a rule looks at, as a mask of words words; their units and
 * base amount. */
static void rule_lines(const struct aba_cart *c, const struct aba_rule *rule,
		       uint64_t *mask, size_t words, int64_t *qty, int64_t *amount)
{
	*qty = 0;
	*amount = 0;
	memset(mask, 0, words * sizeof(*mask));
	for (size_t i = 0; i < c->n_lines; i++)
		if (aba_filter_match(&rule->filter, &c->lines[i].product,
				     &c->lines[i].categories)) {
			mask[i / 64] |= UINT64_C(1) << (i % 64);
			*qty += c->lines[i].qty;
			*amount += c->lines[i].base;
		}
}

/* A rule naming products needs at least one of them. */
static int rule_met(const struct aba_rule *rule, int64_t qty, int64_t amount)
{
	int64_t need_qty = rule->minimum_qty;

	if (need_qty == 0 && !aba_filter_is_empty(&rule->filter))
		need_qty = 1;
	return qty >= need_qty && amount >= rule->minimum_amount;
}

/* Whether the cart meets a rule; e->rule is the first one met, or with
 * none met the first rule, with what the cart had.  Fills every rule's
 * line mask, which the points pass reads. */
static int rules_met(const struct aba_cart *c, const struct aba_program *p,
		     struct aba_promo_entry *e, uint64_t *masks, size_t words)
{
	int met = 0;

	for (size_t k = 0; k < p->n_rules; k++) {
		const struct aba_rule *rule = &p->rules[k];
		int64_t qty, amount;

		rule_lines(c, rule, masks + k * words, words, &qty, &amount);
		if (met || (k > 0 && !rule_met(rule, qty, amount)))
			continue;
		e->rule = rule;
		e->have_qty = qty;
		e->have_amount = amount;
		met = rule_met(rule, qty, amount);
	}
	return met || p->n_rules == 0;
}

static enum aba_promo_reason gate(const struct aba_cart *c, const struct aba_promo_ctx *ctx,
				  const struct aba_program *p, struct aba_promo_entry *e,
				  uint64_t *masks, size_t words)
{
	if (!p->active)
		return ABA_PR_INACTIVE;
	if (p->has_from && ctx->at < p->date_from)
		return ABA_PR_NOT_STARTED;
	if (p->has_to && ctx->at >= p->date_end)
		return ABA_PR_EXPIRED;
	if (p->trigger == ABA_TRIGGER_WITH_CODE && !has_code(ctx, p->code))
		return ABA_PR_CODE_MISSING;
	if (p->n_levels && !has_level(p, ctx->level))
		return ABA_PR_LEVEL;
	if (!rules_met(c, p, e, masks, words))
		return ABA_PR_MINIMUM_NOT_MET;
	return ABA_PR_APPLIED;
}

/* --- rewards ------------------------------------------------------- */

/* Point accumulators saturate here, far above anything that can be earned
 * (evaluation then fails: the points would not fit ABA_AMOUNT_MAX). */
#define ACC_MAX ((__int128)1 << 110)

static __int128 acc_add(__int128 a, __int128 b)
{
	return a + b > ACC_MAX ? ACC_MAX : a + b;
}

static int64_t capacity(const struct run *r, size_t i)
{
	return r->cart->lines[i].base - r->s->disc[i];
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* A percent of amount, rounded half up; multiple_discount cascades its
 * percents exactly (10 then 5 is 14.5%) and rounds once. */
static int64_t percent_of(int64_t amount, const struct aba_reward *rw)
{
	__int128 keep = 1, scale = 1, p;

	if (rw->type != ABA_RT_MULTIPLE_DISCOUNT)
		return aba_mul_div_round(amount, rw->discount, ABA_BP_ONE);
	for (int i = 0; i < rw->n_cascade; i++) {
		keep *= ABA_BP_ONE - rw->cascade[i];
		scale *= ABA_BP_ONE;
	}
	p = (__int128)amount * (scale - keep);
	return (int64_t)((2 * p + scale) / (2 * scale));
}

/* per_order: the amount; per_point: points left to spend x amount per point. */
static int64_t fixed_amount(const struct run *r, const struct aba_reward *rw)
{
	__int128 v;

	if (rw->mode == ABA_DISC_PER_ORDER)
		return rw->discount;
	v = ((__int128)r->s->points_left * rw->discount + 50) / 100;
	return v > ABA_AMOUNT_MAX ? ABA_AMOUNT_MAX : (int64_t)v;
}

/* Caps the reward's figure by discount_max_amount and spreads it over the
 * lines by the weights and limits already in r->x. */
static void settle(struct run *r, struct outcome *o, int64_t computed)
{
	struct aba_promo_scratch *x = r->x;
	int64_t want = computed;

	o->computed = computed;
	if (o->reward->max_amount > 0 && want > o->reward->max_amount) {
		want = o->reward->max_amount;
		o->caps |= ABA_PROMO_CAP_MAX;
	}
	o->discount = aba_spread(want, x->weight, x->limit, o->alloc, r->cart->n_lines,
				 x->spread);
	if (o->discount < want)
		o->caps |= ABA_PROMO_CAP_LINES;
}

static void try_discount(struct run *r, struct outcome *o)
{
	const struct aba_reward *rw = o->reward;
	const struct aba_cart *c = r->cart;
	size_t cheapest = c->n_lines;
	int64_t eligible = 0, computed;

	for (size_t i = 0; i < c->n_lines; i++) {
		const struct aba_cart_line *l = &c->lines[i];

		r->x->weight[i] = 0;
		r->x->limit[i] = capacity(r, i);
		if (rw->applicability != ABA_APPLY_ORDER &&
		    !aba_filter_match(&rw->filter, &l->product, &l->categories))
			continue;
		if (rw->applicability == ABA_APPLY_CHEAPEST) {
			if (cheapest == c->n_lines || l->unit_price < c->lines[cheapest].unit_price)
				cheapest = i;
			continue;
		}
		r->x->weight[i] = l->base;
		eligible += l->base;
	}
	if (rw->applicability == ABA_APPLY_CHEAPEST && cheapest < c->n_lines) {
		/* One unit of the cheapest eligible product. */
		eligible = c->lines[cheapest].unit_price;
		r->x->weight[cheapest] = eligible;
		r->x->limit[cheapest] = min64(eligible, capacity(r, cheapest));
		o->line = cheapest;
	}
	if (eligible == 0)
		computed = 0;
	else if (rw->mode == ABA_DISC_PERCENT)
		computed = percent_of(eligible, rw);
	else
		computed = min64(fixed_amount(r, rw), rw->applicability == ABA_APPLY_CHEAPEST ?
				 eligible : ABA_AMOUNT_MAX);
	settle(r, o, computed);
	if (rw->mode == ABA_DISC_PER_POINT && rw->discount > 0)
		o->points_spent = min64(r->s->points_left,
					(o->discount * 100 + rw->discount - 1) / rw->discount);
}

/* Whether the rule's lines include the reward product. */
static int rule_covers(const struct aba_cart *c, const struct aba_rule *rule,
		       const struct aba_pid *product)
{
	if (aba_filter_is_empty(&rule->filter) ||
	    aba_pid_list_has(&rule->filter.products, product))
		return 1;
	for (size_t i = 0; i < c->n_lines; i++)
		if (aba_pid_eq(&c->lines[i].product, product) &&
		    aba_filter_match(&rule->filter, product, &c->lines[i].categories))
			return 1;
	return 0;
}

/* buy_x_get_y over n units: x = the rule's minimum_qty, y = the reward's
 * qty.  With the reward product among the rule's, each group of x + y
 * units has y free: ⌊n/(x+y)⌋·y + max(0, r − x) free in the cart, and
 * when r ≥ x the y − (r − x) not yet there are missing.  Otherwise every
 * x units bought earn y free ones. */
static void buy_x_get_y(const struct aba_cart *c, const struct aba_promo_entry *e,
			const struct aba_reward *rw, int64_t *give, int64_t *missing)
{
	int64_t x = e->rule->minimum_qty, y = rw->product_qty, n = e->have_qty;

	if (rule_covers(c, e->rule, &rw->product)) {
		int64_t rest = n % (x + y);

		*give = n / (x + y) * y + (rest > x ? rest - x : 0);
		*missing = rest >= x ? y - (rest - x) : 0;
	} else {
		*give = n / x * y;
		*missing = 0;
	}
}

static void try_product(struct run *r, const struct aba_program *p,
			const struct aba_promo_entry *e, struct outcome *o)
{
	const struct aba_reward *rw = o->reward;
	const struct aba_cart *c = r->cart;
	int64_t give = rw->product_qty, missing = 0, computed = 0;

	if (p->type == ABA_PT_BUY_X_GET_Y && e->rule)
		buy_x_get_y(c, e, rw, &give, &missing);
	for (size_t i = 0; i < c->n_lines; i++) {
		const struct aba_cart_line *l = &c->lines[i];
		int64_t take = 0;

		if (give > 0 && aba_pid_eq(&l->product, &rw->product))
			take = min64(l->qty - r->s->free[i], give);
		take = take > 0 ? take : 0;
		give -= take;
		o->free[i] = take;
		o->free_units += take;
		r->x->weight[i] = take * l->unit_price;
		r->x->limit[i] = min64(r->x->weight[i], capacity(r, i));
		computed += r->x->weight[i];
	}
	o->missing = missing + give;
	settle(r, o, computed);
}

static void try_special_price(struct run *r, struct outcome *o)
{
	const struct aba_reward *rw = o->reward;
	const struct aba_cart *c = r->cart;
	int64_t computed = 0;

	for (size_t i = 0; i < c->n_lines; i++) {
		const struct aba_cart_line *l = &c->lines[i];
		int in = aba_filter_match(&rw->filter, &l->product, &l->categories);

		r->x->weight[i] = 0;
		if (in && l->unit_price > rw->special_price) {
			r->x->weight[i] = (l->unit_price - rw->special_price) * l->qty;
			o->units += l->qty;
		}
		r->x->limit[i] = min64(r->x->weight[i], capacity(r, i));
		computed += r->x->weight[i];
	}
	settle(r, o, computed);
}

/* Units of product in the cart. */
static int64_t units_of(const struct aba_cart *c, const struct aba_pid *product)
{
	int64_t n = 0;

	for (size_t i = 0; i < c->n_lines; i++)
		if (aba_pid_eq(&c->lines[i].product, product))
			n += c->lines[i].qty;
	return n;
}

/* How many complete sets the cart holds. */
static int64_t complete_sets(const struct aba_cart *c, const struct aba_reward *rw)
{
	int64_t sets = INT64_MAX;

	for (size_t j = 0; j < rw->n_set_items; j++) {
		int64_t per_set = 0;

		/* A product listed twice in a set needs both quantities. */
		for (size_t k = 0; k < rw->n_set_items; k++)
			if (aba_pid_eq(&rw->set_items[k].product, &rw->set_items[j].product))
				per_set += rw->set_items[k].qty;
		sets = min64(sets, units_of(c, &rw->set_items[j].product) / per_set);
	}
	return rw->n_set_items ? sets : 0;
}

static void try_special_set(struct run *r, struct outcome *o)
{
	const struct aba_reward *rw = o->reward;
	const struct aba_cart *c = r->cart;
	int64_t sets = complete_sets(c, rw), *taken = r->x->spread, value = 0;

	memset(taken, 0, c->n_lines * sizeof(*taken));
	for (size_t j = 0; sets > 0 && j < rw->n_set_items; j++) {
		int64_t need = sets * rw->set_items[j].qty;

		for (size_t i = 0; need > 0 && i < c->n_lines; i++)
			if (aba_pid_eq(&c->lines[i].product, &rw->set_items[j].product)) {
				int64_t take = min64(c->lines[i].qty - taken[i], need);

				taken[i] += take;
				need -= take;
			}
	}
	for (size_t i = 0; i < c->n_lines; i++) {
		r->x->weight[i] = taken[i] * c->lines[i].unit_price;
		r->x->limit[i] = min64(r->x->weight[i], capacity(r, i));
		value += r->x->weight[i];
	}
	o->units = sets;
	settle(r, o, sets > 0 && value > sets * rw->set_price ? value - sets * rw->set_price : 0);
}

static void outcome_reset(struct outcome *o, const struct aba_reward *rw, size_t n)
{
	memset(o->alloc, 0, n * sizeof(*o->alloc));
	memset(o->free, 0, n * sizeof(*o->free));
	o->reward = rw;
	o->discount = o->computed = o->free_units = o->missing = 0;
	o->units = o->points_spent = 0;
	o->bonus = 0;
	o->caps = 0;
	o->line = n;
}

static void try_reward(struct run *r, const struct aba_program *p,
		       const struct aba_promo_entry *e, struct outcome *o)
{
	switch (o->reward->type) {
	case ABA_RT_DISCOUNT:
	case ABA_RT_MULTIPLE_DISCOUNT:
		try_discount(r, o);
		break;
	case ABA_RT_PRODUCT:
		try_product(r, p, e, o);
		break;
	case ABA_RT_SPECIAL_PRICE:
		try_special_price(r, o);
		break;
	case ABA_RT_SPECIAL_SET:
		try_special_set(r, o);
		break;
	case ABA_RT_POINT:
		o->bonus = (__int128)o->reward->point_amount * 100;
		break;
	default:
		break;
	}
}

/* --- one program, one side ----------------------------------------- */

static int yields(const struct outcome *o)
{
	return o->discount > 0 || o->free_units > 0 || o->missing > 0 || o->bonus > 0;
}

static void add_free_item(struct scen *s, const struct aba_pid *product, int64_t qty)
{
	for (size_t i = 0; i < s->n_items; i++)
		if (aba_pid_eq(s->items[i].product, product)) {
			s->items[i].qty += qty;
			return;
		}
	s->items[s->n_items].product = product;
	s->items[s->n_items++].qty = qty;
}

static void commit(struct run *r, const struct outcome *o, struct aba_promo_entry *e,
		   __int128 *bonus)
{
	struct scen *s = r->s;

	for (size_t i = 0; i < r->cart->n_lines; i++) {
		s->disc[i] += o->alloc[i];
		s->free[i] += o->free[i];
	}
	s->total += o->discount;
	s->points_left -= o->points_spent;
	if (o->missing > 0)
		add_free_item(s, &o->reward->product, o->missing);
	e->reward = o->reward;
	e->discount = o->discount;
	e->computed = o->computed;
	e->caps = o->caps;
	e->free_units = o->free_units;
	e->missing_units = o->missing;
	e->units = o->units;
	e->points_spent = o->points_spent;
	e->line = o->line;
	*bonus = o->bonus;
}

/* Tries each reward on the lines as they stand and keeps the one that
 * gives the most (ties: the first listed). */
static void apply_program(struct run *r, struct aba_promo_entry *e, __int128 *bonus)
{
	struct outcome *best = NULL;

	for (size_t j = 0; j < e->program->n_rewards; j++) {
		struct outcome *o = best == &r->x->o[0] ? &r->x->o[1] : &r->x->o[0];

		outcome_reset(o, &e->program->rewards[j], r->cart->n_lines);
		try_reward(r, e->program, e, o);
		if (!best || (yields(o) && (!yields(best) || o->discount > best->discount)))
			best = o;
	}
	if (best)
		commit(r, best, e, bonus);
}

/* Points one rule earns on the lines as they ended: per order, per money
 * paid (net) or per unit paid (not free). */
static __int128 rule_points(const struct run *r, const struct aba_rule *rule,
			    const uint64_t *mask)
{
	const struct aba_cart *c = r->cart;
	int64_t qty = 0, amount = 0, net = 0, paid = 0;

	for (size_t w = 0; w < r->x->words; w++)
		for (uint64_t bits = mask[w]; bits; bits &= bits - 1) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);

			qty += c->lines[i].qty;
			amount += c->lines[i].base;
			net += c->lines[i].base - r->s->disc[i];
			paid += c->lines[i].qty - r->s->free[i];
		}
	if (!rule_met(rule, qty, amount) || rule->point_amount == 0)
		return 0;
	switch (rule->point_mode) {
	case ABA_POINTS_MONEY:
		return (__int128)rule->point_amount * net;
	case ABA_POINTS_UNIT:
		return (__int128)rule->point_amount * paid * 100;
	default:
		return (__int128)rule->point_amount * 100;
	}
}

/* Points in 10^-8 to hundredths: times the multiplier, floored. */
static __int128 acc_to_points(__int128 acc, int64_t multiplier)
{
	return acc * multiplier / ((__int128)POINT_ACC_PER_HUNDREDTH * ABA_BP_ONE);
}

static int64_t multiplier_of(const struct aba_promo_ctx *ctx)
{
	return ctx->multiplier > 0 ? ctx->multiplier : ABA_BP_ONE;
}

/* After every program of a side has had its pass: points, and whether each
 * program applied or came to nothing. */
static void side_finish(struct run *r, struct aba_promo_result *res, size_t only)
{
	for (size_t k = 0; k < res->n_entries; k++) {
		struct aba_promo_entry *e = &res->entries[k];
		const struct aba_program *p = e->program;
		__int128 acc = r->x->acc[k], pts;

		if (!e->gate_passed || (only == SIZE_MAX ? p->stacking != ABA_STACK_COMBINE :
					k != only))
			continue;
		for (size_t j = 0; j < p->n_rules; j++)
			acc = acc_add(acc, rule_points(r, &p->rules[j], r->x->masks +
						       (r->x->rules_at[k] + j) * r->x->words));
		pts = acc_to_points(acc, multiplier_of(r->ctx));
		e->points = pts > ABA_AMOUNT_MAX ? ABA_AMOUNT_MAX : (int64_t)pts;
		if (e->discount > 0 || e->free_units > 0 || e->missing_units > 0 || acc > 0)
			e->reason = ABA_PR_APPLIED;
		else
			e->reason = e->computed > 0 ? ABA_PR_CAPPED_TO_ZERO : ABA_PR_NO_ELIGIBLE_LINES;
		if (e->reason != ABA_PR_APPLIED)
			continue;
		r->s->acc = acc_add(r->s->acc, acc);
		if (!r->s->first)
			r->s->first = p;
	}
}

static void side_reset(struct run *r, struct scen *s)
{
	size_t n = r->cart->n_lines;

	r->s = s;
	memset(s->disc, 0, n * sizeof(*s->disc));
	memset(s->free, 0, n * sizeof(*s->free));
	s->n_items = 0;
	s->points_left = r->cart->points_to_spend;
	s->total = 0;
	s->acc = 0;
	s->first = NULL;
}

/* The combinable programs (only == SIZE_MAX) or one exclusive program. */
static void run_side(struct run *r, struct scen *s, struct aba_promo_result *res,
		     size_t only)
{
	side_reset(r, s);
	for (size_t k = 0; k < res->n_entries; k++) {
		struct aba_promo_entry *e = &res->entries[k];
		int mine = only == SIZE_MAX ? e->program->stacking == ABA_STACK_COMBINE :
			   k == only;

		if (e->gate_passed && mine)
			apply_program(r, e, &r->x->acc[k]);
	}
	side_finish(r, res, only);
}

/* Best for the customer: the larger discount; ties to the lower sequence. */
static int side_better(const struct scen *a, const struct scen *b)
{
	if (a->total != b->total)
		return a->total > b->total;
	if (!a->first || !b->first)
		return a->first != NULL;
	return program_before(a->first, b->first);
}

/* Programs of the losing sides that would have applied lost to the winner. */
static void mark_losers(struct aba_promo_result *res, const struct scen *best,
			size_t winner, int64_t combined_total)
{
	for (size_t k = 0; k < res->n_entries; k++) {
		struct aba_promo_entry *e = &res->entries[k];
		int combine = e->program->stacking == ABA_STACK_COMBINE;
		int won = winner == SIZE_MAX ? combine : k == winner;

		if (!e->gate_passed || won || e->reason != ABA_PR_APPLIED)
			continue;
		e->reason = ABA_PR_LOST_TO_EXCLUSIVE;
		e->rival = winner == SIZE_MAX ? NULL : res->entries[winner].program;
		e->rival_total = best->total;
		e->own_total = combine ? combined_total : e->own_total;
	}
}

static int fill_totals(struct aba_promo_result *res, const struct scen *best,
		       const struct aba_promo_ctx *ctx, struct aba_err *err)
{
	const struct aba_cart *c = res->cart;
	__int128 pts = acc_to_points(best->acc, multiplier_of(ctx));

	res->total_base = res->total_discount = 0;
	for (size_t i = 0; i < c->n_lines; i++) {
		struct aba_promo_line *l = &res->lines[i];

		l->base = c->lines[i].base;
		l->discount = best->disc[i];
		l->net = l->base - l->discount;
		l->free_units = best->free[i];
		res->total_base += l->base;
		res->total_discount += l->discount;
	}
	res->total_net = res->total_base - res->total_discount;
	res->free_items = best->items;
	res->n_free_items = best->n_items;
	if (pts > ABA_AMOUNT_MAX)
		return aba_fail(err, ABA_INPUT, "the points to earn exceed the largest "
				"amount accepted");
	res->points = (int64_t)pts;
	return 0;
}

static void gate_all(struct aba_promo_result *res, const struct aba_program *programs,
		     const struct aba_promo_ctx *ctx)
{
	struct aba_promo_scratch *x = res->scratch;
	size_t at = 0;

	sort_programs(x->order, programs, res->n_entries);
	for (size_t k = 0; k < res->n_entries; k++) {
		struct aba_promo_entry *e = &res->entries[k];

		memset(e, 0, sizeof(*e));
		e->program = &programs[x->order[k]];
		x->rules_at[k] = at;
		e->reason = gate(res->cart, ctx, e->program, e, x->masks + at * x->words,
				 x->words);
		at += e->program->n_rules;
		e->gate_passed = e->reason == ABA_PR_APPLIED;
		x->acc[k] = 0;
	}
}

int aba_promo_evaluate(const struct aba_cart *cart, const struct aba_program *programs,
		       size_t n, const struct aba_promo_ctx *ctx,
		       struct aba_promo_result *res, struct aba_err *err)
{
	struct aba_promo_scratch *x;
	struct run run;
	struct scen *best, *next;
	size_t winner = SIZE_MAX;
	int64_t combined_total;

	if (reserve(res, cart->n_lines, n) ||
	    reserve_masks(res->scratch, programs, n, cart->n_lines))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	x = res->scratch;
	res->cart = cart;
	res->level = ctx->level;
	res->n_lines = cart->n_lines;
	res->n_entries = n;
	gate_all(res, programs, ctx);
	run = (struct run){ .cart = cart, .ctx = ctx, .x = x };
	best = &x->s[0];
	next = &x->s[1];
	run_side(&run, best, res, SIZE_MAX);
	combined_total = best->total;
	for (size_t k = 0; k < n; k++) {
		struct scen *t;

		if (!res->entries[k].gate_passed ||
		    res->entries[k].program->stacking != ABA_STACK_EXCLUSIVE)
			continue;
		run_side(&run, next, res, k);
		res->entries[k].own_total = next->total;
		if (side_better(next, best)) {
			t = best, best = next, next = t;
			winner = k;
		}
	}
	mark_losers(res, best, winner, combined_total);
	return fill_totals(res, best, ctx, err);
}
