/*
 * coarse_clock.c: the ticker behind the coarse clock of coarse_clock.h.
 *
 * What: one detached thread (`canp-clock`) per process stores CLOCK_MONOTONIC
 * into a global every 10 ms while at least one pool exists; canp_pool_alloc
 * stamps each block with that value (canp_block_t.created_ns) at the cost of
 * one load from a line that changes 100 times a second.
 *
 * Threads: readers anywhere (one relaxed load); acquire/release and the
 * ticker's start and stop under `lock`; the value is written by the ticker
 * alone, and set to 0 under `lock` when it stops, so that readers then read
 * the clock themselves.
 *
 * Rejected alternative, measured with the pool benchmark's allocate+release
 * pairs (1 thread, tiers 512-8192): clock_gettime(CLOCK_MONOTONIC_COARSE) in
 * every allocation, a vDSO call of about 6 ns here, made a 13 ns pair 18 ns
 * (+35%). A per-thread time refreshed every N allocations would be cheap but
 * unbounded: a thread that allocates after an idle hour would stamp its block
 * an hour old. The ticker bounds the error by its period and costs readers
 * nothing; its price is a thread that wakes 100 times a second while a pool
 * exists.
 *
 * fork: the child has no ticker. Its handler zeroes the value and marks the
 * ticker stopped (so readers read the clock themselves) and the next acquire
 * starts a ticker in the child.
 *
 * Invariants: value != 0 only while a ticker runs (or is about to notice that
 * it must stop); `running` says whether a ticker thread exists or is being
 * started; users counts the acquires not yet released.
 */
#include "coarse_clock.h"

#include <stdbool.h>

#include "canp_debug.h"
#include "prim_clock.h"
#include "prim_thread.h"

_Alignas(CANP_CACHE_LINE) canp_atomic_u64 _canp_coarse_clock_value;

/* The rest on a line of its own, away from the value that readers load. */
_Alignas(CANP_CACHE_LINE) static _canp_mutex_t lock = _CANP_MUTEX_INITIALIZER;
static uint64_t users;
static bool running;
static _canp_once_t fork_once = _CANP_ONCE_INITIALIZER;

uint64_t _canp_coarse_clock_read_slow(void) { return _canp_clock_monotonic_ns(); }

static void *tick(void *unused) {
    (void)unused;
    _canp_mutex_lock(&lock);
    while (users > 0) {
        _canp_mutex_unlock(&lock);
        canp_atomic_store_relaxed(&_canp_coarse_clock_value, _canp_clock_monotonic_ns());
        _canp_clock_sleep_ns(_CANP_CLOCK_TICK_NS);
        _canp_mutex_lock(&lock);
    }
    /* Under the lock: an acquire that comes after sees running == false and
     * starts a new ticker, whose first store follows this one. */
    canp_atomic_store_relaxed(&_canp_coarse_clock_value, 0);
    running = false;
    _canp_mutex_unlock(&lock);
    return NULL;
}

static void before_fork(void) { _canp_mutex_lock(&lock); }
static void after_fork_parent(void) { _canp_mutex_unlock(&lock); }
static void after_fork_child(void) {
    /* Only the forking thread exists in the child: no ticker. */
    canp_atomic_store_relaxed(&_canp_coarse_clock_value, 0);
    running = false;
    _canp_mutex_unlock(&lock);
}

static void register_fork_handlers(void) {
    /* Without the handlers a forked child would keep a frozen value: if they
     * cannot be registered, never tick (readers read the clock themselves). */
    if (_canp_fork_handlers(before_fork, after_fork_parent, after_fork_child) != 0) {
        _canp_mutex_lock(&lock);
        running = true; /* a ticker that never runs: acquire starts none */
        _canp_mutex_unlock(&lock);
    }
}

void _canp_coarse_clock_acquire(void) {
    _canp_once(&fork_once, register_fork_handlers);
    _canp_mutex_lock(&lock);
    users++;
    if (!running) {
        running = true;
        /* Stored before the thread exists, so that the first block of this
         * pool already gets a ticked time. */
        canp_atomic_store_relaxed(&_canp_coarse_clock_value, _canp_clock_monotonic_ns());
        if (_canp_thread_start_detached(tick, NULL, "canp-clock") != 0) {
            /* No thread: readers read the clock themselves; the next acquire tries again. */
            canp_atomic_store_relaxed(&_canp_coarse_clock_value, 0);
            running = false;
        }
    }
    _canp_mutex_unlock(&lock);
}

void _canp_coarse_clock_release(void) {
    _canp_mutex_lock(&lock);
    CANP_ASSERT(users > 0);
    if (users > 0) users--;
    _canp_mutex_unlock(&lock);
}
