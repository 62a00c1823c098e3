/*
 * zlib_peer.c: one gzip member inflated by zlib, under the contract of
 * canp_inflater_gzip, for the benchmarks (the `inflate-zlib` stage) to
 * measure libdeflate against. The pipeline never calls it. Also the prefix
 * of a zlib stream (_canp_inflate_zlib_prefix), which the BLF reader needs
 * and libdeflate, whole buffers only, cannot give.
 *
 * Threads: any; stateless. Invariant: the same inputs give the same error
 * codes as canp_inflater_gzip wherever zlib can tell the cases apart (the
 * tests compare the two on damaged members).
 *
 * Why here and not in CCanpCore: a C consumer of the core has no use for a
 * slower inflater, and the core then does not link zlib at all.
 */
#include "canp_internal.h"

#include <errno.h>

#include "prim_zlib.h"

enum { GZ_FIXED_HEADER = 10, GZ_TRAILER = 8 };

static inline uint32_t load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int _canp_inflate_gzip_zlib(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len) {
    if (out_len == NULL || (in == NULL && in_len != 0) || (out == NULL && out_cap != 0)) return -EINVAL;
    /* Too short for a header and a trailer: say so before zlib's "no progress" makes it ambiguous. */
    if (in_len < GZ_FIXED_HEADER + GZ_TRAILER) return -EBADMSG;
    size_t used = 0, written = 0;
    int rc = _canp_prim_zlib_gunzip(in, in_len, out, out_cap, &used, &written);
    /* Output full although it holds ISIZE bytes: the stream disagrees with ISIZE. */
    if (rc == -ENOBUFS && (uint64_t)out_cap >= load_le32((const uint8_t *)in + in_len - 4)) return -ERANGE;
    if (rc != 0) return rc;
    if (used != in_len) return -EOVERFLOW;
    *out_len = written;
    return 0;
}

int _canp_inflate_zlib_prefix(const void *in, size_t in_len, void *out, size_t want, size_t *out_len) {
    if (out_len == NULL || (in == NULL && in_len != 0) || (out == NULL && want != 0)) return -EINVAL;
    return _canp_prim_zlib_inflate_prefix(in, in_len, out, want, out_len);
}
