/*
 * thread_name.c: names the calling thread, for the Swift pool's workers.
 *
 * Threads: any; touches only the calling thread's name.
 * Invariant: names longer than 15 bytes are cut (the kernel's limit) rather
 * than refused, so a long pool prefix never makes a worker anonymous.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "canp_io.h"

#include <pthread.h>
#include <string.h>

int canp_thread_set_name(const char *name) {
    char cut[16];
    strncpy(cut, name, sizeof(cut) - 1);
    cut[sizeof(cut) - 1] = '\0';
    return -pthread_setname_np(pthread_self(), cut);
}
