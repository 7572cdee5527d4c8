/* aba_odoo_record.c - Odoo's field conventions, read strictly.
 *
 * Odoo writes false for every empty field (text, date, many2one alike), a
 * many2one as [id, "display name"], a Many2oneReference as a bare id, and
 * points as JSON reals.  Numbers reach us as their text (the scanner quotes
 * them), so fractional points are rounded from the digits Odoo printed, never
 * through binary floating point.
 */
#include "aba_odoo_record.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_round.h"
#include "aba_text.h"
#include "aba_time.h"

int aba_odoo_record_empty(const json_t *v)
{
	return !v || json_is_null(v) || json_is_false(v);
}

int aba_odoo_record_parse_id(const json_t *v, const char *key, int64_t *id,
			     struct aba_err *err)
{
	const char *s = json_string_value(v);
	int64_t n = 0;

	if (!s || !*s)
		return aba_fail(err, ABA_INPUT, "%s: expected an integer id", key);
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) || n > (INT64_MAX - 9) / 10)
			return aba_fail(err, ABA_INPUT, "%s: '%.40s' is not an integer id", key, s);
		n = n * 10 + (*p - '0');
	}
	if (n <= 0)
		return aba_fail(err, ABA_INPUT, "%s: id must be greater than zero", key);
	*id = n;
	return 0;
}

int aba_odoo_record_id(const json_t *raw, int64_t *id, struct aba_err *err)
{
	const json_t *v = json_object_get(raw, "id");

	if (aba_odoo_record_empty(v))
		return aba_fail(err, ABA_INPUT, "id: missing");
	return aba_odoo_record_parse_id(v, "id", id, err);
}

int aba_odoo_record_text(const json_t *raw, const char *key, int required, size_t max,
			 const char **out, struct aba_err *err)
{
	const json_t *v = json_object_get(raw, key);

	*out = NULL;
	if (aba_odoo_record_empty(v))
		return required ? aba_fail(err, ABA_INPUT, "%s: missing", key) : 0;
	if (!json_is_string(v))
		return aba_fail(err, ABA_INPUT, "%s: expected text", key);
	*out = json_string_value(v);
	return aba_text_check(*out, key, max, err);
}

/* Points (or any hundredths) rounded half away from zero; 0 when empty
 * unless required. */
static int get_points(const json_t *raw, const char *key, int required, int64_t *out,
		      struct aba_err *err)
{
	const json_t *v = json_object_get(raw, key);

	*out = 0;
	if (aba_odoo_record_empty(v))
		return required ? aba_fail(err, ABA_INPUT, "%s: missing", key) : 0;
	if (!json_is_string(v))
		return aba_fail(err, ABA_INPUT, "%s: expected a number", key);
	return aba_decimal_round(json_string_value(v), 2, ABA_AMOUNT_MAX, key, out, err);
}

int aba_odoo_record_m2o(const json_t *raw, const char *key, int64_t *id, const char **name,
			struct aba_err *err)
{
	const json_t *v = json_object_get(raw, key), *n;

	*id = 0;
	*name = NULL;
	if (aba_odoo_record_empty(v))
		return 0;
	if (json_is_string(v))
		return aba_odoo_record_parse_id(v, key, id, err);
	if (!json_is_array(v) || json_array_size(v) != 2)
		return aba_fail(err, ABA_INPUT, "%s: expected [id, \"name\"] or false", key);
	if (aba_odoo_record_parse_id(json_array_get(v, 0), key, id, err))
		return -1;
	n = json_array_get(v, 1);
	if (json_is_string(n))
		*name = json_string_value(n);
	else if (!aba_odoo_record_empty(n))
		return aba_fail(err, ABA_INPUT, "%s: expected [id, \"name\"] or false", key);
	if (*name && aba_text_check(*name, key, 1000, err))
		return -1;
	return 0;
}

int aba_odoo_record_time(const json_t *raw, const char *key, int required, char *buf,
			 const char **out, struct aba_err *err)
{
	const char *s;
	int64_t t;

	if (aba_odoo_record_text(raw, key, required, 40, &s, err))
		return -1;
	*out = NULL;
	if (!s)
		return 0;
	if (aba_time_parse(s, key, &t, err))
		return -1;
	*out = aba_time_format(t, buf);
	return 0;
}

int aba_odoo_record_date(const json_t *raw, const char *key, const char **out,
			 struct aba_err *err)
{
	int64_t t;

	if (aba_odoo_record_text(raw, key, 0, 40, out, err))
		return -1;
	if (*out && (strlen(*out) != 10 || aba_time_parse(*out, key, &t, err)))
		return aba_fail(err, ABA_INPUT, "%s: '%.40s' is not a date", key, *out);
	return 0;
}

/* Phones as people type them, "(021) 555.1234", reduced to what a phone
 * column takes: digits, a leading +, spaces and dashes. */
static void phone_clean(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = in; *p && n + 1 < size; p++) {
		if (isdigit((unsigned char)*p) || *p == '-' || (*p == '+' && n == 0))
			out[n++] = *p;
		else if ((*p == ' ' || *p == '.' || *p == '/') && n > 0 && out[n - 1] != ' ')
			out[n++] = ' ';
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

static json_t *opt_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *opt_id(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static int partner(const json_t *raw, json_t *o, struct aba_err *err)
{
	const char *name, *email, *phone;
	char clean[64];

	if (aba_odoo_record_text(raw, "name", 1, 200, &name, err) ||
	    aba_odoo_record_text(raw, "email", 0, 254, &email, err) ||
	    aba_odoo_record_text(raw, "phone", 0, 60, &phone, err))
		return -1;
	if (!phone && aba_odoo_record_text(raw, "mobile", 0, 60, &phone, err))
		return -1;
	if (phone) {
		phone_clean(phone, clean, sizeof(clean));
		phone = *clean ? clean : NULL;
	}
	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "email", opt_string(email));
	json_object_set_new(o, "phone", opt_string(phone));
	return 0;
}

static int card(const json_t *raw, json_t *o, struct aba_err *err)
{
	const char *code, *pname, *gname, *exp;
	int64_t points, partner_id, program_id;

	if (aba_odoo_record_text(raw, "code", 1, 64, &code, err) ||
	    get_points(raw, "points", 1, &points, err) ||
	    aba_odoo_record_m2o(raw, "partner_id", &partner_id, &pname, err) ||
	    aba_odoo_record_m2o(raw, "program_id", &program_id, &gname, err) ||
	    aba_odoo_record_date(raw, "expiration_date", &exp, err))
		return -1;
	if (points < 0)
		return aba_fail(err, ABA_INPUT, "points: a negative balance cannot be imported");
	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "points", json_integer(points));
	json_object_set_new(o, "partner", opt_id(partner_id));
	json_object_set_new(o, "partner_name", opt_string(pname));
	json_object_set_new(o, "program", opt_id(program_id));
	json_object_set_new(o, "program_name", opt_string(gname));
	json_object_set_new(o, "expiration", opt_string(exp));
	return 0;
}

static int history(const json_t *raw, json_t *o, struct aba_err *err)
{
	const char *desc, *oname, *at;
	int64_t card_id, issued, used, order_id;
	char tbuf[ABA_TIME_BUFSZ], obuf[24];

	if (aba_odoo_record_m2o(raw, "card_id", &card_id, &oname, err))
		return -1;
	if (!card_id)
		return aba_fail(err, ABA_INPUT, "card_id: missing");
	if (get_points(raw, "issued", 0, &issued, err) || get_points(raw, "used", 0, &used, err) ||
	    aba_odoo_record_text(raw, "description", 0, 1000, &desc, err) ||
	    aba_odoo_record_m2o(raw, "order_id", &order_id, &oname, err) ||
	    aba_odoo_record_time(raw, "create_date", 1, tbuf, &at, err))
		return -1;
	if (issued < 0 || used < 0)
		return aba_fail(err, ABA_INPUT, "%s: must not be negative", issued < 0 ? "issued" : "used");
	if (order_id && !oname) {
		snprintf(obuf, sizeof(obuf), "%lld", (long long)order_id);
		oname = obuf;
	}
	json_object_set_new(o, "card", json_integer(card_id));
	json_object_set_new(o, "issued", json_integer(issued));
	json_object_set_new(o, "used", json_integer(used));
	json_object_set_new(o, "description", opt_string(desc));
	json_object_set_new(o, "order_ref", opt_string(oname));
	json_object_set_new(o, "at", json_string(at));
	return 0;
}

int aba_odoo_record_model(const json_t *raw)
{
	/* The first field that only one model has decides.  Odoo 16+ repeats
	 * program_type on cards, rules and rewards (a related field), so it
	 * marks a program only after their own fields were looked for. */
	static const struct {
		const char *field;
		enum aba_odoo_model model;
	} marks[] = {
		{ "issued", ABA_ODOO_HISTORY }, { "used", ABA_ODOO_HISTORY },
		{ "reward_type", ABA_ODOO_REWARD }, { "required_points", ABA_ODOO_REWARD },
		{ "reward_point_mode", ABA_ODOO_RULE }, { "minimum_qty", ABA_ODOO_RULE },
		{ "reward_point_amount", ABA_ODOO_RULE }, { "minimum_amount", ABA_ODOO_RULE },
		{ "points", ABA_ODOO_CARD }, { "rule_ids", ABA_ODOO_PROGRAM },
		{ "reward_ids", ABA_ODOO_PROGRAM }, { "trigger", ABA_ODOO_PROGRAM },
		{ "program_type", ABA_ODOO_PROGRAM }, { "code", ABA_ODOO_CARD },
		{ "name", ABA_ODOO_PARTNER },
	};

	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (json_object_get(raw, marks[i].field))
			return marks[i].model;
	return -1;
}

int aba_odoo_record_normalize(enum aba_odoo_model m, const json_t *raw, long position,
			      json_t **out, struct aba_err *err)
{
	json_t *o = json_object();
	int64_t id;
	int rc;

	if (!o)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	if (aba_odoo_record_id(raw, &id, err)) {
		json_decref(o);
		return -1;
	}
	json_object_set_new(o, "i", json_integer(position));
	json_object_set_new(o, "id", json_integer(id));
	if (m == ABA_ODOO_PARTNER)
		rc = partner(raw, o, err);
	else if (m == ABA_ODOO_CARD)
		rc = card(raw, o, err);
	else if (m == ABA_ODOO_HISTORY)
		rc = history(raw, o, err);
	else if (m == ABA_ODOO_PROGRAM)
		rc = aba_odoo_record_program(raw, o, err);
	else if (m == ABA_ODOO_RULE)
		rc = aba_odoo_record_rule(raw, o, err);
	else if (m == ABA_ODOO_REWARD)
		rc = aba_odoo_record_reward(raw, o, err);
	else
		rc = aba_fail(err, ABA_INPUT, "%s records cannot be imported",
			      aba_odoo_model_name(m));
	if (rc) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}
