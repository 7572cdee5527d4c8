/* aba_outbox.c - aba sync: LISTEN, deliver due events, mark, back off. */
#include "aba_outbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aba_db.h"

static const char SQL_LOCK[] = "SELECT pg_try_advisory_lock(hashtext('aba.sync'))";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock(hashtext('aba.sync'))";
static const char SQL_DUE[] =
	"SELECT id, card, topic, posting_id, created_at, attempts, payload"
	"  FROM aba.outbox_due($1::integer)";
static const char SQL_DELIVERED[] = "SELECT aba.outbox_delivered($1::bigint[])";
static const char SQL_FAILED[] = "SELECT aba.outbox_failed($1::bigint, $2, $3::integer)";
static const char SQL_STATUS[] =
	"SELECT pending, failing, parked, delivered, coalesce(oldest_pending_seconds, -1),"
	"       coalesce(next_attempt_seconds, 0) FROM aba.outbox_status()";
static const char SQL_RETRY[] = "SELECT aba.outbox_retry_parked()";

/* Wait at most this long for a NOTIFY before looking again anyway. */
#define IDLE_WAIT_S 5

struct sink {
	const struct aba_sync_opts *o;
	int fd;			/* file or stdout; -1 for exec */
};

/* The event as one JSON line (caller frees).  Card codes and topics are
 * plain identifiers and the payload is JSON from jsonb, so no escaping is
 * needed beyond what the database already did. */
static char *event_line(PGresult *res, int i)
{
	const char *fmt = "{\"id\": %s, \"card\": \"%s\", \"topic\": \"%s\", \"posting\": %s,"
			  " \"created_at\": \"%s\", \"payload\": %s}\n";
	size_t n = strlen(fmt) + 64;
	char *line;

	for (int c = 0; c < 7; c++)
		n += (size_t)PQgetlength(res, i, c);
	if ((line = malloc(n)))
		snprintf(line, n, fmt, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
			 PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
			 PQgetvalue(res, i, 6));
	return line;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Runs the command with the line on stdin; 0 when it exits 0. */
static int run_command(const char *cmd, const char *line, char *why, size_t size)
{
	FILE *p = popen(cmd, "w");
	int st;

	if (!p) {
		snprintf(why, size, "cannot run the command: %s", strerror(errno));
		return -1;
	}
	fputs(line, p);
	st = pclose(p);
	if (st == 0)
		return 0;
	if (st != -1 && WIFEXITED(st))
		snprintf(why, size, "the command exited with status %d", WEXITSTATUS(st));
	else
		snprintf(why, size, "the command failed");
	return -1;
}

static int mark_failed(struct aba_db *db, const struct sink *s, const char *id, const char *why,
		       struct aba_sync_totals *t, struct aba_err *err)
{
	char max[16], msg[400];
	const char *params[3] = { id, why, max };
	PGresult *res = NULL;
	int parked;

	snprintf(max, sizeof(max), "%d", s->o->max_attempts > 0 ? s->o->max_attempts : 10);
	if (aba_db_call(db, SQL_FAILED, 3, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	parked = strcmp(PQgetvalue(res, 0, 0), "parked") == 0;
	PQclear(res);
	t->failed++;
	t->parked += parked;
	if (s->o->log) {
		snprintf(msg, sizeof(msg), "event %s: %.200s%s", id, why,
			 parked ? "; parked" : "; will retry");
		s->o->log(s->o->arg, msg);
	}
	return 0;
}

static int mark_delivered(struct aba_db *db, const char *ids, struct aba_err *err)
{
	const char *params[1] = { ids };
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_DELIVERED, 1, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	PQclear(res);
	return 0;
}

/* Whether an earlier event of this card failed in this batch: then its
 * later events wait, so that each card's events arrive in order. */
static int card_blocked(PGresult *res, int upto, const char *card, const char *failed)
{
	for (int j = 0; j < upto; j++)
		if (failed[j] && strcmp(PQgetvalue(res, j, 1), card) == 0)
			return 1;
	return 0;
}

/* Delivers one batch.  *handled: events delivered or failed (0: none due). */
static int deliver_batch(struct aba_db *db, const struct sink *s, PGresult *res,
			 struct aba_sync_totals *t, int *handled, struct aba_err *err)
{
	int n = PQntuples(res), rc = -1;
	char *failed = calloc((size_t)n + 1, 1), *ids = malloc((size_t)n * 21 + 3), why[300];
	size_t len = 1;

	if (!failed || !ids) {
		aba_fail(err, ABA_NOMEM, "out of memory");
		goto out;
	}
	ids[0] = '{';
	*handled = 0;
	for (int i = 0; i < n; i++) {
		char *line;
		int ok;

		if (card_blocked(res, i, PQgetvalue(res, i, 1), failed))
			continue;
		if (!(line = event_line(res, i))) {
			aba_fail(err, ABA_NOMEM, "out of memory");
			goto out;
		}
		if (s->fd >= 0) {
			ok = write_all(s->fd, line, strlen(line)) == 0;
			if (!ok)
				snprintf(why, sizeof(why), "cannot write: %s", strerror(errno));
		} else {
			ok = run_command(s->o->exec_cmd, line, why, sizeof(why)) == 0;
		}
		free(line);
		if (!ok && s->fd >= 0) {
			aba_fail(err, ABA_IO, "event %s: %s", PQgetvalue(res, i, 0), why);
			goto out;
		}
		(*handled)++;
		if (!ok) {
			failed[i] = 1;
			if (mark_failed(db, s, PQgetvalue(res, i, 0), why, t, err))
				goto out;
			continue;
		}
		len += (size_t)sprintf(ids + len, "%s%s", len > 1 ? "," : "", PQgetvalue(res, i, 0));
		t->delivered++;
	}
	strcpy(ids + len, "}");
	/* Durable at the consumer before it is marked delivered: at least once.
	 * (EINVAL: a device or pipe, which has nothing to sync.) */
	if (s->fd >= 0 && s->fd != 1 && fsync(s->fd) != 0 && errno != EINVAL) {
		aba_fail(err, ABA_IO, "cannot sync the output file: %s", strerror(errno));
		goto out;
	}
	rc = len > 1 ? mark_delivered(db, ids, err) : 0;
out:
	free(failed);
	free(ids);
	return rc;
}

static int round_trip(struct aba_db *db, const struct sink *s, struct aba_sync_totals *t,
		      int *handled, struct aba_err *err)
{
	char limit[16];
	const char *params[1] = { limit };
	PGresult *res = NULL;
	int rc;

	snprintf(limit, sizeof(limit), "%d", s->o->batch > 0 ? s->o->batch : 500);
	if (aba_db_call(db, SQL_DUE, 1, params, PGRES_TUPLES_OK, &res, err))
		return -1;
	rc = deliver_batch(db, s, res, t, handled, err);
	PQclear(res);
	return rc;
}

/* Sleeps until a NOTIFY arrives, seconds pass or *stop is set. */
static int wait_notify(struct aba_db *db, int seconds, volatile sig_atomic_t *stop,
		       struct aba_err *err)
{
	int sock = PQsocket(db->conn);
	struct timeval tv = { seconds, 0 };
	PGnotify *n;
	fd_set fds;

	FD_ZERO(&fds);
	FD_SET(sock, &fds);
	if (select(sock + 1, &fds, NULL, NULL, &tv) < 0 && errno != EINTR)
		return aba_fail(err, ABA_CONNECTION, "waiting for events: %s", strerror(errno));
	if (stop && *stop)
		return 0;
	if (!PQconsumeInput(db->conn))
		return aba_fail(err, ABA_CONNECTION, "lost the connection to the database");
	while ((n = PQnotifies(db->conn)))
		PQfreemem(n);
	return 0;
}

static int take_lock(struct aba_db *db, struct aba_err *err)
{
	PGresult *res = NULL;
	int got;

	if (aba_db_call(db, SQL_LOCK, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	got = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return got ? 0 : aba_fail(err, ABA_CONFLICT,
				  "another aba sync run is delivering this database's outbox");
}

static int next_wait(struct aba_db *db)
{
	struct aba_outbox_status st;

	if (aba_outbox_status(db, &st, NULL) || st.pending == 0)
		return IDLE_WAIT_S;
	return st.next_attempt_seconds < 1 ? 1
	       : st.next_attempt_seconds < IDLE_WAIT_S ? (int)st.next_attempt_seconds : IDLE_WAIT_S;
}

static int run_loop(struct aba_db *db, const struct sink *s, struct aba_sync_totals *t,
		    struct aba_err *err)
{
	const struct aba_sync_opts *o = s->o;
	int handled;

	for (;;) {
		if (o->stop && *o->stop)
			return 0;
		if (round_trip(db, s, t, &handled, err))
			return -1;
		if (handled > 0)
			continue;
		if (o->once)
			return 0;
		if (wait_notify(db, next_wait(db), o->stop, err))
			return -1;
	}
}

int aba_sync_run(struct aba_db *db, const struct aba_sync_opts *o, struct aba_sync_totals *out,
		 struct aba_err *err)
{
	struct sink s = { o, 1 };
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (o->to_file && o->exec_cmd)
		return aba_fail(err, ABA_INPUT, "deliver to a file or to a command, not both");
	if (take_lock(db, err))
		return -1;
	if (o->exec_cmd) {
		s.fd = -1;
	} else if (o->to_file) {
		s.fd = open(o->to_file, O_WRONLY | O_CREAT | O_APPEND, 0640);
		if (s.fd < 0)
			rc = aba_fail(err, ABA_IO, "cannot open '%.100s': %s", o->to_file,
				      strerror(errno));
	}
	/* LISTEN first, so that no event posted meanwhile goes unnoticed. */
	if (rc == 0)
		rc = aba_db_command(db, "LISTEN aba_outbox", 0, NULL, err);
	if (rc == 0)
		rc = run_loop(db, &s, out, err);
	if (o->to_file && s.fd >= 0)
		close(s.fd);
	PQclear(PQexec(db->conn, "UNLISTEN aba_outbox"));
	PQclear(PQexec(db->conn, SQL_UNLOCK));
	return rc;
}

int aba_outbox_status(struct aba_db *db, struct aba_outbox_status *out, struct aba_err *err)
{
	PGresult *res = NULL;

	memset(out, 0, sizeof(*out));
	if (aba_db_call(db, SQL_STATUS, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	out->pending = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	out->failing = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	out->parked = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	out->delivered = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
	out->oldest_pending_seconds = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	out->next_attempt_seconds = strtoll(PQgetvalue(res, 0, 5), NULL, 10);
	PQclear(res);
	return 0;
}

int aba_outbox_retry_parked(struct aba_db *db, int64_t *n, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, SQL_RETRY, 0, NULL, PGRES_TUPLES_OK, &res, err))
		return -1;
	*n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}
