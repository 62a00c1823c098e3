/*
 * prim_thread.h: the thin layer over POSIX threads that pool.c and
 * uring_reader.c are written against (internal).
 *
 * Mutexes and one-time initialisation are inline wrappers (the locks sit on
 * slow paths, but the layer must cost nothing where it is used); the
 * thread-exit hook is in prim_thread.c. The logic files name no pthread_*
 * function, so that another thread library changes this file only.
 */
#ifndef CANP_PRIM_THREAD_H
#define CANP_PRIM_THREAD_H

#include <pthread.h>

/* A non-recursive mutex; locking one that the thread holds deadlocks. */
typedef pthread_mutex_t _canp_mutex_t;
#define _CANP_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER

static inline void _canp_mutex_init(_canp_mutex_t *mutex) { pthread_mutex_init(mutex, NULL); }
static inline void _canp_mutex_destroy(_canp_mutex_t *mutex) { pthread_mutex_destroy(mutex); }
static inline void _canp_mutex_lock(_canp_mutex_t *mutex) { pthread_mutex_lock(mutex); }
static inline void _canp_mutex_unlock(_canp_mutex_t *mutex) { pthread_mutex_unlock(mutex); }

/* Runs `init` exactly once per process, whichever thread gets there first;
 * the others wait until it has returned. */
typedef pthread_once_t _canp_once_t;
#define _CANP_ONCE_INITIALIZER PTHREAD_ONCE_INIT

static inline void _canp_once(_canp_once_t *once, void (*init)(void)) { pthread_once(once, init); }

/*
 * Starts a detached thread that runs `body(arg)` and names it `name` (at most
 * 15 bytes are kept). Returns 0 or -errno (-EAGAIN: no thread could be made).
 */
int _canp_thread_start_detached(void *(*body)(void *), void *arg, const char *name);

/* _canp_thread_set_name (prim_thread.c) is declared for Swift in
 * CCanpInternal/include/canp_internal.h: the core itself names threads only
 * through _canp_thread_start_detached. */

/*
 * Registers fork handlers (pthread_atfork): `prepare` runs in the parent
 * before fork, `parent` and `child` in each process after it. 0 or -errno.
 */
int _canp_fork_handlers(void (*prepare)(void), void (*parent)(void), void (*child)(void));

/*
 * Arranges for `on_exit` to run when the calling thread exits (the
 * destructor of a thread-specific key whose value is set for this thread).
 * The hook is one per process: every call must pass the same function.
 * Returns 0 or -errno (-EAGAIN when no key is left).
 */
int _canp_thread_exit_hook(void (*on_exit)(void));

#endif /* CANP_PRIM_THREAD_H */
