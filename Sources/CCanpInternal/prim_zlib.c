/*
 * prim_zlib.c: zlib behind prim_zlib.h.
 *
 * Threads: none of its own; each call's z_stream lives on the caller's stack.
 * Invariants: never reads before `in` or past `in + in_len`, never writes
 * past `out + out_cap` (zlib guarantees this for the sizes given, which are
 * checked to fit its 32-bit counters first).
 */
#include "prim_zlib.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <zlib.h>

int _canp_prim_zlib_gunzip(const void *in, size_t in_len, void *out, size_t out_cap,
                           size_t *in_used, size_t *out_len) {
    if (in_len > UINT_MAX || out_cap > UINT_MAX) return -EINVAL;
    unsigned char dummy = 0;
    z_stream s;
    memset(&s, 0, sizeof s);
    /* 16 + 15: gzip wrapper only (no zlib or raw auto-detection), 32 KiB window. */
    if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) return -ENOMEM;
    s.next_in = (Bytef *)(uintptr_t)in;
    s.avail_in = (uInt)in_len;
    s.next_out = out != NULL ? (Bytef *)out : &dummy;
    s.avail_out = (uInt)out_cap;
    int zr = inflate(&s, Z_FINISH);
    int rc;
    switch (zr) {
    case Z_STREAM_END:
        *in_used = in_len - s.avail_in;
        *out_len = (size_t)s.total_out;
        rc = 0;
        break;
    case Z_DATA_ERROR:
        /* zlib tells the trailer checks apart only by message text. */
        if (s.msg != NULL && strcmp(s.msg, "incorrect data check") == 0) rc = -EILSEQ;
        else if (s.msg != NULL && strcmp(s.msg, "incorrect length check") == 0) rc = -ERANGE;
        else rc = -EBADMSG;
        break;
    case Z_BUF_ERROR:
        /* No progress possible: either the output is full or the input ended early. */
        rc = s.avail_out == 0 ? -ENOBUFS : -EBADMSG;
        break;
    case Z_MEM_ERROR:
        rc = -ENOMEM;
        break;
    case Z_OK:
        /* Z_FINISH returned without the end: output full (or input exhausted). */
        rc = s.avail_out == 0 ? -ENOBUFS : -EBADMSG;
        break;
    default:
        rc = -EBADMSG;
        break;
    }
    inflateEnd(&s);
    return rc;
}

int _canp_prim_zlib_inflate_prefix(const void *in, size_t in_len, void *out, size_t want, size_t *out_len) {
    if (in_len > UINT_MAX || want > UINT_MAX) return -EINVAL;
    unsigned char dummy = 0;
    z_stream s;
    memset(&s, 0, sizeof s);
    /* 15: the zlib wrapper only, 32 KiB window. */
    if (inflateInit2(&s, MAX_WBITS) != Z_OK) return -ENOMEM;
    s.next_in = (Bytef *)(uintptr_t)in;
    s.avail_in = (uInt)in_len;
    s.next_out = out != NULL ? (Bytef *)out : &dummy;
    s.avail_out = (uInt)want;
    int rc = 0;
    while (s.avail_out > 0) {
        int zr = inflate(&s, Z_SYNC_FLUSH);
        if (zr == Z_STREAM_END) break;
        if (zr == Z_MEM_ERROR) { rc = -ENOMEM; break; }
        /* Z_BUF_ERROR with output room left: the input ended first. */
        if (zr != Z_OK) { rc = -EBADMSG; break; }
    }
    if (rc == 0) *out_len = want - s.avail_out;
    inflateEnd(&s);
    return rc;
}
