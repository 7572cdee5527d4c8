/* aba_migrate.h - the numbered migrations of sql/, carried in the binary.
 *
 * Each migration runs in its own transaction and is recorded in
 * aba.schema_migrations with an md5 of its text; one applied already is
 * skipped, so migrating twice changes nothing.  A session advisory lock
 * keeps two migrators apart.
 */
#ifndef ABA_MIGRATE_H
#define ABA_MIGRATE_H

#include "aba_err.h"

struct aba_db;

struct aba_migration {
	const char *name;	/* "002_ledger_schema.sql" */
	const char *sql;
};

extern const struct aba_migration aba_migrations[];
extern const int aba_migrations_count;

/* Called before each migration that is applied. */
typedef void (*aba_migrate_progress)(void *arg, const char *name);

/* Applies the pending migrations; *applied (may be NULL) counts them. */
int aba_migrate(struct aba_db *db, aba_migrate_progress progress, void *arg,
		struct aba_err *err);

struct aba_migrate_status {
	int applied;		/* rows in aba.schema_migrations */
	int available;		/* migrations in this binary */
	int changed;		/* applied ones whose text differs from this binary's */
	char latest[64];	/* name of the last applied one, "" if none */
};

int aba_migrate_status(struct aba_db *db, struct aba_migrate_status *st, struct aba_err *err);

#endif
