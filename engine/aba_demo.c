/* aba_demo.c - demo customers and their postings. */
#include "aba_demo.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "aba_card.h"
#include "aba_db.h"
#include "aba_ledger.h"
#include "aba_time.h"

static const char *const first_names[] = {
	"Budi", "Siti", "Agus", "Dewi", "Rina", "Andi", "Putri", "Wahyu", "Sri", "Joko",
	"Ayu", "Bambang", "Indah", "Hendra", "Fitri", "Rudi", "Lestari", "Eko", "Nur", "Yusuf",
};
static const char *const last_names[] = {
	"Santoso", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama", "Lestari", "Nugroho",
	"Setiawan", "Halim", "Gunawan", "Siregar", "Nasution", "Wibowo", "Hakim", "Purnomo",
};

#define NELEM(a) (int)(sizeof(a) / sizeof((a)[0]))
#define DAY 86400L

/* xorshift64: deterministic demo data, no global state. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int aba_demo_is_empty(struct aba_db *db, int *empty, struct aba_err *err)
{
	PGresult *res = NULL;

	if (aba_db_call(db, "SELECT NOT EXISTS (SELECT 1 FROM aba.cards)", 0, NULL,
			PGRES_TUPLES_OK, &res, err))
		return -1;
	*empty = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return 0;
}

/* A year and a half of activity for one card: earnings valid 365 days,
 * spending now and then.  Keys are derived from the card and the step, so
 * a second run replays instead of doubling. */
static int seed_postings(struct aba_db *db, const char *code, uint64_t *rnd, long now,
			 struct aba_err *err)
{
	int visits = 4 + (int)(next_random(rnd) % 12);
	char key[96], at[ABA_TIME_BUFSZ];
	struct aba_posting p;

	for (int v = 0; v < visits; v++) {
		long when = now - (long)(next_random(rnd) % (540 * DAY));
		struct aba_earn e = { code, 500 + (int64_t)(next_random(rnd) % 20000), key, "demo",
				      aba_time_format(when, at), 365 };

		snprintf(key, sizeof(key), "demo:%s:earn:%d", code, v);
		if (aba_ledger_earn(db, &e, &p, err))
			return -1;
		aba_posting_clear(&p);
	}
	if (next_random(rnd) % 3 == 0) {
		struct aba_card_view cv;
		int64_t bal;

		if (aba_card_load(db, code, 0, 0, &cv, err))
			return -1;
		bal = cv.card.balance;
		aba_card_view_clear(&cv);
		snprintf(key, sizeof(key), "demo:%s:redeem", code);
		struct aba_redeem r = { code, bal / 3, key, "demo", NULL };
		if (r.points > 0 && aba_ledger_redeem(db, &r, &p, err) == 0)
			aba_posting_clear(&p);
	}
	return 0;
}

int aba_demo_seed(struct aba_db *db, const struct aba_demo_opts *o, struct aba_err *err)
{
	uint64_t rnd = 0x9E3779B97F4A7C15ULL;
	struct aba_expire_totals t;
	char code[16], name[96], phone[24];

	for (int i = 1; i <= o->customers; i++) {
		struct aba_card_new c = { code, name, phone, NULL };
		struct aba_err local;

		snprintf(code, sizeof(code), "C%04d", i);
		snprintf(name, sizeof(name), "%s %s",
			 first_names[next_random(&rnd) % NELEM(first_names)],
			 last_names[next_random(&rnd) % NELEM(last_names)]);
		snprintf(phone, sizeof(phone), "+62812%07d", (int)(next_random(&rnd) % 10000000));
		if (aba_card_create(db, &c, &local) && local.code != ABA_CONFLICT) {
			*err = local;
			return -1;
		}
		if (seed_postings(db, code, &rnd, o->now, err))
			return -1;
		if (o->progress)
			o->progress(o->arg, i, o->customers);
	}
	return aba_ledger_expire(db, NULL, NULL, NULL, &t, err);
}
