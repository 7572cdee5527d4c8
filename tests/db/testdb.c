/* testdb.c - databases for database tests. */
#include "testdb.h"

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aba_cluster.h"
#include "aba_migrate.h"

static void conninfo(const char *dbname, const char *user, char *buf, size_t size)
{
	struct aba_cluster c;
	struct aba_err err;
	const char *home = getenv("ABA_TEST_HOME");

	ck_assert_msg(home && *home, "ABA_TEST_HOME is not set: run the tests through ctest");
	ck_assert_msg(aba_cluster_locate(&c, home, &err) == 0, "%s", err.msg);
	aba_cluster_conninfo(&c, dbname, buf, size);
	if (user)
		aba_conninfo_append(buf, size, "user", user);
}

static struct aba_db *connect_or_die(const char *dbname, const char *user)
{
	char ci[2048];
	struct aba_db *db;
	struct aba_err err;

	conninfo(dbname, user, ci, sizeof(ci));
	ck_assert_msg(aba_db_connect(ci, &db, &err) == 0, "%s", err.msg);
	return db;
}

static void exec_ok(struct aba_db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	struct aba_err err;

	ck_assert_msg(aba_db_accept(db, res, PQresultStatus(res) == PGRES_TUPLES_OK
				    ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, &err) == 0,
		      "%s: %s", sql, err.msg);
	PQclear(res);
}

struct aba_db *testdb_create(const char *name)
{
	struct aba_db *admin = connect_or_die("postgres", NULL), *db;
	char sql[256];
	struct aba_err err;

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	exec_ok(admin, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	exec_ok(admin, sql);
	aba_db_free(admin);
	db = connect_or_die(name, NULL);
	ck_assert_msg(aba_migrate(db, NULL, NULL, &err) == 0, "%s", err.msg);
	return db;
}

struct aba_db *testdb_connect(const char *name, const char *login, const char *group)
{
	struct aba_db *db;
	char sql[512];

	if (!login)
		return connect_or_die(name, NULL);
	db = connect_or_die(name, NULL);
	snprintf(sql, sizeof(sql),
		 "DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '%s') THEN "
		 "CREATE ROLE %s LOGIN; END IF; END$$; GRANT %s TO %s",
		 login, login, group, login);
	exec_ok(db, sql);
	aba_db_free(db);
	return connect_or_die(name, login);
}

long long testdb_value(struct aba_db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	struct aba_err err;
	long long v = 0;

	ck_assert_msg(aba_db_accept(db, res, PGRES_TUPLES_OK, &err) == 0, "%s: %s", sql, err.msg);
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

const char *testdb_fails(struct aba_db *db, const char *sql)
{
	static char state[6];
	PGresult *res = PQexec(db->conn, sql);
	const char *s;

	ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR, "'%s' should have failed", sql);
	s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	snprintf(state, sizeof(state), "%s", s ? s : "");
	PQclear(res);
	return state;
}

/* The scratch directory of this process, and which process made it: Check
 * runs each test in a child that inherits the exit handler, and a child
 * must not remove its parent's directory. */
static char scratch[PATH_MAX];
static pid_t scratch_owner;
static int scratch_kept;

/* The tests write files straight into it, never directories. */
static void remove_scratch(void)
{
	char path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;

	if (scratch_owner != getpid() || scratch_kept || !(d = opendir(scratch)))
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
			unlink(path);
		}
	closedir(d);
	rmdir(scratch);
}

const char *testdb_scratch_dir(const char *what)
{
	if (scratch_owner == getpid())
		return scratch;	/* CK_NOFORK: the tests of a process share it */
	snprintf(scratch, sizeof(scratch), "/tmp/aba-test-%s-XXXXXX", what);
	ck_assert_msg(mkdtemp(scratch) != NULL, "cannot make %s", scratch);
	if (scratch_owner == 0)
		atexit(remove_scratch);
	scratch_owner = getpid();
	return scratch;
}

void testdb_scratch_keep(void)
{
	scratch_kept = 1;
}
