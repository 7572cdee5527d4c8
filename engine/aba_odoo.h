/* aba_odoo.h - import from Odoo search_read JSON exports, and the check
 * that the database still agrees with an export.
 *
 * An export is an array of records of one model; many2one fields are
 * [id, "display name"] or false, dates "YYYY-MM-DD HH:MM:SS" (UTC), points
 * JSON floats.  Each file is imported in one transaction (nothing of a
 * malformed file is kept; errors name the file, the record's position and
 * Odoo id, and the field).  Then the cards are settled, 500 to a
 * transaction: pending history is replayed into lots and history
 * entries, and where Odoo's history does not add up to its points the
 * difference is posted as an adjustment with origin 'odoo-import'.
 * Re-importing is an upsert keyed on Odoo ids.
 */
#ifndef ABA_ODOO_H
#define ABA_ODOO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "aba_err.h"

struct aba_db;

/* X(NAME, Odoo model) in import order: what a record refers to first. */
#define ABA_ODOO_MODELS(X) \
	X(PARTNER, "res.partner") \
	X(PROGRAM, "loyalty.program") \
	X(RULE, "loyalty.rule") \
	X(REWARD, "loyalty.reward") \
	X(CARD, "loyalty.card") \
	X(HISTORY, "loyalty.history")

#define ABA_ODOO_MODEL_ENUM(NAME, model) ABA_ODOO_##NAME,
enum aba_odoo_model { ABA_ODOO_MODELS(ABA_ODOO_MODEL_ENUM) ABA_ODOO_MODEL_COUNT };
#undef ABA_ODOO_MODEL_ENUM
#define ABA_ODOO_MODEL_AUTO (-1)

const char *aba_odoo_model_name(enum aba_odoo_model m);
/* The model named "loyalty.card" (or -1). */
int aba_odoo_model_find(const char *name);

/* One export file in memory.  model is recognised from its first record
 * unless given. */
struct aba_odoo_file {
	const char *path;
	char *text;
	size_t len;
	int model;		/* enum aba_odoo_model, or -1 for an empty export */
};

/* Reads path; model is a forced model or ABA_ODOO_MODEL_AUTO. */
int aba_odoo_file_load(const char *path, int model, struct aba_odoo_file *f,
		       struct aba_err *err);
void aba_odoo_file_free(struct aba_odoo_file *f);

/* Calls fn for each record, normalised to what the database functions
 * take: {"i": position (1-based), "id": ..., fields...} with points in
 * hundredths and times as ISO UTC.  Stops at the first bad record with an
 * error "PATH: record N (id X): FIELD: what is wrong". */
typedef int (*aba_odoo_record_fn)(void *arg, const json_t *rec, size_t offset,
				  struct aba_err *err);
int aba_odoo_file_each(const struct aba_odoo_file *f, aba_odoo_record_fn fn, void *arg,
		       struct aba_err *err);

/* Progress: bytes of the current file read, or settlement's cards. */
struct aba_odoo_progress {
	const char *what;	/* the file's path, or "settling" */
	size_t done, total;
};
typedef void (*aba_odoo_progress_fn)(void *arg, const struct aba_odoo_progress *p);

/* What importing one file did. */
struct aba_odoo_file_result {
	long records, created, updated, unchanged, kept;
};

/* Imports one file in one transaction (or, inside a transaction the
 * caller began, under a savepoint). */
int aba_odoo_import_file(struct aba_db *db, const struct aba_odoo_file *f,
			 aba_odoo_progress_fn progress, void *arg,
			 struct aba_odoo_file_result *out, struct aba_err *err);

/* What settlement did.  adjustments is a JSON array of the cards whose
 * history did not add up: {card, odoo_id, points, before, history,
 * replayed, opening, closing} (caller json_decref()s). */
struct aba_odoo_settlement {
	long cards, replayed;
	json_t *adjustments;
};

/* Programs: loyalty.program records with the loyalty.rule and
 * loyalty.reward records whose program_id names them become aba's program
 * JSON (DESIGN.md), id = the Odoo id's digits, and are stored through
 * aba_program_store_import -- the same validation, write path and audit
 * as `aba program import`.  All the program files of one command are one
 * whole: a rule or reward whose program is in none of them, or a value aba
 * cannot honour, is an error naming the file, record and field, and no
 * program is written. */

/* aba's program JSON (an array, by Odoo id) from every program, rule and
 * reward file among files; other files are skipped.  Caller json_decref()s.
 * records (may be NULL): how many program, rule and reward records. */
int aba_odoo_programs_build(const struct aba_odoo_file *files, size_t nfiles, json_t **out,
			    long records[3], struct aba_err *err);

/* What importing the program files did: the records read (programs,
 * rules, rewards), then counted in programs. */
struct aba_odoo_program_result {
	long records[3];
	long programs, created, updated, unchanged;
};

/* Builds and stores the programs in one transaction (or under a savepoint
 * in the caller's); each program file gets an odoo.import audit row. */
int aba_odoo_import_programs(struct aba_db *db, const struct aba_odoo_file *files,
			     size_t nfiles, struct aba_odoo_program_result *out,
			     struct aba_err *err);

/* One program of the exports compared with the database. */
struct aba_odoo_program_state {
	const char *id, *name;
	const char *state;	/* "equal", "different", "missing" */
	const char *fields;	/* different: the fields that differ, "rules, rewards" */
};

/* Compares each program the exports describe with the stored one, in one
 * read-only snapshot, calling fn for each; *differ is how many are not
 * equal.  Writes nothing. */
int aba_odoo_check_programs(struct aba_db *db, const struct aba_odoo_file *files,
			    size_t nfiles,
			    void (*fn)(void *arg, const struct aba_odoo_program_state *s),
			    void *arg, long *differ, struct aba_err *err);

/* Whether a file holds program, rule or reward records. */
int aba_odoo_model_is_program(int model);

/* Settles every card that needs it: runs of 500 cards, each in its own
 * transaction, two at a time on a second connection (aba_odoo_settle.c);
 * inside the caller's transaction all of them in it, one after another.
 * On failure, out says nothing, but the runs done stay settled. */
int aba_odoo_settle(struct aba_db *db, aba_odoo_progress_fn progress, void *arg,
		    struct aba_odoo_settlement *out, struct aba_err *err);

/* One difference between the export and the database. */
struct aba_odoo_discrepancy {
	int64_t odoo_id;
	char card[72];
	const char *problem;	/* "missing", "balance", "history" */
	int64_t odoo, aba;	/* points in hundredths, or history counts */
};

struct aba_odoo_check_result {
	long cards, consistent;
	struct aba_odoo_discrepancy *v;
	size_t n;
	int with_history;	/* a loyalty.history export was among the files */
};

/* Compares the cards (and history counts) of the exports with the
 * database, in one read-only snapshot; writes nothing. */
int aba_odoo_check(struct aba_db *db, const struct aba_odoo_file *files, size_t nfiles,
		   struct aba_odoo_check_result *out, struct aba_err *err);
void aba_odoo_check_clear(struct aba_odoo_check_result *r);

#endif
