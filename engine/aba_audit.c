/* aba_audit.c - reading and verifying the audit chain. */
#include "aba_audit.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "aba_db.h"
#include "aba_time.h"

#define ROW_COLUMNS \
	"id, at, actor, action, entity, entity_id, before, after, reason, prev_hash, hash"
#define FETCH_ROWS "1000"

static const char SQL_LOG[] =
	"DECLARE aba_audit_cursor NO SCROLL CURSOR FOR SELECT " ROW_COLUMNS
	" FROM aba.audit_rows"
	" WHERE ($1::text IS NULL OR actor = $1)"
	"   AND ($2::text IS NULL OR action = $2 OR starts_with(action, $2 || '.'))"
	"   AND ($3::text IS NULL OR entity = $3)"
	"   AND ($4::timestamptz IS NULL OR at_ts >= $4)"
	"   AND ($5::timestamptz IS NULL OR at_ts < $5)"
	" ORDER BY id LIMIT $6::bigint";
static const char SQL_ALL[] =
	"DECLARE aba_audit_cursor NO SCROLL CURSOR FOR SELECT " ROW_COLUMNS
	" FROM aba.audit_rows ORDER BY id";
static const char SQL_FETCH[] = "FETCH " FETCH_ROWS " FROM aba_audit_cursor";

static const char *const field_names[] = {
	"id", "at", "actor", "action", "entity", "entity_id", "before", "after", "reason",
	"prev_hash", "hash",
};

int aba_audit_is_hash(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	return strspn(s, "0123456789abcdef") == 64;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* One canonical field: "~" for NULL, otherwise "<bytes>:<text>". */
static void digest_field(EVP_MD_CTX *md, const char *v, int last)
{
	char len[24];

	if (!v) {
		EVP_DigestUpdate(md, "~", 1);
	} else {
		snprintf(len, sizeof(len), "%zu:", strlen(v));
		EVP_DigestUpdate(md, len, strlen(len));
		EVP_DigestUpdate(md, v, strlen(v));
	}
	if (!last)
		EVP_DigestUpdate(md, "|", 1);
}

/* sha256(prev || canonical row), as sql/030_audit.sql computes it. */
static int row_hash(const unsigned char prev[32], const struct aba_audit_row *r,
		    unsigned char out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char id[24];
	unsigned int n = 0;
	int ok;

	if (!md)
		return -1;
	snprintf(id, sizeof(id), "%" PRId64, r->id);
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) && EVP_DigestUpdate(md, prev, 32);
	if (ok) {
		const char *fields[] = { id, r->at, r->actor, r->action, r->entity, r->entity_id,
					 r->before, r->after, r->reason };

		for (size_t i = 0; i < 9; i++)
			digest_field(md, fields[i], i == 8);
		ok = EVP_DigestFinal_ex(md, out, &n) && n == 32;
	}
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

void aba_audit_check_init(struct aba_audit_check *c, const char *want_head)
{
	memset(c, 0, sizeof(*c));
	c->next_id = 1;
	if (want_head)
		snprintf(c->want_head, sizeof(c->want_head), "%s", want_head);
}

static int broken(struct aba_audit_check *c, int64_t id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int broken(struct aba_audit_check *c, int64_t id, const char *fmt, ...)
{
	va_list ap;

	c->broken_id = id;
	va_start(ap, fmt);
	vsnprintf(c->problem, sizeof(c->problem), fmt, ap);
	va_end(ap);
	return -1;
}

int aba_audit_check_row(struct aba_audit_check *c, const struct aba_audit_row *r)
{
	unsigned char h[32];
	char prev_hex[ABA_AUDIT_HEX], hex[ABA_AUDIT_HEX];

	if (c->broken_id)
		return -1;
	if (r->id != c->next_id)
		return broken(c, r->id, "row %" PRId64 " follows row %" PRId64
			      ": rows are missing or out of order", r->id, c->next_id - 1);
	to_hex(c->prev, 32, prev_hex);
	if (!r->prev_hash || strcmp(r->prev_hash, prev_hex) != 0)
		return broken(c, r->id, "row %" PRId64 " does not follow the hash of the row before it",
			      r->id);
	if (row_hash(c->prev, r, h))
		return broken(c, r->id, "cannot compute the hash of row %" PRId64, r->id);
	to_hex(h, 32, hex);
	if (!r->hash || strcmp(r->hash, hex) != 0)
		return broken(c, r->id, "row %" PRId64 " was changed after it was written"
			      " (its content does not match its hash)", r->id);
	memcpy(c->prev, h, 32);
	memcpy(c->head, hex, sizeof(hex));
	if (c->want_head[0] && !c->want_head_at && strcmp(hex, c->want_head) == 0)
		c->want_head_at = r->id;
	c->rows++;
	c->next_id++;
	return 0;
}

int aba_audit_check_end(struct aba_audit_check *c)
{
	if (c->broken_id)
		return -1;
	if (c->want_head[0] && !c->want_head_at) {
		snprintf(c->problem, sizeof(c->problem),
			 "head %.16s… is not in the chain of %" PRId64 " rows: rows were removed"
			 " from its end, or the head is from another log", c->want_head, c->rows);
		c->broken_id = c->next_id;
		return -1;
	}
	return 0;
}

static const char *field(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static void row_of(const PGresult *res, int i, struct aba_audit_row *r)
{
	r->id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
	r->at = field(res, i, 1);
	r->actor = field(res, i, 2);
	r->action = field(res, i, 3);
	r->entity = field(res, i, 4);
	r->entity_id = field(res, i, 5);
	r->before = field(res, i, 6);
	r->after = field(res, i, 7);
	r->reason = field(res, i, 8);
	r->prev_hash = field(res, i, 9);
	r->hash = field(res, i, 10);
}

/* Runs the DECLARE in a read-only snapshot and feeds every row to fn,
 * a thousand at a time, so a long log never sits in memory whole. */
static int each_row(struct aba_db *db, const char *declare, int n, const char *const *params,
		    aba_audit_row_fn fn, void *arg, struct aba_err *err)
{
	PGresult *res = NULL;
	int stop = 0, rows;

	if (aba_db_begin_snapshot(db, err))
		return -1;
	if (aba_db_call(db, declare, n, params, PGRES_COMMAND_OK, &res, err))
		goto fail;
	PQclear(res);
	do {
		if (aba_db_call(db, SQL_FETCH, 0, NULL, PGRES_TUPLES_OK, &res, err))
			goto fail;
		rows = PQntuples(res);
		for (int i = 0; i < rows && !stop; i++) {
			struct aba_audit_row r;

			row_of(res, i, &r);
			stop = fn(arg, &r);
		}
		PQclear(res);
	} while (rows > 0 && !stop);
	return aba_db_end_snapshot(db, err);
fail:
	aba_db_end_snapshot(db, NULL);
	return -1;
}

int aba_audit_log(struct aba_db *db, const struct aba_audit_filter *f, aba_audit_row_fn fn,
		  void *arg, struct aba_err *err)
{
	char since[ABA_TIME_BUFSZ], until[ABA_TIME_BUFSZ], limit[24];
	const char *params[6] = { f->actor, f->action, f->entity, NULL, NULL, NULL };

	if (aba_time_canonical(f->since, "--since", since, &params[3], err) ||
	    aba_time_canonical(f->until, "--until", until, &params[4], err))
		return -1;
	if (f->limit < 0)
		return aba_fail(err, ABA_INPUT, "limit must not be negative");
	if (f->limit > 0) {
		snprintf(limit, sizeof(limit), "%ld", f->limit);
		params[5] = limit;
	}
	return each_row(db, SQL_LOG, 6, params, fn, arg, err);
}

static int check_fn(void *arg, const struct aba_audit_row *r)
{
	return aba_audit_check_row(arg, r) ? 1 : 0;
}

static int want_head_ok(const char *want_head, struct aba_err *err)
{
	if (want_head && !aba_audit_is_hash(want_head))
		return aba_fail(err, ABA_INPUT, "head '%.70s' is not 64 lowercase hex digits", want_head);
	return 0;
}

int aba_audit_verify(struct aba_db *db, const char *want_head, struct aba_audit_check *out,
		     struct aba_err *err)
{
	if (want_head_ok(want_head, err))
		return -1;
	aba_audit_check_init(out, want_head);
	if (each_row(db, SQL_ALL, 0, NULL, check_fn, out, err))
		return -1;
	aba_audit_check_end(out);
	return 0;
}

/* ---- export ---------------------------------------------------------- */

struct export_state {
	FILE *f;
	struct aba_audit_check check;
	int failed;
};

static json_t *json_text(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int export_fn(void *arg, const struct aba_audit_row *r)
{
	struct export_state *st = arg;
	const char *vals[] = { NULL, r->at, r->actor, r->action, r->entity, r->entity_id,
			       r->before, r->after, r->reason, r->prev_hash, r->hash };
	json_t *o = json_object();
	char *line;

	json_object_set_new(o, "id", json_integer(r->id));
	for (size_t i = 1; i < sizeof(vals) / sizeof(vals[0]); i++)
		json_object_set_new(o, field_names[i], json_text(vals[i]));
	line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!line || fprintf(st->f, "%s\n", line) < 0)
		st->failed = 1;
	free(line);
	/* The export vouches for what it wrote: a broken chain is not exported. */
	if (aba_audit_check_row(&st->check, r))
		st->failed = 2;
	return st->failed;
}

static int export_trailer(struct export_state *st)
{
	json_t *o = json_pack("{s:s, s:I}", "head", st->check.head, "rows",
			      (json_int_t)st->check.rows);
	char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int rc = line && fprintf(st->f, "%s\n", line) >= 0 ? 0 : -1;

	free(line);
	json_decref(o);
	return rc;
}

int aba_audit_export(struct aba_db *db, const char *path, struct aba_audit_check *out,
		     struct aba_err *err)
{
	struct export_state st = { 0 };
	char tmp[4096];
	int rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return aba_fail(err, ABA_INPUT, "file name is too long");
	if (!(st.f = fopen(tmp, "w")))
		return aba_fail(err, ABA_IO, "cannot write '%.200s': %s", tmp, strerror(errno));
	aba_audit_check_init(&st.check, NULL);
	if (each_row(db, SQL_ALL, 0, NULL, export_fn, &st, err))
		goto out;
	if (st.failed == 2) {
		aba_fail(err, ABA_CHECK_FAILED, "not exported: %s", st.check.problem);
		goto out;
	}
	if (st.failed || export_trailer(&st) || fflush(st.f) != 0) {
		aba_fail(err, ABA_IO, "cannot write '%.200s': %s", tmp, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fclose(st.f) != 0 && rc == 0)
		rc = aba_fail(err, ABA_IO, "cannot write '%.200s': %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = aba_fail(err, ABA_IO, "cannot write '%.200s': %s", path, strerror(errno));
	if (rc != 0)
		remove(tmp);
	else if (out)
		*out = st.check;
	return rc;
}

/* ---- offline verification -------------------------------------------- */

/* A string field or NULL; -1 when present with another type. */
static int opt_string(json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	return 0;
}

static int file_row(json_t *o, struct aba_audit_row *r)
{
	const char **dst[] = { NULL, &r->at, &r->actor, &r->action, &r->entity, &r->entity_id,
			       &r->before, &r->after, &r->reason, &r->prev_hash, &r->hash };
	json_t *id = json_object_get(o, "id");

	if (!json_is_integer(id))
		return -1;
	r->id = json_integer_value(id);
	for (size_t i = 1; i < sizeof(dst) / sizeof(dst[0]); i++)
		if (opt_string(o, field_names[i], dst[i]))
			return -1;
	return 0;
}

/* The trailer must name the head and the count the rows gave. */
static void check_trailer(struct aba_audit_check *c, json_t *o, long lineno)
{
	const char *head = json_string_value(json_object_get(o, "head"));
	json_t *rows = json_object_get(o, "rows");

	if (!head || strcmp(head, c->head) != 0 || !json_is_integer(rows) ||
	    json_integer_value(rows) != c->rows)
		broken(c, c->next_id, "line %ld: the head line does not match the %" PRId64
		       " rows before it", lineno, c->rows);
}

static int read_lines(FILE *f, struct aba_audit_check *c, struct aba_err *err)
{
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int trailer = 0;

	while (getline(&line, &cap, f) != -1 && !c->broken_id) {
		json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
		struct aba_audit_row r;

		lineno++;
		if (!json_is_object(o))
			broken(c, c->next_id, "line %ld is not a JSON object", lineno);
		else if (trailer)
			broken(c, c->next_id, "line %ld follows the head line", lineno);
		else if (json_object_get(o, "head")) {
			trailer = 1;
			check_trailer(c, o, lineno);
		} else if (file_row(o, &r))
			broken(c, c->next_id, "line %ld is not an audit row", lineno);
		else
			aba_audit_check_row(c, &r);
		json_decref(o);
	}
	free(line);
	if (ferror(f))
		return aba_fail(err, ABA_IO, "cannot read the file: %s", strerror(errno));
	if (!c->broken_id && !trailer)
		broken(c, c->next_id, "the file ends without its head line: it is incomplete");
	return 0;
}

int aba_audit_verify_file(const char *path, const char *want_head, struct aba_audit_check *out,
			  struct aba_err *err)
{
	FILE *f;
	int rc;

	if (want_head_ok(want_head, err))
		return -1;
	if (!(f = fopen(path, "r")))
		return aba_fail(err, ABA_IO, "cannot read '%.200s': %s", path, strerror(errno));
	aba_audit_check_init(out, want_head);
	rc = read_lines(f, out, err);
	fclose(f);
	if (rc == 0)
		aba_audit_check_end(out);
	return rc;
}
