/*
 * prim_clock.h: the thin layer over the system clock (internal).
 *
 * CLOCK_MONOTONIC: it never jumps with the wall clock, counts from an
 * unspecified start (the boot on Linux) and is the clock of the blocks'
 * creation times (coarse_clock.h). Safe from any thread.
 */
#ifndef CANP_PRIM_CLOCK_H
#define CANP_PRIM_CLOCK_H

#include <stdint.h>

/* Nanoseconds of CLOCK_MONOTONIC now (never 0). */
uint64_t _canp_clock_monotonic_ns(void);

/* Sleeps about `ns` nanoseconds (less when a signal interrupts the sleep). */
void _canp_clock_sleep_ns(uint64_t ns);

#endif /* CANP_PRIM_CLOCK_H */
