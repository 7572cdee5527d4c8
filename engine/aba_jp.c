/* aba_jp.c - typed, path-aware reads of JSON fields. */
#include "aba_jp.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "aba_amount.h"
#include "aba_time.h"

void aba_jp_path(char *buf, const char *path, const char *key)
{
	snprintf(buf, ABA_JP_PATH, "%s%s%s", path, *path ? "." : "", key);
}

void aba_jp_path_index(char *buf, const char *path, const char *key, size_t i)
{
	snprintf(buf, ABA_JP_PATH, "%s%s%s[%zu]", path, *path ? "." : "", key, i);
}

/* The value under key, or NULL when absent or null. */
static const json_t *field(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return v && !json_is_null(v) ? v : NULL;
}

int aba_jp_object(const json_t *j, const char *path, const char *const *known,
		  struct aba_err *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(j))
		return aba_fail(err, ABA_INPUT, "%s: expected an object", *path ? path : "input");
	json_object_foreach((json_t *)j, key, v) {
		int found = 0;
		char p[ABA_JP_PATH];

		for (int i = 0; known[i] && !found; i++)
			found = strcmp(known[i], key) == 0;
		if (!found) {
			aba_jp_path(p, path, key);
			return aba_fail(err, ABA_INPUT, "%s: unknown field", p);
		}
	}
	return 0;
}

static int missing(const char *path, const char *key, struct aba_err *err)
{
	char p[ABA_JP_PATH];

	aba_jp_path(p, path, key);
	return aba_fail(err, ABA_INPUT, "%s: required", p);
}

/* 1 with *v and its path p set when the field is given; 0 when absent and
 * *out = def; -1 when absent but required. */
static int given(const json_t *obj, const char *path, const char *key, int64_t def,
		 int64_t *out, const json_t **v, char *p, struct aba_err *err)
{
	*v = field(obj, key);
	aba_jp_path(p, path, key);
	if (*v)
		return 1;
	if (def == ABA_JP_REQUIRED)
		return missing(path, key, err);
	*out = def;
	return 0;
}

int aba_jp_string(const json_t *obj, const char *path, const char *key, int required,
		  size_t maxlen, struct aba_arena *a, const char **out, struct aba_err *err)
{
	const json_t *v = field(obj, key);
	char p[ABA_JP_PATH];
	size_t len;

	*out = NULL;
	if (!v)
		return required ? missing(path, key, err) : 0;
	aba_jp_path(p, path, key);
	if (!json_is_string(v))
		return aba_fail(err, ABA_INPUT, "%s: expected a string", p);
	len = json_string_length(v);
	if (len == 0 || len > maxlen || strlen(json_string_value(v)) != len)
		return aba_fail(err, ABA_INPUT, "%s: expected 1 to %zu characters", p, maxlen);
	*out = aba_arena_strdup(a, json_string_value(v));
	return *out ? 0 : aba_fail(err, ABA_NOMEM, "out of memory");
}

/* Whether s has the shape of a decimal with at most places fraction digits,
 * so that a parse failure on it can only be its size. */
static int decimal_shape(const char *s, int places)
{
	int digits = 0, frac = -1;

	if (*s == '-' || *s == '+')
		s++;
	for (; *s; s++) {
		if (*s == '.' && frac < 0 && digits)
			frac = 0;
		else if (*s >= '0' && *s <= '9')
			digits++, frac += frac >= 0;
		else
			return 0;
	}
	return digits && frac != 0 && frac <= places;
}

int aba_jp_decimal_value(const json_t *v, const char *what, int places, int64_t max,
			 int64_t *out, struct aba_err *err)
{
	char buf[32];
	const char *s;
	struct aba_err local;

	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		s = buf;
	} else if (json_is_string(v)) {
		s = json_string_value(v);
	} else {
		return aba_fail(err, ABA_INPUT, "%s: expected a decimal with at most %d places "
				"as a string", what, places);
	}
	if (!decimal_shape(s, places))
		return aba_fail(err, ABA_INPUT, "%s: expected a decimal with at most %d places, "
				"got '%.40s'", what, places, s);
	if (aba_decimal_parse(s, places, max, what, out, &local)) {
		*err = local;
		return -1;
	}
	if (*out < 0)
		return aba_fail(err, ABA_INPUT, "%s: must not be negative, got '%.40s'", what, s);
	return 0;
}

int aba_jp_decimal(const json_t *obj, const char *path, const char *key, int places,
		   int64_t max, int64_t def, int64_t *out, struct aba_err *err)
{
	const json_t *v;
	char p[ABA_JP_PATH];
	int rc = given(obj, path, key, def, out, &v, p, err);

	return rc <= 0 ? rc : aba_jp_decimal_value(v, p, places, max, out, err);
}

int aba_jp_int(const json_t *obj, const char *path, const char *key, int64_t min,
	       int64_t max, int64_t def, int64_t *out, struct aba_err *err)
{
	const json_t *v;
	char p[ABA_JP_PATH];
	int rc = given(obj, path, key, def, out, &v, p, err);

	if (rc <= 0)
		return rc;
	if (!json_is_integer(v))
		return aba_fail(err, ABA_INPUT, "%s: expected an integer", p);
	if (json_integer_value(v) < min || json_integer_value(v) > max)
		return aba_fail(err, ABA_INPUT, "%s: must be between %" PRId64 " and %" PRId64
				", got %" JSON_INTEGER_FORMAT, p, min, max, json_integer_value(v));
	*out = json_integer_value(v);
	return 0;
}

int aba_jp_bool(const json_t *obj, const char *path, const char *key, int def, int *out,
		struct aba_err *err)
{
	const json_t *v = field(obj, key);
	char p[ABA_JP_PATH];

	*out = def;
	if (!v)
		return 0;
	aba_jp_path(p, path, key);
	if (!json_is_boolean(v))
		return aba_fail(err, ABA_INPUT, "%s: expected true or false", p);
	*out = json_is_true(v);
	return 0;
}

int aba_jp_enum(const json_t *obj, const char *path, const char *key,
		const char *const *names, int count, int def, int *out, struct aba_err *err)
{
	const json_t *v = field(obj, key);
	char p[ABA_JP_PATH], list[256] = "";

	if (!v) {
		if (def < 0)
			return missing(path, key, err);
		*out = def;
		return 0;
	}
	for (int i = 0; json_is_string(v) && i < count; i++)
		if (strcmp(json_string_value(v), names[i]) == 0) {
			*out = i;
			return 0;
		}
	for (int i = 0; i < count; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", names[i]);
	aba_jp_path(p, path, key);
	if (!json_is_string(v))
		return aba_fail(err, ABA_INPUT, "%s: expected one of %s", p, list);
	return aba_fail(err, ABA_INPUT, "%s: expected one of %s, got '%.40s'", p, list,
			json_string_value(v));
}

/* The array under key (NULL when absent) after checking type and size. */
static int get_array(const json_t *obj, const char *path, const char *key,
		     const json_t **out, struct aba_err *err)
{
	const json_t *v = field(obj, key);
	char p[ABA_JP_PATH];

	*out = v;
	if (!v)
		return 0;
	aba_jp_path(p, path, key);
	if (!json_is_array(v))
		return aba_fail(err, ABA_INPUT, "%s: expected an array", p);
	if (json_array_size(v) > ABA_JP_LIST_MAX)
		return aba_fail(err, ABA_INPUT, "%s: more than %d entries", p, ABA_JP_LIST_MAX);
	return 0;
}

/* Item i of arr as an identifier string. */
static int id_item(const json_t *arr, const char *path, const char *key, size_t i,
		   struct aba_arena *a, const char **out, struct aba_err *err)
{
	const json_t *v = json_array_get(arr, i);
	char p[ABA_JP_PATH];
	size_t len;

	aba_jp_path_index(p, path, key, i);
	if (!json_is_string(v))
		return aba_fail(err, ABA_INPUT, "%s: expected a string", p);
	len = json_string_length(v);
	if (len == 0 || len > ABA_JP_ID_MAX || strlen(json_string_value(v)) != len)
		return aba_fail(err, ABA_INPUT, "%s: expected 1 to %d characters", p,
				ABA_JP_ID_MAX);
	*out = aba_arena_strdup(a, json_string_value(v));
	return *out ? 0 : aba_fail(err, ABA_NOMEM, "out of memory");
}

int aba_jp_strings(const json_t *obj, const char *path, const char *key,
		   struct aba_arena *a, const char *const **out, size_t *n,
		   struct aba_err *err)
{
	const json_t *arr;
	const char **v;

	*out = NULL;
	*n = 0;
	if (get_array(obj, path, key, &arr, err))
		return -1;
	if (!arr || json_array_size(arr) == 0)
		return 0;
	v = aba_arena_calloc(a, json_array_size(arr), sizeof(*v));
	if (!v)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	for (size_t i = 0; i < json_array_size(arr); i++)
		if (id_item(arr, path, key, i, a, &v[i], err))
			return -1;
	*out = v;
	*n = json_array_size(arr);
	return 0;
}

int aba_jp_pids(const json_t *obj, const char *path, const char *key, struct aba_arena *a,
		struct aba_pid_list *out, struct aba_err *err)
{
	const char *const *s;
	struct aba_pid *v;
	size_t n;

	out->v = NULL;
	out->n = 0;
	if (aba_jp_strings(obj, path, key, a, &s, &n, err))
		return -1;
	if (n == 0)
		return 0;
	v = aba_arena_calloc(a, n, sizeof(*v));
	if (!v)
		return aba_fail(err, ABA_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		v[i].s = s[i];
		v[i].h = aba_pid_hash(s[i]);
	}
	out->v = v;
	out->n = n;
	return 0;
}

int aba_jp_time(const json_t *obj, const char *path, const char *key, int *has,
		int64_t *out, int *date_only, struct aba_err *err)
{
	const json_t *v = field(obj, key);
	char p[ABA_JP_PATH];

	*has = 0;
	*date_only = 0;
	if (!v)
		return 0;
	aba_jp_path(p, path, key);
	if (!json_is_string(v))
		return aba_fail(err, ABA_INPUT, "%s: expected an ISO 8601 time as a string", p);
	if (aba_time_parse(json_string_value(v), p, out, err))
		return -1;
	*has = 1;
	*date_only = json_string_length(v) == 10;
	return 0;
}

json_t *aba_jp_load(const char *path, const char *what, struct aba_err *err)
{
	json_error_t jerr;
	json_t *j;

	if (strcmp(path, "-") == 0)
		j = json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
	else
		j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		aba_fail(err, ABA_INPUT, "%s '%.100s': line %d: %s", what, path, jerr.line,
			 jerr.text);
	return j;
}

int64_t aba_jp_int_or_zero(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}
