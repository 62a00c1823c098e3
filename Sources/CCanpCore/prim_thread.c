/*
 * prim_thread.c: the out-of-line parts of prim_thread.h: threads started,
 * named, the fork handlers and the thread-exit hook (a pthread key).
 *
 * Threads: any. The exit key is created once (pthread_once); its value is
 * set per thread, and the destructor, which pthreads runs at the thread's
 * exit for a non-NULL value, calls the hook.
 *
 * Why a key and not a C11 `_Thread_local` destructor: C has none, and the
 * pool's per-thread caches must give their blocks back when a worker exits.
 * Invariant: thread names are cut to 15 bytes (the kernel's limit) rather
 * than refused, so a long prefix never leaves a worker unnamed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "prim_thread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The declaration that Swift sees (_canp_thread_set_name); including it here
 * makes the compiler check that it matches the definition below. */
#include "../CCanpInternal/include/canp_internal.h"

#include "canp_atomic.h"
#include "canp_debug.h"

typedef void (*hook_fn)(void);

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static int key_error;
/* Written by every registering thread (the same value), read at thread exit. */
static _Atomic(hook_fn) exit_hook;

static void run_hook(void *value) {
    (void)value;
    hook_fn hook = canp_atomic_load_acquire(&exit_hook);
    if (hook) hook();
}

static void make_key(void) { key_error = pthread_key_create(&exit_key, run_hook); }

int _canp_thread_exit_hook(void (*on_exit)(void)) {
    CANP_ASSERT(on_exit != NULL);
    pthread_once(&key_once, make_key);
    if (key_error) return -key_error;
    hook_fn previous = canp_atomic_load_relaxed(&exit_hook);
    CANP_ASSERT(previous == NULL || previous == on_exit);
    (void)previous;
    canp_atomic_store_release(&exit_hook, on_exit);
    /* Any non-NULL value: pthreads calls the destructor only for those. */
    int rc = pthread_setspecific(exit_key, (void *)1);
    return rc ? -rc : 0;
}

static void cut_name(char cut[16], const char *name) {
    strncpy(cut, name, 15);
    cut[15] = '\0';
}

int _canp_thread_set_name(const char *name) {
    if (name == NULL) return -EINVAL;
    char cut[16];
    cut_name(cut, name);
    return -pthread_setname_np(pthread_self(), cut);
}

typedef struct start_s {
    void *(*body)(void *);
    void *arg;
    char name[16];
} start_t;

/* The new thread names itself: naming it from the creator could race with a
 * detached thread that has already exited. */
static void *trampoline(void *raw) {
    start_t start = *(start_t *)raw;
    free(raw);
    if (start.name[0]) pthread_setname_np(pthread_self(), start.name); /* best effort */
    return start.body(start.arg);
}

int _canp_thread_start_detached(void *(*body)(void *), void *arg, const char *name) {
    start_t *start = calloc(1, sizeof *start);
    if (start == NULL) return -ENOMEM;
    start->body = body;
    start->arg = arg;
    if (name) cut_name(start->name, name);
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_t thread;
        rc = pthread_create(&thread, &attr, trampoline, start);
        pthread_attr_destroy(&attr);
    }
    if (rc) {
        free(start);
        return -rc;
    }
    return 0;
}

int _canp_fork_handlers(void (*prepare)(void), void (*parent)(void), void (*child)(void)) {
    int rc = pthread_atfork(prepare, parent, child);
    return rc ? -rc : 0;
}
