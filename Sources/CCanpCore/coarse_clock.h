/*
 * coarse_clock.h: a clock that costs one load to read, for the blocks'
 * creation times (internal; coarse_clock.c).
 *
 * The value is CLOCK_MONOTONIC in nanoseconds as a ticker thread last stored
 * it, every _CANP_CLOCK_TICK_NS, while at least one user (a live pool) is
 * registered. A read is at most about one tick behind the real clock while
 * the ticker gets the CPU; with no ticker (no user, a failed thread start,
 * the child of a fork) it reads the clock itself.
 */
#ifndef CANP_COARSE_CLOCK_H
#define CANP_COARSE_CLOCK_H

#include <stdint.h>

#include "canp_atomic.h"

#define _CANP_CLOCK_TICK_NS 10000000u /* 10 ms */

/* The ticked value, or 0 when no ticker runs. Written by the ticker only. */
extern canp_atomic_u64 _canp_coarse_clock_value;

/* Reads the clock itself (when no ticker runs). */
uint64_t _canp_coarse_clock_read_slow(void);

/* Nanoseconds of CLOCK_MONOTONIC, at most about one tick behind. */
static inline uint64_t _canp_coarse_clock_now(void) {
    /* Relaxed: the value is a time, not a publication of other memory. */
    uint64_t now = canp_atomic_load_relaxed(&_canp_coarse_clock_value);
    return __builtin_expect(now != 0, 1) ? now : _canp_coarse_clock_read_slow();
}

/* Registers a user; the first one starts the ticker. */
void _canp_coarse_clock_acquire(void);

/* Unregisters a user; the ticker stops within a tick after the last one. */
void _canp_coarse_clock_release(void);

#endif /* CANP_COARSE_CLOCK_H */
