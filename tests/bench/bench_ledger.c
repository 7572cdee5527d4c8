/* bench_ledger.c - the ledger's figures for tests/bench/run, each printed
 * as one line of "name value" pairs that run turns into its table.
 *
 *   bench_ledger post CONNINFO CLIENTS SECONDS CARDS
 *       earn postings (aba_ledger_earn, one transaction each) from CLIENTS
 *       threads over cards B1..BCARDS for SECONDS: throughput, p50, p99
 *   bench_ledger fefo CONNINFO
 *       a card with 1,000 open lots: one redemption across all of them,
 *       and p50/p99 of small redemptions while 1,000 lots are open
 *   bench_ledger read CONNINFO CARDS N
 *       N card screens (aba_card_load: balance, 20 lots, 20 history
 *       entries, one snapshot) of random cards B1..BCARDS, or as many as
 *       fit in a minute: p50, p99
 *   bench_ledger audit CONNINFO FILE
 *       aba_audit_verify over the whole chain, then export it to FILE and
 *       verify the file offline: rows/s of each
 *
 * Not a test; latencies are wall-clock per call, as a client sees them.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aba_audit.h"
#include "aba_card.h"
#include "aba_db.h"
#include "aba_ledger.h"
#include "aba_time.h"

static const char *conninfo;

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what, const struct aba_err *err)
{
	fprintf(stderr, "bench_ledger: %s: %s\n", what, err ? err->msg : "failed");
	exit(1);
}

static struct aba_db *connect_db(void)
{
	struct aba_db *db;
	struct aba_err err;

	if (aba_db_connect(conninfo, &db, &err))
		die("connect", &err);
	return db;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The q-th permille of n sorted latencies, in milliseconds. */
static double pct_ms(int64_t *v, long n, int permille)
{
	long i = n ? (long)((n - 1) * (int64_t)permille / 1000) : 0;

	return n ? (double)v[i] / 1000.0 : 0.0;
}

struct poster {
	int id, cards, seconds;
	int64_t *lat;
	long n, cap;
};

static void *post_loop(void *arg)
{
	struct poster *p = arg;
	struct aba_db *db = connect_db();
	unsigned seed = (unsigned)p->id * 7919u + 1;
	int64_t end = now_us() + (int64_t)p->seconds * 1000000;
	char code[24], key[48];
	struct aba_posting out;
	struct aba_err err;

	while (now_us() < end) {
		struct aba_earn e = { code, 100 + rand_r(&seed) % 5000, key, "bench", NULL, 365 };
		int64_t t0;

		snprintf(code, sizeof(code), "B%d", 1 + rand_r(&seed) % p->cards);
		snprintf(key, sizeof(key), "bench-%d-%ld-%lld", p->id, p->n, (long long)end);
		t0 = now_us();
		if (aba_ledger_earn(db, &e, &out, &err))
			die("earn", &err);
		aba_posting_clear(&out);
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 4096;
			p->lat = realloc(p->lat, (size_t)p->cap * sizeof(*p->lat));
		}
		p->lat[p->n++] = now_us() - t0;
	}
	aba_db_free(db);
	return NULL;
}

static int bench_post(int clients, int seconds, int cards)
{
	struct poster *p = calloc((size_t)clients, sizeof(*p));
	pthread_t *th = calloc((size_t)clients, sizeof(*th));
	int64_t *all, t0 = now_us(), wall;
	long n = 0, k = 0;

	for (int i = 0; i < clients; i++) {
		p[i] = (struct poster){ .id = i, .cards = cards, .seconds = seconds };
		pthread_create(&th[i], NULL, post_loop, &p[i]);
	}
	for (int i = 0; i < clients; i++) {
		pthread_join(th[i], NULL);
		n += p[i].n;
	}
	wall = now_us() - t0;
	all = malloc((size_t)(n ? n : 1) * sizeof(*all));
	for (int i = 0; i < clients; i++) {
		memcpy(all + k, p[i].lat, (size_t)p[i].n * sizeof(*all));
		k += p[i].n;
		free(p[i].lat);
	}
	qsort(all, (size_t)n, sizeof(*all), cmp_i64);
	printf("postings %ld per_s %.0f p50_ms %.2f p99_ms %.2f\n", n,
	       (double)n * 1e6 / (double)wall, pct_ms(all, n, 500), pct_ms(all, n, 990));
	free(all);
	free(p);
	free(th);
	return 0;
}

/* 1,000 lots with 1,000 different expiries on one fresh card. */
static void thousand_lots(struct aba_db *db, const char *code, const char *tag)
{
	struct aba_card_new c = { code, "Bench FEFO", NULL, NULL };
	struct aba_posting out;
	struct aba_err err;
	char key[64];

	if (aba_card_create(db, &c, &err))
		die("card create", &err);
	for (int i = 0; i < 1000; i++) {
		struct aba_earn e = { code, 1000, key, "bench", NULL, 1 + (i * 7919) % 3650 };

		snprintf(key, sizeof(key), "fefo-%s-%d", tag, i);
		if (aba_ledger_earn(db, &e, &out, &err))
			die("earn", &err);
		aba_posting_clear(&out);
	}
}

static int64_t timed_redeem(struct aba_db *db, const char *code, int64_t points, const char *key)
{
	struct aba_redeem r = { code, points, key, "bench", NULL };
	struct aba_posting out;
	struct aba_err err;
	int64_t t0 = now_us();

	if (aba_ledger_redeem(db, &r, &out, &err))
		die("redeem", &err);
	aba_posting_clear(&out);
	return now_us() - t0;
}

static int bench_fefo(void)
{
	struct aba_db *db = connect_db();
	char tag[32], code[48], key[64];
	int64_t all, lat[200];

	snprintf(tag, sizeof(tag), "%lld", (long long)time(NULL));
	snprintf(code, sizeof(code), "FEFO-A-%s", tag);
	thousand_lots(db, code, tag);
	snprintf(key, sizeof(key), "fefo-all-%s", tag);
	all = timed_redeem(db, code, 1000 * 1000, key);	/* every lot, in FEFO order */
	snprintf(code, sizeof(code), "FEFO-B-%s", tag);
	snprintf(tag + strlen(tag), sizeof(tag) - strlen(tag), "b");
	thousand_lots(db, code, tag);
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "fefo-small-%s-%d", tag, i);
		lat[i] = timed_redeem(db, code, 1, key);	/* 1,000 lots stay open */
	}
	qsort(lat, 200, sizeof(lat[0]), cmp_i64);
	printf("all_lots_ms %.1f small_p50_ms %.2f small_p99_ms %.2f\n", (double)all / 1000.0,
	       pct_ms(lat, 200, 500), pct_ms(lat, 200, 990));
	aba_db_free(db);
	return 0;
}

static int bench_read(int cards, int n)
{
	struct aba_db *db = connect_db();
	int64_t *lat = calloc((size_t)n, sizeof(*lat));
	unsigned seed = 42;
	struct aba_card_view v;
	struct aba_err err;
	char code[24];

	int64_t budget = now_us() + 60 * 1000000LL;

	/* n reads, or as many as a minute allows when each takes long */
	for (int i = 0; i < n; i++) {
		int64_t t0;

		if (now_us() > budget) {
			n = i;
			break;
		}
		snprintf(code, sizeof(code), "B%d", 1 + rand_r(&seed) % cards);
		t0 = now_us();
		if (aba_card_load(db, code, 20, 20, &v, &err))
			die("card load", &err);
		lat[i] = now_us() - t0;
		aba_card_view_clear(&v);
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
	printf("reads %d p50_ms %.2f p99_ms %.2f\n", n, pct_ms(lat, n, 500), pct_ms(lat, n, 990));
	free(lat);
	aba_db_free(db);
	return 0;
}

static int bench_audit(const char *file)
{
	struct aba_db *db = connect_db();
	struct aba_audit_check c;
	struct aba_err err;
	int64_t t0 = now_us(), db_us, file_us;

	if (aba_audit_verify(db, NULL, &c, &err) || c.broken_id)
		die("audit verify", c.broken_id ? NULL : &err);
	db_us = now_us() - t0;
	if (aba_audit_export(db, file, NULL, &err))
		die("audit export", &err);
	t0 = now_us();
	if (aba_audit_verify_file(file, NULL, &c, &err) || c.broken_id)
		die("audit verify --file", c.broken_id ? NULL : &err);
	file_us = now_us() - t0;
	printf("rows %lld db_rows_per_s %.0f file_rows_per_s %.0f\n", (long long)c.rows,
	       (double)c.rows * 1e6 / (double)db_us, (double)c.rows * 1e6 / (double)file_us);
	aba_db_free(db);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3)
		conninfo = argv[2];
	if (argc == 6 && strcmp(argv[1], "post") == 0)
		return bench_post(atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	if (argc == 3 && strcmp(argv[1], "fefo") == 0)
		return bench_fefo();
	if (argc == 5 && strcmp(argv[1], "read") == 0)
		return bench_read(atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "audit") == 0)
		return bench_audit(argv[3]);
	fprintf(stderr, "usage: bench_ledger post CONNINFO CLIENTS SECONDS CARDS\n"
			"       bench_ledger fefo CONNINFO\n"
			"       bench_ledger read CONNINFO CARDS N\n"
			"       bench_ledger audit CONNINFO FILE\n");
	return 2;
}
