/*
 * bench_peers.c: the allocate+release loops of the memory pool benchmark.
 * Each thread keeps a small window of live blocks (8), as a decoder holding a
 * few buffers does, so that no allocator can serve every request from a
 * single hot block.
 */
#define _GNU_SOURCE
#include "bench_peers.h"

#include <jemalloc/jemalloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern void *__libc_malloc(size_t size);
extern void __libc_free(void *ptr);

typedef struct job_s {
    bench_allocator_t allocator;
    canp_pool_t *pool;
    const size_t *sizes;
    size_t size_count;
    uint64_t pairs;
    int failed;
} job_t;

#define WINDOW 8

static void *run(void *arg) {
    job_t *job = arg;
    void *live[WINDOW] = {0};
    size_t live_size[WINDOW] = {0};
    canp_block_t blocks[WINDOW];
    memset(blocks, 0, sizeof blocks);
    for (uint64_t i = 0; i < job->pairs; i++) {
        size_t slot = i % WINDOW;
        size_t size = job->sizes[i % job->size_count];
        switch (job->allocator) {
        case BENCH_CANP_POOL:
            if (blocks[slot].data) canp_pool_free(job->pool, blocks[slot]);
            if (canp_pool_alloc(job->pool, size, CANP_FAMILY_GENERAL, &blocks[slot]) != 0) { job->failed = 1; return NULL; }
            ((volatile char *)blocks[slot].data)[0] = 1;
            break;
        case BENCH_JEMALLOC:
            if (live[slot]) sdallocx(live[slot], live_size[slot], 0);
            live[slot] = mallocx(size, 0);
            live_size[slot] = size;
            if (!live[slot]) { job->failed = 1; return NULL; }
            ((volatile char *)live[slot])[0] = 1;
            break;
        case BENCH_GLIBC:
            if (live[slot]) __libc_free(live[slot]);
            live[slot] = __libc_malloc(size);
            if (!live[slot]) { job->failed = 1; return NULL; }
            ((volatile char *)live[slot])[0] = 1;
            break;
        }
    }
    for (size_t slot = 0; slot < WINDOW; slot++) {
        if (blocks[slot].data) canp_pool_free(job->pool, blocks[slot]);
        if (live[slot]) {
            if (job->allocator == BENCH_JEMALLOC) sdallocx(live[slot], live_size[slot], 0);
            else __libc_free(live[slot]);
        }
    }
    return NULL;
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

uint64_t bench_pairs(bench_allocator_t allocator, canp_pool_t *pool, const size_t *sizes, size_t size_count,
                     uint64_t pairs, int threads) {
    if (threads < 1 || threads > 64) return 0;
    job_t jobs[64];
    pthread_t ids[64];
    for (int t = 0; t < threads; t++) {
        jobs[t] = (job_t){allocator, pool, sizes, size_count, pairs, 0};
    }
    uint64_t start = now_ns();
    for (int t = 1; t < threads; t++) pthread_create(&ids[t], NULL, run, &jobs[t]);
    run(&jobs[0]);
    for (int t = 1; t < threads; t++) pthread_join(ids[t], NULL);
    uint64_t elapsed = now_ns() - start;
    for (int t = 0; t < threads; t++) if (jobs[t].failed) return 0;
    return elapsed ? elapsed : 1;
}
