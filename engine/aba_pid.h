/* aba_pid.h - product and category identifiers with a precomputed hash.
 *
 * The discount engine compares every cart line with every program's
 * product lists; comparing hashes first keeps that to a few instructions.
 */
#ifndef ABA_PID_H
#define ABA_PID_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct aba_pid {
	const char *s;
	uint64_t h;
};

struct aba_pid_list {
	const struct aba_pid *v;
	size_t n;
};

/* FNV-1a of s. */
uint64_t aba_pid_hash(const char *s);

static inline int aba_pid_eq(const struct aba_pid *a, const struct aba_pid *b)
{
	return a->h == b->h && strcmp(a->s, b->s) == 0;
}

/* Whether p is one of l.  Inline: the discount engine's innermost loop. */
static inline int aba_pid_list_has(const struct aba_pid_list *l, const struct aba_pid *p)
{
	for (size_t i = 0; i < l->n; i++)
		if (aba_pid_eq(&l->v[i], p))
			return 1;
	return 0;
}

/* Whether any of a is one of b. */
int aba_pid_list_meets(const struct aba_pid_list *a, const struct aba_pid_list *b);

#endif
