/*
 * prim_deflate.c: libdeflate behind the functions of prim_deflate.h.
 *
 * Threads: none of its own. A decompressor or compressor handle belongs to
 * one thread at a time (the caller's worker).
 *
 * Invariants: never reads before `in` or past `in + in_len`, never writes
 * past `out + out_cap` (both libraries guarantee this for the sizes given).
 */
#include "prim_deflate.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include <libdeflate.h>

#include "canp_debug.h"

_canp_prim_inflater_t *_canp_prim_inflater_new(void) {
    return (_canp_prim_inflater_t *)libdeflate_alloc_decompressor();
}

void _canp_prim_inflater_free(_canp_prim_inflater_t *inflater) {
    if (inflater != NULL) libdeflate_free_decompressor((struct libdeflate_decompressor *)inflater);
}

/* libdeflate's result as the primitives' return code; `used` and `written` are stored on success only. */
static int inflate_result(enum libdeflate_result r, size_t used, size_t written, size_t *in_used, size_t *out_len) {
    switch (r) {
    case LIBDEFLATE_SUCCESS:
        *in_used = used;
        *out_len = written;
        return 0;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
        return -ENOBUFS;
    default:
        /* BAD_DATA. SHORT_OUTPUT cannot happen: we pass an actual_out pointer. */
        CANP_ASSERT(r == LIBDEFLATE_BAD_DATA);
        return -EBADMSG;
    }
}

int _canp_prim_inflate_raw(_canp_prim_inflater_t *inflater, const void *in, size_t in_len,
                           void *out, size_t out_cap, size_t *in_used, size_t *out_len) {
    size_t used = 0, written = 0;
    enum libdeflate_result r = libdeflate_deflate_decompress_ex(
        (struct libdeflate_decompressor *)inflater, in, in_len, out, out_cap, &used, &written);
    return inflate_result(r, used, written, in_used, out_len);
}

int _canp_prim_inflate_zlib(_canp_prim_inflater_t *inflater, const void *in, size_t in_len,
                            void *out, size_t out_cap, size_t *in_used, size_t *out_len) {
    size_t used = 0, written = 0;
    enum libdeflate_result r = libdeflate_zlib_decompress_ex(
        (struct libdeflate_decompressor *)inflater, in, in_len, out, out_cap, &used, &written);
    return inflate_result(r, used, written, in_used, out_len);
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

size_t _canp_prim_zlib_bound(_canp_prim_compressor_t *compressor, size_t in_len) {
    return libdeflate_zlib_compress_bound((struct libdeflate_compressor *)compressor, in_len);
}

size_t _canp_prim_zlib_compress(_canp_prim_compressor_t *compressor, const void *in, size_t in_len,
                                void *out, size_t out_cap) {
    return libdeflate_zlib_compress((struct libdeflate_compressor *)compressor, in, in_len, out, out_cap);
}
