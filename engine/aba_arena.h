/* aba_arena.h - a bump allocator for parsed objects that die together.
 *
 * A parsed program set or cart keeps all its strings and arrays in one
 * arena, so freeing it is one call and parsing needs no cleanup paths.
 */
#ifndef ABA_ARENA_H
#define ABA_ARENA_H

#include <stddef.h>

struct aba_arena_block;

struct aba_arena {
	struct aba_arena_block *head;
};

/* size bytes, zeroed and aligned for any scalar; NULL when out of memory. */
void *aba_arena_alloc(struct aba_arena *a, size_t size);
/* n elements of size bytes each, zeroed; NULL on overflow or out of memory. */
void *aba_arena_calloc(struct aba_arena *a, size_t n, size_t size);
/* A copy of s in the arena; NULL when out of memory. */
char *aba_arena_strdup(struct aba_arena *a, const char *s);
/* Releases every block; the arena is empty and usable again. */
void aba_arena_release(struct aba_arena *a);

#endif
