/*
 * pool.c: memory pools: tiers of fixed-size blocks on one arena.
 *
 * What: canp_pool_alloc picks the smallest tier of the requested family that
 * fits and serves a block from, in order: the calling thread's stripe cache,
 * the tier's shared lock-free list (slab.c), the arena. canp_pool_free puts a
 * block back in the stripe cache; a full cache moves half of itself to the
 * shared list, and what the shared list cannot hold (max_free) goes back to
 * the arena.
 *
 * Threads: any. A thread is assigned one of CANP_POOL_STRIPES stripes on its
 * first call (round robin), so with up to that many threads no two threads
 * share a stripe and a stripe's lock is never contended; past that, threads
 * share stripes and the lock keeps them correct.
 *
 * Accounting: per-stripe counters (taken under the stripe lock, read with
 * relaxed loads) avoid one shared counter that every core would write. A
 * block allocated on one stripe and freed on another leaves +capacity on the
 * first and -capacity on the second; the sum over stripes is exact when no
 * call is in flight. The footprint (bytes held from the arena) is one shared
 * atomic, because it changes only on the slow paths (arena alloc and free)
 * and the limit must be checked against an exact value: it is reserved with
 * a CAS before the arena is asked.
 *
 * Rejected alternative: a shared atomic in-use counter checked against the
 * limit on every call. It is simpler and exact at every instant, but it makes
 * every allocation a contended write to one cache line; measured on two
 * threads it costs more than the rest of the allocation.
 *
 * Invariants at rest (canp_pool_validate): footprint == in_use + cached
 * bytes; every cached block is distinct; each tier's slab is valid; each
 * stripe cache holds at most thread_cache_blocks blocks per tier.
 */
#include "canp_pool.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canp_atomic.h"
#include "prim_alloc.h"
#include "slab.h"

#define CANP_POOL_STRIPES 16
#define CANP_MAX_SLAB_CAPACITY (1u << 24)

#ifndef CANP_DEBUG
#define CANP_DEBUG 0
#endif
#if CANP_DEBUG
#include <assert.h>
#define canp_debug_assert(x) assert(x)
#else
#define canp_debug_assert(x) ((void)0)
#endif

typedef struct tier_counters_s {
    _Atomic(uint64_t) allocations;
    _Atomic(uint64_t) frees;
    _Atomic(uint64_t) hits;
    _Atomic(uint64_t) misses;
} tier_counters_t;

typedef struct stripe_s {
    _Alignas(CANP_CACHE_LINE) canp_atomic_int lock;
    _Atomic(int64_t) in_use;            /* signed: see "Accounting" above */
    _Atomic(uint64_t) oversize;
    _Atomic(uint32_t) *cache_count;     /* [tier] blocks in this stripe's cache; written under the lock */
    void **cache;                       /* [tier * thread_cache_blocks + k] */
    tier_counters_t counters[CANP_POOL_MAX_TIERS + 1];  /* last: oversize */
} stripe_t;

struct canp_pool_s {
    canp_pool_config_t config;
    _canp_arena_t arena;
    uint32_t tier_count;
    uint32_t cache_blocks;
    /* tiers of each family in increasing size */
    int32_t family_order[CANP_FAMILY_COUNT][CANP_POOL_MAX_TIERS];
    uint32_t family_count[CANP_FAMILY_COUNT];
    size_t warning_bytes;
    _canp_slab_t slabs[CANP_POOL_MAX_TIERS];
    _Alignas(CANP_CACHE_LINE) _Atomic(size_t) footprint;
    _Atomic(size_t) peak_footprint;
    _Atomic(bool) warning_active;
    _Atomic(uint64_t) warnings;
    _Atomic(uint64_t) limit_failures;
    _Atomic(uint64_t) returned[CANP_POOL_MAX_TIERS];
    _Alignas(CANP_CACHE_LINE) canp_atomic_int waiters;
    stripe_t stripes[CANP_POOL_STRIPES];
};

static canp_atomic_u32 next_stripe;
static _Thread_local uint32_t thread_stripe = UINT32_MAX;

static inline uint32_t my_stripe(void) {
    uint32_t s = thread_stripe;
    if (s == UINT32_MAX) {
        s = canp_atomic_add_relaxed(&next_stripe, 1) % CANP_POOL_STRIPES;
        thread_stripe = s;
    }
    return s;
}

static inline void stripe_lock(stripe_t *stripe) {
    /* Acquire: what the previous holder wrote under the lock is visible. */
    while (canp_atomic_exchange_acquire(&stripe->lock, 1) != 0) {
        while (canp_atomic_load_relaxed(&stripe->lock) != 0) sched_yield();
    }
}

static inline void stripe_unlock(stripe_t *stripe) {
    /* Release: publishes the cache and counters written under the lock. */
    canp_atomic_store_release(&stripe->lock, 0);
}

/* Counters are written only under the stripe lock: load + store is enough and
 * avoids a locked instruction; readers use relaxed loads. */
static inline void bump(_Atomic(uint64_t) *counter, uint64_t delta) {
    canp_atomic_store_relaxed(counter, canp_atomic_load_relaxed(counter) + delta);
}

static inline void bump_in_use(stripe_t *stripe, int64_t delta) {
    canp_atomic_store_relaxed(&stripe->in_use, canp_atomic_load_relaxed(&stripe->in_use) + delta);
}

void canp_pool_config_init(canp_pool_config_t *config) {
    memset(config, 0, sizeof *config);
    config->thread_cache_blocks = 16;
}

bool canp_pool_uses_jemalloc(void) { return _canp_arena_is_jemalloc(); }

/* ---------------------------------------------------------------- footprint */

static void footprint_released(canp_pool_t *pool, size_t bytes) {
    size_t now = atomic_fetch_sub_explicit(&pool->footprint, bytes, memory_order_acq_rel) - bytes;
    if (pool->warning_bytes && now <= pool->warning_bytes && canp_atomic_load_relaxed(&pool->warning_active)) {
        atomic_store_explicit(&pool->warning_active, false, memory_order_relaxed);
    }
}

static bool footprint_reserve_once(canp_pool_t *pool, size_t bytes) {
    size_t limit = pool->config.max_total_bytes;
    size_t old = canp_atomic_load_relaxed(&pool->footprint);
    size_t desired;
    do {
        if (limit && (bytes > limit || old > limit - bytes)) return false;
        desired = old + bytes;
    } while (!canp_atomic_cas_weak_acq_rel(&pool->footprint, &old, desired));

    size_t peak = canp_atomic_load_relaxed(&pool->peak_footprint);
    while (desired > peak && !canp_atomic_cas_weak_acq_rel(&pool->peak_footprint, &peak, desired)) {}

    if (pool->warning_bytes && desired > pool->warning_bytes && !canp_atomic_load_relaxed(&pool->warning_active)) {
        /* Exchange so that one thread alone reports this crossing. */
        if (!atomic_exchange_explicit(&pool->warning_active, true, memory_order_acq_rel)) {
            canp_atomic_add_relaxed(&pool->warnings, 1);
            if (pool->config.on_warning) pool->config.on_warning(pool->config.warning_context, desired, limit);
        }
    }
    return true;
}

static int footprint_reserve(canp_pool_t *pool, size_t bytes) {
    if (footprint_reserve_once(pool, bytes)) return 0;
    /* Cached free blocks count against the limit; give them back and retry. */
    canp_pool_trim(pool);
    if (footprint_reserve_once(pool, bytes)) return 0;
    canp_atomic_add_relaxed(&pool->limit_failures, 1);
    return -ENOBUFS;
}

static void arena_return(canp_pool_t *pool, int32_t tier, void *block) {
    size_t size = pool->slabs[tier].block_size;
    _canp_arena_free(&pool->arena, block, size);
    canp_atomic_add_relaxed(&pool->returned[tier], 1);
    footprint_released(pool, size);
}

/* ---------------------------------------------------------------- lifecycle */

static int validate_config(const canp_pool_config_t *c) {
    if (c->tier_count == 0 || c->tier_count > CANP_POOL_MAX_TIERS) return -EINVAL;
    if (c->warning_threshold < 0 || c->warning_threshold > 1) return -EINVAL;
    if (c->thread_cache_blocks > 4096) return -EINVAL;
    for (uint32_t i = 0; i < c->tier_count; i++) {
        const canp_tier_config_t *t = &c->tiers[i];
        if (t->block_size == 0 || t->family >= CANP_FAMILY_COUNT) return -EINVAL;
        if (t->min_free > t->max_free || t->max_free > CANP_MAX_SLAB_CAPACITY) return -EINVAL;
        for (uint32_t j = 0; j < i; j++) {
            if (c->tiers[j].family == t->family && c->tiers[j].block_size == t->block_size) return -EINVAL;
        }
    }
    return 0;
}

static void destroy_parts(canp_pool_t *pool) {
    for (uint32_t i = 0; i < pool->tier_count; i++) _canp_slab_deinit(&pool->slabs[i]);
    for (uint32_t s = 0; s < CANP_POOL_STRIPES; s++) {
        free(pool->stripes[s].cache);
        free(pool->stripes[s].cache_count);
    }
    _canp_arena_destroy(&pool->arena);
    free(pool);
}

int canp_pool_create(const canp_pool_config_t *config, canp_pool_t **out_pool) {
    *out_pool = NULL;
    int rc = validate_config(config);
    if (rc) return rc;
    canp_pool_t *pool = NULL;
    if (posix_memalign((void **)&pool, CANP_CACHE_LINE, sizeof *pool) != 0) return -ENOMEM;
    memset(pool, 0, sizeof *pool);
    pool->config = *config;
    pool->tier_count = config->tier_count;
    pool->cache_blocks = config->thread_cache_blocks;
    if (config->max_total_bytes && config->warning_threshold > 0) {
        pool->warning_bytes = (size_t)((double)config->max_total_bytes * config->warning_threshold);
    }
    rc = _canp_arena_create(&pool->arena);
    if (rc) { free(pool); return rc; }

    for (uint32_t i = 0; i < pool->tier_count; i++) {
        rc = _canp_slab_init(&pool->slabs[i], config->tiers[i].block_size, config->tiers[i].max_free);
        if (rc) { pool->tier_count = i; destroy_parts(pool); return rc; }
    }
    for (uint32_t s = 0; s < CANP_POOL_STRIPES; s++) {
        stripe_t *stripe = &pool->stripes[s];
        stripe->cache_count = calloc(pool->tier_count, sizeof(_Atomic(uint32_t)));
        stripe->cache = calloc((size_t)pool->tier_count * (pool->cache_blocks ? pool->cache_blocks : 1), sizeof(void *));
        if (!stripe->cache_count || !stripe->cache) { destroy_parts(pool); return -ENOMEM; }
    }
    /* Families: tier indices sorted by size (insertion sort; at most 32). */
    for (uint32_t i = 0; i < pool->tier_count; i++) {
        uint32_t f = config->tiers[i].family;
        uint32_t n = pool->family_count[f]++;
        int32_t *order = pool->family_order[f];
        while (n > 0 && config->tiers[order[n - 1]].block_size > config->tiers[i].block_size) {
            order[n] = order[n - 1];
            n--;
        }
        order[n] = (int32_t)i;
    }
    /* Warm the tiers with their minimum of free blocks. */
    for (uint32_t i = 0; i < pool->tier_count; i++) {
        for (uint32_t k = 0; k < config->tiers[i].min_free; k++) {
            size_t size = pool->slabs[i].block_size;
            if (!footprint_reserve_once(pool, size)) { canp_pool_destroy(pool); return -ENOBUFS; }
            void *block = _canp_arena_alloc(&pool->arena, size);
            if (!block) { footprint_released(pool, size); canp_pool_destroy(pool); return -ENOMEM; }
            bool pushed = _canp_slab_push(&pool->slabs[i], block);
            canp_debug_assert(pushed);
            (void)pushed;
        }
    }
    *out_pool = pool;
    return 0;
}

int canp_pool_destroy(canp_pool_t *pool) {
    if (!pool) return 0;
    if (canp_pool_in_use(pool) != 0) return -EBUSY;
    for (uint32_t s = 0; s < CANP_POOL_STRIPES; s++) {
        stripe_t *stripe = &pool->stripes[s];
        for (uint32_t t = 0; t < pool->tier_count; t++) {
            uint32_t count = canp_atomic_load_relaxed(&stripe->cache_count[t]);
            for (uint32_t k = 0; k < count; k++) {
                _canp_arena_free(&pool->arena, stripe->cache[(size_t)t * pool->cache_blocks + k], pool->slabs[t].block_size);
            }
            canp_atomic_store_relaxed(&stripe->cache_count[t], 0);
        }
    }
    for (uint32_t t = 0; t < pool->tier_count; t++) {
        void *block;
        while ((block = _canp_slab_pop(&pool->slabs[t])) != NULL) {
            _canp_arena_free(&pool->arena, block, pool->slabs[t].block_size);
        }
    }
    destroy_parts(pool);
    return 0;
}

/* ---------------------------------------------------------------- alloc/free */

static inline int32_t pick_tier(const canp_pool_t *pool, size_t size, uint32_t family) {
    const int32_t *order = pool->family_order[family];
    uint32_t n = pool->family_count[family];
    for (uint32_t k = 0; k < n; k++) {
        if (pool->slabs[order[k]].block_size >= size) return order[k];
    }
    return CANP_TIER_OVERSIZE;
}

int canp_pool_tier_for(const canp_pool_t *pool, size_t size, uint32_t family, int32_t *out_tier, size_t *out_block_size) {
    if (family >= CANP_FAMILY_COUNT) return -EINVAL;
    int32_t tier = pick_tier(pool, size, family);
    *out_tier = tier;
    *out_block_size = tier == CANP_TIER_OVERSIZE ? 0 : pool->slabs[tier].block_size;
    return 0;
}

static int alloc_oversize(canp_pool_t *pool, size_t size, canp_block_t *out) {
    size_t bytes = size ? size : 1;
    int rc = footprint_reserve(pool, bytes);
    if (rc) return rc;
    void *data = _canp_arena_alloc(&pool->arena, bytes);
    if (!data) { footprint_released(pool, bytes); return -ENOMEM; }
    stripe_t *stripe = &pool->stripes[my_stripe()];
    stripe_lock(stripe);
    tier_counters_t *c = &stripe->counters[CANP_POOL_MAX_TIERS];
    bump(&c->allocations, 1);
    bump(&c->misses, 1);
    bump(&stripe->oversize, 1);
    bump_in_use(stripe, (int64_t)bytes);
    stripe_unlock(stripe);
    out->data = data;
    out->capacity = bytes;
    out->tier = CANP_TIER_OVERSIZE;
    return 0;
}

int canp_pool_alloc(canp_pool_t *pool, size_t size, uint32_t family, canp_block_t *out) {
    if (family >= CANP_FAMILY_COUNT) return -EINVAL;
    int32_t tier = pick_tier(pool, size, family);
    if (tier == CANP_TIER_OVERSIZE) return alloc_oversize(pool, size, out);

    _canp_slab_t *slab = &pool->slabs[tier];
    size_t block_size = slab->block_size;
    stripe_t *stripe = &pool->stripes[my_stripe()];
    void *block = NULL;

    stripe_lock(stripe);
    uint32_t count = canp_atomic_load_relaxed(&stripe->cache_count[tier]);
    if (count > 0) {
        block = stripe->cache[(size_t)tier * pool->cache_blocks + count - 1];
        canp_atomic_store_relaxed(&stripe->cache_count[tier], count - 1);
    } else {
        block = _canp_slab_pop(slab);
    }
    if (block) {
        tier_counters_t *c = &stripe->counters[tier];
        bump(&c->allocations, 1);
        bump(&c->hits, 1);
        bump_in_use(stripe, (int64_t)block_size);
        stripe_unlock(stripe);
    } else {
        stripe_unlock(stripe);
        int rc = footprint_reserve(pool, block_size);
        if (rc) return rc;
        block = _canp_arena_alloc(&pool->arena, block_size);
        if (!block) { footprint_released(pool, block_size); return -ENOMEM; }
        stripe_lock(stripe);
        tier_counters_t *c = &stripe->counters[tier];
        bump(&c->allocations, 1);
        bump(&c->misses, 1);
        bump_in_use(stripe, (int64_t)block_size);
        stripe_unlock(stripe);
    }
    out->data = block;
    out->capacity = block_size;
    out->tier = tier;
    return 0;
}

void canp_pool_free(canp_pool_t *pool, canp_block_t block) {
    stripe_t *stripe = &pool->stripes[my_stripe()];
    if (block.tier == CANP_TIER_OVERSIZE) {
        _canp_arena_free(&pool->arena, block.data, block.capacity);
        footprint_released(pool, block.capacity);
        stripe_lock(stripe);
        bump(&stripe->counters[CANP_POOL_MAX_TIERS].frees, 1);
        bump_in_use(stripe, -(int64_t)block.capacity);
        stripe_unlock(stripe);
    } else {
        int32_t tier = block.tier;
        canp_debug_assert(tier >= 0 && (uint32_t)tier < pool->tier_count);
        _canp_slab_t *slab = &pool->slabs[tier];
        uint32_t cap = pool->cache_blocks;
        void *excess[65];   /* at most 64 moved from the cache, plus the block itself */
        uint32_t excess_count = 0;

        stripe_lock(stripe);
        uint32_t count = canp_atomic_load_relaxed(&stripe->cache_count[tier]);
        void **cache = &stripe->cache[(size_t)tier * cap];
        if (count < cap) {
            cache[count++] = block.data;
        } else {
            /* Cache full: move the older half to the shared list, so that a
             * thread that only frees keeps feeding threads that only allocate. */
            uint32_t move = cap / 2 ? cap / 2 : 1;
            if (move > 64) move = 64;
            for (uint32_t k = 0; k < move && k < count; k++) {
                if (!_canp_slab_push(slab, cache[k])) excess[excess_count++] = cache[k];
            }
            uint32_t moved = move < count ? move : count;
            memmove(cache, cache + moved, (count - moved) * sizeof(void *));
            count -= moved;
            if (count < cap) {
                cache[count++] = block.data;
            } else if (!_canp_slab_push(slab, block.data)) {
                excess[excess_count++] = block.data;
            }
        }
        canp_atomic_store_relaxed(&stripe->cache_count[tier], count);
        bump(&stripe->counters[tier].frees, 1);
        bump_in_use(stripe, -(int64_t)block.capacity);
        stripe_unlock(stripe);
        for (uint32_t k = 0; k < excess_count; k++) arena_return(pool, tier, excess[k]);
    }
    if (canp_atomic_load_relaxed(&pool->waiters) > 0 && pool->config.on_release) {
        pool->config.on_release(pool->config.release_context);
    }
}

void canp_pool_waiters_add(canp_pool_t *pool, int delta) {
    canp_atomic_add_acq_rel(&pool->waiters, delta);
}

size_t canp_pool_trim(canp_pool_t *pool) {
    size_t released = 0;
    for (uint32_t t = 0; t < pool->tier_count; t++) {
        _canp_slab_t *slab = &pool->slabs[t];
        uint32_t min_free = pool->config.tiers[t].min_free;
        for (uint32_t s = 0; s < CANP_POOL_STRIPES; s++) {
            stripe_t *stripe = &pool->stripes[s];
            void *drained[64];
            uint32_t n = 0;
            do {
                n = 0;
                stripe_lock(stripe);
                uint32_t count = canp_atomic_load_relaxed(&stripe->cache_count[t]);
                while (count > 0 && n < 64) drained[n++] = stripe->cache[(size_t)t * pool->cache_blocks + --count];
                canp_atomic_store_relaxed(&stripe->cache_count[t], count);
                stripe_unlock(stripe);
                for (uint32_t k = 0; k < n; k++) {
                    if (_canp_slab_count(slab) < min_free && _canp_slab_push(slab, drained[k])) continue;
                    arena_return(pool, (int32_t)t, drained[k]);
                    released += slab->block_size;
                }
            } while (n == 64);
        }
        while (_canp_slab_count(slab) > min_free) {
            void *block = _canp_slab_pop(slab);
            if (!block) break;
            arena_return(pool, (int32_t)t, block);
            released += slab->block_size;
        }
    }
    return released;
}

/* ---------------------------------------------------------------- statistics */

size_t canp_pool_in_use(const canp_pool_t *pool) {
    int64_t sum = 0;
    for (uint32_t s = 0; s < CANP_POOL_STRIPES; s++) {
        sum += canp_atomic_load_relaxed(&((canp_pool_t *)pool)->stripes[s].in_use);
    }
    return sum > 0 ? (size_t)sum : 0;
}

size_t canp_pool_footprint(const canp_pool_t *pool) {
    return canp_atomic_load_relaxed(&((canp_pool_t *)pool)->footprint);
}

static uint64_t cached_in_tier(canp_pool_t *pool, uint32_t t) {
    uint64_t cached = _canp_slab_count(&pool->slabs[t]);
    for (uint32_t s = 0; s < CANP_POOL_STRIPES; s++) {
        /* Racy by nature while calls are in flight; exact at rest. */
        cached += canp_atomic_load_relaxed(&pool->stripes[s].cache_count[t]);
    }
    return cached;
}

void canp_pool_get_stats(const canp_pool_t *cpool, canp_pool_stats_t *out) {
    canp_pool_t *pool = (canp_pool_t *)cpool;
    memset(out, 0, sizeof *out);
    out->tier_count = pool->tier_count;
    for (uint32_t t = 0; t <= pool->tier_count; t++) {
        uint32_t slot = t == pool->tier_count ? CANP_POOL_MAX_TIERS : t;
        uint64_t allocations = 0, frees = 0, hits = 0, misses = 0;
        for (uint32_t s = 0; s < CANP_POOL_STRIPES; s++) {
            tier_counters_t *c = &pool->stripes[s].counters[slot];
            allocations += canp_atomic_load_relaxed(&c->allocations);
            frees += canp_atomic_load_relaxed(&c->frees);
            hits += canp_atomic_load_relaxed(&c->hits);
            misses += canp_atomic_load_relaxed(&c->misses);
        }
        out->allocations += allocations;
        out->frees += frees;
        out->hits += hits;
        out->misses += misses;
        if (t < pool->tier_count) {
            canp_tier_stats_t *ts = &out->tiers[t];
            ts->block_size = pool->slabs[t].block_size;
            ts->family = pool->config.tiers[t].family;
            ts->allocations = allocations;
            ts->frees = frees;
            ts->hits = hits;
            ts->misses = misses;
            ts->cached_blocks = cached_in_tier(pool, t);
            ts->returned = canp_atomic_load_relaxed(&pool->returned[t]);
        } else {
            out->oversize_allocations = allocations;
        }
    }
    out->limit_failures = canp_atomic_load_relaxed(&pool->limit_failures);
    out->warnings = canp_atomic_load_relaxed(&pool->warnings);
    out->in_use_bytes = canp_pool_in_use(pool);
    out->footprint_bytes = canp_pool_footprint(pool);
    out->peak_footprint_bytes = canp_atomic_load_relaxed(&pool->peak_footprint);
    out->max_total_bytes = pool->config.max_total_bytes;
    out->warning_active = canp_atomic_load_relaxed(&pool->warning_active);
    out->uses_jemalloc = _canp_arena_is_jemalloc();
}

/* ---------------------------------------------------------------- invariants */

static int compare_pointers(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

int canp_pool_validate(canp_pool_t *pool, char *message, size_t message_capacity) {
    if (message && message_capacity) message[0] = 0;
    size_t total = 0;
    for (uint32_t t = 0; t < pool->tier_count; t++) {
        total += pool->slabs[t].capacity + (size_t)CANP_POOL_STRIPES * pool->cache_blocks;
    }
    void **blocks = malloc((total ? total : 1) * sizeof(void *));
    if (!blocks) return -ENOMEM;
    size_t count = 0, cached_bytes = 0;
    int rc = 0;
    for (uint32_t t = 0; t < pool->tier_count && rc == 0; t++) {
        size_t before = count;
        rc = _canp_slab_is_valid(&pool->slabs[t], blocks, &count, message, message_capacity);
        for (uint32_t s = 0; s < CANP_POOL_STRIPES && rc == 0; s++) {
            uint32_t n = canp_atomic_load_relaxed(&pool->stripes[s].cache_count[t]);
            if (n > pool->cache_blocks) {
                snprintf(message, message_capacity, "tier %u: stripe %u caches %u blocks, more than %u", t, s, n, pool->cache_blocks);
                rc = -EINVAL;
                break;
            }
            for (uint32_t k = 0; k < n; k++) blocks[count++] = pool->stripes[s].cache[(size_t)t * pool->cache_blocks + k];
        }
        cached_bytes += (count - before) * pool->slabs[t].block_size;
    }
    if (rc == 0) {
        qsort(blocks, count, sizeof(void *), compare_pointers);
        for (size_t k = 1; k < count; k++) {
            if (blocks[k] == blocks[k - 1]) {
                snprintf(message, message_capacity, "block %p is cached twice", blocks[k]);
                rc = -EINVAL;
                break;
            }
        }
    }
    if (rc == 0) {
        int64_t in_use = 0;
        for (uint32_t s = 0; s < CANP_POOL_STRIPES; s++) in_use += canp_atomic_load_relaxed(&pool->stripes[s].in_use);
        size_t footprint = canp_pool_footprint(pool);
        if (in_use < 0) {
            snprintf(message, message_capacity, "in-use bytes are negative (%lld)", (long long)in_use);
            rc = -EINVAL;
        } else if (footprint != (size_t)in_use + cached_bytes) {
            snprintf(message, message_capacity, "footprint %zu != in use %lld + cached %zu", footprint, (long long)in_use, cached_bytes);
            rc = -EINVAL;
        } else if (canp_atomic_load_relaxed(&pool->peak_footprint) < footprint) {
            snprintf(message, message_capacity, "peak footprint below the footprint");
            rc = -EINVAL;
        }
    }
    free(blocks);
    return rc;
}
