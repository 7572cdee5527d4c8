/* stress.h - what the stress harness's parts share: the run's settings,
 * the client-side log of every operation, and the workers. */
#ifndef ABA_STRESS_H
#define ABA_STRESS_H

#include <stdatomic.h>
#include <stdint.h>

#include "aba_cluster.h"
#include "model.h"

struct aba_db;
struct aba_program_set;

enum op_kind { OP_EARN, OP_REDEEM, OP_ORDER, OP_REFUND, OP_ADJUST };
/* UNKNOWN: every retry lost its connection, so the client cannot tell
 * whether it committed; the checker accepts it either way, once. */
enum op_state { OP_ACKED, OP_REFUSED, OP_UNKNOWN };

/* One operation as the client sent it and what it heard back. */
struct op {
	char key[48];		/* idempotency key; "approval:ID" for adjustments */
	enum op_kind kind;
	enum op_state state;
	int card;
	int64_t points;		/* earn, redeem, adjust (signed); order: points to spend */
	int64_t at;		/* seconds; 0 for adjustments (the server dates them) */
	int days;		/* earn: validity */
	int64_t posting;
	/* orders: what the client computed on its own */
	int qty;
	int64_t price, net, earned;
	int64_t refunded;	/* money refunded so far, as acknowledged */
	int dead;		/* a refund of it ended unknown: no more refunds */
	/* refunds */
	char order[48];		/* the order's ref */
	int order_at;		/* the order's index in the worker's log */
	int64_t amount;		/* money; -1 = the whole rest */
	/* the checker's running state */
	int seen;
	int64_t ck_refunded, ck_reversed, ck_restored;
	struct model_use *uses;	/* the lots the order's redemption took from */
	int nuses;
};

struct worker {
	int id;
	unsigned seed;
	struct op *ops;
	int nops;
	long replays, refused, unknown, failed, expires;
	long by_kind[5];	/* acknowledged new operations by kind */
	int retries, reconnects;
	char error[400];
	struct aba_db *db, *maker, *checker;
};

struct stress_cfg {
	int connections, ops, cards, crashes, client_kills;
	unsigned seed;
	const char *aba, *dbname;
	struct aba_cluster cluster;
	char conninfo[1024];
	atomic_int workers_done;
	/* operations finished across all workers: the killer crashes the
	 * server by this, not by the clock, so the crashes spread over the
	 * run however fast the machine is */
	atomic_long ops_done;
	int crashes_done;
	int restarts_verified;	/* restarts after which the invariants were checked */
	long restart_problems;	/* broken invariants or half-written postings seen then */
	struct aba_program_set *programs;
};

extern struct stress_cfg cfg;

/* Points validity of orders, and the validity of adjustment credits the
 * harness configures. */
#define STRESS_ORDER_VALIDITY 30
#define STRESS_ADJUST_VALIDITY 365

void stress_die(const char *what, const char *msg);
void stress_code(int card, char *buf);
/* A connection to the stress database, as user (NULL: the superuser). */
struct aba_db *stress_connect(const char *user);

/* ops.c: the programs orders go through, and one worker's run. */
void stress_programs(void);
void *stress_run_worker(void *arg);

/* checker.c: the ledger-wide invariants (returns how many are broken) and
 * the history checker (returns the mismatches). */
long stress_check_ledger(void);
long stress_check_history(struct worker *w);

#endif
