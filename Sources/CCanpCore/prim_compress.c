/*
 * prim_compress.c: libzstd, libsnappy and libdeflate behind prim_compress.h.
 *
 * Threads: none of its own; a compressor handle belongs to one thread at a
 * time (the caller's worker).
 *
 * Invariants: never writes past `out + cap` (zstd and libdeflate are given
 * the capacity; snappy, which has no capacity argument in its C API, is
 * called only when `cap` is at least snappy_max_compressed_length).
 *
 * zstd: one ZSTD_CCtx per compressor, reused for every page (creating one
 * costs about as much as compressing a small page). The level is set once
 * as a parameter; ZSTD_compress2 then starts a fresh frame per page, with
 * the content size in the frame header (readers size their buffer from the
 * page header anyway). A frame per page is what Parquet readers expect.
 */
#include "prim_compress.h"
#include "prim_deflate.h"
#include "canp_parquet.h"

#include <errno.h>
#include <stdlib.h>

#include <snappy-c.h>
#include <zstd.h>
#include <zstd_errors.h>

/* The zstd level of `fast` pages: about twice level 1's speed on the packed integers it is used for. */
enum { ZSTD_FAST_LEVEL = -5 };

struct _canp_prim_page_compressor_s {
    int codec;
    int level;         /* zstd: the configured level */
    int current_level; /* zstd: the level the context is set to now */
    ZSTD_CCtx *zstd;
    _canp_prim_compressor_t *gzip;
};

int _canp_prim_page_compressor_new(int codec, int level, _canp_prim_page_compressor_t **out) {
    *out = NULL;
    _canp_prim_page_compressor_t *c = calloc(1, sizeof *c);
    if (c == NULL) return -ENOMEM;
    c->codec = codec;
    switch (codec) {
    case CANP_PARQUET_ZSTD:
        if (level != 0 && (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())) {
            free(c);
            return -EINVAL;
        }
        c->zstd = ZSTD_createCCtx();
        if (c->zstd == NULL) {
            free(c);
            return -ENOMEM;
        }
        c->level = c->current_level = level == 0 ? ZSTD_CLEVEL_DEFAULT : level;
        if (ZSTD_isError(ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel, c->level))) {
            ZSTD_freeCCtx(c->zstd);
            free(c);
            return -EINVAL;
        }
        break;
    case CANP_PARQUET_GZIP:
        if (level < 1 || level > 12) {
            free(c);
            return -EINVAL;
        }
        c->gzip = _canp_prim_compressor_new(level);
        if (c->gzip == NULL) {
            free(c);
            return -ENOMEM;
        }
        break;
    case CANP_PARQUET_SNAPPY:
        break;
    default:
        free(c);
        return -EINVAL;
    }
    *out = c;
    return 0;
}

void _canp_prim_page_compressor_free(_canp_prim_page_compressor_t *c) {
    if (c == NULL) return;
    if (c->zstd != NULL) ZSTD_freeCCtx(c->zstd);
    _canp_prim_compressor_free(c->gzip);
    free(c);
}

size_t _canp_prim_compress_bound(int codec, size_t n) {
    switch (codec) {
    case CANP_PARQUET_ZSTD: {
        size_t bound = ZSTD_compressBound(n);
        return ZSTD_isError(bound) ? 0 : bound;
    }
    case CANP_PARQUET_SNAPPY:
        return snappy_max_compressed_length(n);
    case CANP_PARQUET_GZIP:
        /* libdeflate's bound with a NULL compressor is the bound for every level. */
        return _canp_prim_gzip_bound(NULL, n);
    default:
        return 0;
    }
}

int _canp_prim_page_compress(_canp_prim_page_compressor_t *c, const void *in, size_t n,
                             void *out, size_t cap, size_t *out_len, bool fast) {
    static const uint8_t empty = 0;
    if (in == NULL) in = &empty;
    switch (c->codec) {
    case CANP_PARQUET_ZSTD: {
        int level = fast && c->level > ZSTD_FAST_LEVEL ? ZSTD_FAST_LEVEL : c->level;
        if (level != c->current_level) {
            if (ZSTD_isError(ZSTD_CCtx_setParameter(c->zstd, ZSTD_c_compressionLevel, level))) return -EIO;
            c->current_level = level;
        }
        size_t written = ZSTD_compress2(c->zstd, out, cap, in, n);
        if (ZSTD_isError(written)) {
            return ZSTD_getErrorCode(written) == ZSTD_error_dstSize_tooSmall ? -ENOBUFS : -EIO;
        }
        *out_len = written;
        return 0;
    }
    case CANP_PARQUET_SNAPPY: {
        if (cap < snappy_max_compressed_length(n)) return -ENOBUFS;
        size_t written = cap;
        if (snappy_compress(in, n, out, &written) != SNAPPY_OK) return -EIO;
        *out_len = written;
        return 0;
    }
    case CANP_PARQUET_GZIP: {
        size_t written = _canp_prim_gzip_compress(c->gzip, in, n, out, cap);
        if (written == 0) return -ENOBUFS;
        *out_len = written;
        return 0;
    }
    default:
        return -EINVAL;
    }
}
