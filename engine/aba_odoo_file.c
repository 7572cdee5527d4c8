/* aba_odoo_file.c - an Odoo export read record by record.
 *
 * jansson would hand Odoo's fractional points over as binary floating point, which the
 * engine never touches.  So the file is not parsed whole: a small scanner
 * walks the top-level array, copies one record at a time with every number
 * token quoted (12.355 -> "12.355"), and jansson parses that copy.  The
 * digits Odoo printed reach the rounding code as text, memory stays one
 * record deep on files of millions, and each error knows its record.
 */
#include "aba_odoo.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aba_odoo_record.h"

#define ODOO_MODEL_NAME(NAME, model) model,
static const char *const model_names[] = { ABA_ODOO_MODELS(ODOO_MODEL_NAME) };
#undef ODOO_MODEL_NAME

const char *aba_odoo_model_name(enum aba_odoo_model m)
{
	return m >= 0 && m < ABA_ODOO_MODEL_COUNT ? model_names[m] : "unknown";
}

int aba_odoo_model_find(const char *name)
{
	for (int m = 0; m < ABA_ODOO_MODEL_COUNT; m++)
		if (strcmp(model_names[m], name) == 0)
			return m;
	return -1;
}

struct scan {
	const struct aba_odoo_file *f;
	size_t pos;
	char *buf;		/* the current record, numbers quoted */
	size_t n, cap;
	long position;		/* 1-based index of the current record */
};

static int put(struct scan *sc, char c)
{
	if (sc->n + 1 >= sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 4096;
		char *b = realloc(sc->buf, cap);

		if (!b)
			return -1;
		sc->buf = b;
		sc->cap = cap;
	}
	sc->buf[sc->n++] = c;
	return 0;
}

static void skip_space(struct scan *sc)
{
	while (sc->pos < sc->f->len && strchr(" \t\r\n", sc->f->text[sc->pos]))
		sc->pos++;
}

static int scan_fail(struct scan *sc, struct aba_err *err, const char *what)
{
	return aba_fail(err, ABA_INPUT, "%s: record %ld: %s at byte %zu", sc->f->path,
			sc->position, what, sc->pos);
}

/* Copies one string token, escapes and all. */
static int copy_string(struct scan *sc)
{
	const char *t = sc->f->text;

	if (put(sc, t[sc->pos++]))
		return -1;
	while (sc->pos < sc->f->len) {
		char c = t[sc->pos++];

		if (put(sc, c))
			return -1;
		if (c == '"')
			return 0;
		if (c == '\\' && sc->pos < sc->f->len && put(sc, t[sc->pos++]))
			return -1;
	}
	return -1;
}

/* Copies the object starting at pos into buf with numbers quoted. */
static int copy_record(struct scan *sc, struct aba_err *err)
{
	const char *t = sc->f->text;
	int depth = 0;

	sc->n = 0;
	if (sc->pos >= sc->f->len || t[sc->pos] != '{')
		return scan_fail(sc, err, "expected a record (a JSON object)");
	do {
		char c;

		if (sc->pos >= sc->f->len)
			return scan_fail(sc, err, "unexpected end of file");
		c = t[sc->pos];
		if (c == '"') {
			if (copy_string(sc))
				return scan_fail(sc, err, "unterminated string");
			continue;
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			int bad = put(sc, '"');

			while (sc->pos < sc->f->len && t[sc->pos] && strchr("0123456789+-.eE", t[sc->pos]))
				bad |= put(sc, t[sc->pos++]);
			if (bad || put(sc, '"'))
				return aba_fail(err, ABA_NOMEM, "out of memory");
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		if (put(sc, c))
			return aba_fail(err, ABA_NOMEM, "out of memory");
		sc->pos++;
	} while (depth > 0);
	return 0;
}

/* Parses the next record into *out (NULL at the end of the array). */
static int next_record(struct scan *sc, json_t **out, struct aba_err *err)
{
	const char *t = sc->f->text;
	json_error_t jerr;

	*out = NULL;
	skip_space(sc);
	if (sc->position > 0 || (sc->pos < sc->f->len && t[sc->pos] == ']')) {
		if (sc->pos < sc->f->len && t[sc->pos] == ']')
			return 0;
		if (sc->pos >= sc->f->len || t[sc->pos] != ',')
			return scan_fail(sc, err, "expected ',' or ']' after the record");
		sc->pos++;
		skip_space(sc);
	}
	sc->position++;
	if (copy_record(sc, err))
		return -1;
	*out = json_loadb(sc->buf, sc->n, JSON_REJECT_DUPLICATES, &jerr);
	if (!*out)
		return aba_fail(err, ABA_INPUT, "%s: record %ld: malformed JSON: %s", sc->f->path,
				sc->position, jerr.text);
	return 0;
}

/* Positions the scanner on the first record, after '['. */
static int open_scan(struct scan *sc, const struct aba_odoo_file *f, struct aba_err *err)
{
	memset(sc, 0, sizeof(*sc));
	sc->f = f;
	if (f->len >= 3 && memcmp(f->text, "\xEF\xBB\xBF", 3) == 0)
		sc->pos = 3;
	skip_space(sc);
	if (sc->pos >= f->len || f->text[sc->pos] != '[')
		return aba_fail(err, ABA_INPUT,
				"%s: expected a JSON array of records (Odoo's search_read output)",
				f->path);
	sc->pos++;
	return 0;
}

int aba_odoo_file_load(const char *path, int model, struct aba_odoo_file *f,
		       struct aba_err *err)
{
	FILE *fp = fopen(path, "rb");
	struct scan sc;
	json_t *first = NULL;
	long size;

	memset(f, 0, sizeof(*f));
	f->path = path;
	f->model = model;
	if (!fp)
		return aba_fail(err, ABA_IO, "cannot open '%s': %s", path, strerror(errno));
	if (fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) ||
	    !(f->text = malloc((size_t)size + 1)) ||
	    fread(f->text, 1, (size_t)size, fp) != (size_t)size) {
		fclose(fp);
		aba_odoo_file_free(f);
		return aba_fail(err, ABA_IO, "cannot read '%s'", path);
	}
	fclose(fp);
	f->len = (size_t)size;
	f->text[f->len] = '\0';
	if (model != ABA_ODOO_MODEL_AUTO)
		return 0;
	if (open_scan(&sc, f, err) || next_record(&sc, &first, err)) {
		free(sc.buf);
		aba_odoo_file_free(f);
		return -1;
	}
	free(sc.buf);
	if (first && (f->model = aba_odoo_record_model(first)) < 0) {
		json_decref(first);
		aba_odoo_file_free(f);
		return aba_fail(err, ABA_INPUT, "%s: cannot tell which Odoo model the records are: "
				"name it with --model", path);
	}
	json_decref(first);
	return 0;
}

void aba_odoo_file_free(struct aba_odoo_file *f)
{
	free(f->text);
	f->text = NULL;
	f->len = 0;
}

/* Odoo ids seen in one file, to refuse a record that comes twice (open
 * addressing; ids are > 0 so 0 marks a free slot). */
struct idset {
	int64_t *id;
	long *position;
	size_t cap, n;
};

static int idset_add(struct idset *s, int64_t id, long position, long *previous)
{
	if (2 * (s->n + 1) > s->cap) {
		struct idset big = { 0 };

		big.cap = s->cap ? s->cap * 2 : 1024;
		big.id = calloc(big.cap, sizeof(*big.id));
		big.position = calloc(big.cap, sizeof(*big.position));
		if (!big.id || !big.position) {
			free(big.id);
			free(big.position);
			return -1;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->id[i])
				idset_add(&big, s->id[i], s->position[i], previous);
		free(s->id);
		free(s->position);
		*s = big;
	}
	*previous = 0;
	for (size_t i = (uint64_t)id * UINT64_C(0x9E3779B97F4A7C15) % s->cap;; i = (i + 1) % s->cap) {
		if (s->id[i] == id) {
			*previous = s->position[i];
			return 0;
		}
		if (!s->id[i]) {
			s->id[i] = id;
			s->position[i] = position;
			s->n++;
			return 0;
		}
	}
}

/* "PATH: record N (id X): " before a message about one record. */
static int record_fail(const struct aba_odoo_file *f, long position, const json_t *raw,
		       struct aba_err *err)
{
	char msg[sizeof(err->msg)];
	int64_t id = 0;
	struct aba_err ignored;

	snprintf(msg, sizeof(msg), "%s", err->msg);
	if (aba_odoo_record_id(raw, &id, &ignored) == 0)
		aba_fail(err, err->code, "%s: record %ld (id %lld): %s", f->path, position,
			 (long long)id, msg);
	else
		aba_fail(err, err->code, "%s: record %ld: %s", f->path, position, msg);
	return -1;
}

int aba_odoo_file_each(const struct aba_odoo_file *f, aba_odoo_record_fn fn, void *arg,
		       struct aba_err *err)
{
	struct idset ids = { 0 };
	struct scan sc;
	json_t *raw = NULL, *rec = NULL;
	int rc = -1;

	if (open_scan(&sc, f, err))
		return -1;
	for (;;) {
		long previous;

		if (next_record(&sc, &raw, err))
			goto out;
		if (!raw)
			break;
		if (aba_odoo_record_normalize(f->model, raw, sc.position, &rec, err)) {
			record_fail(f, sc.position, raw, err);
			goto out;
		}
		if (idset_add(&ids, json_integer_value(json_object_get(rec, "id")), sc.position,
			      &previous)) {
			aba_fail(err, ABA_NOMEM, "out of memory");
			goto out;
		}
		if (previous) {
			aba_fail(err, ABA_INPUT, "id: the same id as record %ld", previous);
			record_fail(f, sc.position, raw, err);
			goto out;
		}
		if (fn(arg, rec, sc.pos, err))
			goto out;
		json_decref(raw);
		json_decref(rec);
		raw = rec = NULL;
	}
	rc = 0;
out:
	json_decref(raw);
	json_decref(rec);
	free(sc.buf);
	free(ids.id);
	free(ids.position);
	return rc;
}
