/* aba_spread.h - spreading an amount over lines by largest remainder.
 *
 * Each line i gets a share of amount in proportion to weight[i], never more
 * than limit[i]; what a limited line cannot take goes to the others, in
 * proportion again.  Shares are whole hundredths and sum exactly to what
 * was spread: the leftover hundredths after flooring go one each to the
 * lines with the largest remainders (ties: the earlier line).  100.00 over
 * three equal lines is 33.34, 33.33, 33.33.
 */
#ifndef ABA_SPREAD_H
#define ABA_SPREAD_H

#include <stddef.h>
#include <stdint.h>

/* Weights and limits are >= 0 and each <= ABA_AMOUNT_MAX-ish (products of
 * two fit in 128 bits).  out[i] is set for every line.  Returns how much
 * was spread: amount, or less when the limits together are smaller.
 * scratch holds 2 * n int64_t. */
int64_t aba_spread(int64_t amount, const int64_t *weight, const int64_t *limit,
		   int64_t *out, size_t n, int64_t *scratch);

#endif
