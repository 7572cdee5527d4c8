/* aba_program_store.h - programs kept in the database (sql/010_programs.sql).
 *
 * Each program is stored whole, as the JSON aba_program_set_parse reads,
 * next to the columns lists and filters need.  The engine loads every
 * active program in one query; imports go through aba.program_import(),
 * the only write path, which an admin may call.
 */
#ifndef ABA_PROGRAM_STORE_H
#define ABA_PROGRAM_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "aba_db.h"
#include "aba_err.h"
#include "aba_program.h"

struct aba_program_row {
	const char *id, *name, *program_type, *trigger, *stacking;
	int64_t sequence;
	int active;
	const char *date_from, *date_to;	/* "" when open */
	const char *updated_at;
};

/* Every active program, in sequence order, parsed. */
int aba_program_store_load(struct aba_db *db, struct aba_program_set **out,
			   struct aba_err *err);

/* Checks programs (an array or one object) with the parser, then inserts or
 * replaces them all in one transaction.  *count is how many. */
int aba_program_store_import(struct aba_db *db, const json_t *programs, size_t *count,
			     struct aba_err *err);

/* Calls fn for each stored program (active or not), by sequence then id. */
int aba_program_store_list(struct aba_db *db,
			   void (*fn)(void *arg, const struct aba_program_row *row),
			   void *arg, struct aba_err *err);

/* The stored JSON of one program (caller json_decref()s). */
int aba_program_store_get(struct aba_db *db, const char *id, json_t **out,
			  struct aba_err *err);

#endif
