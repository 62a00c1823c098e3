/*
 * slab.c: the shared free list of one tier.
 *
 * What: a bounded, lock-free LIFO of free blocks of one size. It is built from
 * two Treiber stacks of slot indices over fixed arrays: `full` holds the
 * indices of slots that hold a free block, `empty` the indices of unused
 * slots. Push takes an index from `empty`, stores the block in its slot and
 * pushes the index on `full`; pop does the reverse. A push that finds
 * `empty` exhausted fails: the list is full (the tier's max_free) and the
 * caller returns the block to the arena.
 *
 * Threads: any number, concurrently.
 *
 * Why indices and not blocks: a Treiber stack of the blocks themselves must
 * read `head->next` from a block that another thread may have popped and
 * freed meanwhile (a use-after-free read, reported by ASan, and a crash when
 * the arena unmaps). Here `next` lives in an array the slab owns for its
 * whole life, so a stale read is harmless and the CAS rejects it.
 * ABA: each head is (tag << 32 | index); every successful CAS increments the
 * tag, so a head popped and pushed back between our load and our CAS no
 * longer compares equal. The tag wraps after 2^32 operations on one head
 * within one CAS window, which cannot happen in practice.
 * Rejected alternative: a 128-bit CAS (pointer + counter) needs cmpxchg16b
 * and libatomic, and still leaves the use-after-free read.
 *
 * Invariants at rest: every index 0..<capacity is in exactly one stack;
 * `count` equals the length of `full`; slots[i] for i in `full` are distinct
 * blocks.
 */
#include "slab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "canp_debug.h"

static inline uint64_t make_head(uint64_t tag, uint32_t index) {
    return (tag << 32) | index;
}

static uint32_t stack_pop(_Atomic(uint64_t) *head, canp_atomic_u32 *next) {
    uint64_t old = canp_atomic_load_acquire(head);
    for (;;) {
        uint32_t index = (uint32_t)old;
        if (index == _CANP_SLAB_NIL) return _CANP_SLAB_NIL;
        /* Relaxed is enough: if `index` was pushed after our acquire load,
         * the tag differs and the CAS fails; otherwise the acquire load
         * already made the pusher's store of next[index] visible. */
        uint32_t successor = canp_atomic_load_relaxed(&next[index]);
        uint64_t desired = make_head((old >> 32) + 1, successor);
        if (canp_atomic_cas_weak_acq_rel(head, &old, desired)) return index;
    }
}

static void stack_push(_Atomic(uint64_t) *head, canp_atomic_u32 *next, uint32_t index) {
    uint64_t old = canp_atomic_load_relaxed(head);
    for (;;) {
        canp_atomic_store_relaxed(&next[index], (uint32_t)old);
        uint64_t desired = make_head((old >> 32) + 1, index);
        /* Release (in acq_rel) publishes next[index] and slots[index]. */
        if (canp_atomic_cas_weak_acq_rel(head, &old, desired)) return;
    }
}

int _canp_slab_init(_canp_slab_t *slab, size_t block_size, uint32_t capacity) {
    slab->block_size = block_size;
    slab->capacity = capacity;
    canp_atomic_store_relaxed(&slab->count, 0);
    canp_atomic_store_relaxed(&slab->full_head, make_head(0, _CANP_SLAB_NIL));
    canp_atomic_store_relaxed(&slab->empty_head, make_head(0, _CANP_SLAB_NIL));
    size_t n = capacity ? capacity : 1;
    slab->next = calloc(n, sizeof(canp_atomic_u32));
    slab->slots = calloc(n, sizeof(void *));
    if (!slab->next || !slab->slots) {
        free(slab->next);
        free(slab->slots);
        slab->next = NULL;
        slab->slots = NULL;
        return -ENOMEM;
    }
    for (uint32_t i = capacity; i > 0; i--) {
        stack_push(&slab->empty_head, slab->next, i - 1);
    }
    return 0;
}

void _canp_slab_deinit(_canp_slab_t *slab) {
    free(slab->next);
    free(slab->slots);
    slab->next = NULL;
    slab->slots = NULL;
}

bool _canp_slab_push(_canp_slab_t *slab, void *block) {
    uint32_t index = stack_pop(&slab->empty_head, slab->next);
    if (index == _CANP_SLAB_NIL) return false;
    /* A slot popped from `empty` is ours alone until we push it on `full`. */
    CANP_ASSERT(index < slab->capacity && slab->slots[index] == NULL && block != NULL);
    slab->slots[index] = block;
    stack_push(&slab->full_head, slab->next, index);
    canp_atomic_add_relaxed(&slab->count, 1);
    return true;
}

void *_canp_slab_pop(_canp_slab_t *slab) {
    uint32_t index = stack_pop(&slab->full_head, slab->next);
    if (index == _CANP_SLAB_NIL) return NULL;
    void *block = slab->slots[index];
    CANP_ASSERT(index < slab->capacity && block != NULL);
    slab->slots[index] = NULL;
    stack_push(&slab->empty_head, slab->next, index);
    canp_atomic_sub_relaxed(&slab->count, 1);
    return block;
}

uint32_t _canp_slab_count(const _canp_slab_t *slab) {
    return canp_atomic_load_relaxed(&((_canp_slab_t *)slab)->count);
}

static int fail(char *message, size_t capacity, const char *what, size_t block_size) {
    if (message && capacity) snprintf(message, capacity, "tier of %zu bytes: %s", block_size, what);
    return -EINVAL;
}

int _canp_slab_is_valid(_canp_slab_t *slab, void **blocks, size_t *block_count, char *message, size_t message_capacity) {
    uint32_t capacity = slab->capacity;
    uint8_t *seen = calloc(capacity ? capacity : 1, 1);
    if (!seen) return -ENOMEM;
    int rc = 0;
    uint32_t full = 0, empty = 0;
    for (uint32_t i = (uint32_t)canp_atomic_load_acquire(&slab->full_head); i != _CANP_SLAB_NIL;
         i = canp_atomic_load_relaxed(&slab->next[i])) {
        if (i >= capacity) { rc = fail(message, message_capacity, "index out of range in the full list", slab->block_size); goto out; }
        if (seen[i]) { rc = fail(message, message_capacity, "index twice in the lists (cycle)", slab->block_size); goto out; }
        if (slab->slots[i] == NULL) { rc = fail(message, message_capacity, "full slot without a block", slab->block_size); goto out; }
        seen[i] = 1;
        blocks[(*block_count)++] = slab->slots[i];
        full++;
    }
    for (uint32_t i = (uint32_t)canp_atomic_load_acquire(&slab->empty_head); i != _CANP_SLAB_NIL;
         i = canp_atomic_load_relaxed(&slab->next[i])) {
        if (i >= capacity) { rc = fail(message, message_capacity, "index out of range in the empty list", slab->block_size); goto out; }
        if (seen[i]) { rc = fail(message, message_capacity, "index twice in the lists", slab->block_size); goto out; }
        seen[i] = 1;
        empty++;
    }
    if (full + empty != capacity) { rc = fail(message, message_capacity, "slots lost from both lists", slab->block_size); goto out; }
    if (full != canp_atomic_load_relaxed(&slab->count)) { rc = fail(message, message_capacity, "count disagrees with the full list", slab->block_size); goto out; }
out:
    free(seen);
    return rc;
}
