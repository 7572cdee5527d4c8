/* aba_odoo_program.c - Odoo's loyalty.program, loyalty.rule and
 * loyalty.reward records made into aba's program JSON.
 *
 * Odoo spreads a program over three models and links them by program_id;
 * aba keeps one document per program.  The records are read whole (they
 * are few), grouped by program and then translated, checking on the way
 * what only several records together can say: that a rule's program was
 * given, that the rules agree on one code, and that each reward is reached
 * the way aba reaches it.
 *
 * How Odoo's points become aba's (applies_on):
 *  - both (loyalty): a rule's points go onto the card, as in aba; a reward
 *    is bought with card points, which aba does only through per_point
 *    discounts, so other rewards are refused.  Spending is not tied to
 *    the earning rules (see open_rule).
 *  - current (promotions, promo codes, buy x get y): a rule's points exist
 *    only inside the order and buy its reward there.  aba applies a
 *    promotion's reward once when a rule is met, so a rule must give at
 *    least the reward's required_points per order; for buy_x_get_y, x is
 *    required_points over the points per unit.  The points themselves earn
 *    nothing on the card (reward_point_amount "0").
 *  - future (coupons for a later order) is refused when the record is read.
 */
#include "aba_odoo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_jp.h"
#include "aba_odoo_record.h"
#include "aba_program.h"

/* One normalised record and where it came from. */
struct rec {
	const struct aba_odoo_file *f;
	json_t *r;
	int64_t id, program;
};

struct recs {
	struct rec *v;
	size_t n, cap;
};

/* The records of the three models: [0] programs, [1] rules, [2] rewards. */
struct gather {
	const struct aba_odoo_file *f;
	struct recs m[3];
};

static const char *str_of(const json_t *r, const char *key)
{
	return json_string_value(json_object_get(r, key));
}

/* "PATH: record N (id X): " and the message. */
static int rec_fail(const struct rec *x, struct aba_err *err, const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return aba_fail(err, ABA_INPUT, "%s: record %lld (id %lld): %s", x->f->path,
			(long long)aba_jp_int_or_zero(x->r, "i"), (long long)x->id, msg);
}

static int collect(void *arg, const json_t *rec, size_t offset, struct aba_err *err)
{
	struct gather *g = arg;
	struct recs *s = &g->m[g->f->model - ABA_ODOO_PROGRAM];

	(void)offset;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct rec *v = realloc(s->v, cap * sizeof(*v));

		if (!v)
			return aba_fail(err, ABA_NOMEM, "out of memory");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = (struct rec){ g->f, json_incref((json_t *)rec),
				     aba_jp_int_or_zero(rec, "id"),
				     aba_jp_int_or_zero(rec, "program") };
	return 0;
}

static void gather_free(struct gather *g)
{
	for (int m = 0; m < 3; m++) {
		for (size_t i = 0; i < g->m[m].n; i++)
			json_decref(g->m[m].v[i].r);
		free(g->m[m].v);
	}
}

/* By program, then Odoo id (programs have program 0). */
static int by_program(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->program != y->program)
		return (x->program > y->program) - (x->program < y->program);
	return (x->id > y->id) - (x->id < y->id);
}

/* By Odoo id, then file and position, so a duplicate is named in the
 * file that comes later, whatever qsort does. */
static int by_id(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int64_t xi = aba_jp_int_or_zero(x->r, "i"), yi = aba_jp_int_or_zero(y->r, "i");

	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	if (x->f != y->f)
		return (x->f > y->f) - (x->f < y->f);
	return (xi > yi) - (xi < yi);
}

/* Sorts one model's records by program; the same Odoo id twice (in two
 * files) is an error. */
static int sort_unique(struct recs *s, struct aba_err *err)
{
	if (s->n < 2)
		return 0;	/* and qsort must not see a NULL array */
	qsort(s->v, s->n, sizeof(*s->v), by_id);
	for (size_t i = 1; i < s->n; i++)
		if (s->v[i].id == s->v[i - 1].id)
			return rec_fail(&s->v[i], err, "id: the same id as record %lld of %s",
					(long long)aba_jp_int_or_zero(s->v[i - 1].r, "i"),
					s->v[i - 1].f->path);
	qsort(s->v, s->n, sizeof(*s->v), by_program);
	return 0;
}

static const struct rec *find_program(const struct recs *programs, int64_t id)
{
	struct rec key = { .id = id };

	if (programs->n == 0)
		return NULL;
	return bsearch(&key, programs->v, programs->n, sizeof(key), by_program);
}

/* Every rule and reward names a program among the files. */
static int check_links(const struct gather *g, struct aba_err *err)
{
	for (int m = 1; m < 3; m++)
		for (size_t i = 0; i < g->m[m].n; i++)
			if (!find_program(&g->m[0], g->m[m].v[i].program))
				return rec_fail(&g->m[m].v[i], err, "program_id: program %lld is in "
						"no given file", (long long)g->m[m].v[i].program);
	return 0;
}

/* The records of one model whose program is p, active ones only. */
struct span {
	const struct rec *v;
	size_t n;
};

static struct span span_of(const struct recs *s, int64_t program)
{
	struct span sp = { NULL, 0 };
	size_t i = 0;

	if (s->n == 0)
		return sp;
	while (i < s->n && s->v[i].program < program)
		i++;
	sp.v = s->v + i;
	while (i + sp.n < s->n && s->v[i + sp.n].program == program)
		sp.n++;
	return sp;
}

/* A program's rule_ids or reward_ids, when the export has them, must all be
 * among the given records: a program must not lose rules that were simply
 * not exported. */
static int check_listed(const struct rec *p, const char *key, struct span sp, const char *what,
			struct aba_err *err)
{
	const json_t *ids = json_object_get(p->r, key), *x;
	size_t i;

	json_array_foreach(ids, i, x) {
		int64_t id = strtoll(json_string_value(x), NULL, 10);
		size_t k = 0;

		while (k < sp.n && sp.v[k].id != id)
			k++;
		if (k == sp.n)
			return rec_fail(p, err, "%s: %s %lld is in no given file", key, what,
					(long long)id);
	}
	return 0;
}

/* The one code of a program's rules (NULL: none), all rules agreeing. */
static int program_code(const struct span rules, const char **code, struct aba_err *err)
{
	const struct rec *first = NULL;

	*code = NULL;
	for (size_t i = 0; i < rules.n; i++) {
		const char *c = str_of(rules.v[i].r, "code");

		if (!first) {
			first = &rules.v[i];
			*code = c;
		} else if (!c != !*code || (c && strcmp(c, *code) != 0)) {
			return rec_fail(&rules.v[i], err, "code: '%s' where rule %lld has '%s': "
					"aba keeps one code for all of a program's rules",
					c ? c : "", (long long)first->id, *code ? *code : "");
		}
	}
	return 0;
}

/* Scaled integer as the shortest decimal: 1000 at 6 places -> "0.001". */
static json_t *decimal(int64_t v, int places, int trim)
{
	char buf[ABA_AMOUNT_BUFSZ];
	size_t n;

	aba_decimal_format(v, places, buf);
	n = strlen(buf);
	while (trim && places > 0 && n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return json_string(buf);
}

/* buy_x_get_y: units to buy for one reward, required_points over the
 * rule's points per unit; 0 when that is not a whole number. */
static int64_t units_to_buy(const json_t *rule, const json_t *reward)
{
	int64_t per_unit = aba_jp_int_or_zero(rule, "reward_point_amount");	/* millionths */
	int64_t need = aba_jp_int_or_zero(reward, "required_points");	/* hundredths */

	if (per_unit <= 0 || need > INT64_MAX / 10000 || need * 10000 % per_unit)
		return 0;
	return need * 10000 / per_unit;
}

/* A rule of a buy_x_get_y program: counted in units, x the same for every
 * reward; *x is the minimum_qty aba needs. */
static int rule_x(const struct rec *rule, struct span rewards, int64_t *x, struct aba_err *err)
{
	*x = 0;
	if (strcmp(str_of(rule->r, "reward_point_mode"), "unit") != 0)
		return rec_fail(rule, err, "reward_point_mode: buy_x_get_y counts units: 'unit' "
				"is needed");
	for (size_t i = 0; i < rewards.n; i++) {
		int64_t n = units_to_buy(rule->r, rewards.v[i].r);

		if (n == 0)
			return rec_fail(&rewards.v[i], err, "required_points: not a whole number of "
					"units of rule %lld", (long long)rule->id);
		if (*x && n != *x)
			return rec_fail(&rewards.v[i], err, "required_points: %lld units where "
					"another reward needs %lld: aba takes one x per program",
					(long long)n, (long long)*x);
		*x = n;
	}
	if (*x && aba_jp_int_or_zero(rule->r, "minimum_qty") > *x)
		return rec_fail(rule, err, "minimum_qty: more than the %lld units a reward needs",
				(long long)*x);
	if (!*x)
		*x = aba_jp_int_or_zero(rule->r, "minimum_qty");
	return 0;
}

static json_t *rule_json(const struct rec *rule, int loyalty, int64_t min_qty)
{
	const json_t *r = rule->r;

	return json_pack("{s:I, s:o, s:O, s:s, s:o}", "minimum_qty", (json_int_t)min_qty,
			 "minimum_amount", decimal(aba_jp_int_or_zero(r, "minimum_amount"), 2, 0),
			 "product_ids", json_object_get(r, "product_ids"),
			 "reward_point_mode", str_of(r, "reward_point_mode"),
			 "reward_point_amount",
			 loyalty ? decimal(aba_jp_int_or_zero(r, "reward_point_amount"),
					   ABA_POINT_PLACES, 1) :
			 json_string("0"));
}

/* Whether a promotion's reward is reached by any rule met, once per order. */
static int reached_once(const struct rec *reward, struct span rules, struct aba_err *err)
{
	int64_t need = aba_jp_int_or_zero(reward->r, "required_points");
	char buf[ABA_AMOUNT_BUFSZ];

	if (need == 0)
		return 0;
	for (size_t i = 0; i < rules.n; i++) {
		const json_t *r = rules.v[i].r;

		if (strcmp(str_of(r, "reward_point_mode"), "order") != 0)
			return rec_fail(reward, err, "required_points: reached through points per "
					"%s (rule %lld): aba gives a promotion's reward once per "
					"order that meets a rule", str_of(r, "reward_point_mode"),
					(long long)rules.v[i].id);
		if (aba_jp_int_or_zero(r, "reward_point_amount") < need * 10000)
			return rec_fail(reward, err, "required_points: %s, more than rule %lld gives "
					"an order", aba_amount_format(need, buf),
					(long long)rules.v[i].id);
	}
	return 0;
}

/* A loyalty reward is bought with card points: only per_point discounts. */
static int loyalty_reward_ok(const struct rec *reward, struct aba_err *err)
{
	const json_t *r = reward->r;
	const char *mode = str_of(r, "discount_mode");
	char buf[ABA_AMOUNT_BUFSZ];

	if (strcmp(str_of(r, "reward_type"), "discount") != 0 || strcmp(mode, "per_point") != 0)
		return rec_fail(reward, err, "%s: a loyalty reward bought with points cannot be "
				"expressed: aba spends card points only through per_point "
				"discounts", mode ? "discount_mode" : "reward_type");
	if (aba_jp_int_or_zero(r, "required_points") > 100)
		return rec_fail(reward, err, "required_points: a minimum of %s points before a "
				"per_point discount cannot be expressed",
				aba_amount_format(aba_jp_int_or_zero(r, "required_points"), buf));
	return 0;
}

static int promotion_reward_ok(const struct rec *reward, const char *type, struct span rules,
			       struct aba_err *err)
{
	const json_t *r = reward->r;
	const char *mode = str_of(r, "discount_mode");

	if (mode && strcmp(mode, "per_point") == 0)
		return rec_fail(reward, err, "discount_mode: per_point needs points kept on a card "
				"(a program that applies_on both)");
	if (strcmp(type, "buy_x_get_y") == 0)
		return strcmp(str_of(r, "reward_type"), "product") == 0 ? 0 :
			rec_fail(reward, err, "reward_type: a buy_x_get_y program gives products");
	return reached_once(reward, rules, err);
}

static json_t *reward_json(const json_t *r)
{
	if (strcmp(str_of(r, "reward_type"), "product") == 0)
		return json_pack("{s:s, s:O, s:O}", "reward_type", "product",
				 "reward_product_id", json_object_get(r, "reward_product_id"),
				 "reward_product_qty", json_object_get(r, "reward_product_qty"));
	return json_pack("{s:s, s:o, s:O, s:O, s:O, s:o}", "reward_type", "discount",
			 "discount", decimal(aba_jp_int_or_zero(r, "discount"), 2, 0),
			 "discount_mode", json_object_get(r, "discount_mode"),
			 "discount_applicability", json_object_get(r, "discount_applicability"),
			 "discount_product_ids", json_object_get(r, "discount_product_ids"),
			 "discount_max_amount",
			 decimal(aba_jp_int_or_zero(r, "discount_max_amount"), 2, 0));
}

/* The active records of a span only. */
static struct span active_only(struct span sp, struct rec *buf)
{
	struct span out = { buf, 0 };

	for (size_t i = 0; i < sp.n; i++)
		if (json_is_true(json_object_get(sp.v[i].r, "active")))
			buf[out.n++] = sp.v[i];
	return out;
}

static int add_rewards(const struct rec *p, struct span rules, struct span rewards,
		       json_t *out, struct aba_err *err)
{
	const char *type = str_of(p->r, "program_type");
	int loyalty = strcmp(str_of(p->r, "applies_on"), "both") == 0;

	for (size_t i = 0; i < rewards.n; i++) {
		if (loyalty ? loyalty_reward_ok(&rewards.v[i], err) :
			      promotion_reward_ok(&rewards.v[i], type, rules, err))
			return -1;
		if (json_array_append_new(out, reward_json(rewards.v[i].r)))
			return aba_fail(err, ABA_NOMEM, "out of memory");
	}
	return 0;
}

/* Whether a rule is met by every order with something in it. */
static int rule_open(const json_t *r)
{
	return aba_jp_int_or_zero(r, "minimum_qty") <= 1 &&
	       aba_jp_int_or_zero(r, "minimum_amount") == 0 &&
	       json_array_size(json_object_get(r, "product_ids")) == 0;
}

/* Odoo's loyalty rules only earn: points on the card are spent whatever the
 * order.  aba gives a program's reward only when one of its rules is met,
 * so a loyalty program whose rules all ask for something gets one more
 * rule that every order meets and that earns nothing (each rule earns on
 * its own, so the others earn exactly as before). */
static int open_rule(json_t *out, struct span rules, struct span rewards)
{
	for (size_t i = 0; i < rules.n; i++)
		if (rule_open(rules.v[i].r))
			return 0;
	if (rewards.n == 0)
		return 0;
	return json_array_append_new(out, json_pack("{s:i, s:s, s:[], s:s, s:s}", "minimum_qty", 0,
						    "minimum_amount", "0.00", "product_ids",
						    "reward_point_mode", "order",
						    "reward_point_amount", "0"));
}

static int add_rules(const struct rec *p, struct span rules, struct span rewards, json_t *out,
		     struct aba_err *err)
{
	int loyalty = strcmp(str_of(p->r, "applies_on"), "both") == 0;
	int bxgy = strcmp(str_of(p->r, "program_type"), "buy_x_get_y") == 0;

	if (!loyalty && rules.n == 0 && rewards.n > 0)
		return rec_fail(p, err, "rule_ids: no active rule: Odoo never reaches the rewards, "
				"aba would give them to every order");
	for (size_t i = 0; i < rules.n; i++) {
		int64_t qty = aba_jp_int_or_zero(rules.v[i].r, "minimum_qty");

		if (bxgy && !loyalty && rule_x(&rules.v[i], rewards, &qty, err))
			return -1;
		if (json_array_append_new(out, rule_json(&rules.v[i], loyalty, qty)))
			return aba_fail(err, ABA_NOMEM, "out of memory");
	}
	if (loyalty && open_rule(out, rules, rewards))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	return 0;
}

/* The program's head: Odoo's fields as aba names them. */
static json_t *head_json(const struct rec *p, const char *code)
{
	const json_t *r = p->r;
	char id[24];

	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	return json_pack("{s:s, s:O, s:O, s:s, s:s?, s:O, s:s, s:O, s:O, s:O, s:[], s:[], s:[]}",
			 "id", id, "name", json_object_get(r, "name"),
			 "program_type", json_object_get(r, "program_type"),
			 "trigger", code ? "with_code" : "auto", "code", code,
			 "sequence", json_object_get(r, "sequence"), "stacking", "combine",
			 "active", json_object_get(r, "active"),
			 "date_from", json_object_get(r, "date_from"),
			 "date_to", json_object_get(r, "date_to"),
			 "membership_levels", "rules", "rewards");
}

/* Runs aba's own parser on one program, so its complaints name the Odoo
 * record rather than the document built from it. */
static int validate(const struct rec *p, const json_t *prog, struct aba_err *err)
{
	struct aba_program_set *set;

	if (aba_program_set_parse(prog, &set, err))
		return rec_fail(p, err, "%s", err->msg);
	aba_program_set_free(set);
	return 0;
}

static int build_one(const struct rec *p, struct span all_rules, struct span all_rewards,
		     json_t **out, struct aba_err *err)
{
	struct rec *buf = malloc((all_rules.n + all_rewards.n + 1) * sizeof(*buf));
	struct span rules, rewards;
	const char *code;
	int rc = -1;

	*out = NULL;
	if (!buf)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	rules = active_only(all_rules, buf);
	rewards = active_only(all_rewards, buf + rules.n);
	if (check_listed(p, "rule_ids", all_rules, "rule", err) ||
	    check_listed(p, "reward_ids", all_rewards, "reward", err) ||
	    program_code(rules, &code, err))
		goto out;
	if (!code && strcmp(str_of(p->r, "trigger"), "with_code") == 0) {
		rec_fail(p, err, "trigger: with_code but no rule has a code (coupon codes are "
			 "loyalty.card records, not programs)");
		goto out;
	}
	if (!(*out = head_json(p, code))) {
		aba_fail(err, ABA_NOMEM, "out of memory");
		goto out;
	}
	if (add_rules(p, rules, rewards, json_object_get(*out, "rules"), err) ||
	    add_rewards(p, rules, rewards, json_object_get(*out, "rewards"), err) ||
	    validate(p, *out, err))
		goto out;
	rc = 0;
out:
	free(buf);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}

int aba_odoo_model_is_program(int model)
{
	return model == ABA_ODOO_PROGRAM || model == ABA_ODOO_RULE || model == ABA_ODOO_REWARD;
}

static int read_files(const struct aba_odoo_file *files, size_t nfiles, struct gather *g,
		      struct aba_err *err)
{
	for (size_t i = 0; i < nfiles; i++) {
		if (!aba_odoo_model_is_program(files[i].model))
			continue;
		g->f = &files[i];
		if (aba_odoo_file_each(&files[i], collect, g, err))
			return -1;
	}
	for (int m = 0; m < 3; m++)
		if (sort_unique(&g->m[m], err))
			return -1;
	return check_links(g, err);
}

int aba_odoo_programs_build(const struct aba_odoo_file *files, size_t nfiles, json_t **out,
			    long records[3], struct aba_err *err)
{
	struct gather g;
	int rc = -1;

	memset(&g, 0, sizeof(g));
	if (!(*out = json_array()))
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (read_files(files, nfiles, &g, err))
		goto out;
	for (int m = 0; records && m < 3; m++)
		records[m] = (long)g.m[m].n;
	for (size_t i = 0; i < g.m[0].n; i++) {
		const struct rec *p = &g.m[0].v[i];
		json_t *prog;

		if (build_one(p, span_of(&g.m[1], p->id), span_of(&g.m[2], p->id), &prog, err))
			goto out;
		json_array_append_new(*out, prog);
	}
	rc = 0;
out:
	gather_free(&g);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	return rc;
}
