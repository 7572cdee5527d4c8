/* test_sync.c - outbox delivery on a real PostgreSQL: each event exactly
 * once to a file consumer across a restart of the runner, in order per
 * card when a delivery fails, backoff and parking, one runner at a time,
 * and waking on NOTIFY. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aba_card.h"
#include "aba_ledger.h"
#include "aba_outbox.h"
#include "testdb.h"

#define DBNAME "t_sync"

static struct aba_db *db;
static const char *dir;
static char out_path[256];

static void create_db(void)
{
	aba_db_free(testdb_create(DBNAME));
	dir = testdb_scratch_dir("sync");
	signal(SIGPIPE, SIG_IGN);
}

static void connect_db(void)
{
	db = testdb_connect(DBNAME, NULL, NULL);
}

static void disconnect_db(void)
{
	aba_db_free(db);
	db = NULL;
}

static void card(const char *code)
{
	struct aba_card_new c = { code, "Dewi Lestari", NULL, NULL };
	struct aba_err err;

	ck_assert_msg(aba_card_create(db, &c, &err) == 0, "%s", err.msg);
}

static void earn(const char *code, const char *key)
{
	struct aba_earn e = { code, 100, key, "test", NULL, 0 };
	struct aba_posting p;
	struct aba_err err;

	ck_assert_msg(aba_ledger_earn(db, &e, &p, &err) == 0, "%s", err.msg);
	aba_posting_clear(&p);
}

static struct aba_sync_totals sync_once(const char *to, const char *cmd, int max_attempts)
{
	struct aba_sync_opts o = { .to_file = to, .exec_cmd = cmd, .once = 1,
				   .max_attempts = max_attempts };
	struct aba_sync_totals t;
	struct aba_err err;

	ck_assert_msg(aba_sync_run(db, &o, &t, &err) == 0, "%s", err.msg);
	return t;
}

/* Event ids in the file, in file order, for one card (NULL: all). */
static int ids_in_file(const char *path, const char *card, long *ids, int max)
{
	char line[4096], pat[64];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return 0;
	snprintf(pat, sizeof(pat), "\"card\": \"%s\"", card ? card : "");
	while (fgets(line, sizeof(line), f) && n < max)
		if (!card || strstr(line, pat))
			ids[n++] = strtol(line + strlen("{\"id\": "), NULL, 10);
	fclose(f);
	return n;
}

static long long q(const char *sql)
{
	return testdb_value(db, sql);
}

START_TEST(file_consumer_gets_each_event_once_across_restart)
{
	long ids[64];
	int n;

	snprintf(out_path, sizeof(out_path), "%s/events.jsonl", dir);
	card("A1");
	card("A2");
	for (int i = 0; i < 5; i++) {
		char key[32];

		snprintf(key, sizeof(key), "a1-%d", i);
		earn("A1", key);
		snprintf(key, sizeof(key), "a2-%d", i);
		earn("A2", key);
	}
	ck_assert_int_eq(sync_once(out_path, NULL, 10).delivered, 10);
	/* the runner stops; more postings; it starts again */
	earn("A1", "a1-late");
	earn("A2", "a2-late");
	ck_assert_int_eq(sync_once(out_path, NULL, 10).delivered, 2);
	ck_assert_int_eq(sync_once(out_path, NULL, 10).delivered, 0);
	n = ids_in_file(out_path, NULL, ids, 64);
	ck_assert_int_eq(n, 12);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.outbox"), 12);
	/* every event once: the ids are the outbox's, ascending, none twice */
	for (int i = 1; i < n; i++)
		ck_assert_int_gt(ids[i], ids[i - 1]);
	ck_assert_int_eq(ids[0], q("SELECT min(id) FROM aba.outbox"));
	ck_assert_int_eq(ids[n - 1], q("SELECT max(id) FROM aba.outbox"));
	ck_assert_int_eq(q("SELECT count(*) FROM aba.outbox WHERE state = 'delivered'"), 12);
}
END_TEST

START_TEST(a_failing_event_holds_back_its_card_only)
{
	char cmd[1024], path[256], gate[256];
	struct aba_sync_totals t;
	long ids[64], all[64];
	int n;

	q("SELECT count(*) FROM aba.outbox_delivered(ARRAY(SELECT id FROM aba.outbox))");
	snprintf(path, sizeof(path), "%s/consumer.jsonl", dir);
	snprintf(gate, sizeof(gate), "%s/gate", dir);
	/* The consumer refuses F1's events until the gate file exists. */
	snprintf(cmd, sizeof(cmd),
		 "read -r line; case \"$line\" in *'\"card\": \"F1\"'*) [ -e %s ] || exit 1;; esac;"
		 " printf '%%s\\n' \"$line\" >> %s", gate, path);
	card("F1");
	card("G1");
	earn("F1", "f1-1");
	earn("G1", "g1-1");
	earn("F1", "f1-2");
	earn("G1", "g1-2");
	t = sync_once(NULL, cmd, 10);
	ck_assert_int_eq(t.delivered, 2);	/* G1's two */
	ck_assert_int_eq(t.failed, 1);		/* F1's first; its second waited */
	ck_assert_int_eq(ids_in_file(path, "F1", ids, 64), 0);
	ck_assert_int_eq(q("SELECT attempts FROM aba.outbox o JOIN aba.postings p ON p.id = o.posting_id"
			   " WHERE p.key = 'f1-2'"), 0);
	/* still backing off: nothing due */
	ck_assert_int_eq(sync_once(NULL, cmd, 10).failed, 0);
	fclose(fopen(gate, "w"));
	sleep(2);
	t = sync_once(NULL, cmd, 10);
	ck_assert_int_eq(t.delivered, 2);
	n = ids_in_file(path, "F1", ids, 64);
	ck_assert_int_eq(n, 2);
	ck_assert_int_lt(ids[0], ids[1]);
	ck_assert_int_eq(ids_in_file(path, NULL, all, 64), 4);
}
END_TEST

START_TEST(poison_event_is_parked)
{
	struct aba_outbox_status st;
	struct aba_err err;
	int64_t n;

	q("SELECT count(*) FROM aba.outbox_delivered(ARRAY(SELECT id FROM aba.outbox))");
	card("P1");
	earn("P1", "p1-1");
	earn("P1", "p1-2");
	/* one attempt allowed: the first event is parked, the second goes on
	 * (and fails too with this command: parked as well) */
	ck_assert_int_eq(sync_once(NULL, "cat >/dev/null; exit 7", 1).parked, 2);
	ck_assert_int_eq(aba_outbox_status(db, &st, &err), 0);
	ck_assert_int_eq(st.parked, 2);
	ck_assert_int_eq(st.pending, 0);
	ck_assert_int_eq(q("SELECT count(*) FROM aba.outbox WHERE state = 'parked'"
			   " AND last_error = 'the command exited with status 7'"), 2);
	ck_assert_int_eq(aba_outbox_retry_parked(db, &n, &err), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(sync_once(NULL, "cat >/dev/null", 3).delivered, 2);
	ck_assert_int_eq(aba_outbox_status(db, &st, &err), 0);
	ck_assert_int_eq(st.parked + st.pending, 0);
}
END_TEST

START_TEST(one_runner_at_a_time)
{
	struct aba_db *other = testdb_connect(DBNAME, NULL, NULL);
	struct aba_sync_opts o = { .to_file = "/dev/null", .once = 1 };
	struct aba_sync_totals t;
	struct aba_err err;

	testdb_value(other, "SELECT count(*) FROM (SELECT pg_advisory_lock(hashtext('aba.sync'))) l");
	ck_assert_int_eq(aba_sync_run(db, &o, &t, &err), -1);
	ck_assert_int_eq(err.code, ABA_CONFLICT);
	ck_assert_str_eq(err.msg, "another aba sync run is delivering this database's outbox");
	testdb_value(other, "SELECT count(*) FROM (SELECT pg_advisory_unlock(hashtext('aba.sync'))) l");
	aba_db_free(other);
	ck_assert_int_eq(aba_sync_run(db, &o, &t, &err), 0);
}
END_TEST

static volatile sig_atomic_t stop_runner;
static struct aba_sync_totals runner_totals;
static int runner_rc;

static void *runner(void *arg)
{
	struct aba_db *conn = testdb_connect(DBNAME, NULL, NULL);
	struct aba_sync_opts o = { .to_file = arg, .stop = &stop_runner };
	struct aba_err err;

	runner_rc = aba_sync_run(conn, &o, &runner_totals, &err);
	aba_db_free(conn);
	return NULL;
}

START_TEST(runner_wakes_on_notify)
{
	char path[256];
	pthread_t th;
	long ids[8];
	int n = 0;

	q("SELECT count(*) FROM aba.outbox_delivered(ARRAY(SELECT id FROM aba.outbox))");
	snprintf(path, sizeof(path), "%s/live.jsonl", dir);
	card("N1");
	pthread_create(&th, NULL, runner, path);
	usleep(300000);
	earn("N1", "n1-1");
	/* delivered well before the 5 s idle wait would have found it */
	for (int i = 0; i < 40 && n == 0; i++) {
		usleep(50000);
		n = ids_in_file(path, "N1", ids, 8);
	}
	ck_assert_int_eq(n, 1);
	stop_runner = 1;
	earn("N1", "n1-2");	/* a NOTIFY ends the wait */
	pthread_join(th, NULL);
	ck_assert_int_eq(runner_rc, 0);
	ck_assert_int_ge(runner_totals.delivered, 1);
}
END_TEST

START_TEST(clerk_cannot_drain_the_outbox)
{
	struct aba_db *clerk = testdb_connect(DBNAME, "t_sync_clerk", "aba_clerk");
	struct aba_sync_opts o = { .to_file = "/dev/null", .once = 1 };
	struct aba_outbox_status st;
	struct aba_sync_totals t;
	struct aba_err err;

	ck_assert_int_eq(aba_sync_run(clerk, &o, &t, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	ck_assert_int_eq(aba_outbox_status(clerk, &st, &err), -1);
	ck_assert_int_eq(err.code, ABA_DENIED);
	aba_db_free(clerk);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("sync");
	SRunner *sr;
	int failed;

	tcase_add_unchecked_fixture(tc, create_db, NULL);
	tcase_add_checked_fixture(tc, connect_db, disconnect_db);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, file_consumer_gets_each_event_once_across_restart);
	tcase_add_test(tc, a_failing_event_holds_back_its_card_only);
	tcase_add_test(tc, poison_event_is_parked);
	tcase_add_test(tc, one_runner_at_a_time);
	tcase_add_test(tc, runner_wakes_on_notify);
	tcase_add_test(tc, clerk_cannot_drain_the_outbox);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
