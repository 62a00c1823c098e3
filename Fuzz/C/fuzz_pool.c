/*
 * fuzz_pool.c: the C memory core (pool.c over slab.c) under random sequences
 * of allocations, frees, trims and checks chosen by libFuzzer.
 *
 * What: the first bytes of the input choose a pool configuration (1-6 tiers
 * in up to three families, min_free/max_free, thread cache size, a footprint
 * limit or none, a warning threshold, an oversize cache or none); the rest is a program of one-byte
 * opcodes with operands. A model (the array `live`) holds every block handed
 * out. After every step:
 *   - each live block is filled with a pattern of its own and the pattern of
 *     every live block is checked when it is freed and after trims: two
 *     blocks that overlap, or a block handed out twice, show up as a wrong
 *     pattern; a block shorter than its stated capacity is an ASan report;
 *   - the statistics agree with the model: in-use bytes = sum of the live
 *     capacities, allocations - frees = live blocks, footprint >= in use,
 *     footprint <= the limit when there is one, the peak >= the footprint;
 *   - canp_pool_validate (the slab stacks, thread caches, no block cached
 *     twice, footprint = in use + cached) every few steps and at the end;
 *   - a refused allocation (-ENOBUFS) only happens when the limit really
 *     cannot hold the request;
 *   - canp_pool_destroy says -EBUSY while blocks are live and 0 after.
 * A second program runs the slab (the shared free list of a tier) directly
 * against a LIFO model: push fails exactly when `capacity` blocks are held.
 *
 * Threads: one (libFuzzer's). The concurrent stress tests live in
 * Tests/CCanpCoreTests; a fuzzer needs a deterministic replay.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canp_pool.h"
#include "slab.h"

#define MAX_LIVE 256

typedef struct reader_s {
    const uint8_t *data;
    size_t size;
    size_t at;
} reader_t;

static uint8_t next_byte(reader_t *r) { return r->at < r->size ? r->data[r->at++] : 0; }
static uint16_t next_u16(reader_t *r) { uint16_t hi = next_byte(r); return (uint16_t)(hi << 8 | next_byte(r)); }
static int more(const reader_t *r) { return r->at < r->size; }

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "fuzz invariant violated (%s:%d): ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
            abort();                                                       \
        }                                                                  \
    } while (0)

typedef struct live_s {
    canp_block_t block;
    uint8_t pattern;
} live_t;

static void fill(live_t *l) { memset(l->block.data, l->pattern, l->block.capacity); }

static void check_pattern(const live_t *l) {
    const uint8_t *p = l->block.data;
    for (size_t k = 0; k < l->block.capacity; k++) {
        CHECK(p[k] == l->pattern, "block %p (%zu bytes) byte %zu is %u, expected %u: another block overlaps it",
              l->block.data, l->block.capacity, k, p[k], l->pattern);
    }
}

static void check_stats(canp_pool_t *pool, const live_t *live, size_t n, size_t limit) {
    canp_pool_stats_t s;
    canp_pool_get_stats(pool, &s);
    size_t in_use = 0;
    for (size_t k = 0; k < n; k++) in_use += live[k].block.capacity;
    CHECK(s.in_use_bytes == in_use, "in use %zu, model %zu", s.in_use_bytes, in_use);
    CHECK(canp_pool_in_use(pool) == in_use, "canp_pool_in_use disagrees");
    CHECK(s.allocations - s.frees == n, "allocations %llu - frees %llu != %zu live",
          (unsigned long long)s.allocations, (unsigned long long)s.frees, n);
    CHECK(s.hits + s.misses == s.allocations, "hits %llu + misses %llu != allocations %llu",
          (unsigned long long)s.hits, (unsigned long long)s.misses, (unsigned long long)s.allocations);
    CHECK(s.footprint_bytes >= in_use, "footprint %zu below in use %zu", s.footprint_bytes, in_use);
    CHECK(s.peak_footprint_bytes >= s.footprint_bytes, "peak %zu below footprint %zu", s.peak_footprint_bytes, s.footprint_bytes);
    if (limit) CHECK(s.peak_footprint_bytes <= limit, "peak footprint %zu above the limit %zu", s.peak_footprint_bytes, limit);
}

static void validate(canp_pool_t *pool) {
    char message[256];
    int rc = canp_pool_validate(pool, message, sizeof message);
    CHECK(rc == 0, "canp_pool_validate: %s", message);
}

/* The capacity of an oversize request, as canp_pool.h states it: the size,
 * or with an oversize cache the size rounded up to 1/16 of its highest power
 * of two (at least 4 KiB). */
static size_t oversize_need(const canp_pool_config_t *config, size_t size) {
    size_t bytes = size ? size : 1;
    if (config->oversize_cache_bytes == 0) return bytes;
    size_t top = 1;
    while (top <= bytes / 2) top *= 2;
    size_t step = top / 16 < 4096 ? 4096 : top / 16;
    return (bytes + step - 1) / step * step;
}

static void fuzz_pool(reader_t *r) {
    static const size_t sizes[] = {1, 8, 64, 100, 256, 512, 1000, 1024, 4096, 5000, 16384, 65536};
    canp_pool_config_t config;
    canp_pool_config_init(&config);
    uint32_t tiers = 1 + next_byte(r) % 6;
    for (uint32_t t = 0; t < tiers; t++) {
        canp_tier_config_t *tier = &config.tiers[config.tier_count];
        tier->block_size = sizes[next_byte(r) % (sizeof sizes / sizeof sizes[0])];
        tier->family = next_byte(r) % CANP_FAMILY_COUNT;
        tier->max_free = next_byte(r) % 9;
        tier->min_free = tier->max_free ? next_byte(r) % (tier->max_free + 1) : 0;
        /* Duplicate sizes within a family are a configuration error: skip them. */
        int duplicate = 0;
        for (uint32_t j = 0; j < config.tier_count; j++) {
            if (config.tiers[j].family == tier->family && config.tiers[j].block_size == tier->block_size) duplicate = 1;
        }
        if (!duplicate) config.tier_count++;
    }
    config.thread_cache_blocks = next_byte(r) % 5;
    uint8_t limit_choice = next_byte(r);
    config.max_total_bytes = limit_choice % 3 == 0 ? 0 : (size_t)(1 + limit_choice % 64) * 4096;
    config.warning_threshold = (next_byte(r) % 5) * 0.25;
    uint8_t cache_choice = next_byte(r);
    config.oversize_cache_bytes = cache_choice % 2 == 0 ? 0 : (size_t)(cache_choice / 2) * 4096;

    canp_pool_t *pool = NULL;
    int rc = canp_pool_create(&config, &pool);
    if (rc == -ENOBUFS || rc == -ENOMEM) return;   /* min_free blocks above a tiny limit */
    CHECK(rc == 0, "canp_pool_create: %d", rc);
    size_t limit = config.max_total_bytes;

    static live_t live[MAX_LIVE];
    size_t n = 0;
    uint8_t next_pattern = 1;
    unsigned steps = 0;
    while (more(r) && steps < 4096) {
        steps++;
        uint8_t op = next_byte(r);
        switch (op % 8) {
        case 0: case 1: case 2: {   /* allocate */
            size_t size = next_u16(r) % (op & 0x80 ? 70000 : 5000);
            uint32_t family = next_byte(r) % (CANP_FAMILY_COUNT + 1);   /* one bad family in four */
            if (n == MAX_LIVE) break;
            canp_block_t block;
            rc = canp_pool_alloc(pool, size, family, &block);
            if (family >= CANP_FAMILY_COUNT) { CHECK(rc == -EINVAL, "family %u accepted (%d)", family, rc); break; }
            if (rc == -ENOBUFS) {
                /* Refused: only right when, after giving back every cached
                 * block above min_free, the request still does not fit. */
                int32_t tier;
                size_t block_size;
                canp_pool_tier_for(pool, size, family, &tier, &block_size);
                size_t need = tier == CANP_TIER_OVERSIZE ? oversize_need(&config, size) : block_size;
                canp_pool_stats_t after;
                canp_pool_get_stats(pool, &after);
                size_t kept = 0;
                for (uint32_t t = 0; t < config.tier_count; t++) kept += (size_t)config.tiers[t].min_free * config.tiers[t].block_size;
                CHECK(limit != 0 && after.footprint_bytes + need > limit,
                      "refused %zu bytes (needs %zu) with a footprint of %zu under a limit of %zu", size, need, after.footprint_bytes, limit);
                CHECK(after.footprint_bytes <= after.in_use_bytes + kept,
                      "refused with %zu cached bytes above min_free", after.footprint_bytes - after.in_use_bytes);
                break;
            }
            CHECK(rc == 0, "canp_pool_alloc(%zu, %u): %d", size, family, rc);
            CHECK(block.data != NULL && block.capacity >= size, "block of %zu bytes for %zu", block.capacity, size);
            CHECK(((uintptr_t)block.data & 63) == 0, "block %p not 64-byte aligned", block.data);
            if (block.tier == CANP_TIER_OVERSIZE) {
                size_t need = oversize_need(&config, size);
                CHECK(block.capacity >= need && block.capacity <= need + need / 4,
                      "oversize block of %zu bytes for %zu (rounded %zu)", block.capacity, size, need);
            }
            live[n].block = block;
            next_pattern = (uint8_t)(next_pattern % 255 + 1);
            live[n].pattern = next_pattern;
            fill(&live[n]);
            n++;
            break;
        }
        case 3: case 4: {   /* free one */
            if (n == 0) break;
            size_t k = next_byte(r) % n;
            check_pattern(&live[k]);
            canp_pool_free(pool, live[k].block);
            live[k] = live[--n];
            break;
        }
        case 5: {           /* trim, then every live block must be intact */
            canp_pool_trim(pool);
            for (size_t k = 0; k < n; k++) check_pattern(&live[k]);
            break;
        }
        case 6:
            validate(pool);
            break;
        case 7: {           /* free a run */
            size_t count = next_byte(r) % 16;
            while (count-- > 0 && n > 0) {
                check_pattern(&live[n - 1]);
                canp_pool_free(pool, live[--n].block);
            }
            break;
        }
        }
        check_stats(pool, live, n, limit);
    }
    validate(pool);
    if (n > 0) CHECK(canp_pool_destroy(pool) == -EBUSY, "destroy with %zu live blocks", n);
    while (n > 0) {
        check_pattern(&live[n - 1]);
        canp_pool_free(pool, live[--n].block);
    }
    check_stats(pool, live, 0, limit);
    validate(pool);
    CHECK(canp_pool_destroy(pool) == 0, "destroy after every block was freed");
}

static void fuzz_slab(reader_t *r) {
    uint32_t capacity = next_byte(r) % 33;
    _canp_slab_t slab;
    CHECK(_canp_slab_init(&slab, 64, capacity) == 0, "slab init");
    static void *model[64];
    static char storage[64];   /* distinct addresses to push */
    uint32_t n = 0, next_block = 0;
    while (more(r)) {
        uint8_t op = next_byte(r);
        if (op & 1) {
            void *block = &storage[next_block++ % 64];
            bool pushed = _canp_slab_push(&slab, block);
            CHECK(pushed == (n < capacity), "push %s with %u of %u held", pushed ? "accepted" : "refused", n, capacity);
            if (pushed) model[n++] = block;
        } else {
            void *block = _canp_slab_pop(&slab);
            if (n == 0) {
                CHECK(block == NULL, "pop of an empty slab returned %p", block);
            } else {
                CHECK(block == model[n - 1], "pop returned %p, the last push was %p", block, model[n - 1]);
                n--;
            }
        }
        CHECK(_canp_slab_count(&slab) == n, "count %u, model %u", _canp_slab_count(&slab), n);
        if (op % 16 == 0) {
            void *blocks[64];
            size_t count = 0;
            char message[128];
            CHECK(_canp_slab_is_valid(&slab, blocks, &count, message, sizeof message) == 0, "slab: %s", message);
            CHECK(count == n, "is_valid saw %zu blocks, model %u", count, n);
        }
    }
    _canp_slab_deinit(&slab);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader_t r = {data, size, 0};
    if (next_byte(&r) & 1) fuzz_slab(&r); else fuzz_pool(&r);
    return 0;
}
