/*
 * debug.c: the failure path of CANP_ASSERT (canp_debug.h).
 *
 * Threads: any. It writes one line to standard error and aborts, so that a
 * core dump or the sanitizer's report shows the broken invariant at the place
 * it was found rather than the corruption it would cause later.
 */
#include "canp_debug.h"

#include <stdio.h>
#include <stdlib.h>

void _canp_assert_fail(const char *condition, const char *file, int line, const char *function) {
    fprintf(stderr, "canp: internal assertion failed: %s (%s:%d, %s)\n", condition, file, line, function);
    fflush(stderr);
    abort();
}
