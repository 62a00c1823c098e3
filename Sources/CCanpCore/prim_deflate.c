/*
 * prim_deflate.c: libdeflate and zlib behind the functions of prim_deflate.h.
 *
 * Threads: none of its own. A decompressor or compressor handle belongs to
 * one thread at a time (the caller's worker); zlib streams live on the stack
 * of the calling thread.
 *
 * Invariants: never reads before `in` or past `in + in_len`, never writes
 * past `out + out_cap` (both libraries guarantee this for the sizes given).
 */
#include "prim_deflate.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <libdeflate.h>
#include <zlib.h>

_canp_prim_inflater_t *_canp_prim_inflater_new(void) {
    return (_canp_prim_inflater_t *)libdeflate_alloc_decompressor();
}

void _canp_prim_inflater_free(_canp_prim_inflater_t *inflater) {
    if (inflater != NULL) libdeflate_free_decompressor((struct libdeflate_decompressor *)inflater);
}

int _canp_prim_inflate_raw(_canp_prim_inflater_t *inflater, const void *in, size_t in_len,
                           void *out, size_t out_cap, size_t *in_used, size_t *out_len) {
    size_t used = 0, written = 0;
    enum libdeflate_result r = libdeflate_deflate_decompress_ex(
        (struct libdeflate_decompressor *)inflater, in, in_len, out, out_cap, &used, &written);
    switch (r) {
    case LIBDEFLATE_SUCCESS:
        *in_used = used;
        *out_len = written;
        return 0;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
        return -ENOBUFS;
    default: /* BAD_DATA; SHORT_OUTPUT cannot happen with an actual_out pointer */
        return -EBADMSG;
    }
}

uint32_t _canp_prim_crc32(uint32_t crc, const void *data, size_t len) {
    return libdeflate_crc32(crc, data, len);
}

_canp_prim_compressor_t *_canp_prim_compressor_new(int level) {
    return (_canp_prim_compressor_t *)libdeflate_alloc_compressor(level);
}

void _canp_prim_compressor_free(_canp_prim_compressor_t *compressor) {
    if (compressor != NULL) libdeflate_free_compressor((struct libdeflate_compressor *)compressor);
}

size_t _canp_prim_gzip_bound(_canp_prim_compressor_t *compressor, size_t in_len) {
    return libdeflate_gzip_compress_bound((struct libdeflate_compressor *)compressor, in_len);
}

size_t _canp_prim_gzip_compress(_canp_prim_compressor_t *compressor, const void *in, size_t in_len,
                                void *out, size_t out_cap) {
    return libdeflate_gzip_compress((struct libdeflate_compressor *)compressor, in, in_len, out, out_cap);
}

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
