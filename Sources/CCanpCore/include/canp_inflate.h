/*
 * canp_inflate.h: whole-buffer gzip members, inflated with libdeflate.
 *
 * A CANP block (Record0, see docs/FORMAT.md) carries exactly one gzip member
 * (RFC 1952). The pipeline reads the member's ISIZE trailer, takes an output
 * buffer of that size from the pool, and inflates the whole member in one
 * call: no streaming state, no copy. One `canp_inflater_t` per worker thread; it is not safe to
 * use one inflater from two threads at once.
 *
 * Errors (negated Linux errno values):
 *   -EINVAL   a NULL argument where a buffer or out-parameter is required
 *   -ENOMEM   allocation failed (create only)
 *   -EBADMSG  not a gzip member: bad magic, method, reserved flags, header
 *             running past the input, or invalid/truncated DEFLATE data
 *   -EILSEQ   the CRC-32 in the trailer does not match the inflated bytes
 *   -ERANGE   the ISIZE in the trailer does not match the inflated length
 *             (including a stream that inflates to more than ISIZE)
 *   -ENOBUFS  `out_cap` is smaller than the inflated data (and than ISIZE)
 *   -EOVERFLOW bytes follow the member's trailer (a Payload0 is one member)
 */
#ifndef CANP_INFLATE_H
#define CANP_INFLATE_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The smallest possible gzip member: 10-byte header, 2-byte empty DEFLATE block, 8-byte trailer. */
#define CANP_GZIP_MIN_MEMBER 20u

/* A gzip inflater: owns a libdeflate decompressor. One per worker thread. */
typedef struct canp_inflater_s canp_inflater_t;

/* Creates an inflater into `*out`. Returns 0, -EINVAL or -ENOMEM. */
int canp_inflater_create(canp_inflater_t **out);

/* Destroys an inflater; NULL is allowed. */
void canp_inflater_destroy(canp_inflater_t *inflater);

/*
 * Reads the ISIZE trailer (inflated length mod 2^32) of the gzip member
 * `in[0..<in_len]` after checking its fixed 10-byte header (magic 1f 8b,
 * method 8, reserved flag bits clear) and that it has room for a trailer.
 * Returns 0, -EINVAL or -EBADMSG. Reads at most the first 10 and last 4 bytes.
 */
int canp_gzip_member_isize(const void *in, size_t in_len, uint32_t *isize);

/*
 * Inflates exactly one gzip member `in[0..<in_len]` into `out[0..<out_cap]`
 * with libdeflate, checking the header, CRC-32 and ISIZE, and that no byte
 * follows the trailer. Stores the inflated length in `*out_len`. `out` may be
 * NULL when `out_cap` is 0. Returns 0 or one of the errors above.
 */
int canp_inflater_gzip(canp_inflater_t *inflater, const void *in, size_t in_len,
                       void *out, size_t out_cap, size_t *out_len);

/*
 * Inflates one zlib stream (RFC 1950, as a BLF LOG_CONTAINER holds) at the
 * start of `in[0..<in_len]` into `out[0..<out_cap]` with libdeflate, checking
 * its header and Adler-32; bytes after the stream are ignored (as zlib's
 * streaming readers do). Stores the inflated length in `*out_len`. Returns 0,
 * -EINVAL, -EBADMSG (bad header, bad or truncated data, Adler-32 mismatch) or
 * -ENOBUFS (the stream inflates to more than `out_cap` bytes).
 */
int canp_inflater_zlib(canp_inflater_t *inflater, const void *in, size_t in_len,
                       void *out, size_t out_cap, size_t *out_len);

/* A gzip compressor (libdeflate) at a fixed level; for writers and tests. */
typedef struct canp_deflater_s canp_deflater_t;

/* Creates a deflater at `level` 0 (store) to 12 (smallest). Returns 0, -EINVAL or -ENOMEM. */
int canp_deflater_create(int level, canp_deflater_t **out);

/* Destroys a deflater; NULL is allowed. */
void canp_deflater_destroy(canp_deflater_t *deflater);

/* Stores in `*bound` the largest gzip member `in_len` bytes can become. Returns 0 or -EINVAL. */
int canp_deflater_gzip_bound(canp_deflater_t *deflater, size_t in_len, size_t *bound);

/*
 * Compresses `in[0..<in_len]` into one gzip member in `out[0..<out_cap]`
 * (MTIME 0, no file name). Stores its size in `*out_len`. Returns 0, -EINVAL,
 * or -ENOBUFS when `out_cap` is below what the data needs (a capacity of
 * canp_deflater_gzip_bound bytes always suffices).
 */
int canp_deflater_gzip(canp_deflater_t *deflater, const void *in, size_t in_len,
                       void *out, size_t out_cap, size_t *out_len);

/* Stores in `*bound` the largest zlib stream `in_len` bytes can become. Returns 0 or -EINVAL. */
int canp_deflater_zlib_bound(canp_deflater_t *deflater, size_t in_len, size_t *bound);

/*
 * Compresses `in[0..<in_len]` into one zlib stream (RFC 1950) in
 * `out[0..<out_cap]`. Stores its size in `*out_len`. Returns 0, -EINVAL, or
 * -ENOBUFS when `out_cap` is below what the data needs.
 */
int canp_deflater_zlib(canp_deflater_t *deflater, const void *in, size_t in_len,
                       void *out, size_t out_cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* CANP_INFLATE_H */
