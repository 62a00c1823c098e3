/*
 * prim_deflate.h: the thin layer over libdeflate (internal).
 *
 * The gzip member logic in inflate.c never calls libdeflate directly;
 * it goes through these few functions, so that the compression library can be
 * swapped (ISA-L, zlib-ng) in one file. The handle types are opaque here and
 * are the libraries' own objects underneath.
 *
 * Threads: a raw inflater or a compressor is used by one thread at a time;
 * the stateless functions are safe from any thread.
 */
#ifndef CANP_PRIM_DEFLATE_H
#define CANP_PRIM_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct _canp_prim_inflater_s _canp_prim_inflater_t;
typedef struct _canp_prim_compressor_s _canp_prim_compressor_t;

/* A raw DEFLATE (RFC 1951) decompressor; NULL on allocation failure. */
_canp_prim_inflater_t *_canp_prim_inflater_new(void);
void _canp_prim_inflater_free(_canp_prim_inflater_t *inflater);

/*
 * Inflates one raw DEFLATE stream that starts at `in`. On success stores the
 * input bytes the stream used and the output bytes written, and returns 0.
 * Returns -EBADMSG for invalid or truncated data and -ENOBUFS when the output
 * does not fit in `out_cap` bytes.
 */
int _canp_prim_inflate_raw(_canp_prim_inflater_t *inflater, const void *in, size_t in_len,
                           void *out, size_t out_cap, size_t *in_used, size_t *out_len);

/*
 * Inflates one zlib stream (RFC 1950: header, DEFLATE, Adler-32) that starts
 * at `in`; bytes after the stream are allowed. Returns and stores as
 * _canp_prim_inflate_raw does (-EBADMSG also for a bad header or Adler-32).
 */
int _canp_prim_inflate_zlib(_canp_prim_inflater_t *inflater, const void *in, size_t in_len,
                            void *out, size_t out_cap, size_t *in_used, size_t *out_len);

/* CRC-32 (the gzip polynomial) of `len` bytes, continuing from `crc` (0 to start). */
uint32_t _canp_prim_crc32(uint32_t crc, const void *data, size_t len);

/* A gzip compressor at `level` (0-12); NULL on allocation failure. */
_canp_prim_compressor_t *_canp_prim_compressor_new(int level);
void _canp_prim_compressor_free(_canp_prim_compressor_t *compressor);

/* An upper bound of the gzip member size for `in_len` input bytes. */
size_t _canp_prim_gzip_bound(_canp_prim_compressor_t *compressor, size_t in_len);

/* Compresses into one gzip member; returns its size, or 0 when `out_cap` is too small. */
size_t _canp_prim_gzip_compress(_canp_prim_compressor_t *compressor, const void *in, size_t in_len,
                                void *out, size_t out_cap);

/* An upper bound of the zlib stream size for `in_len` input bytes. */
size_t _canp_prim_zlib_bound(_canp_prim_compressor_t *compressor, size_t in_len);

/* Compresses into one zlib stream; returns its size, or 0 when `out_cap` is too small. */
size_t _canp_prim_zlib_compress(_canp_prim_compressor_t *compressor, const void *in, size_t in_len,
                                void *out, size_t out_cap);

#endif /* CANP_PRIM_DEFLATE_H */
