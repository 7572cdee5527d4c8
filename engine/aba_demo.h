/* aba_demo.h - demo data, written through the same engine calls as real
 * postings: customers with Indonesian names, points earned and spent over
 * the last 18 months, so that some have expired and some expire soon. */
#ifndef ABA_DEMO_H
#define ABA_DEMO_H

#include "aba_err.h"

struct aba_db;

struct aba_demo_opts {
	int customers;		/* cards to create */
	long now;		/* the "today" of the data, epoch seconds */
	void (*progress)(void *arg, int done, int total);
	void *arg;
};

/* Creates the cards (card codes C0001…) and their postings.  Cards that
 * exist already are left alone, so seeding twice changes nothing. */
int aba_demo_seed(struct aba_db *db, const struct aba_demo_opts *o, struct aba_err *err);

/* Whether the database has any card at all. */
int aba_demo_is_empty(struct aba_db *db, int *empty, struct aba_err *err);

#endif
