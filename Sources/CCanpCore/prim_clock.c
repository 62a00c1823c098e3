/*
 * prim_clock.c: clock_gettime and clock_nanosleep behind prim_clock.h.
 *
 * Threads: any; no state.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "prim_clock.h"

#include <time.h>

uint64_t _canp_clock_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    return ns ? ns : 1; /* 0 means "no time" to the coarse clock */
}

void _canp_clock_sleep_ns(uint64_t ns) {
    struct timespec interval = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
    clock_nanosleep(CLOCK_MONOTONIC, 0, &interval, NULL);
}
