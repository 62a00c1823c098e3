/*
 * uring_reader.c: batched reads of file ranges into caller memory, through an
 * io_uring ring (prim_uring.c) or, where the kernel refuses io_uring, through a
 * pread(2) loop (prim_file.c); and the open/size/close of the files it reads.
 * Public API in include/canp_io.h.
 *
 * Threads: a reader is used by one thread at a time; nothing here is shared
 * between readers except the process-wide probe result (set up once).
 *
 * How a batch runs on io_uring: requests are cut into operations of at most
 * max_op_bytes; at most queue_depth operations are in flight, each in a slot
 * whose index is the SQE's user_data. The loop fills free slots (requeued
 * operations first, then new ones in request order), submits and waits for at
 * least one completion, then reaps everything available. A completion is one
 * of:
 *   res == len          the operation is done;
 *   0 < res < len       short read: the slot is requeued for the remaining
 *                       bytes (page-cache reads with IOCB_NOWAIT can stop at
 *                       an uncached page);
 *   res == 0            end of file: the request ends here;
 *   -EAGAIN, -EINTR     requeued unchanged;
 *   -ECANCELED          of an offloaded operation: the kernel could not start
 *                       a worker; requeued, and the reader stops offloading;
 *   other res < 0       the request fails with it; its other operations still
 *                       run to completion (their buffers are in use).
 *
 * Invariants:
 *   - every slot is in exactly one of: free list, requeue list, in flight
 *     (prepared into the SQ, submitted or not);
 *   - in flight <= queue_depth <= SQ entries, and the CQ holds twice the SQ, so
 *     the CQ never overflows and preparing an SQE never finds the SQ full;
 *   - the call returns only when nothing is in flight: the kernel never writes
 *     into a buffer after canp_reader_read_batch returned (except after a
 *     fatal ring error, after which the reader refuses further batches).
 *
 * Rejected alternative: one operation per request regardless of size. It is
 * what pread does, but a 15 MB buffered read that misses the page cache then
 * waits for the whole range in one io-wq worker; cut into operations, the
 * ranges of one file are read in parallel by several workers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "canp_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "canp_debug.h"
#include "prim_file.h"
#include "prim_thread.h"
#include "prim_uring.h"

#define NO_SLOT UINT32_MAX
#define MAX_QUEUE_DEPTH 4096u
#define MIN_OP_BYTES 4096u
/* Linux transfers at most this many bytes per read(2) call. */
#define MAX_OP_BYTES 0x7ffff000u

_Static_assert(sizeof(canp_read_req_t) == 56, "canp_read_req_t layout is part of the ABI");

typedef struct op_s {
    size_t req;    /* index of the request in the batch */
    uint64_t pos;  /* request-relative offset of the next byte to read */
    uint32_t len;  /* bytes this operation still wants */
    uint32_t next; /* free-list or requeue-list link */
    bool offloaded; /* sent with IOSQE_ASYNC */
} op_t;

struct canp_reader_s {
    canp_reader_info_t info;
    canp_reader_stats_t stats;
    _canp_uring_t *ring;      /* NULL on the pread backend */
    op_t *ops;                /* queue_depth slots */
    _canp_uring_cqe_t *cqes;  /* reap buffer, queue_depth entries */
    uint32_t free_head;
    uint32_t requeue_head;
    uint32_t requeue_tail;
    int32_t broken;           /* -errno of a fatal ring failure, else 0 */
    bool offload_refused;     /* the kernel cancelled an offloaded operation */
};

/* ---- process-wide probe ------------------------------------------------- */

static _canp_once_t probe_once = _CANP_ONCE_INITIALIZER;
static int probe_result;

static void probe_run(void) {
    _canp_uring_t *ring = NULL;
    probe_result = _canp_uring_create(4, &ring);
    _canp_uring_destroy(ring);
}

int canp_io_uring_probe(void) {
    _canp_once(&probe_once, probe_run);
    return probe_result;
}

/* ---- configuration ------------------------------------------------------ */

void canp_reader_config_init(canp_reader_config_t *config) {
    config->backend = CANP_IO_BACKEND_AUTO;
    config->queue_depth = 64;
    config->max_op_bytes = 1u << 20;
    config->offload_min_bytes = 256u << 10;
}

static bool env_forces_pread(void) {
    const char *v = getenv("CANP_IO_BACKEND");
    return v != NULL && strcmp(v, "pread") == 0;
}

int canp_reader_create(const canp_reader_config_t *config, canp_reader_t **out_reader) {
    *out_reader = NULL;
    canp_reader_config_t cfg;
    if (config != NULL) {
        cfg = *config;
    } else {
        canp_reader_config_init(&cfg);
    }
    if (cfg.queue_depth == 0 || cfg.queue_depth > MAX_QUEUE_DEPTH) return -EINVAL;
    if (cfg.max_op_bytes < MIN_OP_BYTES) return -EINVAL;
    if (cfg.max_op_bytes > MAX_OP_BYTES) cfg.max_op_bytes = MAX_OP_BYTES;
    if (cfg.backend != CANP_IO_BACKEND_AUTO && cfg.backend != CANP_IO_BACKEND_URING &&
        cfg.backend != CANP_IO_BACKEND_PREAD) {
        return -EINVAL;
    }

    canp_reader_t *r = calloc(1, sizeof(*r));
    if (r == NULL) return -ENOMEM;
    r->info.queue_depth = cfg.queue_depth;
    r->info.max_op_bytes = cfg.max_op_bytes;
    r->info.offload_min_bytes = cfg.offload_min_bytes;
    r->free_head = r->requeue_head = r->requeue_tail = NO_SLOT;

    bool want_uring = cfg.backend == CANP_IO_BACKEND_URING;
    if (cfg.backend == CANP_IO_BACKEND_AUTO) {
        if (env_forces_pread()) {
            r->info.forced_by_env = true;
        } else {
            want_uring = true;
        }
    }

    if (want_uring) {
        int rc = _canp_uring_create(cfg.queue_depth, &r->ring);
        if (rc != 0) {
            if (cfg.backend == CANP_IO_BACKEND_URING) {
                free(r);
                return rc;
            }
            r->info.setup_error = rc;
            r->ring = NULL;
        }
    }

    if (r->ring != NULL) {
        r->info.backend = CANP_IO_BACKEND_URING;
        r->ops = calloc(cfg.queue_depth, sizeof(op_t));
        r->cqes = calloc(cfg.queue_depth, sizeof(_canp_uring_cqe_t));
        if (r->ops == NULL || r->cqes == NULL) {
            canp_reader_destroy(r);
            return -ENOMEM;
        }
        for (uint32_t i = 0; i < cfg.queue_depth; i++) {
            r->ops[i].next = (i + 1 < cfg.queue_depth) ? i + 1 : NO_SLOT;
        }
        r->free_head = 0;
    } else {
        r->info.backend = CANP_IO_BACKEND_PREAD;
    }
    *out_reader = r;
    return 0;
}

void canp_reader_destroy(canp_reader_t *reader) {
    if (reader == NULL) return;
    _canp_uring_destroy(reader->ring);
    free(reader->ops);
    free(reader->cqes);
    free(reader);
}

void canp_reader_get_info(const canp_reader_t *reader, canp_reader_info_t *out_info) {
    *out_info = reader->info;
}

void canp_reader_get_stats(const canp_reader_t *reader, canp_reader_stats_t *out_stats) {
    *out_stats = reader->stats;
}

/* ---- slot lists ---------------------------------------------------------- */

static uint32_t slot_take(canp_reader_t *r) {
    uint32_t s = r->free_head;
    if (s != NO_SLOT) r->free_head = r->ops[s].next;
    return s;
}

static void slot_free(canp_reader_t *r, uint32_t s) {
    CANP_ASSERT(s < r->info.queue_depth);
    r->ops[s].next = r->free_head;
    r->free_head = s;
}

static void slot_requeue(canp_reader_t *r, uint32_t s) {
    CANP_ASSERT(s < r->info.queue_depth);
    r->ops[s].next = NO_SLOT;
    if (r->requeue_tail == NO_SLOT) {
        r->requeue_head = s;
    } else {
        r->ops[r->requeue_tail].next = s;
    }
    r->requeue_tail = s;
}

static uint32_t slot_unrequeue(canp_reader_t *r) {
    uint32_t s = r->requeue_head;
    if (s != NO_SLOT) {
        r->requeue_head = r->ops[s].next;
        if (r->requeue_head == NO_SLOT) r->requeue_tail = NO_SLOT;
    }
    return s;
}

/* Whether every slot is on the free list and none is requeued: the state
 * between batches. O(queue_depth), for CANP_ASSERT_EXPENSIVE. */
__attribute__((unused)) static bool slots_all_free(const canp_reader_t *r) {
    if (r->requeue_head != NO_SLOT || r->requeue_tail != NO_SLOT) return false;
    uint32_t n = 0;
    for (uint32_t s = r->free_head; s != NO_SLOT; s = r->ops[s].next) {
        if (s >= r->info.queue_depth || ++n > r->info.queue_depth) return false;
    }
    return n == r->info.queue_depth;
}

/* ---- io_uring backend --------------------------------------------------- */

static int prep_op(canp_reader_t *r, canp_read_req_t *reqs, uint32_t s) {
    op_t *op = &r->ops[s];
    canp_read_req_t *req = &reqs[op->req];
    bool offload = r->info.offload_min_bytes != 0 && op->len >= r->info.offload_min_bytes &&
                   !r->offload_refused;
    op->offloaded = offload;
    r->stats.operations++;
    if (offload) r->stats.offloaded++;
    return _canp_uring_prep_read(r->ring, req->fd, (char *)req->buf + op->pos, op->len,
                                 req->offset + op->pos, s, offload);
}

static void complete_op(canp_reader_t *r, canp_read_req_t *reqs, uint32_t s, int32_t res) {
    /* user_data is the slot index we gave the SQE; the kernel hands it back. */
    CANP_ASSERT(s < r->info.queue_depth);
    op_t *op = &r->ops[s];
    canp_read_req_t *req = &reqs[op->req];
    CANP_ASSERT(op->len > 0 && res <= (int32_t)op->len);
    if (res < 0) {
        if (res == -ECANCELED && op->offloaded && req->result == 0) {
            /* The kernel could not start an io-wq worker for it (a thread
             * limit such as RLIMIT_NPROC) and cancelled it: stop offloading
             * on this reader and read inline from now on. */
            r->offload_refused = true;
            r->stats.retries++;
            slot_requeue(r, s);
            return;
        }
        if ((res == -EAGAIN || res == -EINTR) && req->result == 0) {
            r->stats.retries++;
            slot_requeue(r, s);
            return;
        }
        if (req->result == 0) req->result = res;
        slot_free(r, s);
        return;
    }
    if (res == 0) { /* end of file inside this operation */
        slot_free(r, s);
        return;
    }
    req->done += (size_t)res;
    r->stats.bytes_read += (uint64_t)res;
    if ((uint32_t)res < op->len && req->result == 0) {
        r->stats.short_reads++;
        op->pos += (uint64_t)res;
        op->len -= (uint32_t)res;
        slot_requeue(r, s);
        return;
    }
    slot_free(r, s);
}

static int read_batch_uring(canp_reader_t *r, canp_read_req_t *reqs, size_t count) {
    size_t cursor_req = 0;
    uint64_t cursor_pos = 0;
    uint32_t in_flight = 0;
    const uint32_t max_op = r->info.max_op_bytes;

    for (;;) {
        /* Fill free SQ space: requeued operations first, so that a request
         * already started finishes before new ones take the slots. */
        for (uint32_t s; (s = slot_unrequeue(r)) != NO_SLOT;) {
            int rc = prep_op(r, reqs, s);
            /* In flight <= queue_depth <= SQ entries: the SQ has room. The
             * release build keeps the slot queued and submits what it has. */
            CANP_ASSERT(rc == 0);
            if (rc != 0) {
                slot_requeue(r, s);
                break;
            }
            in_flight++;
        }
        while (cursor_req < count && r->free_head != NO_SLOT) {
            canp_read_req_t *req = &reqs[cursor_req];
            if (req->result != 0 || cursor_pos >= req->len) {
                cursor_req++;
                cursor_pos = 0;
                continue;
            }
            uint64_t left = req->len - cursor_pos;
            uint32_t s = slot_take(r);
            op_t *op = &r->ops[s];
            op->req = cursor_req;
            op->pos = cursor_pos;
            op->len = left < max_op ? (uint32_t)left : max_op;
            cursor_pos += op->len;
            int rc = prep_op(r, reqs, s);
            CANP_ASSERT(rc == 0); /* as above */
            if (rc != 0) {
                cursor_pos -= op->len;
                slot_free(r, s);
                break;
            }
            in_flight++;
        }
        if (in_flight == 0) break;
        CANP_ASSERT(in_flight <= r->info.queue_depth);

        int rc = _canp_uring_submit_and_wait(r->ring, 1);
        r->stats.submissions++;
        if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY) {
            /* The ring itself failed (EFAULT, EBADF, ENXIO): we cannot know
             * which operations the kernel took. Fail everything unfinished
             * and refuse further batches rather than guess. */
            r->broken = rc;
            for (size_t i = 0; i < count; i++) {
                if (reqs[i].result == 0) reqs[i].result = rc;
            }
            return rc;
        }
        /* -EINTR/-EAGAIN/-EBUSY: the SQ tail is already published, so the
         * kernel takes the prepared SQEs on the next enter; reap whatever
         * completed and go round again. */
        uint32_t n = _canp_uring_reap(r->ring, r->cqes, r->info.queue_depth);
        CANP_ASSERT(n <= in_flight);
        for (uint32_t i = 0; i < n; i++) {
            in_flight--;
            complete_op(r, reqs, (uint32_t)r->cqes[i].user_data, r->cqes[i].res);
        }
    }
    return 0;
}

/* ---- pread backend ------------------------------------------------------ */

static void read_one_pread(canp_reader_t *r, canp_read_req_t *req) {
    const uint32_t max_op = r->info.max_op_bytes;
    while (req->done < req->len) {
        size_t left = req->len - req->done;
        size_t want = left < max_op ? left : max_op;
        r->stats.operations++;
        int64_t n = _canp_file_pread(req->fd, (char *)req->buf + req->done, want,
                                     req->offset + req->done);
        if (n < 0) {
            if (n == -EINTR || n == -EAGAIN) {
                r->stats.retries++;
                continue;
            }
            req->result = (int32_t)n;
            return;
        }
        if (n == 0) return; /* end of file */
        if ((size_t)n < want) r->stats.short_reads++;
        req->done += (size_t)n;
        r->stats.bytes_read += (uint64_t)n;
    }
}

/* ---- batch entry point --------------------------------------------------- */

int canp_reader_read_batch(canp_reader_t *reader, canp_read_req_t *reqs, size_t count) {
    if (count == 0) return 0;
    if (reqs == NULL) return -EINVAL;
    reader->stats.batches++;
    for (size_t i = 0; i < count; i++) {
        reqs[i].done = 0;
        reqs[i].result = (reqs[i].buf == NULL && reqs[i].len > 0) ? -EINVAL : 0;
        if (reqs[i].fd < 0 && reqs[i].result == 0) reqs[i].result = -EBADF;
    }
    if (reader->broken != 0) {
        for (size_t i = 0; i < count; i++) {
            if (reqs[i].result == 0) reqs[i].result = reader->broken;
        }
        return reader->broken;
    }

    int rc = 0;
    if (reader->ring != NULL) {
        rc = read_batch_uring(reader, reqs, count);
        /* Nothing is in flight and nothing queued once a batch returns. */
        CANP_ASSERT_EXPENSIVE(rc != 0 || slots_all_free(reader));
    } else {
        for (size_t i = 0; i < count; i++) {
            if (reqs[i].result == 0) read_one_pread(reader, &reqs[i]);
        }
    }
    for (size_t i = 0; i < count; i++) {
        reader->stats.requests++;
        if (reqs[i].result < 0) reader->stats.failed_requests++;
    }
    return rc;
}

/* ---- files -------------------------------------------------------------- */

int canp_file_open(const char *path, int32_t *out_fd, uint64_t *out_size) {
    *out_fd = -1;
    *out_size = 0;
    if (path == NULL) return -EINVAL;
    int fd;
    do {
        fd = _canp_file_open_read(path);
    } while (fd == -EINTR);
    if (fd < 0) return fd;
    uint64_t size = 0;
    int rc = canp_file_size(fd, &size);
    if (rc != 0) {
        _canp_file_close(fd);
        return rc;
    }
    *out_fd = fd;
    *out_size = size;
    return 0;
}

int canp_file_size(int32_t fd, uint64_t *out_size) {
    uint64_t size = 0;
    bool is_directory = false;
    int rc = _canp_file_stat(fd, &size, &is_directory);
    if (rc != 0) return rc;
    /* A directory opens read-only, but reading it fails later with EISDIR:
     * say so at open, where the caller names the path. */
    if (is_directory) return -EISDIR;
    *out_size = size;
    return 0;
}

int canp_file_close(int32_t fd) {
    return _canp_file_close(fd);
}
