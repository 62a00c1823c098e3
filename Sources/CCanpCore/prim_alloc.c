/*
 * prim_alloc.c: arenas for pools (jemalloc arenas, or plain malloc).
 *
 * Threads: any. Each function is as thread-safe as the allocator under it.
 * Invariant: a pointer is freed with the size it was allocated with.
 * Blocks are 64-byte aligned so that no two blocks share a cache line.
 */
#include <sys/mman.h>
#include <stdint.h>
#include "prim_alloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#if CANP_USE_JEMALLOC
#include <jemalloc/jemalloc.h>

int _canp_arena_create(_canp_arena_t *arena) {
    unsigned index = 0;
    size_t size = sizeof(index);
    int rc = mallctl("arenas.create", &index, &size, NULL, 0);
    if (rc != 0) return -rc;
    arena->index = index;
    arena->created = true;
    return 0;
}

int _canp_arena_destroy(_canp_arena_t *arena) {
    if (!arena->created) return 0;
    char name[64];
    snprintf(name, sizeof name, "arena.%u.destroy", arena->index);
    int rc = mallctl(name, NULL, NULL, NULL, 0);
    arena->created = false;
    return -rc;
}

void *_canp_arena_alloc(_canp_arena_t *arena, size_t size) {
    return mallocx(size, MALLOCX_ARENA(arena->index) | MALLOCX_TCACHE_NONE | MALLOCX_ALIGN(64));
}

void _canp_arena_free(_canp_arena_t *arena, void *ptr, size_t size) {
    (void)arena;
    sdallocx(ptr, size, MALLOCX_TCACHE_NONE | MALLOCX_ALIGN(64));
}

bool _canp_arena_is_jemalloc(void) { return true; }

#else

int _canp_arena_create(_canp_arena_t *arena) {
    arena->index = 0;
    arena->created = true;
    return 0;
}

int _canp_arena_destroy(_canp_arena_t *arena) {
    arena->created = false;
    return 0;
}

void *_canp_arena_alloc(_canp_arena_t *arena, size_t size) {
    (void)arena;
    void *ptr = NULL;
    if (posix_memalign(&ptr, 64, size ? size : 1) != 0) return NULL;
    return ptr;
}

void _canp_arena_free(_canp_arena_t *arena, void *ptr, size_t size) {
    (void)arena;
    (void)size;
    free(ptr);
}

bool _canp_arena_is_jemalloc(void) { return false; }

#endif

void _canp_advise_huge_pages(void *ptr, size_t size) {
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t start = ((uintptr_t)ptr + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)ptr + size) & ~(huge - 1);
    if (end > start) (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)ptr;
    (void)size;
#endif
}
