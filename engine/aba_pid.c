/* aba_pid.c - hashing and membership of product identifiers. */
#include "aba_pid.h"

uint64_t aba_pid_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

int aba_pid_list_meets(const struct aba_pid_list *a, const struct aba_pid_list *b)
{
	for (size_t i = 0; i < a->n; i++)
		if (aba_pid_list_has(b, &a->v[i]))
			return 1;
	return 0;
}
