/*
 * canp_io.h: batched file reads into caller memory, through io_uring with a
 * pread fallback chosen at run time.
 *
 * A reader (`canp_reader_t`) owns one io_uring instance (or none, on the
 * pread backend). It is NOT thread-safe: one thread at a time calls it (the
 * Swift thread pool gives each IO worker its own reader). It may move between
 * threads between calls.
 *
 * A batch is an array of `canp_read_req_t`: each names an open file, an
 * offset, and a caller-owned buffer; the reader fills as many bytes as the file
 * holds (short reads and -EAGAIN are requeued until the range is read or the
 * file ends), writes `done` and `result`, and returns when every request of the
 * batch has finished. Buffers must stay valid until the call returns, never
 * longer: the reader keeps no reference to them.
 *
 * Backend choice (`CANP_IO_BACKEND_AUTO`): io_uring, unless the environment
 * variable `CANP_IO_BACKEND` is `pread`, or `io_uring_setup` fails (ENOSYS on
 * old kernels, EPERM under Docker's default seccomp profile or with
 * kernel.io_uring_disabled). The reason is kept (`canp_reader_info_t`).
 *
 * Conventions: 0 or -errno, results through out-parameters.
 */
#ifndef CANP_IO_H
#define CANP_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which mechanism moves the bytes. */
typedef enum canp_io_backend_e {
    CANP_IO_BACKEND_AUTO = 0,  /* config only: io_uring when available */
    CANP_IO_BACKEND_URING = 1, /* io_uring; in a config: fail if unavailable */
    CANP_IO_BACKEND_PREAD = 2, /* pread(2) loop on the calling thread */
} canp_io_backend_t;

/* Reader configuration; fill with canp_reader_config_init, then adjust. */
typedef struct canp_reader_config_s {
    canp_io_backend_t backend; /* default CANP_IO_BACKEND_AUTO */
    uint32_t queue_depth;      /* read operations in flight, 1...4096; default 64 */
    uint32_t max_op_bytes;     /* largest single read operation, >= 4096; default 1 MiB */
    /* io_uring: operations of at least this many bytes go straight to the
     * kernel's worker threads (IOSQE_ASYNC), so the ranges of a batch are
     * copied on several cores at once; smaller ones are first tried inline,
     * on the calling thread, during submission. 0 = never offload. Default
     * 256 KiB. Ignored by the pread backend. Where the kernel cannot start a
     * worker and cancels an offloaded read, the reader retries it inline and
     * offloads nothing more. */
    uint32_t offload_min_bytes;
} canp_reader_config_t;

/* What a reader turned out to be. */
typedef struct canp_reader_info_s {
    canp_io_backend_t backend; /* URING or PREAD, never AUTO */
    int32_t setup_error;       /* -errno from io_uring setup when it fell back; 0 otherwise */
    bool forced_by_env;        /* CANP_IO_BACKEND=pread chose the fallback */
    uint32_t queue_depth;      /* effective queue depth */
    uint32_t max_op_bytes;     /* effective largest operation */
    uint32_t offload_min_bytes; /* as configured (0 = never offload) */
} canp_reader_info_t;

/* Cumulative counters of one reader (plain integers: read them on the
 * reader's thread, between calls). */
typedef struct canp_reader_stats_s {
    uint64_t batches;         /* canp_reader_read_batch calls */
    uint64_t requests;        /* requests finished, successful or not */
    uint64_t failed_requests; /* requests finished with result < 0 */
    uint64_t bytes_read;      /* bytes written into caller buffers */
    uint64_t operations;      /* read operations issued (SQEs or pread calls) */
    uint64_t submissions;     /* io_uring_enter calls; 0 on the pread backend */
    uint64_t short_reads;     /* partial reads requeued for the rest */
    uint64_t retries;         /* -EAGAIN / -EINTR operations requeued */
    uint64_t offloaded;       /* operations sent to the kernel's workers (IOSQE_ASYNC) */
} canp_reader_stats_t;

/* One range to read. The caller sets fd, offset, buf, len and user_data; the
 * reader sets done and result. */
typedef struct canp_read_req_s {
    int32_t fd;         /* open for reading */
    uint32_t reserved;  /* zero */
    uint64_t offset;    /* file offset of the first byte */
    void *buf;          /* at least len writable bytes */
    size_t len;         /* bytes wanted */
    size_t done;        /* out: bytes read; < len only when the file ended */
    int32_t result;     /* out: 0, or -errno of the first failed operation */
    uint32_t reserved2; /* zero */
    uint64_t user_data; /* untouched by the reader */
} canp_read_req_t;

typedef struct canp_reader_s canp_reader_t;

/* Defaults: AUTO backend, queue depth 64, 1 MiB operations, offload from 256 KiB. */
void canp_reader_config_init(canp_reader_config_t *config);

/* Creates a reader. -EINVAL for a bad config, -ENOMEM, or with backend URING
 * the io_uring setup error (-ENOSYS, -EPERM, ...). config may be NULL. */
int canp_reader_create(const canp_reader_config_t *config, canp_reader_t **out_reader);

/* Destroys a reader (NULL is ignored). No batch may be running. */
void canp_reader_destroy(canp_reader_t *reader);

/* The backend and effective limits of a reader. */
void canp_reader_get_info(const canp_reader_t *reader, canp_reader_info_t *out_info);

/* Cumulative counters of a reader. */
void canp_reader_get_stats(const canp_reader_t *reader, canp_reader_stats_t *out_stats);

/* Reads every request of the batch; returns when all have finished.
 * Returns 0 when the batch ran (each request's own outcome is in `result`),
 * -EINVAL when reqs is NULL with count > 0, or a ring failure -errno (then
 * requests not finished carry that error). */
int canp_reader_read_batch(canp_reader_t *reader, canp_read_req_t *reqs, size_t count);

/* Opens a file read-only (O_CLOEXEC) and reports its size. */
int canp_file_open(const char *path, int32_t *out_fd, uint64_t *out_size);

/* Size of an open file. */
int canp_file_size(int32_t fd, uint64_t *out_size);

/* Closes a file opened with canp_file_open. */
int canp_file_close(int32_t fd);

/* Probes io_uring once per process: 0 when a ring can be set up here, or the
 * setup -errno. Ignores CANP_IO_BACKEND. */
int canp_io_uring_probe(void);

#ifdef __cplusplus
}
#endif

#endif /* CANP_IO_H */
