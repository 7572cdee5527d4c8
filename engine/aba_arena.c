/* aba_arena.c - blocks chained newest first; big requests get their own. */
#include "aba_arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 4096
#define ARENA_ALIGN 16

struct aba_arena_block {
	struct aba_arena_block *next;
	size_t used, size;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

static struct aba_arena_block *block_new(size_t size, struct aba_arena_block *next)
{
	struct aba_arena_block *b = malloc(sizeof(*b) + size);

	if (!b)
		return NULL;
	b->next = next;
	b->used = 0;
	b->size = size;
	return b;
}

void *aba_arena_alloc(struct aba_arena *a, size_t size)
{
	struct aba_arena_block *b = a->head;
	size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *p;

	if (size > SIZE_MAX / 2)
		return NULL;
	if (need == 0)
		need = ARENA_ALIGN;
	if (!b || b->size - b->used < need) {
		if (need > ARENA_BLOCK / 4 && b) {
			/* A big request: its own block, behind the current one. */
			struct aba_arena_block *big = block_new(need, b->next);

			if (!big)
				return NULL;
			b->next = big;
			big->used = need;
			memset(big->data, 0, need);
			return big->data;
		}
		b = block_new(need > ARENA_BLOCK ? need : ARENA_BLOCK, a->head);
		if (!b)
			return NULL;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += need;
	memset(p, 0, need);
	return p;
}

void *aba_arena_calloc(struct aba_arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / 2 / size)
		return NULL;
	return aba_arena_alloc(a, n * size);
}

char *aba_arena_strdup(struct aba_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = aba_arena_alloc(a, n);

	if (p)
		memcpy(p, s, n);
	return p;
}

void aba_arena_release(struct aba_arena *a)
{
	while (a->head) {
		struct aba_arena_block *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}
