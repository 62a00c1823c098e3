/*
 * canp_debug.h: assertions of the C core, at levels chosen by CANP_DEBUG
 * (internal).
 *
 *   CANP_DEBUG 0  no checks (release builds)
 *   CANP_DEBUG 1  CANP_ASSERT: O(1) checks of what "cannot happen"
 *   CANP_DEBUG 2  also CANP_ASSERT_EXPENSIVE: checks that walk a structure
 *                 (O(n) in its size), such as the reader's slot lists after
 *                 each batch
 *
 * Package.swift sets 2 for debug builds (the tests run them) and sanitizer
 * builds, 0 for release. A build that does not set it (cc of the examples,
 * the C fuzz target) gets 1, or 0 when NDEBUG is defined.
 *
 * A failed assertion prints the condition, file, line and function to
 * standard error and aborts: an invariant of the memory or IO core is broken,
 * and going on would corrupt memory or lose data. Checks that guard against
 * bad input or misuse from outside are NOT assertions: they stay in release
 * and return -errno. An assertion is for our own logic only, and where the
 * release build has a fallback (the reader requeues a slot that it could not
 * prepare), the fallback stays.
 *
 * In a build without the check the condition is not evaluated (it sits under
 * sizeof), so it may be costly, but must have no side effect.
 */
#ifndef CANP_DEBUG_H
#define CANP_DEBUG_H

#ifndef CANP_DEBUG
#ifdef NDEBUG
#define CANP_DEBUG 0
#else
#define CANP_DEBUG 1
#endif
#endif

/* Reports a failed assertion and aborts (debug.c). */
__attribute__((noreturn, cold, noinline)) void _canp_assert_fail(const char *condition, const char *file, int line,
                                                                 const char *function);

#define _CANP_CHECK(condition) \
    (__builtin_expect(!!(condition), 1) ? (void)0 : _canp_assert_fail(#condition, __FILE__, __LINE__, __func__))
#define _CANP_IGNORE(condition) ((void)sizeof(!(condition)))

#if CANP_DEBUG >= 1
#define CANP_ASSERT(condition) _CANP_CHECK(condition)
#else
#define CANP_ASSERT(condition) _CANP_IGNORE(condition)
#endif

#if CANP_DEBUG >= 2
#define CANP_ASSERT_EXPENSIVE(condition) _CANP_CHECK(condition)
#else
#define CANP_ASSERT_EXPENSIVE(condition) _CANP_IGNORE(condition)
#endif

#endif /* CANP_DEBUG_H */
