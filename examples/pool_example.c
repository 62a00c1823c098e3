/*
 * pool_example.c: using the CANP memory pool from plain C.
 *
 * Creates a pool with tiers in two families, allocates and frees blocks of
 * several tiers (and one above every tier) on two threads, checks the bytes
 * it wrote, prints the statistics and destroys the pool. Exits non-zero on
 * any failure.
 *
 * Build (scripts/test does this):
 *   swift build --product CCanpCore
 *   cc -std=c11 -Wall -Wextra -Werror -I Sources/CCanpCore/include examples/pool_example.c \
 *      -L .build/debug -lCCanpCore -Wl,-rpath,$PWD/.build/debug -lpthread -o pool_example
 */
#define _POSIX_C_SOURCE 200809L
#include <canp.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 200000

static const size_t request_sizes[] = {100, 600, 2000, 4000, 8000, 3000, 50000};

static void *worker(void *arg) {
    canp_pool_t *pool = arg;
    canp_block_t held[8];
    memset(held, 0, sizeof held);
    unsigned seed = (unsigned)(size_t)pthread_self();
    for (int round = 0; round < ROUNDS; round++) {
        int slot = rand_r(&seed) % 8;
        if (held[slot].data) {
            unsigned char mark = ((unsigned char *)held[slot].data)[0];
            if (((unsigned char *)held[slot].data)[held[slot].capacity - 1] != mark) {
                fprintf(stderr, "pool_example: block bytes changed while held\n");
                exit(1);
            }
            canp_pool_free(pool, held[slot]);
            held[slot].data = NULL;
        } else {
            size_t size = request_sizes[rand_r(&seed) % 7];
            uint32_t family = (uint32_t)(rand_r(&seed) % 2);
            int rc = canp_pool_alloc(pool, size, family, &held[slot]);
            if (rc != 0) {
                fprintf(stderr, "pool_example: canp_pool_alloc(%zu): %s\n", size, strerror(-rc));
                exit(1);
            }
            if (held[slot].capacity < size) {
                fprintf(stderr, "pool_example: block of %zu bytes for a request of %zu\n", held[slot].capacity, size);
                exit(1);
            }
            memset(held[slot].data, slot + 1, held[slot].capacity);
        }
    }
    for (int slot = 0; slot < 8; slot++) {
        if (held[slot].data) canp_pool_free(pool, held[slot]);
    }
    return NULL;
}

int main(void) {
    canp_pool_config_t config;
    canp_pool_config_init(&config);
    const size_t general[] = {512, 1024, 2048, 4096, 8192};
    const size_t decompression[] = {1024, 4096, 16384};
    for (int i = 0; i < 5; i++) {
        config.tiers[config.tier_count++] = (canp_tier_config_t){general[i], CANP_FAMILY_GENERAL, 2, 256};
    }
    for (int i = 0; i < 3; i++) {
        config.tiers[config.tier_count++] = (canp_tier_config_t){decompression[i], CANP_FAMILY_DECOMPRESSION, 0, 256};
    }
    config.max_total_bytes = 64u << 20;

    canp_pool_t *pool = NULL;
    int rc = canp_pool_create(&config, &pool);
    if (rc != 0) {
        fprintf(stderr, "pool_example: canp_pool_create: %s\n", strerror(-rc));
        return 1;
    }

    pthread_t threads[2];
    for (int t = 0; t < 2; t++) pthread_create(&threads[t], NULL, worker, pool);
    for (int t = 0; t < 2; t++) pthread_join(threads[t], NULL);

    canp_pool_stats_t stats;
    canp_pool_get_stats(pool, &stats);
    printf("canp %s, allocator: %s\n", canp_version(), stats.uses_jemalloc ? "jemalloc arena" : "malloc");
    printf("allocations %llu, frees %llu, hits %llu, misses %llu (oversize %llu)\n",
           (unsigned long long)stats.allocations, (unsigned long long)stats.frees,
           (unsigned long long)stats.hits, (unsigned long long)stats.misses,
           (unsigned long long)stats.oversize_allocations);
    printf("in use %zu bytes, footprint %zu bytes, peak footprint %zu bytes\n",
           stats.in_use_bytes, stats.footprint_bytes, stats.peak_footprint_bytes);
    for (uint32_t t = 0; t < stats.tier_count; t++) {
        const canp_tier_stats_t *tier = &stats.tiers[t];
        printf("  tier %5zu (family %u): %8llu allocations, hit rate %5.1f%%, %llu cached\n",
               tier->block_size, tier->family, (unsigned long long)tier->allocations,
               tier->allocations ? 100.0 * (double)tier->hits / (double)tier->allocations : 0.0,
               (unsigned long long)tier->cached_blocks);
    }

    char message[256];
    if (stats.in_use_bytes != 0 || stats.allocations != stats.frees) {
        fprintf(stderr, "pool_example: %zu bytes still in use after every block was freed\n", stats.in_use_bytes);
        return 1;
    }
    if (canp_pool_validate(pool, message, sizeof message) != 0) {
        fprintf(stderr, "pool_example: invariant broken: %s\n", message);
        return 1;
    }
    rc = canp_pool_destroy(pool);
    if (rc != 0) {
        fprintf(stderr, "pool_example: canp_pool_destroy: %s\n", strerror(-rc));
        return 1;
    }
    printf("pool_example: ok\n");
    return 0;
}
