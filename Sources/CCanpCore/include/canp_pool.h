/*
 * canp_pool.h: memory pools of fixed-size block tiers.
 *
 * A pool owns one allocator arena (a jemalloc arena in the default build,
 * plain malloc otherwise) and up to CANP_POOL_MAX_TIERS tiers. Each tier
 * hands out blocks of one size and keeps freed blocks for reuse: a small
 * cache per thread (and pool) over a shared lock-free free list. A tier keeps at
 * least `min_free` blocks (allocated up front) and at most `max_free` blocks
 * in its shared list; the excess goes back to the arena. Requests larger
 * than the largest tier of a family are served from the arena directly and
 * counted as misses, unless `oversize_cache_bytes` is set: then freed
 * oversize blocks (up to that many bytes, 16 blocks at most) are kept and
 * reused by later requests of about their size (counted as hits), and
 * oversize requests are rounded up to 1/16 steps of their size.
 *
 * The pool's footprint (bytes obtained from the arena, in use or cached) is
 * bounded by `max_total_bytes`; an allocation that would exceed it first
 * returns cached blocks to the arena, then fails with -ENOBUFS.
 *
 * Each block handed out carries the time it was handed out (created_ns), on
 * CLOCK_MONOTONIC read coarsely: a ticker thread (`canp-clock`) stores the
 * clock every 10 ms while any pool exists, so that stamping a block costs one
 * load (where no ticker runs, as in a forked child until it creates a pool,
 * the clock is read directly). canp_pool_clock_ns reads the same clock.
 *
 * All functions are thread-safe unless noted. canp_pool_destroy must not run
 * concurrently with any other call on the same pool.
 */
#ifndef CANP_POOL_H
#define CANP_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most tiers a pool can have (over all families). */
#define CANP_POOL_MAX_TIERS 32
/** Tier index of a block served directly from the arena (above every tier). */
#define CANP_TIER_OVERSIZE (-1)

/** Families of tiers, reported apart in the statistics. */
typedef enum canp_family_e {
    CANP_FAMILY_GENERAL = 0,
    CANP_FAMILY_DECOMPRESSION = 1,
    CANP_FAMILY_FRAME = 2,
    CANP_FAMILY_COUNT = 3
} canp_family_t;

/** One tier: blocks of `block_size` bytes. */
typedef struct canp_tier_config_s {
    size_t block_size;      /**< bytes per block, > 0 */
    uint32_t family;        /**< a canp_family_t */
    uint32_t min_free;      /**< blocks allocated at creation and kept by canp_pool_trim */
    uint32_t max_free;      /**< most blocks kept in the shared free list (<= 1<<24) */
} canp_tier_config_t;

/** Called once each time the footprint crosses the warning threshold upwards. */
typedef void (*canp_pool_warning_fn)(void *context, size_t footprint_bytes, size_t limit_bytes);
/** Called after a block is freed while canp_pool_waiters_add has registered waiters. */
typedef void (*canp_pool_release_fn)(void *context);

typedef struct canp_pool_config_s {
    canp_tier_config_t tiers[CANP_POOL_MAX_TIERS];
    uint32_t tier_count;
    uint32_t thread_cache_blocks;   /**< blocks per tier in each thread's cache (0 disables) */
    size_t max_total_bytes;         /**< footprint limit, 0 = unlimited */
    double warning_threshold;       /**< fraction of max_total_bytes, (0, 1]; 0 = off */
    canp_pool_warning_fn on_warning;
    void *warning_context;
    canp_pool_release_fn on_release;
    void *release_context;
    size_t oversize_cache_bytes;    /**< most bytes of freed oversize blocks kept for reuse, 0 = none */
} canp_pool_config_t;

typedef struct canp_pool_s canp_pool_t;

/** A block handed out by a pool. `tier` is CANP_TIER_OVERSIZE for arena blocks. */
typedef struct canp_block_s {
    void *data;
    size_t capacity;
    int32_t tier;
    uint32_t reserved;      /**< zero */
    /** When canp_pool_alloc handed the block out: nanoseconds of CLOCK_MONOTONIC
     *  as canp_pool_clock_ns reads it (at most about 10 ms behind the clock). */
    uint64_t created_ns;
} canp_block_t;

typedef struct canp_tier_stats_s {
    size_t block_size;
    uint32_t family;
    uint64_t allocations;   /**< blocks handed out by this tier */
    uint64_t frees;         /**< blocks given back to this tier */
    uint64_t hits;          /**< allocations served from a cached block (reuse) */
    uint64_t misses;        /**< allocations that went to the arena */
    uint64_t cached_blocks; /**< free blocks held now (shared list and thread caches) */
    uint64_t returned;      /**< blocks given back to the arena (excess or trim) */
} canp_tier_stats_t;

typedef struct canp_pool_stats_s {
    uint64_t allocations;       /**< all blocks handed out, oversize included */
    uint64_t frees;
    uint64_t hits;              /**< tier hits plus oversize allocations served from the oversize cache */
    uint64_t misses;            /**< tier misses plus oversize allocations that went to the arena */
    uint64_t oversize_allocations;
    uint64_t limit_failures;    /**< allocations refused by the limit */
    uint64_t warnings;          /**< upward crossings of the warning threshold */
    size_t in_use_bytes;        /**< capacity of the blocks handed out and not freed */
    size_t footprint_bytes;     /**< bytes held from the arena: in use + cached */
    size_t peak_footprint_bytes;
    size_t max_total_bytes;
    bool warning_active;        /**< footprint is above the warning threshold now */
    bool uses_jemalloc;
    uint32_t tier_count;
    canp_tier_stats_t tiers[CANP_POOL_MAX_TIERS];
    uint64_t oversize_cached_blocks; /**< freed oversize blocks kept for reuse now */
    size_t oversize_cached_bytes;    /**< their bytes (part of the footprint) */
} canp_pool_stats_t;

/** Fills `config` with no tiers, a thread cache of 16 blocks, no limit, no oversize cache. */
void canp_pool_config_init(canp_pool_config_t *config);

/**
 * Creates a pool. Returns 0, -EINVAL for a bad configuration (no tiers, a
 * zero or duplicate size within a family, min_free > max_free, ...), -ENOMEM.
 */
int canp_pool_create(const canp_pool_config_t *config, canp_pool_t **out_pool);

/** Destroys a pool: every block must have been freed (else -EBUSY, nothing freed). */
int canp_pool_destroy(canp_pool_t *pool);

/**
 * Allocates a block of at least `size` bytes from the smallest tier of
 * `family` that fits, or from the arena above the family's largest tier.
 * Returns 0, -ENOBUFS when the limit would be exceeded, -ENOMEM, -EINVAL.
 */
int canp_pool_alloc(canp_pool_t *pool, size_t size, uint32_t family, canp_block_t *out_block);

/** Returns a block to its pool. Passing a block twice or to another pool is undefined. */
void canp_pool_free(canp_pool_t *pool, canp_block_t block);

/** Returns cached free blocks to the arena down to each tier's min_free, and every cached oversize block. Returns bytes released. */
size_t canp_pool_trim(canp_pool_t *pool);

/** Reads the statistics. Counts are exact when no call is in flight. */
void canp_pool_get_stats(const canp_pool_t *pool, canp_pool_stats_t *out_stats);

/** Bytes handed out and not yet freed (sum over the thread caches' counts). */
size_t canp_pool_in_use(const canp_pool_t *pool);

/** Footprint in bytes: in use plus cached. */
size_t canp_pool_footprint(const canp_pool_t *pool);

/** The tier index and block size that a request would use (-1 / 0 when oversize). */
int canp_pool_tier_for(const canp_pool_t *pool, size_t size, uint32_t family, int32_t *out_tier, size_t *out_block_size);

/**
 * The capacity that canp_pool_alloc(pool, size, family) would give the block:
 * its tier's block size, or for an oversize request the size as the oversize
 * cache rounds it. This is what the block counts against max_total_bytes.
 * Returns 0 or -EINVAL (bad family).
 */
int canp_pool_block_capacity(const canp_pool_t *pool, size_t size, uint32_t family, size_t *out_capacity);

/**
 * Now, on the clock of canp_block_t.created_ns: CLOCK_MONOTONIC in
 * nanoseconds, at most about 10 ms behind while a pool exists (exact when
 * none does). `now - block.created_ns` is the block's age.
 */
uint64_t canp_pool_clock_ns(void);

/** Registers (+1) or unregisters (-1) a waiter: while any is registered, frees call on_release. */
void canp_pool_waiters_add(canp_pool_t *pool, int delta);

/**
 * Checks the pool's invariants; call only when no other call is in flight.
 * Returns 0, or -EINVAL and writes a description of the first violation
 * into `message` (when non-NULL).
 */
int canp_pool_validate(canp_pool_t *pool, char *message, size_t message_capacity);

/** True when the build allocates from jemalloc arenas. */
bool canp_pool_uses_jemalloc(void);

#ifdef __cplusplus
}
#endif

#endif /* CANP_POOL_H */
