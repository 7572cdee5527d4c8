/* stress.c - many connections posting at random over many cards with hot
 * spots (earns, redemptions, POS orders, refunds, maker-checker
 * adjustments, replays, expiry runs; ops.c), optionally while the server
 * is killed (SIGKILL) and restarted, and while aba client processes are
 * killed mid-posting.  Afterwards (checker.c): aba verify is clean, deltas
 * sum to balances, every key is posted once, every acknowledged posting is
 * there exactly once, and the history checker replays the acknowledged
 * operations in commit order through an independent model (model.c) that
 * must match every lot and balance.
 *
 * usage: stress [--connections N] [--ops N] [--cards N] [--crashes N]
 *               [--aba PATH --client-kills N] [--seed S] DBNAME
 *               (cluster: $ABA_TEST_HOME or $ABA_HOME)
 *
 * The N crashes are spread by progress, not by the clock: crash k comes
 * when about k / (N + 1) of all operations are done.  The run fails if
 * fewer than N happened.
 *
 * The long form (tests/stress/long.sh) runs 8 x 100,000 with 20 crashes.
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

#include "aba_approval.h"
#include "aba_card.h"
#include "aba_cluster.h"
#include "aba_db.h"
#include "aba_ledger.h"
#include "aba_migrate.h"
#include "aba_program.h"
#include "stress.h"

struct stress_cfg cfg = { .connections = 8, .ops = 1000, .cards = 1000, .seed = 1 };

void stress_die(const char *what, const char *msg)
{
	fprintf(stderr, "stress: %s: %s\n", what, msg ? msg : "failed");
	exit(1);
}

void stress_code(int card, char *buf)
{
	snprintf(buf, 16, "S%05d", card);
}

struct aba_db *stress_connect(const char *user)
{
	char conninfo[sizeof(cfg.conninfo) + 128];
	struct aba_db *db;
	struct aba_err err;

	snprintf(conninfo, sizeof(conninfo), "%s", cfg.conninfo);
	if (user)
		aba_conninfo_append(conninfo, sizeof(conninfo), "user", user);
	if (aba_db_connect(conninfo, &db, &err))
		stress_die("connect", err.msg);
	return db;
}

/* A clerk and an approver (maker and checker must be different roles),
 * and the approval settings the model assumes, whatever the defaults. */
static void setup_staff(struct aba_db *db)
{
	static const char *const roles[] = {
		"DO $$ BEGIN CREATE ROLE stress_maker LOGIN IN ROLE aba_clerk;"
		" EXCEPTION WHEN duplicate_object THEN NULL; END $$",
		"DO $$ BEGIN CREATE ROLE stress_checker LOGIN IN ROLE aba_approver;"
		" EXCEPTION WHEN duplicate_object THEN NULL; END $$",
	};
	struct aba_setting never = { "auto_approve_below", 1, 0, "" };
	struct aba_setting validity = { "adjust_validity_days", 1, STRESS_ADJUST_VALIDITY, "" };
	struct aba_err err;

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (aba_db_command(db, roles[i], 0, NULL, &err))
			stress_die("create role", err.msg);
	if (aba_setting_set(db, &never, &err) || aba_setting_set(db, &validity, &err))
		stress_die("approval settings", err.msg);
}

static void setup(void)
{
	char admin[1024], sql[256], code[16];
	struct aba_db *db;
	struct aba_err err;
	PGresult *res;

	aba_cluster_conninfo(&cfg.cluster, "postgres", admin, sizeof(admin));
	if (aba_db_connect(admin, &db, &err))
		stress_die("connect", err.msg);
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", cfg.dbname);
	PQclear(PQexec(db->conn, sql));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", cfg.dbname);
	res = PQexec(db->conn, sql);
	if (aba_db_accept(db, res, PGRES_COMMAND_OK, &err))
		stress_die("create database", err.msg);
	PQclear(res);
	aba_db_free(db);
	db = stress_connect(NULL);
	if (aba_migrate(db, NULL, NULL, &err))
		stress_die("migrate", err.msg);
	for (int i = 0; i < cfg.cards; i++) {
		struct aba_card_new c = { code, "Hendra Siregar", NULL, NULL };

		stress_code(i, code);
		if (aba_card_create(db, &c, &err))
			stress_die("card create", err.msg);
	}
	setup_staff(db);
	aba_db_free(db);
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

/* Servers we restarted are our children (subreaper), and so, once their
 * postmaster is killed, are their backends: reaped here as they exit, not
 * left as zombies until the next crash. */
static void reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
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

	reap();
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

/* Right after crash recovery, while the load goes on: every invariant
 * holds and no posting is half-written (one snapshot each). */
static void verify_after_restart(void)
{
	static const char SQL_HALF[] = "SELECT count(*) FROM aba.postings WHERE result = '{}'";
	struct aba_db *db = NULL;
	struct aba_err err;
	PGresult *res = NULL;
	long problems = 0;

	for (int i = 0; i < 40 && aba_db_connect(cfg.conninfo, &db, &err); i++)
		sleep_ms(250);
	if (!db || aba_ledger_verify(db, NULL, NULL, NULL, &problems, &err) ||
	    aba_db_call(db, SQL_HALF, 0, NULL, PGRES_TUPLES_OK, &res, &err)) {
		fprintf(stderr, "stress: check after restart %d: %s\n", cfg.crashes_done, err.msg);
		cfg.restart_problems++;
	} else {
		cfg.restart_problems += problems + atol(PQgetvalue(res, 0, 0));
		cfg.restarts_verified++;
	}
	PQclear(res);
	aba_db_free(db);
}

/* The number of finished operations at which crash k (1..crashes) is due:
 * k / (crashes + 1) of the run, give or take a quarter of the gap between
 * two crashes.  Workers make no progress while the server is down, so two
 * crashes are at least half a gap of operations apart. */
static long crash_due(int k, unsigned *seed)
{
	long total = (long)cfg.connections * cfg.ops;
	long jitter = total / (cfg.crashes + 1) / 4;

	return k * total / (cfg.crashes + 1) +
	       (jitter ? (long)(rand_r(seed) % (unsigned)(2 * jitter + 1)) - jitter : 0);
}

/* Kills the server when the run has done enough operations for the next
 * crash, and starts it again (crash recovery), until the crashes are spent
 * or the workers are done (main fails the run if that left some out). */
static void *run_killer(void *arg)
{
	unsigned seed = cfg.seed * 7919u;
	char lockfile[300];
	struct aba_err err;

	(void)arg;
	snprintf(lockfile, sizeof(lockfile), "%s/postmaster.pid", cfg.cluster.data);
	for (int k = 1; k <= cfg.crashes; k++) {
		long due = crash_due(k, &seed), pid = 0;

		while (!cfg.workers_done && (cfg.ops_done < due || (pid = postmaster_pid()) <= 0)) {
			reap();
			sleep_ms(20);
		}
		if (cfg.workers_done)
			break;
		fprintf(stderr, "stress: server crash %d of %d at %ld of %ld operations\n", k,
			cfg.crashes, (long)cfg.ops_done, (long)cfg.connections * cfg.ops);
		kill((pid_t)pid, SIGKILL);
		cfg.crashes_done++;
		for (int i = 0; i < 200 && !server_dead(pid, lockfile); i++)
			sleep_ms(50);
		for (int i = 0; i < 120 && aba_cluster_ensure(&cfg.cluster, &err); i++)
			sleep_ms(500);
		verify_after_restart();
	}
	return NULL;
}

/* An order file for a killed `aba order post`: ref ck-N on card. */
static void order_file(const char *path, const char *key, const char *code)
{
	FILE *f = fopen(path, "w");

	if (!f)
		stress_die(path, "cannot write");
	fprintf(f, "{\"ref\": \"%s\", \"card\": \"%s\", \"at\": \"2026-01-15T10:00:00Z\","
		   " \"lines\": [{\"product\": \"SKU-1\", \"qty\": 1, \"unit_price\": \"1000.00\"}]}\n",
		key, code);
	fclose(f);
}

static void exec_client(int order, const char *key, const char *code, const char *file)
{
	int fd = open("/dev/null", O_WRONLY);

	dup2(fd, 1);
	dup2(fd, 2);
	if (order)
		execl(cfg.aba, "aba", "--db", cfg.conninfo, "order", "post", file, (char *)NULL);
	else
		execl(cfg.aba, "aba", "--db", cfg.conninfo, "points", "earn", code, "1.00", "--key",
		      key, (char *)NULL);
	_exit(127);
}

/* Starts `aba points earn` or `aba order post` and kills it after a random
 * few milliseconds; then runs the same command to the end: the key must
 * end up posted once. */
static int client_kills(void)
{
	unsigned seed = cfg.seed * 31u;
	char file[64];
	int bad = 0;

	snprintf(file, sizeof(file), "/tmp/aba-stress-order-%ld.json", (long)getpid());
	for (int i = 0; i < cfg.client_kills; i++) {
		char key[32], code[16];
		pid_t pid;

		snprintf(key, sizeof(key), "ck-%d", i);
		stress_code(rand_r(&seed) % cfg.cards, code);
		if (i % 2)
			order_file(file, key, code);
		for (int run = 0; run < 2; run++) {
			int status;

			pid = fork();
			if (pid == 0)
				exec_client(i % 2, key, code, file);
			if (run == 0) {
				sleep_ms(rand_r(&seed) % 40);
				kill(pid, SIGKILL);
			}
			waitpid(pid, &status, 0);
			if (run == 1 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
				bad++;
		}
	}
	unlink(file);
	return bad;
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connections", required_argument, NULL, 'c' }, { "ops", required_argument, NULL, 'o' },
		{ "cards", required_argument, NULL, 'n' }, { "crashes", required_argument, NULL, 'k' },
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
		case 'a': cfg.aba = optarg; break;
		case 'x': cfg.client_kills = atoi(optarg); break;
		case 's': cfg.seed = (unsigned)atoi(optarg); break;
		default: exit(2);
		}
	}
	if (optind + 1 != argc || cfg.connections < 1 || cfg.ops < 1 || cfg.cards < 1 ||
	    cfg.crashes < 0 || (cfg.client_kills && !cfg.aba)) {
		fprintf(stderr, "usage: stress [--connections N] [--ops N] [--cards N] [--crashes N]"
				" [--aba PATH --client-kills N] [--seed S] DBNAME\n");
		exit(2);
	}
	cfg.dbname = argv[optind];
	if (aba_cluster_locate(&cfg.cluster, home, &err))
		stress_die("cluster", err.msg);
	aba_cluster_conninfo(&cfg.cluster, cfg.dbname, cfg.conninfo, sizeof(cfg.conninfo));
}

int main(int argc, char **argv)
{
	struct worker *w;
	pthread_t *th, killer;
	struct timespec t0, t1;
	long acked = 0, refused = 0, unknown = 0, failed = 0, replays = 0, retries = 0, recon = 0;
	long broken, mismatches, kinds[5] = { 0 };
	double secs;
	int bad_clients;

	parse_args(argc, argv);
	/* Servers the killer restarts (pg_ctl daemonises them) become our
	 * children, so we can reap them the moment they are killed. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	setup();
	stress_programs();
	w = calloc((size_t)cfg.connections, sizeof(*w));
	th = calloc((size_t)cfg.connections, sizeof(*th));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < cfg.connections; i++) {
		w[i].id = i;
		w[i].seed = cfg.seed * 1000u + (unsigned)i;
		pthread_create(&th[i], NULL, stress_run_worker, &w[i]);
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
		for (int k = 0; k < 5; k++)
			kinds[k] += w[i].by_kind[k];
		if (w[i].failed)
			fprintf(stderr, "worker %d: %s\n", i, w[i].error);
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("stress: %d connections x %d operations over %d cards in %.1f s\n",
	       cfg.connections, cfg.ops, cfg.cards, secs);
	printf("acknowledged %ld, refused for lack of points %ld, replays %ld, retries %ld,"
	       " reconnects %ld, server crashes %d of %d\n", acked, refused, replays, retries, recon,
	       cfg.crashes_done, cfg.crashes);
	printf("failed after all retries: %ld of %ld (%.3f%%), other errors %ld\n", unknown,
	       (long)cfg.connections * cfg.ops, 100.0 * (double)unknown / (cfg.connections * cfg.ops),
	       failed);
	printf("invariants checked after %d of %d restarts: %ld problems\n", cfg.restarts_verified,
	       cfg.crashes_done, cfg.restart_problems);
	printf("acknowledged new operations: %ld earn, %ld redeem, %ld order, %ld refund,"
	       " %ld adjust\n", kinds[OP_EARN], kinds[OP_REDEEM], kinds[OP_ORDER], kinds[OP_REFUND],
	       kinds[OP_ADJUST]);
	printf("killed clients: %d, of which left unposted after a rerun: %d\n", cfg.client_kills,
	       bad_clients);
	broken = stress_check_ledger();
	mismatches = stress_check_history(w);
	for (int i = 0; i < cfg.connections; i++)
		free(w[i].ops);
	free(w);
	free(th);
	aba_program_set_free(cfg.programs);
	if (broken || mismatches || failed || bad_clients || cfg.restart_problems ||
	    cfg.restarts_verified != cfg.crashes_done || cfg.crashes_done < cfg.crashes ||
	    unknown * 1000 > (long)cfg.connections * cfg.ops) {
		printf("0 passed, 1 failed\n");
		return 1;
	}
	printf("1 passed, 0 failed\n");
	return 0;
}
