/*
 * prim_compress.h: the thin layer over the page compressors of Parquet
 * (internal): libzstd, libsnappy (its C API, snappy-c.h) and libdeflate's
 * gzip compressor (through prim_deflate.h).
 *
 * The page encoder (parquet_page.c) never calls a compression library
 * directly; a codec is swapped or added here. The handle is opaque and owns
 * the library's context for one codec.
 *
 * Threads: a compressor is used by one thread at a time; the bound function
 * is stateless.
 */
#ifndef CANP_PRIM_COMPRESS_H
#define CANP_PRIM_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct _canp_prim_page_compressor_s _canp_prim_page_compressor_t;

/*
 * A compressor for a Parquet codec (CANP_PARQUET_ZSTD, _SNAPPY, _GZIP; not
 * UNCOMPRESSED) at `level` (zstd: its levels, 0 = default; gzip: 1-12).
 * Returns 0, -EINVAL or -ENOMEM.
 */
int _canp_prim_page_compressor_new(int codec, int level, _canp_prim_page_compressor_t **out);
void _canp_prim_page_compressor_free(_canp_prim_page_compressor_t *compressor);

/* An upper bound of the compressed size of `n` bytes with `codec`; 0 for an unknown codec. */
size_t _canp_prim_compress_bound(int codec, size_t n);

/*
 * Compresses `in[0..<n]` into `out[0..<cap]` in the codec's Parquet framing
 * (a zstd frame, a raw snappy block, one gzip member); stores the size.
 * `fast` asks for the codec's fastest setting, for data that is known to
 * compress little (zstd: its fast level -5; the others ignore it).
 * Returns 0, -ENOBUFS or -EIO (the library reported an error).
 */
int _canp_prim_page_compress(_canp_prim_page_compressor_t *compressor, const void *in, size_t n,
                             void *out, size_t cap, size_t *out_len, bool fast);

#endif /* CANP_PRIM_COMPRESS_H */
