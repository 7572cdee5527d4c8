/* testdb.h - a fresh, migrated database on the ctest run's throwaway
 * cluster ($ABA_TEST_HOME), and connections to it as chosen roles. */
#ifndef ABA_TESTDB_H
#define ABA_TESTDB_H

#include "aba_db.h"

/* Drops and recreates database `name`, applies every migration and
 * returns a superuser connection to it. */
struct aba_db *testdb_create(const char *name);

/* Connects to database `name` as the superuser (role NULL) or as a login
 * role `login` made a member of group role `group` (created when missing). */
struct aba_db *testdb_connect(const char *name, const char *login, const char *group);

/* Runs SQL that must succeed; returns the first column of the first row
 * as a number (0 when there is none). */
long long testdb_value(struct aba_db *db, const char *sql);

/* Makes an empty directory /tmp/aba-test-WHAT-XXXXXX for a test's files
 * and returns its path; it is removed with what it holds when the process
 * that made it exits.  A process asking again gets the same directory. */
const char *testdb_scratch_dir(const char *what);

/* Leaves the scratch directory behind: a failure message names its files. */
void testdb_scratch_keep(void);

/* Runs SQL that must fail; returns its SQLSTATE in a static buffer. */
const char *testdb_fails(struct aba_db *db, const char *sql);

#endif
