/*
 * prim_uring.c: liburing behind the _canp_uring_* functions of prim_uring.h.
 *
 * Threads: a ring is used by one thread at a time (its reader's caller). No
 * shared state here besides what liburing keeps inside the ring.
 *
 * Invariants: a ring is always set up without IORING_SETUP_SINGLE_ISSUER,
 * because a Swift reader may move to another thread between batches and a
 * single-issuer ring would then refuse submissions with -EEXIST. Setup flags
 * the running kernel does not know (-EINVAL) are dropped one by one rather
 * than failing, so the same binary runs on 5.10 and 6.x kernels.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "prim_uring.h"

#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>

struct _canp_uring_s {
    struct io_uring ring;
    uint32_t sq_entries;
};

int _canp_uring_create(uint32_t entries, _canp_uring_t **out_ring) {
    *out_ring = NULL;
    _canp_uring_t *r = calloc(1, sizeof(*r));
    if (r == NULL) return -ENOMEM;

    /* COOP_TASKRUN: completions are run when we next enter the kernel (we
     * always enter to wait), saving an inter-processor interrupt per read.
     * SUBMIT_ALL: one bad SQE does not stop the rest of the batch. Both are
     * optimisations; older kernels reject them with -EINVAL, so retry
     * without. */
    const unsigned flag_sets[] = {
        IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SUBMIT_ALL,
        IORING_SETUP_SUBMIT_ALL,
        0,
    };
    int rc = -EINVAL;
    for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
        struct io_uring_params params;
        memset(&params, 0, sizeof(params));
        params.flags = flag_sets[i];
        rc = io_uring_queue_init_params(entries, &r->ring, &params);
        if (rc == 0) {
            r->sq_entries = params.sq_entries;
            *out_ring = r;
            return 0;
        }
        if (rc != -EINVAL) break; /* ENOSYS, EPERM, ENOMEM: flags are not the problem */
    }
    free(r);
    return rc;
}

void _canp_uring_destroy(_canp_uring_t *ring) {
    if (ring == NULL) return;
    io_uring_queue_exit(&ring->ring);
    free(ring);
}

uint32_t _canp_uring_sq_entries(const _canp_uring_t *ring) { return ring->sq_entries; }

int _canp_uring_prep_read(_canp_uring_t *ring, int fd, void *buf, uint32_t len,
                          uint64_t offset, uint64_t user_data, bool offload) {
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring->ring);
    if (sqe == NULL) return -EBUSY;
    io_uring_prep_read(sqe, fd, buf, len, offset);
    io_uring_sqe_set_data64(sqe, user_data);
    if (offload) io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
    return 0;
}

int _canp_uring_submit_and_wait(_canp_uring_t *ring, uint32_t wait_nr) {
    return io_uring_submit_and_wait(&ring->ring, wait_nr);
}

uint32_t _canp_uring_reap(_canp_uring_t *ring, _canp_uring_cqe_t *out, uint32_t max) {
    struct io_uring_cqe *cqe;
    unsigned head;
    uint32_t n = 0;
    io_uring_for_each_cqe(&ring->ring, head, cqe) {
        if (n == max) break;
        out[n].user_data = io_uring_cqe_get_data64(cqe);
        out[n].res = cqe->res;
        n++;
    }
    io_uring_cq_advance(&ring->ring, n);
    return n;
}
