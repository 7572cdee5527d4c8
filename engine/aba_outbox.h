/* aba_outbox.h - delivering the outbox: every posting's event, written in
 * the posting's transaction (sql/003 finish_posting), goes out at least
 * once, in order per card, as one JSON line:
 *
 *   {"id": 17, "card": "C0001", "topic": "order", "posting": 12,
 *    "created_at": "2026-11-22T10:00:00.123456Z", "payload": {...}}
 *
 * to a file (appended and fsync'd before the event is marked delivered)
 * or to a command (run once per event, the line on its stdin; exit 0
 * acknowledges).  A failure is retried after 2^attempts seconds; after
 * max_attempts failures the event is parked and later events of its card
 * go on.  Consumers deduplicate by id: a crash between writing and marking
 * delivers an event again.  One runner at a time per database.  With
 * exec_cmd the caller ignores SIGPIPE (a command may exit without reading).
 */
#ifndef ABA_OUTBOX_H
#define ABA_OUTBOX_H

#include <signal.h>
#include <stdint.h>

#include "aba_err.h"

struct aba_db;

struct aba_sync_opts {
	const char *to_file;		/* append JSON lines here, or */
	const char *exec_cmd;		/* run this per event (sh -c), or stdout */
	int once;			/* deliver what is due, then return */
	int max_attempts;		/* park after this many failures (default 10) */
	int batch;			/* events per round trip (default 500) */
	volatile sig_atomic_t *stop;	/* set from a signal handler to stop */
	void (*log)(void *arg, const char *line);	/* failures, parking (may be NULL) */
	void *arg;
};

struct aba_sync_totals {
	int64_t delivered, failed, parked;
};

/* Runs until *stop (or, with once, until nothing is due). */
int aba_sync_run(struct aba_db *db, const struct aba_sync_opts *o, struct aba_sync_totals *out,
		 struct aba_err *err);

struct aba_outbox_status {
	int64_t pending, failing, parked, delivered;
	int64_t oldest_pending_seconds;	/* -1 when nothing is pending */
	int64_t next_attempt_seconds;
};

int aba_outbox_status(struct aba_db *db, struct aba_outbox_status *out, struct aba_err *err);

/* Puts parked events back to pending; *n how many. */
int aba_outbox_retry_parked(struct aba_db *db, int64_t *n, struct aba_err *err);

#endif
