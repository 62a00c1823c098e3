/*
 * bench_peers.h: allocation loops for the memory pool benchmark, in C so
 * that the allocator is measured and not the calling language.
 */
#ifndef BENCH_PEERS_H
#define BENCH_PEERS_H

#include <stddef.h>
#include <stdint.h>

#include <canp_pool.h>

typedef enum bench_allocator_e {
    BENCH_CANP_POOL = 0,   /* canp_pool_alloc / canp_pool_free */
    BENCH_JEMALLOC = 1,    /* mallocx / sdallocx (default arena, thread cache) */
    BENCH_GLIBC = 2,       /* glibc's own malloc / free (__libc_malloc) */
} bench_allocator_t;

/*
 * Runs `pairs` allocate+release pairs on each of `threads` threads (sizes
 * cycle through `sizes`, each block is touched once) and returns the
 * wall-clock nanoseconds of the whole run, threads included. `pool` is used
 * by BENCH_CANP_POOL only. Returns 0 on failure.
 */
uint64_t bench_pairs(bench_allocator_t allocator, canp_pool_t *pool, const size_t *sizes, size_t size_count,
                     uint64_t pairs, int threads);

#endif
