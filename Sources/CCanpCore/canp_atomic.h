/*
 * canp_atomic.h: the one place where the C core touches atomics.
 *
 * Every operation names its memory order, so that a reader sees at each call
 * site what it synchronises with. Built on C11 <stdatomic.h>.
 */
#ifndef CANP_ATOMIC_H
#define CANP_ATOMIC_H

#include <stdatomic.h>
#include <stdint.h>
#include <stddef.h>

#define CANP_CACHE_LINE 64

typedef _Atomic(uint64_t) canp_atomic_u64;
typedef _Atomic(uint32_t) canp_atomic_u32;
typedef _Atomic(size_t) canp_atomic_size;
typedef _Atomic(int) canp_atomic_int;

#define canp_atomic_load_relaxed(p) atomic_load_explicit((p), memory_order_relaxed)
#define canp_atomic_load_acquire(p) atomic_load_explicit((p), memory_order_acquire)
#define canp_atomic_store_relaxed(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)
#define canp_atomic_store_release(p, v) atomic_store_explicit((p), (v), memory_order_release)
#define canp_atomic_add_relaxed(p, v) atomic_fetch_add_explicit((p), (v), memory_order_relaxed)
#define canp_atomic_sub_relaxed(p, v) atomic_fetch_sub_explicit((p), (v), memory_order_relaxed)
#define canp_atomic_add_acq_rel(p, v) atomic_fetch_add_explicit((p), (v), memory_order_acq_rel)
#define canp_atomic_sub_acq_rel(p, v) atomic_fetch_sub_explicit((p), (v), memory_order_acq_rel)
#define canp_atomic_exchange_acquire(p, v) atomic_exchange_explicit((p), (v), memory_order_acquire)
#define canp_atomic_exchange_acq_rel(p, v) atomic_exchange_explicit((p), (v), memory_order_acq_rel)
/* Weak CAS: success is acq_rel (publishes what we wrote before, sees what the
 * previous owner wrote), failure is acquire (we re-read the new value). */
#define canp_atomic_cas_weak_acq_rel(p, expected, desired) \
    atomic_compare_exchange_weak_explicit((p), (expected), (desired), memory_order_acq_rel, memory_order_acquire)
#define canp_atomic_cas_strong_acq_rel(p, expected, desired) \
    atomic_compare_exchange_strong_explicit((p), (expected), (desired), memory_order_acq_rel, memory_order_acquire)

#endif /* CANP_ATOMIC_H */
