/* aba_jp.h - reading typed fields out of jansson objects, with errors that
 * name the field's path: `rules[0].minimum_amount: expected a decimal with
 * at most 2 places, got '1.234'`.
 *
 * Every reader takes the object, the object's path ("" at the top) and the
 * key.  An absent key and a JSON null mean "not given": the default is used,
 * or for ABA_JP_REQUIRED the field is reported missing.  Strings are copied
 * into the arena.  Amounts are accepted as decimal strings or integers,
 * never as JSON reals (which would have been rounded on the way in).
 */
#ifndef ABA_JP_H
#define ABA_JP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "aba_arena.h"
#include "aba_err.h"
#include "aba_pid.h"

#define ABA_JP_PATH 192
#define ABA_JP_REQUIRED INT64_MIN
/* Longest identifier (product, code, level) accepted. */
#define ABA_JP_ID_MAX 128
/* Longest list (product ids, lines) accepted. */
#define ABA_JP_LIST_MAX 10000

/* buf = "path.key" (or "key" at the top); buf holds ABA_JP_PATH bytes. */
void aba_jp_path(char *buf, const char *path, const char *key);
/* buf = "path.key[i]". */
void aba_jp_path_index(char *buf, const char *path, const char *key, size_t i);

/* j is an object and every key is in known (NULL-terminated). */
int aba_jp_object(const json_t *j, const char *path, const char *const *known,
		  struct aba_err *err);
/* A string of 1..maxlen bytes, or NULL when absent and not required. */
int aba_jp_string(const json_t *obj, const char *path, const char *key, int required,
		  size_t maxlen, struct aba_arena *a, const char **out, struct aba_err *err);
/* A non-negative decimal with at most places fraction digits, <= max. */
int aba_jp_decimal(const json_t *obj, const char *path, const char *key, int places,
		   int64_t max, int64_t def, int64_t *out, struct aba_err *err);
/* The same for a value already in hand; what is its full path. */
int aba_jp_decimal_value(const json_t *v, const char *what, int places, int64_t max,
			 int64_t *out, struct aba_err *err);
/* An integer in [min, max]. */
int aba_jp_int(const json_t *obj, const char *path, const char *key, int64_t min,
	       int64_t max, int64_t def, int64_t *out, struct aba_err *err);
int aba_jp_bool(const json_t *obj, const char *path, const char *key, int def, int *out,
		struct aba_err *err);
/* One of names[0..count); *out is its index.  def < 0: required. */
int aba_jp_enum(const json_t *obj, const char *path, const char *key,
		const char *const *names, int count, int def, int *out, struct aba_err *err);
/* An array of identifiers (may be empty or absent). */
int aba_jp_pids(const json_t *obj, const char *path, const char *key, struct aba_arena *a,
		struct aba_pid_list *out, struct aba_err *err);
/* An array of strings (may be empty or absent). */
int aba_jp_strings(const json_t *obj, const char *path, const char *key,
		   struct aba_arena *a, const char *const **out, size_t *n,
		   struct aba_err *err);
/* An ISO time; *has is 0 when absent.  *date_only when it had no time part. */
int aba_jp_time(const json_t *obj, const char *path, const char *key, int *has,
		int64_t *out, int *date_only, struct aba_err *err);

/* The JSON document in file path ("-": standard input), duplicate keys
 * refused; NULL with err saying where it is broken ("what 'path': line
 * 3: ..."). */
json_t *aba_jp_load(const char *path, const char *what, struct aba_err *err);

/* The integer at key in o, 0 when it is absent or not an integer: for
 * JSON the database built (counts, ids, balances), which needs no
 * path-naming error. */
int64_t aba_jp_int_or_zero(const json_t *o, const char *key);

#endif
