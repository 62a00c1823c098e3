/*
 * prim_uring.h: the thin layer over liburing that uring_reader.c is written
 * against (internal). The reader logic never names an io_uring_* function or
 * struct, so that another backend (or a liburing without some feature)
 * changes one file; its file system calls are in prim_file.h.
 */
#ifndef CANP_PRIM_URING_H
#define CANP_PRIM_URING_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct _canp_uring_s _canp_uring_t;

/* One reaped completion, copied out of the CQ ring. */
typedef struct _canp_uring_cqe_s {
    uint64_t user_data;
    int32_t res;
} _canp_uring_cqe_t;

/* Sets up a ring with at least `entries` SQ entries. 0 or -errno. */
int _canp_uring_create(uint32_t entries, _canp_uring_t **out_ring);

/* Tears a ring down; all submitted operations must have completed. */
void _canp_uring_destroy(_canp_uring_t *ring);

/* Entries of the SQ ring as set up by the kernel. */
uint32_t _canp_uring_sq_entries(const _canp_uring_t *ring);

/* Queues (does not submit) a read. With `offload`, the kernel runs it on one
 * of its io-wq worker threads (IOSQE_ASYNC) instead of first trying it inline
 * during submission. -EBUSY when the SQ ring is full. */
int _canp_uring_prep_read(_canp_uring_t *ring, int fd, void *buf, uint32_t len,
                          uint64_t offset, uint64_t user_data, bool offload);

/* Submits everything queued and waits for at least `wait_nr` completions.
 * Returns the number of SQEs submitted, or -errno. */
int _canp_uring_submit_and_wait(_canp_uring_t *ring, uint32_t wait_nr);

/* Copies up to `max` available completions into `out` and marks them seen.
 * Returns how many. Never blocks. */
uint32_t _canp_uring_reap(_canp_uring_t *ring, _canp_uring_cqe_t *out, uint32_t max);

#endif /* CANP_PRIM_URING_H */
