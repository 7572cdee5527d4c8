/* aba_cluster.h - the embedded PostgreSQL cluster under $ABA_HOME.
 *
 * With no database configured, aba keeps its own cluster: initdb on first
 * use, Unix socket only (no TCP), started on demand.  When aba runs as root
 * the server runs as the unprivileged 'postgres' user, which owns the data
 * and socket folders.
 */
#ifndef ABA_CLUSTER_H
#define ABA_CLUSTER_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "aba_err.h"

#define ABA_CLUSTER_DBNAME "aba"
#define ABA_CLUSTER_PORT "5432"

/* The socket path must fit sockaddr_un, so ABA_HOME is short anyway. */
#define ABA_CLUSTER_HOME_MAX 90

struct aba_cluster {
	char home[ABA_CLUSTER_HOME_MAX + 1];	/* $ABA_HOME */
	char data[128];			/* home/pgdata */
	char sockdir[128];		/* home/run */
	char logdir[128];		/* home/log */
	char bindir[256];		/* where initdb and pg_ctl live */
	char superuser[64];		/* the cluster's superuser: the invoking OS user */
	int as_service_user;		/* we are root: run the server as run_uid */
	uid_t run_uid;
	gid_t run_gid;
};

/* Fills the paths.  home NULL means $ABA_HOME, else ~/.local/share/aba. */
int aba_cluster_locate(struct aba_cluster *c, const char *home, struct aba_err *err);

int aba_cluster_is_initialized(const struct aba_cluster *c);
int aba_cluster_is_running(const struct aba_cluster *c);

/* initdb when needed, then start when not running. */
int aba_cluster_ensure(struct aba_cluster *c, struct aba_err *err);
int aba_cluster_stop(struct aba_cluster *c, struct aba_err *err);

/* Creates the aba database when missing and applies pending migrations,
 * connected as the cluster's superuser. */
int aba_cluster_prepare_database(struct aba_cluster *c, struct aba_err *err);

/* "host='…' port=5432 dbname='…'" as the superuser would use it. */
void aba_cluster_conninfo(const struct aba_cluster *c, const char *dbname,
			  char *buf, size_t size);

/* Appends key='value' to a libpq connection string, quoting as libpq wants. */
void aba_conninfo_append(char *buf, size_t size, const char *key, const char *value);

#endif
