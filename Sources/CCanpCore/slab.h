/*
 * slab.h: a bounded lock-free free list of equal-size blocks (internal).
 */
#ifndef CANP_SLAB_H
#define CANP_SLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "canp_atomic.h"

#define _CANP_SLAB_NIL UINT32_MAX

typedef struct _canp_slab_s {
    /* The two stack heads sit on cache lines of their own: pops of `full`
     * and pushes to `empty` happen on every miss of a thread cache. */
    _Alignas(CANP_CACHE_LINE) _Atomic(uint64_t) full_head;
    _Alignas(CANP_CACHE_LINE) _Atomic(uint64_t) empty_head;
    _Alignas(CANP_CACHE_LINE) canp_atomic_u32 count;
    uint32_t capacity;
    size_t block_size;
    canp_atomic_u32 *next;   /* link of each slot index in whichever stack holds it */
    void **slots;            /* block held by a slot in `full`; owned by the slot's holder */
} _canp_slab_t;

int _canp_slab_init(_canp_slab_t *slab, size_t block_size, uint32_t capacity);
void _canp_slab_deinit(_canp_slab_t *slab);
bool _canp_slab_push(_canp_slab_t *slab, void *block);
void *_canp_slab_pop(_canp_slab_t *slab);
uint32_t _canp_slab_count(const _canp_slab_t *slab);
/* Quiescent only: checks the stacks and appends the cached blocks to `blocks`
 * (room for `capacity` of them). Returns 0 or -EINVAL with a message. */
int _canp_slab_is_valid(_canp_slab_t *slab, void **blocks, size_t *block_count, char *message, size_t message_capacity);

#endif
