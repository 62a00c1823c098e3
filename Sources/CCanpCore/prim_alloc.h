/*
 * prim_alloc.h: the thin layer over the system allocator (internal).
 *
 * With CANP_USE_JEMALLOC, each pool gets its own jemalloc arena and every
 * call goes to it without the thread cache (the pool has its own caches);
 * without it, plain malloc/free, for sanitizer runs and for users who do not
 * want jemalloc to replace the process allocator.
 */
#ifndef CANP_PRIM_ALLOC_H
#define CANP_PRIM_ALLOC_H

#include <stddef.h>
#include <stdbool.h>

typedef struct _canp_arena_s {
    unsigned index;
    bool created;
} _canp_arena_t;

int _canp_arena_create(_canp_arena_t *arena);
int _canp_arena_destroy(_canp_arena_t *arena);
void *_canp_arena_alloc(_canp_arena_t *arena, size_t size);
void _canp_arena_free(_canp_arena_t *arena, void *ptr, size_t size);
bool _canp_arena_is_jemalloc(void);
/* Asks for transparent huge pages on the 2 MiB-aligned part of a large fresh
 * allocation (madvise MADV_HUGEPAGE; a hint: ignored where unsupported), so
 * that filling it faults once per 2 MiB instead of once per 4 KiB page. */
void _canp_advise_huge_pages(void *ptr, size_t size);

#endif
