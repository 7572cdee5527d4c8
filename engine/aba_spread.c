/* aba_spread.c - water-filling, then largest remainder. */
#include "aba_spread.h"

/* Lines whose proportional share exceeds their limit take their limit and
 * leave the pool; repeats until every share fits.  Capping can only raise
 * the others' shares, so a line capped once stays capped.  Returns what is
 * left to spread over the lines still open (open[i] != 0). */
static int64_t cap_lines(int64_t amount, const int64_t *weight, const int64_t *limit,
			 int64_t *out, size_t n, int64_t *open)
{
	int capped = 1;

	while (capped && amount > 0) {
		__int128 total = 0;
		int64_t taken = 0;

		capped = 0;
		for (size_t i = 0; i < n; i++)
			if (open[i])
				total += weight[i];
		if (total == 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (open[i] && (__int128)amount * weight[i] > (__int128)limit[i] * total) {
				out[i] = limit[i];
				taken += limit[i];
				open[i] = 0;
				capped = 1;
			}
		amount -= taken;
	}
	return amount;
}

/* Every open line's share fits its limit: floor the shares, then hand out
 * the leftover hundredths by largest remainder. */
static int64_t largest_remainder(int64_t amount, const int64_t *weight, int64_t *out,
				 size_t n, const int64_t *open, int64_t *rem)
{
	__int128 total = 0;
	int64_t given = 0;

	for (size_t i = 0; i < n; i++)
		if (open[i])
			total += weight[i];
	if (total == 0 || amount <= 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		__int128 p = open[i] ? (__int128)amount * weight[i] : 0;

		out[i] = open[i] ? (int64_t)(p / total) : out[i];
		rem[i] = open[i] ? (int64_t)(p % total) : -1;
		given += open[i] ? out[i] : 0;
	}
	/* The remainders sum to (amount - given) * total, each < total, so
	 * more than amount - given lines have one: the loop always finds one. */
	for (int64_t left = amount - given; left > 0; left--) {
		size_t best = n;

		for (size_t i = 0; i < n; i++)
			if (rem[i] > 0 && (best == n || rem[i] > rem[best]))
				best = i;
		out[best]++;
		rem[best] = -1;
	}
	return amount;
}

int64_t aba_spread(int64_t amount, const int64_t *weight, const int64_t *limit,
		   int64_t *out, size_t n, int64_t *scratch)
{
	int64_t *open = scratch, *rem = scratch + n;
	int64_t left;

	for (size_t i = 0; i < n; i++) {
		out[i] = 0;
		open[i] = weight[i] > 0 && limit[i] > 0;
	}
	if (amount <= 0)
		return 0;
	left = cap_lines(amount, weight, limit, out, n, open);
	return amount - left + largest_remainder(left, weight, out, n, open, rem);
}
