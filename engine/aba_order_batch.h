/* aba_order_batch.h - many orders in a few statements (issue 4's bulk and
 * throughput targets): `aba order post` of a file, the demo seeder.
 *
 * Orders are added one at a time and posted size at a time through
 * aba.post_orders (sql/071): one statement for the levels of the whole
 * batch, one for the posting.  Each order keeps every guarantee of
 * aba_order_post: its ref is its idempotency key, it earns at the level
 * valid at its time (an order whose card moved up meanwhile is evaluated
 * again), and a refused order writes nothing and is reported on its own.
 * The orders of one card post in the order they were added.  If the
 * batch statement itself fails, its orders are posted one by one, so
 * every order still gets its own answer.
 */
#ifndef ABA_ORDER_BATCH_H
#define ABA_ORDER_BATCH_H

#include <stddef.h>

#include <jansson.h>

#include "aba_err.h"
#include "aba_order.h"

struct aba_db;
struct aba_program_set;
struct aba_order_batch;

#define ABA_ORDER_BATCH_SIZE 500
#define ABA_ORDER_BATCH_MAX 10000	/* what aba.post_orders takes at most */

/* Called once per order when its fate is known: r set (posted or
 * replayed; borrowed for the call) or err set.  The callback may add
 * orders to the batch (they are posted with the next batch). */
typedef void (*aba_order_done_fn)(void *arg, const json_t *order,
				  const struct aba_order_result *r, const struct aba_err *err);

/* size: orders per statement, 1 to ABA_ORDER_BATCH_MAX.  programs may be
 * NULL (no discounts, no points).  NULL when out of memory. */
struct aba_order_batch *aba_order_batch_new(struct aba_db *db,
					    const struct aba_program_set *programs, size_t size,
					    aba_order_done_fn done, void *arg);

/* Queues an order (the batch keeps a reference); posts the batch when it
 * is full.  -1 only when the batch could not be posted at all (out of
 * memory); a refused order is reported to done. */
int aba_order_batch_add(struct aba_order_batch *b, json_t *order, struct aba_err *err);

/* Posts what is queued. */
int aba_order_batch_flush(struct aba_order_batch *b, struct aba_err *err);

/* Frees the batch; orders still queued are dropped unposted. */
void aba_order_batch_free(struct aba_order_batch *b);

#endif
