/*
 * pool.c: memory pools: tiers of fixed-size blocks on one arena.
 *
 * What: canp_pool_alloc picks the smallest tier of the requested family that
 * fits and serves a block from, in order: the calling thread's cache for
 * this pool, the tier's shared lock-free list (slab.c), the arena.
 * canp_pool_free puts a block in the calling thread's cache; a full cache
 * moves half of itself to the shared list, and what the shared list cannot
 * hold (max_free) goes back to the arena.
 *
 * Threads: any. The fast path (a hit or a free into the thread's own cache)
 * touches only memory that the calling thread owns: no lock and no atomic
 * read-modify-write. Its counters are atomics written by their owner alone
 * (relaxed load + store, a plain move on x86) so that statistics can read
 * them from other threads without a data race.
 *
 * Thread caches: one per (thread, pool), created on the thread's first call
 * on the pool and registered in both the pool's list and the thread's list.
 * The thread remembers its last (pool, pool id, cache) in TLS; pool ids are
 * never reused, so a stale entry for a destroyed pool never matches even if
 * a new pool gets the same address. When a thread exits, its caches give
 * their blocks back to the shared lists and stay registered (orphaned) so
 * that their counters keep counting; when a pool is destroyed, the caches of
 * live threads are detached and freed by their thread later. Both run under
 * one global registry mutex (slow paths only).
 *
 * Accounting: a block allocated on one thread and freed on another leaves
 * +capacity in the first cache and -capacity in the second; the sum over a
 * pool's caches is exact when no call is in flight. The footprint (bytes held
 * from the arena) is one shared atomic: it changes only on the slow paths
 * (arena alloc and free) and the limit must be checked against an exact
 * value, so it is reserved with a CAS before the arena is asked.
 *
 * Rejected alternatives, measured on 1M allocate+release pairs over the
 * tiers 512..8192: (1) one shared atomic in-use counter: exact at every
 * instant, but a contended write per call on two threads; (2) caches in 16
 * lock-protected stripes: 16 ns a pair against jemalloc's 10, the two locked
 * exchanges per pair being most of it.
 *
 * Limitation: canp_pool_trim and the limit's trim can only empty the calling
 * thread's cache and the shared lists; other live threads keep up to
 * thread_cache_blocks blocks per tier (counted in the footprint). So that a
 * waiter is never left waiting for blocks in another thread's cache, frees
 * skip the caches while a waiter is registered or the footprint is above
 * half the limit (under_pressure), and the limit's trim also empties the
 * shared lists below their minimum. What stays cached is what threads cached
 * while the footprint was at most half the limit.
 *
 * Oversize cache: requests above every tier (file buffers) would fault in
 * fresh pages on every allocation, and the arena unmaps (madvise) freed
 * extents this large at once, which also costs the other cores a TLB
 * shootdown. With oversize_cache_bytes set, a freed oversize block is kept in
 * a small mutex-protected list (one lock per megabytes-sized request) and
 * handed to the next request of about its size; sizes are rounded up to 1/16
 * steps so that files of nearly equal size share blocks. The cached blocks
 * count in the footprint, and the limit's trim and canp_pool_trim give them
 * all back, so they never make a request fail or wait.
 *
 * Creation times: each block handed out is stamped with the coarse clock
 * (coarse_clock.c: one load; a ticker thread runs while any pool exists,
 * each pool holding one reference from create to destroy).
 *
 * Invariants at rest (canp_pool_validate): footprint == in_use + cached
 * bytes (tiers and oversize cache); every cached block is distinct; each
 * tier's slab is valid; each thread cache holds at most thread_cache_blocks
 * blocks per tier; the oversize cache holds at most oversize_cache_bytes;
 * every allocation is a hit or a miss, and the tiers' blocks out plus the
 * oversize blocks out are the bytes in use; the peak footprint is within
 * max_total_bytes. In debug builds (canp_debug.h) the O(1) parts of these
 * are also asserted where they change.
 */
#include "canp_pool.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canp_atomic.h"
#include "canp_debug.h"
#include "coarse_clock.h"
#include "prim_alloc.h"
#include "prim_thread.h"
#include "slab.h"

/* The declaration that Swift sees (_canp_pool_free_parts); including it here
 * makes the compiler check that it matches the definition below. */
#include "../CCanpInternal/include/canp_internal.h"

_Static_assert(sizeof(canp_block_t) == 32, "canp_block_t layout is shared with Swift (MemoryBlock)");

#define CANP_MAX_SLAB_CAPACITY (1u << 24)
#define OVERSIZE_SLOT CANP_POOL_MAX_TIERS
#define OVERSIZE_CACHE_SLOTS 16
/* A cached oversize block serves a request of `bytes` (rounded) when it holds at most bytes + bytes / 4. */
#define OVERSIZE_FIT_SLACK 4

typedef struct tier_counters_s {
    _Atomic(uint64_t) allocations;
    _Atomic(uint64_t) frees;
    _Atomic(uint64_t) hits;
    _Atomic(uint64_t) misses;
} tier_counters_t;

typedef struct tcache_s tcache_t;
struct tcache_s {
    /* Owner-written (relaxed atomics, see "Threads" above). */
    _Atomic(int64_t) in_use;
    tier_counters_t counters[CANP_POOL_MAX_TIERS + 1];   /* last: oversize */
    _Atomic(uint32_t) *count;        /* [tier] blocks cached */
    _Atomic(void *) *blocks;         /* [tier * cache_blocks + k] */
    /* Registry links, changed under registry_lock only. */
    canp_pool_t *pool;               /* NULL once the pool is destroyed */
    bool orphaned;                   /* the thread has exited */
    tcache_t *next_in_pool;
    tcache_t *next_in_thread;
};

struct canp_pool_s {
    canp_pool_config_t config;
    uint64_t id;
    _canp_arena_t arena;
    uint32_t tier_count;
    uint32_t cache_blocks;
    /* tiers of each family in increasing size */
    int32_t family_order[CANP_FAMILY_COUNT][CANP_POOL_MAX_TIERS];
    uint32_t family_count[CANP_FAMILY_COUNT];
    size_t warning_bytes;
    tcache_t *caches;                /* under registry_lock */
    _canp_slab_t slabs[CANP_POOL_MAX_TIERS];
    _Alignas(CANP_CACHE_LINE) _Atomic(size_t) footprint;
    _Atomic(size_t) peak_footprint;
    _Atomic(bool) warning_active;
    _Atomic(uint64_t) warnings;
    _Atomic(uint64_t) limit_failures;
    _Atomic(uint64_t) returned[CANP_POOL_MAX_TIERS];
    _Alignas(CANP_CACHE_LINE) canp_atomic_int waiters;
    /* Freed oversize blocks kept for reuse, oldest first (oversize_lock). */
    _canp_mutex_t oversize_lock;
    canp_block_t oversize[OVERSIZE_CACHE_SLOTS];
    uint32_t oversize_count;
    size_t oversize_bytes;
};

typedef struct oversize_list_s {
    canp_block_t blocks[OVERSIZE_CACHE_SLOTS + 1];
    uint32_t count;
} oversize_list_t;

static _canp_mutex_t registry_lock = _CANP_MUTEX_INITIALIZER;
static _Atomic(uint64_t) next_pool_id = 1;

static _Thread_local canp_pool_t *tls_pool;     /* last pool used by this thread */
static _Thread_local uint64_t tls_pool_id;
static _Thread_local tcache_t *tls_cache;
static _Thread_local tcache_t *tls_caches;      /* all of this thread's caches */

/* Owner-only counter updates: load + store, no locked instruction. */
static inline void bump(_Atomic(uint64_t) *counter, uint64_t delta) {
    canp_atomic_store_relaxed(counter, canp_atomic_load_relaxed(counter) + delta);
}

static inline void bump_in_use(tcache_t *cache, int64_t delta) {
    canp_atomic_store_relaxed(&cache->in_use, canp_atomic_load_relaxed(&cache->in_use) + delta);
}

void canp_pool_config_init(canp_pool_config_t *config) {
    memset(config, 0, sizeof *config);
    config->thread_cache_blocks = 16;
}

bool canp_pool_uses_jemalloc(void) { return _canp_arena_is_jemalloc(); }

/* ---------------------------------------------------------------- footprint */

static void footprint_released(canp_pool_t *pool, size_t bytes) {
    size_t before = canp_atomic_sub_acq_rel(&pool->footprint, bytes);
    /* Every release follows the reservation of the same bytes. */
    CANP_ASSERT(before >= bytes);
    size_t now = before - bytes;
    if (pool->warning_bytes && now <= pool->warning_bytes && canp_atomic_load_relaxed(&pool->warning_active)) {
        canp_atomic_store_relaxed(&pool->warning_active, false);
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
        /* Exchange, so that one thread alone reports this crossing. */
        if (!canp_atomic_exchange_acq_rel(&pool->warning_active, true)) {
            canp_atomic_add_relaxed(&pool->warnings, 1);
            if (pool->config.on_warning) pool->config.on_warning(pool->config.warning_context, desired, limit);
        }
    }
    return true;
}

static size_t trim_to(canp_pool_t *pool, bool keep_minimum);

static int footprint_reserve(canp_pool_t *pool, size_t bytes) {
    if (footprint_reserve_once(pool, bytes)) return 0;
    /* Cached free blocks count against the limit: give them back, all of
     * them (a request failing at the limit outranks spare blocks), retry. */
    trim_to(pool, false);
    if (footprint_reserve_once(pool, bytes)) return 0;
    canp_atomic_add_relaxed(&pool->limit_failures, 1);
    return -ENOBUFS;
}

/* Whether freed blocks should skip the thread caches: a waiter is registered,
 * or the footprint is above half the limit. A block in a thread's private
 * cache can be reused only by that thread; under a limit, memory that a
 * waiter needs could sit there for as long as the thread stays away from the
 * pool. Above half the limit every tier-sized free goes to the shared lists,
 * which any thread can take from and a limit failure trims. The loads are
 * relaxed: a free that misses a waiter registering at the same instant is
 * caught by the waiter's periodic retry (UnifiedMemoryPool). */
static inline bool under_pressure(canp_pool_t *pool) {
    size_t limit = pool->config.max_total_bytes;
    if (canp_atomic_load_relaxed(&pool->waiters) > 0) return true;
    return limit && canp_atomic_load_relaxed(&pool->footprint) > limit / 2;
}

static void arena_return(canp_pool_t *pool, uint32_t tier, void *block) {
    size_t size = pool->slabs[tier].block_size;
    _canp_arena_free(&pool->arena, block, size);
    canp_atomic_add_relaxed(&pool->returned[tier], 1);
    footprint_released(pool, size);
}

/* Puts a block in the shared list of its tier, or back to the arena. */
static void shelve(canp_pool_t *pool, uint32_t tier, void *block) {
    if (!_canp_slab_push(&pool->slabs[tier], block)) arena_return(pool, tier, block);
}

/* Takes every block out of the oversize cache into `out` (to be freed outside the lock). */
static void oversize_take_all(canp_pool_t *pool, oversize_list_t *out) {
    _canp_mutex_lock(&pool->oversize_lock);
    for (uint32_t k = 0; k < pool->oversize_count; k++) out->blocks[out->count++] = pool->oversize[k];
    pool->oversize_count = 0;
    pool->oversize_bytes = 0;
    _canp_mutex_unlock(&pool->oversize_lock);
}

/* Gives the blocks of `list` back to the arena. */
static void oversize_return(canp_pool_t *pool, const oversize_list_t *list) {
    for (uint32_t k = 0; k < list->count; k++) {
        _canp_arena_free(&pool->arena, list->blocks[k].data, list->blocks[k].capacity);
        footprint_released(pool, list->blocks[k].capacity);
    }
}

/* ---------------------------------------------------------------- thread caches */

/* Gives every cached block of `cache` to the shared lists (or the arena). */
static void cache_flush(canp_pool_t *pool, tcache_t *cache) {
    for (uint32_t t = 0; t < pool->tier_count; t++) {
        uint32_t n = canp_atomic_load_relaxed(&cache->count[t]);
        CANP_ASSERT(n <= pool->cache_blocks);
        for (uint32_t k = 0; k < n; k++) {
            shelve(pool, t, canp_atomic_load_relaxed(&cache->blocks[(size_t)t * pool->cache_blocks + k]));
        }
        canp_atomic_store_relaxed(&cache->count[t], 0);
    }
}

static void cache_free(tcache_t *cache) {
    free(cache->count);
    free(cache->blocks);
    free(cache);
}

/* Thread exit: flush the caches of live pools, free those of dead ones. */
static void thread_exit(void) {
    _canp_mutex_lock(&registry_lock);
    tcache_t *cache = tls_caches;
    while (cache) {
        tcache_t *next = cache->next_in_thread;
        if (cache->pool) {
            cache_flush(cache->pool, cache);
            cache->orphaned = true;          /* the pool frees it */
        } else {
            cache_free(cache);
        }
        cache = next;
    }
    tls_caches = NULL;
    tls_cache = NULL;
    tls_pool = NULL;
    _canp_mutex_unlock(&registry_lock);
}

__attribute__((noinline)) static tcache_t *cache_slow(canp_pool_t *pool) {
    _canp_mutex_lock(&registry_lock);
    tcache_t *found = NULL;
    tcache_t **link = &tls_caches;
    while (*link) {
        tcache_t *cache = *link;
        if (cache->pool == NULL) {           /* its pool is gone: drop it */
            *link = cache->next_in_thread;
            cache_free(cache);
            continue;
        }
        if (cache->pool == pool) found = cache;
        link = &cache->next_in_thread;
    }
    if (!found) {
        found = calloc(1, sizeof *found);
        if (found) {
            size_t slots = (size_t)pool->tier_count * (pool->cache_blocks ? pool->cache_blocks : 1);
            found->count = calloc(pool->tier_count, sizeof(_Atomic(uint32_t)));
            found->blocks = calloc(slots, sizeof(_Atomic(void *)));
            if (!found->count || !found->blocks) {
                cache_free(found);
                found = NULL;
            }
        }
        if (found) {
            found->pool = pool;
            found->next_in_pool = pool->caches;
            pool->caches = found;
            found->next_in_thread = tls_caches;
            tls_caches = found;
            /* If no hook can be set (no key left), the cache is not
             * flushed at the thread's exit: its blocks stay counted in the
             * footprint and are freed with the pool. */
            (void)_canp_thread_exit_hook(thread_exit);
        }
    }
    _canp_mutex_unlock(&registry_lock);
    if (found) {
        tls_pool = pool;
        tls_pool_id = pool->id;
        tls_cache = found;
    }
    return found;
}

/* The calling thread's cache for `pool`, or NULL when out of memory. Always
 * inlined: the fast path is two TLS compares, and as a call it cost the
 * allocate+release pair two calls that save and restore five registers. */
__attribute__((always_inline)) static inline tcache_t *my_cache(canp_pool_t *pool) {
    /* Only TLS and the live pool's id are read: a cache of a destroyed pool
     * is never dereferenced here, because ids are not reused. */
    if (tls_pool == pool && tls_pool_id == pool->id) return tls_cache;
    return cache_slow(pool);
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
    _canp_coarse_clock_release();
    _canp_mutex_destroy(&pool->oversize_lock);
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
    pool->id = canp_atomic_add_relaxed(&next_pool_id, 1);
    pool->tier_count = config->tier_count;
    pool->cache_blocks = config->thread_cache_blocks;
    if (config->max_total_bytes && config->warning_threshold > 0) {
        pool->warning_bytes = (size_t)((double)config->max_total_bytes * config->warning_threshold);
    }
    rc = _canp_arena_create(&pool->arena);
    if (rc) { free(pool); return rc; }
    _canp_mutex_init(&pool->oversize_lock);
    _canp_coarse_clock_acquire();   /* released in destroy_parts */

    for (uint32_t i = 0; i < pool->tier_count; i++) {
        rc = _canp_slab_init(&pool->slabs[i], config->tiers[i].block_size, config->tiers[i].max_free);
        if (rc) { pool->tier_count = i; destroy_parts(pool); return rc; }
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
            _canp_slab_push(&pool->slabs[i], block);
        }
    }
    *out_pool = pool;
    return 0;
}

int canp_pool_destroy(canp_pool_t *pool) {
    if (!pool) return 0;
    _canp_mutex_lock(&registry_lock);
    int64_t in_use = 0;
    for (tcache_t *c = pool->caches; c; c = c->next_in_pool) in_use += canp_atomic_load_relaxed(&c->in_use);
    if (in_use != 0) {
        _canp_mutex_unlock(&registry_lock);
        return -EBUSY;
    }
    tcache_t *cache = pool->caches;
    while (cache) {
        tcache_t *next = cache->next_in_pool;
        /* By contract no call on this pool is in flight, so the cache's
         * owner does not touch it now. */
        for (uint32_t t = 0; t < pool->tier_count; t++) {
            uint32_t n = canp_atomic_load_relaxed(&cache->count[t]);
            for (uint32_t k = 0; k < n; k++) {
                _canp_arena_free(&pool->arena, canp_atomic_load_relaxed(&cache->blocks[(size_t)t * pool->cache_blocks + k]),
                                 pool->slabs[t].block_size);
            }
            canp_atomic_store_relaxed(&cache->count[t], 0);
        }
        if (cache->orphaned) {
            cache_free(cache);
        } else {
            cache->pool = NULL;              /* its thread frees it */
        }
        cache = next;
    }
    pool->caches = NULL;
    _canp_mutex_unlock(&registry_lock);
    for (uint32_t t = 0; t < pool->tier_count; t++) {
        void *block;
        while ((block = _canp_slab_pop(&pool->slabs[t])) != NULL) {
            _canp_arena_free(&pool->arena, block, pool->slabs[t].block_size);
        }
    }
    oversize_list_t oversize = { .count = 0 };
    oversize_take_all(pool, &oversize);
    oversize_return(pool, &oversize);
    if (tls_pool == pool) tls_pool = NULL;
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

uint64_t canp_pool_clock_ns(void) { return _canp_coarse_clock_now(); }

static size_t oversize_capacity(const canp_pool_t *pool, size_t size);

int canp_pool_block_capacity(const canp_pool_t *pool, size_t size, uint32_t family, size_t *out_capacity) {
    if (family >= CANP_FAMILY_COUNT) return -EINVAL;
    int32_t tier = pick_tier(pool, size, family);
    *out_capacity = tier == CANP_TIER_OVERSIZE ? oversize_capacity(pool, size) : pool->slabs[tier].block_size;
    return 0;
}

/* The capacity given to an oversize request of `size` bytes: the size
 * itself, or with the oversize cache on, the size rounded up to a multiple of
 * 1/16 of its highest power of two (at least 4 KiB), so that a freed block
 * fits later requests of nearly the same size. */
static size_t oversize_capacity(const canp_pool_t *pool, size_t size) {
    size_t bytes = size ? size : 1;
    if (pool->config.oversize_cache_bytes == 0) return bytes;
    size_t top = (size_t)1 << (63 - __builtin_clzll((unsigned long long)bytes));
    size_t step = top / 16 < 4096 ? 4096 : top / 16;
    if (bytes > SIZE_MAX - step) return bytes;
    return (bytes + step - 1) / step * step;
}

/* Takes the smallest cached oversize block of at least `bytes` (and at most
 * 1.25 times as large) out of the cache. */
static bool oversize_reuse(canp_pool_t *pool, size_t bytes, canp_block_t *out) {
    if (pool->config.oversize_cache_bytes == 0) return false;
    _canp_mutex_lock(&pool->oversize_lock);
    uint32_t best = UINT32_MAX;
    size_t most = bytes + bytes / OVERSIZE_FIT_SLACK;
    for (uint32_t k = 0; k < pool->oversize_count; k++) {
        size_t capacity = pool->oversize[k].capacity;
        if (capacity >= bytes && capacity <= most && (best == UINT32_MAX || capacity < pool->oversize[best].capacity)) best = k;
    }
    if (best != UINT32_MAX) {
        *out = pool->oversize[best];
        pool->oversize_bytes -= out->capacity;
        for (uint32_t k = best + 1; k < pool->oversize_count; k++) pool->oversize[k - 1] = pool->oversize[k];
        pool->oversize_count--;
    }
    _canp_mutex_unlock(&pool->oversize_lock);
    return best != UINT32_MAX;
}

/* Keeps a freed oversize block for reuse, giving the oldest cached blocks
 * back to the arena to make room; false when the block does not fit at all. */
static bool oversize_keep(canp_pool_t *pool, canp_block_t block) {
    size_t most = pool->config.oversize_cache_bytes;
    if (block.capacity > most) return false;
    oversize_list_t evicted = { .count = 0 };
    _canp_mutex_lock(&pool->oversize_lock);
    uint32_t drop = 0;
    size_t bytes = pool->oversize_bytes;
    while (drop < pool->oversize_count && (bytes + block.capacity > most || pool->oversize_count - drop >= OVERSIZE_CACHE_SLOTS)) {
        evicted.blocks[evicted.count++] = pool->oversize[drop];
        bytes -= pool->oversize[drop].capacity;
        drop++;
    }
    for (uint32_t k = drop; k < pool->oversize_count; k++) pool->oversize[k - drop] = pool->oversize[k];
    pool->oversize_count -= drop;
    CANP_ASSERT(pool->oversize_count < OVERSIZE_CACHE_SLOTS && bytes + block.capacity <= most);
    pool->oversize[pool->oversize_count++] = block;
    pool->oversize_bytes = bytes + block.capacity;
    _canp_mutex_unlock(&pool->oversize_lock);
    oversize_return(pool, &evicted);
    return true;
}

static int alloc_oversize(canp_pool_t *pool, tcache_t *cache, size_t size, canp_block_t *out) {
    size_t bytes = oversize_capacity(pool, size);
    tier_counters_t *c = &cache->counters[OVERSIZE_SLOT];
    canp_block_t reused;
    if (oversize_reuse(pool, bytes, &reused)) {
        bump(&c->allocations, 1);
        bump(&c->hits, 1);
        bump_in_use(cache, (int64_t)reused.capacity);
        *out = reused;
        out->created_ns = _canp_coarse_clock_now();
        return 0;
    }
    int rc = footprint_reserve(pool, bytes);
    if (rc) return rc;
    void *data = _canp_arena_alloc(&pool->arena, bytes);
    if (!data) { footprint_released(pool, bytes); return -ENOMEM; }
    /* File buffers: filled by one read right away; huge pages make that one
     * fault per 2 MiB (the read's page faults were a fifth of its time). */
    if (bytes >= ((size_t)4 << 20)) _canp_advise_huge_pages(data, bytes);
    bump(&c->allocations, 1);
    bump(&c->misses, 1);
    bump_in_use(cache, (int64_t)bytes);
    out->data = data;
    out->capacity = bytes;
    out->tier = CANP_TIER_OVERSIZE;
    out->created_ns = _canp_coarse_clock_now();
    return 0;
}

int canp_pool_alloc(canp_pool_t *pool, size_t size, uint32_t family, canp_block_t *out) {
    if (family >= CANP_FAMILY_COUNT) return -EINVAL;
    tcache_t *cache = my_cache(pool);
    if (!cache) return -ENOMEM;
    int32_t tier = pick_tier(pool, size, family);
    if (tier == CANP_TIER_OVERSIZE) return alloc_oversize(pool, cache, size, out);
    CANP_ASSERT(tier >= 0 && (uint32_t)tier < pool->tier_count);

    size_t block_size = pool->slabs[tier].block_size;
    tier_counters_t *c = &cache->counters[tier];
    uint32_t n = canp_atomic_load_relaxed(&cache->count[tier]);
    void *block;
    if (n > 0) {
        CANP_ASSERT(n <= pool->cache_blocks);
        block = canp_atomic_load_relaxed(&cache->blocks[(size_t)tier * pool->cache_blocks + n - 1]);
        canp_atomic_store_relaxed(&cache->count[tier], n - 1);
        bump(&c->hits, 1);
    } else if ((block = _canp_slab_pop(&pool->slabs[tier])) != NULL) {
        bump(&c->hits, 1);
    } else {
        int rc = footprint_reserve(pool, block_size);
        if (rc) return rc;
        block = _canp_arena_alloc(&pool->arena, block_size);
        if (!block) { footprint_released(pool, block_size); return -ENOMEM; }
        bump(&c->misses, 1);
    }
    bump(&c->allocations, 1);
    bump_in_use(cache, (int64_t)block_size);
    out->data = block;
    out->capacity = block_size;
    out->tier = tier;
    out->created_ns = _canp_coarse_clock_now();
    return 0;
}

/* The release path of both public entry points; always inlined so that each
 * gets the fields in registers. */
__attribute__((always_inline)) static inline void free_block(canp_pool_t *pool, void *data, size_t capacity,
                                                             int32_t block_tier) {
    canp_block_t block = {.data = data, .capacity = capacity, .tier = block_tier};
    /* Misuse that the API leaves undefined (a foreign or forged block), but
     * cheap to catch in debug builds before it corrupts a tier. */
    CANP_ASSERT(data != NULL);
    CANP_ASSERT(block_tier == CANP_TIER_OVERSIZE ||
                (block_tier >= 0 && (uint32_t)block_tier < pool->tier_count &&
                 capacity == pool->slabs[block_tier].block_size));
    tcache_t *cache = my_cache(pool);
    if (block.tier == CANP_TIER_OVERSIZE) {
        if (!oversize_keep(pool, block)) {
            _canp_arena_free(&pool->arena, block.data, block.capacity);
            footprint_released(pool, block.capacity);
        }
        if (cache) {
            bump(&cache->counters[OVERSIZE_SLOT].frees, 1);
            bump_in_use(cache, -(int64_t)block.capacity);
        }
    } else {
        uint32_t tier = (uint32_t)block.tier;
        uint32_t cap = pool->cache_blocks;
        if (!cache) {
            /* No cache could be made for this thread (out of memory): the
             * block still goes back; only its counters are lost. */
            shelve(pool, tier, block.data);
        } else if (under_pressure(pool)) {
            /* Near the limit, or someone waits for memory: the block goes
             * where every thread can reach it (a limit failure trims the
             * shared lists), never into this thread's private cache, where
             * it would stay for as long as this thread leaves the pool alone. */
            shelve(pool, tier, block.data);
            bump(&cache->counters[tier].frees, 1);
            bump_in_use(cache, -(int64_t)block.capacity);
        } else {
            _Atomic(void *) *slots = &cache->blocks[(size_t)tier * cap];
            uint32_t n = canp_atomic_load_relaxed(&cache->count[tier]);
            if (n >= cap) {
                /* Full: the older half goes to the shared list, so that a
                 * thread that only frees keeps feeding threads that only
                 * allocate. */
                uint32_t move = cap / 2 ? cap / 2 : cap;
                for (uint32_t k = 0; k < move; k++) shelve(pool, tier, canp_atomic_load_relaxed(&slots[k]));
                for (uint32_t k = move; k < n; k++) canp_atomic_store_relaxed(&slots[k - move], canp_atomic_load_relaxed(&slots[k]));
                n -= move;
            }
            if (n < cap) {
                canp_atomic_store_relaxed(&slots[n], block.data);
                canp_atomic_store_relaxed(&cache->count[tier], n + 1);
            } else {
                CANP_ASSERT(cap == 0);
                canp_atomic_store_relaxed(&cache->count[tier], n);
                shelve(pool, tier, block.data);   /* thread caches are off */
            }
            bump(&cache->counters[tier].frees, 1);
            bump_in_use(cache, -(int64_t)block.capacity);
        }
    }
    if (canp_atomic_load_relaxed(&pool->waiters) > 0 && pool->config.on_release) {
        pool->config.on_release(pool->config.release_context);
    }
}

void canp_pool_free(canp_pool_t *pool, canp_block_t block) {
    free_block(pool, block.data, block.capacity, block.tier);
}

void _canp_pool_free_parts(canp_pool_t *pool, void *data, size_t capacity, int32_t tier) {
    free_block(pool, data, capacity, tier);
}

void canp_pool_waiters_add(canp_pool_t *pool, int delta) {
    canp_atomic_add_acq_rel(&pool->waiters, delta);
}

size_t canp_pool_trim(canp_pool_t *pool) {
    return trim_to(pool, true);
}

static size_t trim_to(canp_pool_t *pool, bool keep_minimum) {
    size_t before = canp_pool_footprint(pool);
    tcache_t *cache = (tls_pool == pool && tls_pool_id == pool->id) ? tls_cache : NULL;
    if (cache) cache_flush(pool, cache);
    oversize_list_t oversize = { .count = 0 };
    oversize_take_all(pool, &oversize);
    oversize_return(pool, &oversize);
    for (uint32_t t = 0; t < pool->tier_count; t++) {
        _canp_slab_t *slab = &pool->slabs[t];
        uint32_t min_free = keep_minimum ? pool->config.tiers[t].min_free : 0;
        while (_canp_slab_count(slab) > min_free) {
            void *block = _canp_slab_pop(slab);
            if (!block) break;
            arena_return(pool, t, block);
        }
    }
    size_t after = canp_pool_footprint(pool);
    return before > after ? before - after : 0;
}

/* ---------------------------------------------------------------- statistics */

size_t canp_pool_in_use(const canp_pool_t *cpool) {
    canp_pool_t *pool = (canp_pool_t *)cpool;
    int64_t sum = 0;
    _canp_mutex_lock(&registry_lock);
    for (tcache_t *c = pool->caches; c; c = c->next_in_pool) sum += canp_atomic_load_relaxed(&c->in_use);
    _canp_mutex_unlock(&registry_lock);
    return sum > 0 ? (size_t)sum : 0;
}

size_t canp_pool_footprint(const canp_pool_t *pool) {
    return canp_atomic_load_relaxed(&((canp_pool_t *)pool)->footprint);
}

void canp_pool_get_stats(const canp_pool_t *cpool, canp_pool_stats_t *out) {
    canp_pool_t *pool = (canp_pool_t *)cpool;
    memset(out, 0, sizeof *out);
    out->tier_count = pool->tier_count;
    int64_t in_use = 0;
    _canp_mutex_lock(&registry_lock);
    for (uint32_t t = 0; t < pool->tier_count; t++) {
        out->tiers[t].block_size = pool->slabs[t].block_size;
        out->tiers[t].family = pool->config.tiers[t].family;
        out->tiers[t].cached_blocks = _canp_slab_count(&pool->slabs[t]);
        out->tiers[t].returned = canp_atomic_load_relaxed(&pool->returned[t]);
    }
    for (tcache_t *c = pool->caches; c; c = c->next_in_pool) {
        in_use += canp_atomic_load_relaxed(&c->in_use);
        for (uint32_t t = 0; t <= pool->tier_count; t++) {
            uint32_t slot = t == pool->tier_count ? OVERSIZE_SLOT : t;
            tier_counters_t *k = &c->counters[slot];
            uint64_t allocations = canp_atomic_load_relaxed(&k->allocations);
            uint64_t frees = canp_atomic_load_relaxed(&k->frees);
            uint64_t hits = canp_atomic_load_relaxed(&k->hits);
            uint64_t misses = canp_atomic_load_relaxed(&k->misses);
            out->allocations += allocations;
            out->frees += frees;
            out->hits += hits;
            out->misses += misses;
            if (t < pool->tier_count) {
                out->tiers[t].allocations += allocations;
                out->tiers[t].frees += frees;
                out->tiers[t].hits += hits;
                out->tiers[t].misses += misses;
                out->tiers[t].cached_blocks += canp_atomic_load_relaxed(&c->count[t]);
            } else {
                out->oversize_allocations += allocations;
            }
        }
    }
    _canp_mutex_unlock(&registry_lock);
    _canp_mutex_lock(&pool->oversize_lock);
    out->oversize_cached_blocks = pool->oversize_count;
    out->oversize_cached_bytes = pool->oversize_bytes;
    _canp_mutex_unlock(&pool->oversize_lock);
    out->limit_failures = canp_atomic_load_relaxed(&pool->limit_failures);
    out->warnings = canp_atomic_load_relaxed(&pool->warnings);
    out->in_use_bytes = in_use > 0 ? (size_t)in_use : 0;
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

/* The counters agree with each other and with the bytes in use: every
 * allocation is a hit or a miss; no tier has more frees than allocations;
 * the tiers' blocks out (allocations - frees, times the block size) account
 * for the bytes in use, and what is left is the oversize blocks out; the
 * footprint and its peak stay within the limit. */
static int validate_counters(canp_pool_t *pool, size_t in_use, char *message, size_t message_capacity) {
    canp_pool_stats_t s;
    canp_pool_get_stats(pool, &s);
    uint64_t tier_allocations = 0, tier_frees = 0;
    size_t tier_bytes = 0;
    for (uint32_t t = 0; t < s.tier_count; t++) {
        const canp_tier_stats_t *k = &s.tiers[t];
        if (k->hits + k->misses != k->allocations) {
            snprintf(message, message_capacity, "tier %u: %llu hits + %llu misses != %llu allocations", t,
                     (unsigned long long)k->hits, (unsigned long long)k->misses, (unsigned long long)k->allocations);
            return -EINVAL;
        }
        if (k->frees > k->allocations) {
            snprintf(message, message_capacity, "tier %u: %llu frees of %llu allocations", t,
                     (unsigned long long)k->frees, (unsigned long long)k->allocations);
            return -EINVAL;
        }
        tier_allocations += k->allocations;
        tier_frees += k->frees;
        tier_bytes += (size_t)(k->allocations - k->frees) * k->block_size;
    }
    uint64_t oversize_frees = s.frees - tier_frees;
    if (s.hits + s.misses != s.allocations || tier_allocations + s.oversize_allocations != s.allocations ||
        s.frees < tier_frees || oversize_frees > s.oversize_allocations) {
        snprintf(message, message_capacity, "pool counters disagree: %llu allocations (%llu oversize), %llu frees, %llu hits, %llu misses",
                 (unsigned long long)s.allocations, (unsigned long long)s.oversize_allocations,
                 (unsigned long long)s.frees, (unsigned long long)s.hits, (unsigned long long)s.misses);
        return -EINVAL;
    }
    uint64_t oversize_out = s.oversize_allocations - oversize_frees;
    /* Each oversize block out holds at least one byte. */
    if (in_use < tier_bytes || (oversize_out == 0 ? in_use != tier_bytes : in_use - tier_bytes < oversize_out)) {
        snprintf(message, message_capacity, "in use %zu, but the tiers have %zu bytes out and %llu oversize blocks are out",
                 in_use, tier_bytes, (unsigned long long)oversize_out);
        return -EINVAL;
    }
    size_t limit = pool->config.max_total_bytes;
    if (limit && s.peak_footprint_bytes > limit) {
        snprintf(message, message_capacity, "peak footprint %zu above the limit %zu", s.peak_footprint_bytes, limit);
        return -EINVAL;
    }
    return 0;
}

int canp_pool_validate(canp_pool_t *pool, char *message, size_t message_capacity) {
    char scratch[8];
    if (!message || message_capacity == 0) { message = scratch; message_capacity = sizeof scratch; }
    message[0] = 0;
    _canp_mutex_lock(&registry_lock);
    size_t caches = 0;
    for (tcache_t *c = pool->caches; c; c = c->next_in_pool) caches++;
    size_t total = 0;
    for (uint32_t t = 0; t < pool->tier_count; t++) total += pool->slabs[t].capacity + caches * pool->cache_blocks;
    total += OVERSIZE_CACHE_SLOTS;
    void **blocks = malloc((total ? total : 1) * sizeof(void *));
    if (!blocks) { _canp_mutex_unlock(&registry_lock); return -ENOMEM; }
    size_t count = 0, cached_bytes = 0;
    int64_t in_use = 0;
    int rc = 0;
    for (uint32_t t = 0; t < pool->tier_count && rc == 0; t++) {
        size_t before = count;
        rc = _canp_slab_is_valid(&pool->slabs[t], blocks, &count, message, message_capacity);
        for (tcache_t *c = pool->caches; c && rc == 0; c = c->next_in_pool) {
            uint32_t n = canp_atomic_load_relaxed(&c->count[t]);
            if (n > pool->cache_blocks) {
                snprintf(message, message_capacity, "tier %u: a thread cache holds %u blocks, more than %u", t, n, pool->cache_blocks);
                rc = -EINVAL;
                break;
            }
            for (uint32_t k = 0; k < n; k++) blocks[count++] = canp_atomic_load_relaxed(&c->blocks[(size_t)t * pool->cache_blocks + k]);
        }
        cached_bytes += (count - before) * pool->slabs[t].block_size;
    }
    for (tcache_t *c = pool->caches; c; c = c->next_in_pool) in_use += canp_atomic_load_relaxed(&c->in_use);
    _canp_mutex_unlock(&registry_lock);
    if (rc == 0) {
        _canp_mutex_lock(&pool->oversize_lock);
        size_t oversize_bytes = 0;
        for (uint32_t k = 0; k < pool->oversize_count; k++) {
            blocks[count++] = pool->oversize[k].data;
            oversize_bytes += pool->oversize[k].capacity;
        }
        if (oversize_bytes != pool->oversize_bytes) {
            snprintf(message, message_capacity, "oversize cache: %zu bytes counted, %zu held", pool->oversize_bytes, oversize_bytes);
            rc = -EINVAL;
        } else if (oversize_bytes > pool->config.oversize_cache_bytes) {
            snprintf(message, message_capacity, "oversize cache holds %zu bytes, more than %zu", oversize_bytes, pool->config.oversize_cache_bytes);
            rc = -EINVAL;
        }
        cached_bytes += oversize_bytes;
        _canp_mutex_unlock(&pool->oversize_lock);
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
    if (rc == 0) rc = validate_counters(pool, (size_t)in_use, message, message_capacity);
    return rc;
}
