/* aba_demo.h - demo data, written through the same engine calls as real
 * postings: levels Silver/Gold/Platinum, a dozen programs of different
 * types, customers with Indonesian names, POS orders spread over the last
 * 18 months (evaluated by the discount engine at the level valid at each
 * order's time, so some points have expired and some expire soon), a
 * membership evaluation, the expiry run and a few pending adjustment
 * requests. */
#ifndef ABA_DEMO_H
#define ABA_DEMO_H

#include "aba_err.h"
#include "aba_program.h"

struct aba_db;

struct aba_demo_opts {
	long customers;		/* cards to create */
	long orders;		/* orders to post; < 0: 8 per customer */
	long now;		/* the "today" of the data, epoch seconds */
	/* stage is "customers", "orders", then the evaluation's and the
	 * expiry's count of cards, whose total is 0 until their last call
	 * (total == done) */
	void (*progress)(void *arg, const char *stage, long done, long total);
	void *arg;
};

/* The demo programs (caller frees with aba_program_set_free). */
int aba_demo_programs(struct aba_program_set **out, struct aba_err *err);

/* Creates what is missing.  Cards that exist already are left alone, and
 * orders are posted only into a database without demo orders, so seeding
 * twice changes nothing. */
int aba_demo_seed(struct aba_db *db, const struct aba_demo_opts *o, struct aba_err *err);

/* Whether the database has any card at all. */
int aba_demo_is_empty(struct aba_db *db, int *empty, struct aba_err *err);

#endif
