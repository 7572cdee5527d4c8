/* aba_cluster.c - initdb, start and stop of the embedded cluster. */
#define _GNU_SOURCE
#include "aba_cluster.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "aba_db.h"
#include "aba_migrate.h"

#define SERVICE_USER "postgres"


static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* $ABA_PGBIN, else the newest of /usr/lib/postgresql/15/bin, then others. */
static int find_bindir(struct aba_cluster *c, struct aba_err *err)
{
	const char *env = getenv("ABA_PGBIN");
	char probe[PATH_MAX];
	glob_t g;

	if (env && *env) {
		snprintf(c->bindir, sizeof(c->bindir), "%s", env);
		snprintf(probe, sizeof(probe), "%s/pg_ctl", env);
		if (!is_file(probe))
			return aba_fail(err, ABA_SERVER, "ABA_PGBIN '%s' has no pg_ctl", env);
		return 0;
	}
	if (is_file("/usr/lib/postgresql/15/bin/pg_ctl")) {
		snprintf(c->bindir, sizeof(c->bindir), "/usr/lib/postgresql/15/bin");
		return 0;
	}
	if (glob("/usr/lib/postgresql/*/bin/pg_ctl", 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		snprintf(c->bindir, sizeof(c->bindir), "%s", g.gl_pathv[g.gl_pathc - 1]);
		*strrchr(c->bindir, '/') = '\0';
		globfree(&g);
		return 0;
	}
	return aba_fail(err, ABA_SERVER,
			"no PostgreSQL server found (install postgresql-15 or set ABA_PGBIN)");
}

static int locate_home(struct aba_cluster *c, const char *home, struct aba_err *err)
{
	const char *env = getenv("ABA_HOME"), *h = getenv("HOME");
	char path[PATH_MAX * 2], cwd[PATH_MAX];

	if (home && *home)
		snprintf(path, sizeof(path), "%s", home);
	else if (env && *env)
		snprintf(path, sizeof(path), "%s", env);
	else if (h && *h)
		snprintf(path, sizeof(path), "%s/.local/share/aba", h);
	else
		return aba_fail(err, ABA_INPUT, "neither ABA_HOME nor HOME is set");
	if (path[0] != '/') {
		if (!getcwd(cwd, sizeof(cwd)))
			return aba_fail(err, ABA_INPUT, "cannot resolve ABA_HOME '%.100s'", path);
		memmove(path + strlen(cwd) + 1, path, strlen(path) + 1);
		memcpy(path, cwd, strlen(cwd));
		path[strlen(cwd)] = '/';
	}
	/* The socket, home/run/.s.PGSQL.5432, must fit in sockaddr_un. */
	if (strlen(path) > ABA_CLUSTER_HOME_MAX)
		return aba_fail(err, ABA_INPUT, "ABA_HOME '%.100s' is longer than %d characters",
				path, ABA_CLUSTER_HOME_MAX);
	memcpy(c->home, path, strlen(path) + 1);
	return 0;
}

static int locate_users(struct aba_cluster *c, struct aba_err *err)
{
	struct passwd *me = getpwuid(geteuid()), *svc;

	if (!me)
		return aba_fail(err, ABA_SERVER, "cannot find the name of user %d", (int)geteuid());
	snprintf(c->superuser, sizeof(c->superuser), "%s", me->pw_name);
	c->as_service_user = geteuid() == 0;
	if (!c->as_service_user)
		return 0;
	svc = getpwnam(SERVICE_USER);
	if (!svc)
		return aba_fail(err, ABA_SERVER,
				"running as root needs the '" SERVICE_USER "' user to run the server"
				" (install postgresql-15)");
	c->run_uid = svc->pw_uid;
	c->run_gid = svc->pw_gid;
	return 0;
}

int aba_cluster_locate(struct aba_cluster *c, const char *home, struct aba_err *err)
{
	memset(c, 0, sizeof(*c));
	if (locate_home(c, home, err) || locate_users(c, err) || find_bindir(c, err))
		return -1;
	snprintf(c->data, sizeof(c->data), "%s/pgdata", c->home);
	snprintf(c->sockdir, sizeof(c->sockdir), "%s/run", c->home);
	snprintf(c->logdir, sizeof(c->logdir), "%s/log", c->home);
	return 0;
}

int aba_cluster_is_initialized(const struct aba_cluster *c)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/PG_VERSION", c->data);
	return is_file(path);
}

int aba_cluster_is_running(const struct aba_cluster *c)
{
	char conninfo[PATH_MAX + 128];

	aba_cluster_conninfo(c, "postgres", conninfo, sizeof(conninfo));
	return PQping(conninfo) == PQPING_OK;
}

void aba_conninfo_append(char *buf, size_t size, const char *key, const char *value)
{
	size_t n = strlen(buf);

	n += snprintf(buf + n, n < size ? size - n : 0, "%s%s='", n ? " " : "", key);
	for (const char *p = value; *p && n + 3 < size; p++) {
		if (*p == '\'' || *p == '\\')
			buf[n++] = '\\';
		buf[n++] = *p;
	}
	if (n + 2 <= size) {
		buf[n++] = '\'';
		buf[n] = '\0';
	}
}

void aba_cluster_conninfo(const struct aba_cluster *c, const char *dbname,
			  char *buf, size_t size)
{
	buf[0] = '\0';
	aba_conninfo_append(buf, size, "host", c->sockdir);
	aba_conninfo_append(buf, size, "port", ABA_CLUSTER_PORT);
	aba_conninfo_append(buf, size, "dbname", dbname);
	aba_conninfo_append(buf, size, "user", c->superuser);
}

/* mkdir -p, then hand the folder to the service user when we are root. */
static int make_dir(const struct aba_cluster *c, const char *path, mode_t mode, int service_owned,
		    struct aba_err *err)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return aba_fail(err, ABA_IO, "cannot create '%s': %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, mode) != 0 && errno != EEXIST)
		return aba_fail(err, ABA_IO, "cannot create '%s': %s", tmp, strerror(errno));
	if (service_owned && c->as_service_user && chown(tmp, c->run_uid, c->run_gid) != 0)
		return aba_fail(err, ABA_IO, "cannot give '%s' to " SERVICE_USER ": %s", tmp,
				strerror(errno));
	return 0;
}

/* The server, running as the service user, must be able to reach home: give
 * every ancestor that lacks it search (x, not read) permission for others. */
static int open_path_for_service(const struct aba_cluster *c, struct aba_err *err)
{
	char tmp[PATH_MAX];
	struct stat st;

	if (!c->as_service_user)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s", c->home);
	for (char *p = tmp + strlen(tmp); p > tmp; p = strrchr(tmp, '/')) {
		*p = '\0';
		if (!*tmp)
			break;
		if (stat(tmp, &st) == 0 && !(st.st_mode & S_IXOTH) &&
		    chmod(tmp, (st.st_mode & 07777) | S_IXOTH) != 0)
			return aba_fail(err, ABA_IO, "cannot let the server reach '%s': %s", tmp,
					strerror(errno));
	}
	return stat(c->home, &st) == 0 && chmod(c->home, (st.st_mode & 07777) | S_IXOTH) == 0
		? 0 : aba_fail(err, ABA_IO, "cannot open '%s' to the server", c->home);
}

/* Runs bindir/prog with args as the service user, output to logdir/log. */
static int run_tool(const struct aba_cluster *c, const char *prog, const char *const *args,
		    const char *log, struct aba_err *err)
{
	char path[PATH_MAX], logpath[PATH_MAX];
	const char *argv[16];
	int n = 0, status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", c->bindir, prog);
	snprintf(logpath, sizeof(logpath), "%s/%s", c->logdir, log);
	argv[n++] = path;
	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return aba_fail(err, ABA_SERVER, "cannot start %s: %s", prog, strerror(errno));
	if (pid == 0) {
		int fd;

		if (c->as_service_user &&
		    (setgroups(0, NULL) || setgid(c->run_gid) || setuid(c->run_uid)))
			_exit(126);
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return aba_fail(err, ABA_SERVER, "%s failed (see %s)", prog, logpath);
	return 0;
}

static int append_conf(const struct aba_cluster *c, struct aba_err *err)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/postgresql.conf", c->data);
	f = fopen(path, "a");
	if (!f)
		return aba_fail(err, ABA_IO, "cannot open '%s': %s", path, strerror(errno));
	fprintf(f, "\n# set by aba: Unix socket only, in ABA_HOME\n"
		   "listen_addresses = ''\nport = " ABA_CLUSTER_PORT "\n"
		   "unix_socket_directories = '");
	for (const char *p = c->sockdir; *p; p++) {
		if (*p == '\'')
			fputc('\'', f);	/* a quote inside a conf string is doubled */
		fputc(*p, f);
	}
	fprintf(f, "'\nunix_socket_permissions = 0700\n"
		   "timezone = 'UTC'\nlog_timezone = 'UTC'\n");
	/* A large import or demo writes a few GB: with PostgreSQL's 128 MB
	 * of buffers the backends write out evicted pages themselves, and
	 * 1 GB of WAL forces checkpoints mid-way (3 in the settlement of a
	 * million Odoo records, tests/bench/odoo_import.sh). */
	fprintf(f, "shared_buffers = 512MB\nmax_wal_size = 2GB\n");
	return fclose(f) == 0 ? 0 : aba_fail(err, ABA_IO, "cannot write '%s'", path);
}

static int initdb(struct aba_cluster *c, struct aba_err *err)
{
	char user_opt[96];
	const char *args[] = { "-D", c->data, user_opt, "--auth=trust", "--encoding=UTF8",
			       "--locale=C", NULL };

	snprintf(user_opt, sizeof(user_opt), "--username=%s", c->superuser);
	if (make_dir(c, c->data, 0700, 1, err) || run_tool(c, "initdb", args, "initdb.log", err))
		return -1;
	return append_conf(c, err);
}

static int start(struct aba_cluster *c, struct aba_err *err)
{
	char logpath[PATH_MAX];
	const char *args[] = { "start", "-D", c->data, "-l", logpath, "-w", "-t", "60", NULL };

	snprintf(logpath, sizeof(logpath), "%s/server.log", c->logdir);
	return run_tool(c, "pg_ctl", args, "pg_ctl.log", err);
}

/* Serialises initdb/start between aba processes started at the same time. */
static int lock_home(const struct aba_cluster *c, struct aba_err *err)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/.lock", c->home);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0)
		return aba_fail(err, ABA_IO, "cannot lock '%s': %s", path, strerror(errno));
	return fd;
}

int aba_cluster_ensure(struct aba_cluster *c, struct aba_err *err)
{
	int fd, rc = -1;

	if (aba_cluster_is_running(c))
		return 0;
	if (make_dir(c, c->home, 0700, 0, err) || open_path_for_service(c, err) ||
	    make_dir(c, c->sockdir, 0700, 1, err) || make_dir(c, c->logdir, 0700, 1, err))
		return -1;
	fd = lock_home(c, err);
	if (fd < 0)
		return -1;
	if (aba_cluster_is_running(c))
		rc = 0;
	else if (!aba_cluster_is_initialized(c) && initdb(c, err))
		rc = -1;
	else
		rc = start(c, err);
	close(fd);
	return rc;
}

int aba_cluster_stop(struct aba_cluster *c, struct aba_err *err)
{
	const char *args[] = { "stop", "-D", c->data, "-m", "fast", "-w", "-t", "60", NULL };

	if (!aba_cluster_is_initialized(c) || !aba_cluster_is_running(c))
		return 0;
	return run_tool(c, "pg_ctl", args, "pg_ctl.log", err);
}

static int create_database(struct aba_cluster *c, struct aba_err *err)
{
	char conninfo[PATH_MAX + 128];
	struct aba_db *db;
	PGresult *res;
	int rc;

	aba_cluster_conninfo(c, "postgres", conninfo, sizeof(conninfo));
	if (aba_db_connect(conninfo, &db, err))
		return -1;
	res = aba_db_exec(db, "CREATE DATABASE " ABA_CLUSTER_DBNAME, 0, NULL);
	rc = aba_db_accept(db, res, PGRES_COMMAND_OK, err);
	/* 42P04: another aba process created it first. */
	if (rc && err && strcmp(err->sqlstate, "42P04") == 0)
		rc = 0;
	PQclear(res);
	aba_db_free(db);
	return rc;
}

int aba_cluster_prepare_database(struct aba_cluster *c, struct aba_err *err)
{
	char conninfo[PATH_MAX + 128];
	struct aba_db *db;
	struct aba_err local;
	int rc;

	aba_cluster_conninfo(c, ABA_CLUSTER_DBNAME, conninfo, sizeof(conninfo));
	if (aba_db_connect(conninfo, &db, &local)) {
		if (create_database(c, err) || aba_db_connect(conninfo, &db, err))
			return -1;
	}
	rc = aba_migrate(db, NULL, NULL, err);
	aba_db_free(db);
	return rc;
}
