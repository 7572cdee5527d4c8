/* stress.c - many connections posting at random over many cards with hot
 * spots, optionally while the server is killed (SIGKILL) and restarted,
 * and while aba client processes are killed mid-posting.  Afterwards:
 * aba verify is clean, deltas sum to balances, every acknowledged posting
 * is there exactly once, and the history checker replays the acknowledged
 * operations in commit order through an independent FEFO model that must
 * match every lot and balance.
 *
 * usage: stress [--connections N] [--ops N] [--cards N] [--crashes N]
 *               [--crash-every-ms MS] [--aba PATH --client-kills N]
 *               [--seed S] DBNAME      (cluster: $ABA_TEST_HOME or $ABA_HOME)
 */
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aba_card.h"
#include "aba_cluster.h"
#include "aba_db.h"
#include "aba_ledger.h"
#include "aba_migrate.h"
#include "aba_time.h"
#include "model.h"

enum op_kind { OP_EARN, OP_REDEEM };
enum op_state { OP_ACKED, OP_REFUSED, OP_UNKNOWN };

struct op {
	char key[48];
	enum op_kind kind;
	enum op_state state;
	int card;
	int64_t points, at;
	int days;
	int64_t posting;
	int seen;		/* found by the checker */
};

struct worker {
	int id;
	unsigned seed;
	struct op *ops;
	int nops;
	long replays, refused, unknown, failed, expires;
	int retries, reconnects;
	char error[400];
};

static struct {
	int connections, ops, cards, crashes, crash_every_ms, client_kills;
	unsigned seed;
	const char *aba, *dbname;
	struct aba_cluster cluster;
	char conninfo[1024];
	volatile int workers_done;
	int crashes_done;
} cfg = { .connections = 8, .ops = 1000, .cards = 1000, .crash_every_ms = 700, .seed = 1 };

static void die(const char *what, const struct aba_err *err)
{
	fprintf(stderr, "stress: %s: %s\n", what, err ? err->msg : "failed");
	exit(1);
}

static void code_of(int card, char *buf)
{
	snprintf(buf, 16, "S%05d", card);
}

static struct aba_db *connect_db(void)
{
	struct aba_db *db;
	struct aba_err err;

	if (aba_db_connect(cfg.conninfo, &db, &err))
		die("connect", &err);
	return db;
}

static void setup(void)
{
	char admin[1024], sql[256], code[16];
	struct aba_db *db;
	struct aba_err err;
	PGresult *res;

	aba_cluster_conninfo(&cfg.cluster, "postgres", admin, sizeof(admin));
	if (aba_db_connect(admin, &db, &err))
		die("connect", &err);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", cfg.dbname);
	PQclear(PQexec(db->conn, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", cfg.dbname);
	res = PQexec(db->conn, sql);
	if (aba_db_accept(db, res, PGRES_COMMAND_OK, &err))
		die("create database", &err);
	PQclear(res);
	aba_db_free(db);
	db = connect_db();
	if (aba_migrate(db, NULL, NULL, &err))
		die("migrate", &err);
	for (int i = 0; i < cfg.cards; i++) {
		struct aba_card_new c = { code, "Hendra Siregar", NULL, NULL };

		code_of(i, code);
		if (aba_card_create(db, &c, &err))
			die("card create", &err);
	}
	aba_db_free(db);
}

static int pick_card(unsigned *seed)
{
	/* hot spots: 30% of operations hit 1% of the cards */
	int hot = cfg.cards / 100 ? cfg.cards / 100 : 1;

	return rand_r(seed) % 10 < 3 ? rand_r(seed) % hot : rand_r(seed) % cfg.cards;
}

/* Sends op; retries (it is idempotent) while the outcome is unknown. */
static int send_op(struct worker *w, struct aba_db *db, struct op *op, struct aba_posting *p,
		   struct aba_err *err)
{
	char code[16], at[ABA_TIME_BUFSZ];
	int rc = -1;

	code_of(op->card, code);
	aba_time_format(op->at, at);
	for (int attempt = 0; attempt < 5; attempt++) {
		if (op->kind == OP_EARN) {
			struct aba_earn e = { code, op->points, op->key, "stress", at, op->days };
			rc = aba_ledger_earn(db, &e, p, err);
		} else {
			struct aba_redeem r = { code, op->points, op->key, "stress", at };
			rc = aba_ledger_redeem(db, &r, p, err);
		}
		if (rc == 0 || err->code != ABA_CONNECTION)
			return rc;
		sleep(1);
	}
	(void)w;
	return rc;
}

static void new_op(struct worker *w, struct aba_db *db, int i)
{
	struct op *op = &w->ops[w->nops++];
	struct aba_posting p;
	struct aba_err err;
	int64_t now = (int64_t)time(NULL);

	memset(op, 0, sizeof(*op));
	snprintf(op->key, sizeof(op->key), "w%d-%d", w->id, i);
	op->card = pick_card(&w->seed);
	op->kind = rand_r(&w->seed) % 100 < 53 ? OP_EARN : OP_REDEEM;
	if (op->kind == OP_EARN) {
		op->points = 1 + rand_r(&w->seed) % 5000;
		op->at = now - rand_r(&w->seed) % (60 * 86400);
		op->days = rand_r(&w->seed) % 3 ? 1 + rand_r(&w->seed) % 90 : 0;
	} else {
		op->points = 1 + rand_r(&w->seed) % 8000;
		op->at = now;
	}
	if (send_op(w, db, op, &p, &err) == 0) {
		op->state = OP_ACKED;
		op->posting = p.id;
		aba_posting_clear(&p);
	} else if (err.code == ABA_INSUFFICIENT) {
		op->state = OP_REFUSED;
		w->refused++;
	} else if (err.code == ABA_CONNECTION) {
		op->state = OP_UNKNOWN;
		w->unknown++;
	} else {
		op->state = OP_REFUSED;
		w->failed++;
		snprintf(w->error, sizeof(w->error), "%s %s: %s", op->kind ? "redeem" : "earn",
			 op->key, err.msg);
	}
}

/* A POS that did not hear the answer sends the same posting again. */
static void replay_op(struct worker *w, struct aba_db *db)
{
	struct op *op = &w->ops[rand_r(&w->seed) % w->nops];
	struct aba_posting p;
	struct aba_err err;

	if (op->state != OP_ACKED)
		return;
	if (send_op(w, db, op, &p, &err)) {
		if (err.code == ABA_CONNECTION) {
			w->unknown++;
			return;
		}
		w->failed++;
		snprintf(w->error, sizeof(w->error), "replay %s: %s", op->key, err.msg);
		return;
	}
	if (!p.replay || p.id != op->posting) {
		w->failed++;
		snprintf(w->error, sizeof(w->error), "replay %s posted again", op->key);
	}
	w->replays++;
	aba_posting_clear(&p);
}

static void *run_worker(void *arg)
{
	struct worker *w = arg;
	struct aba_db *db = connect_db();
	struct aba_expire_totals t;
	struct aba_err err;

	w->ops = calloc((size_t)cfg.ops, sizeof(*w->ops));
	for (int i = 0; i < cfg.ops; i++) {
		int dice = rand_r(&w->seed) % 100;

		if (dice < 8 && w->nops > 0) {
			replay_op(w, db);
		} else if (dice < 10) {
			char asof[ABA_TIME_BUFSZ];

			aba_time_format((int64_t)time(NULL) - 2, asof);
			if (aba_ledger_expire(db, asof, NULL, NULL, &t, &err) == 0)
				w->expires++;
			else if (err.code != ABA_CONNECTION)
				w->failed++, snprintf(w->error, sizeof(w->error), "expire: %s", err.msg);
		} else {
			new_op(w, db, i);
		}
	}
	w->retries = db->retries;
	w->reconnects = db->reconnects;
	aba_db_free(db);
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long postmaster_pid(void)
{
	char path[300];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/postmaster.pid", cfg.cluster.data);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

/* 1 once a killed server process is gone or only a zombie.  A zombie's pid
 * still looks alive to a new postmaster checking postmaster.pid, so a dead
 * one's lock file is removed rather than waiting for its parent to reap it
 * (the fixture's server is a child of init, which may take its time). */
static int server_dead(long pid, const char *lockfile)
{
	char path[64], stat[256];
	FILE *f;
	char *p;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;	/* servers we restarted are our children (subreaper) */
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	p = fgets(stat, sizeof(stat), f) ? strrchr(stat, ')') : NULL;
	fclose(f);
	if (p && p[1] == ' ' && p[2] == 'Z') {
		unlink(lockfile);
		return 1;
	}
	return 0;
}

/* Kills the server at random moments and starts it again (crash recovery),
 * until the workers are done or the crashes are spent. */
static void *run_killer(void *arg)
{
	unsigned seed = cfg.seed * 7919u;
	char lockfile[300];
	struct aba_err err;

	(void)arg;
	while (!cfg.workers_done && cfg.crashes_done < cfg.crashes) {
		long pid;

		sleep_ms(cfg.crash_every_ms / 2 + rand_r(&seed) % (cfg.crash_every_ms + 1));
		if (cfg.workers_done || (pid = postmaster_pid()) <= 0)
			continue;
		kill((pid_t)pid, SIGKILL);
		cfg.crashes_done++;
		snprintf(lockfile, sizeof(lockfile), "%s/postmaster.pid", cfg.cluster.data);
		for (int i = 0; i < 200 && !server_dead(pid, lockfile); i++)
			sleep_ms(50);
		for (int i = 0; i < 120 && aba_cluster_ensure(&cfg.cluster, &err); i++)
			sleep_ms(500);
	}
	return NULL;
}

/* Starts `aba points earn` and kills it after a random few milliseconds;
 * then runs the same command to the end: the key must end up posted once. */
static int client_kills(void)
{
	unsigned seed = cfg.seed * 31u;
	int bad = 0;

	for (int i = 0; i < cfg.client_kills; i++) {
		char key[32], code[16];
		pid_t pid;

		snprintf(key, sizeof(key), "ck-%d", i);
		code_of(rand_r(&seed) % cfg.cards, code);
		for (int run = 0; run < 2; run++) {
			int status;

			pid = fork();
			if (pid == 0) {
				int fd = open("/dev/null", O_WRONLY);
				dup2(fd, 1);
				dup2(fd, 2);
				execl(cfg.aba, "aba", "--db", cfg.conninfo, "points", "earn", code, "1.00",
				      "--key", key, (char *)NULL);
				_exit(127);
			}
			if (run == 0) {
				sleep_ms(rand_r(&seed) % 40);
				kill(pid, SIGKILL);
			}
			waitpid(pid, &status, 0);
			if (run == 1 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
				bad++;
		}
	}
	return bad;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct op *)a)->key, ((const struct op *)b)->key);
}

struct checker {
	struct op *ops;
	long nops;
	struct model_card *cards;
	long mismatches;
	long lost;		/* acknowledged but not in the ledger */
	long strangers;		/* in the ledger but never sent */
};

static void mismatch(struct checker *ck, const char *fmt, const char *a, const char *b)
{
	if (ck->mismatches++ < 10) {
		fprintf(stderr, "history checker: ");
		fprintf(stderr, fmt, a, b);
		fputc('\n', stderr);
	}
}

/* Replays the ledger's postings in commit order (per card, posting id
 * order is commit order: each posting holds the card's lock) through the
 * model, matching each against what the clients sent. */
static void replay_postings(struct checker *ck, struct aba_db *db)
{
	PGresult *res = PQexec(db->conn,
		"SELECT p.key, p.kind, substr(c.code, 2)::int, p.result->>'as_of'"
		"  FROM aba.postings p JOIN aba.cards c ON c.id = p.card_id"
		" WHERE p.key NOT LIKE 'ck-%' ORDER BY p.id");
	struct aba_err err;

	if (aba_db_accept(db, res, PGRES_TUPLES_OK, &err))
		die("read postings", &err);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *key = PQgetvalue(res, i, 0), *kind = PQgetvalue(res, i, 1);
		struct model_card *c = &ck->cards[atoi(PQgetvalue(res, i, 2))];
		struct op probe, *op;
		int64_t as_of;

		if (strcmp(kind, "expire") == 0) {
			if (aba_time_parse(PQgetvalue(res, i, 3), "as_of", &as_of, &err))
				die("as_of", &err);
			model_expire(c, as_of);
			continue;
		}
		snprintf(probe.key, sizeof(probe.key), "%s", key);
		op = bsearch(&probe, ck->ops, (size_t)ck->nops, sizeof(*op), by_key);
		if (!op || op->state == OP_REFUSED) {
			ck->strangers++;
			mismatch(ck, "posting %s (%s) was never acknowledged", key, kind);
			continue;
		}
		op->seen++;
		if (op->kind == OP_EARN)
			model_earn(c, op->key, op->points, op->at, op->days);
		else if (model_redeem(c, op->points, op->at))
			mismatch(ck, "redeem %s was posted but the model had too few points%s", key, "");
	}
	PQclear(res);
}

/* Every lot and every balance must be what the model says. */
static void compare_state(struct checker *ck, struct aba_db *db)
{
	PGresult *res = PQexec(db->conn,
		"SELECT substr(c.code, 2)::int, p.key, l.remaining, l.state = 'expired'"
		"  FROM aba.point_moves l JOIN aba.postings p ON p.id = l.posting_id"
		"  JOIN aba.cards c ON c.id = l.card_id WHERE p.key NOT LIKE 'ck-%'");
	struct aba_err err;

	if (aba_db_accept(db, res, PGRES_TUPLES_OK, &err))
		die("read lots", &err);
	for (int i = 0; i < PQntuples(res); i++) {
		const struct model_lot *l = model_find_lot(&ck->cards[atoi(PQgetvalue(res, i, 0))],
							   PQgetvalue(res, i, 1));

		if (!l || l->remaining != atoll(PQgetvalue(res, i, 2)) ||
		    l->expired != (PQgetvalue(res, i, 3)[0] == 't'))
			mismatch(ck, "lot of %s: ledger has %s remaining", PQgetvalue(res, i, 1),
				 PQgetvalue(res, i, 2));
	}
	PQclear(res);
	res = PQexec(db->conn, "SELECT substr(code, 2)::int, balance - coalesce((SELECT sum(delta)"
			       " FROM aba.point_history h JOIN aba.postings p ON p.id = h.posting_id"
			       " WHERE h.card_id = c.id AND p.key LIKE 'ck-%'), 0) FROM aba.cards c");
	if (aba_db_accept(db, res, PGRES_TUPLES_OK, &err))
		die("read balances", &err);
	for (int i = 0; i < PQntuples(res); i++)
		if (ck->cards[atoi(PQgetvalue(res, i, 0))].balance != atoll(PQgetvalue(res, i, 1)))
			mismatch(ck, "card %s: balance %s differs from the model", PQgetvalue(res, i, 0),
				 PQgetvalue(res, i, 1));
	PQclear(res);
}

static long check_history(struct worker *w)
{
	struct checker ck = { 0 };
	struct aba_db *db = connect_db();

	for (int i = 0; i < cfg.connections; i++)
		ck.nops += w[i].nops;
	ck.ops = calloc((size_t)ck.nops, sizeof(*ck.ops));
	ck.cards = calloc((size_t)cfg.cards, sizeof(*ck.cards));
	ck.nops = 0;
	for (int i = 0; i < cfg.connections; i++)
		for (int j = 0; j < w[i].nops; j++)
			ck.ops[ck.nops++] = w[i].ops[j];
	qsort(ck.ops, (size_t)ck.nops, sizeof(*ck.ops), by_key);
	replay_postings(&ck, db);
	compare_state(&ck, db);
	for (long i = 0; i < ck.nops; i++)
		if (ck.ops[i].state == OP_ACKED && ck.ops[i].seen != 1) {
			ck.lost++;
			mismatch(&ck, "acknowledged %s is in the ledger %s times", ck.ops[i].key,
				 ck.ops[i].seen ? "several" : "zero");
		}
	printf("history checker: %ld operations replayed, %ld lost, %ld never acknowledged,"
	       " %ld mismatches\n", ck.nops, ck.lost, ck.strangers, ck.mismatches);
	for (int i = 0; i < cfg.cards; i++)
		model_free(&ck.cards[i]);
	free(ck.cards);
	free(ck.ops);
	aba_db_free(db);
	return ck.mismatches;
}

static long scalar(struct aba_db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	struct aba_err err;
	long v;

	if (aba_db_accept(db, res, PGRES_TUPLES_OK, &err))
		die(sql, &err);
	v = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/* The ledger-wide invariants after the run; returns the number broken. */
static long check_ledger(void)
{
	struct aba_db *db = connect_db();
	struct aba_err err;
	long problems = 0, broken = 0;

	if (aba_ledger_verify(db, NULL, NULL, NULL, &problems, &err))
		die("verify", &err);
	printf("aba verify: %ld problems\n", problems);
	broken += problems > 0;
	if (scalar(db, "SELECT ((SELECT coalesce(sum(delta), 0) FROM aba.point_history) ="
		       " (SELECT coalesce(sum(balance), 0) FROM aba.cards))::int")) {
		printf("sum of deltas = sum of balances: yes\n");
	} else {
		printf("sum of deltas = sum of balances: NO\n");
		broken++;
	}
	broken += scalar(db, "SELECT count(*) FROM aba.point_moves WHERE remaining < 0"
			     " OR remaining > initial") > 0;
	broken += scalar(db, "SELECT count(*) FROM aba.postings WHERE result = '{}'") > 0;
	broken += scalar(db, "SELECT count(*) FROM aba.postings p WHERE NOT EXISTS"
			     " (SELECT 1 FROM aba.outbox o WHERE o.posting_id = p.id)") > 0;
	broken += scalar(db, "SELECT count(*) FROM aba.postings WHERE key LIKE 'ck-%'") !=
		  cfg.client_kills;
	aba_db_free(db);
	return broken;
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connections", required_argument, NULL, 'c' }, { "ops", required_argument, NULL, 'o' },
		{ "cards", required_argument, NULL, 'n' }, { "crashes", required_argument, NULL, 'k' },
		{ "crash-every-ms", required_argument, NULL, 'e' },
		{ "aba", required_argument, NULL, 'a' },
		{ "client-kills", required_argument, NULL, 'x' }, { "seed", required_argument, NULL, 's' },
		{ 0 },
	};
	const char *home = getenv("ABA_TEST_HOME") ? getenv("ABA_TEST_HOME") : getenv("ABA_HOME");
	struct aba_err err;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cfg.connections = atoi(optarg); break;
		case 'o': cfg.ops = atoi(optarg); break;
		case 'n': cfg.cards = atoi(optarg); break;
		case 'k': cfg.crashes = atoi(optarg); break;
		case 'e': cfg.crash_every_ms = atoi(optarg); break;
		case 'a': cfg.aba = optarg; break;
		case 'x': cfg.client_kills = atoi(optarg); break;
		case 's': cfg.seed = (unsigned)atoi(optarg); break;
		default: exit(2);
		}
	}
	if (optind + 1 != argc || cfg.connections < 1 || cfg.ops < 1 || cfg.cards < 1 ||
	    cfg.crash_every_ms < 10 || (cfg.client_kills && !cfg.aba)) {
		fprintf(stderr, "usage: stress [--connections N] [--ops N] [--cards N] [--crashes N]"
				" [--crash-every-ms MS] [--aba PATH --client-kills N] [--seed S] DBNAME\n");
		exit(2);
	}
	cfg.dbname = argv[optind];
	if (aba_cluster_locate(&cfg.cluster, home, &err))
		die("cluster", &err);
	aba_cluster_conninfo(&cfg.cluster, cfg.dbname, cfg.conninfo, sizeof(cfg.conninfo));
}

int main(int argc, char **argv)
{
	struct worker *w;
	pthread_t *th, killer;
	struct timespec t0, t1;
	long acked = 0, refused = 0, unknown = 0, failed = 0, replays = 0, retries = 0, recon = 0;
	long broken, mismatches;
	double secs;
	int bad_clients;

	parse_args(argc, argv);
	/* Servers the killer restarts (pg_ctl daemonises them) become our
	 * children, so we can reap them the moment they are killed. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	setup();
	w = calloc((size_t)cfg.connections, sizeof(*w));
	th = calloc((size_t)cfg.connections, sizeof(*th));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < cfg.connections; i++) {
		w[i].id = i;
		w[i].seed = cfg.seed * 1000u + (unsigned)i;
		pthread_create(&th[i], NULL, run_worker, &w[i]);
	}
	if (cfg.crashes)
		pthread_create(&killer, NULL, run_killer, NULL);
	for (int i = 0; i < cfg.connections; i++)
		pthread_join(th[i], NULL);
	cfg.workers_done = 1;
	if (cfg.crashes)
		pthread_join(killer, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	bad_clients = client_kills();
	for (int i = 0; i < cfg.connections; i++) {
		for (int j = 0; j < w[i].nops; j++)
			acked += w[i].ops[j].state == OP_ACKED;
		refused += w[i].refused;
		unknown += w[i].unknown;
		failed += w[i].failed;
		replays += w[i].replays;
		retries += w[i].retries;
		recon += w[i].reconnects;
		if (w[i].failed)
			fprintf(stderr, "worker %d: %s\n", i, w[i].error);
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("stress: %d connections x %d operations over %d cards in %.1f s\n",
	       cfg.connections, cfg.ops, cfg.cards, secs);
	printf("acknowledged %ld, refused for lack of points %ld, replays %ld, retries %ld,"
	       " reconnects %ld, server crashes %d\n", acked, refused, replays, retries, recon,
	       cfg.crashes_done);
	printf("failed after all retries: %ld of %ld (%.3f%%), other errors %ld\n", unknown,
	       (long)cfg.connections * cfg.ops, 100.0 * (double)unknown / (cfg.connections * cfg.ops),
	       failed);
	printf("killed clients: %d, of which left unposted after a rerun: %d\n", cfg.client_kills,
	       bad_clients);
	broken = check_ledger();
	mismatches = check_history(w);
	for (int i = 0; i < cfg.connections; i++)
		free(w[i].ops);
	free(w);
	free(th);
	if (broken || mismatches || failed || bad_clients ||
	    unknown * 1000 > (long)cfg.connections * cfg.ops) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	printf("1 passed, 0 failed\n");
	return 0;
}
