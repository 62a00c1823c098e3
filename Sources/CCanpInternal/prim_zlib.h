/*
 * prim_zlib.h: the thin layer over zlib that zlib_peer.c is written against
 * (internal to CCanpInternal). Safe from any thread: each call has its own
 * z_stream on the caller's stack.
 */
#ifndef CANP_PRIM_ZLIB_H
#define CANP_PRIM_ZLIB_H

#include <stddef.h>

/*
 * zlib's streaming inflate of one gzip member (header, DEFLATE, CRC-32 and
 * ISIZE checked by zlib). Returns 0, -EBADMSG (bad or truncated data), -EILSEQ
 * (CRC-32 mismatch), -ERANGE (ISIZE mismatch), -ENOBUFS (output full before
 * the end), -ENOMEM, or -EINVAL (sizes beyond zlib's 32-bit counters).
 * Stores the input bytes used and the output bytes written.
 */
int _canp_prim_zlib_gunzip(const void *in, size_t in_len, void *out, size_t out_cap,
                           size_t *in_used, size_t *out_len);

/*
 * zlib's streaming inflate of the first `want` bytes of one zlib stream
 * (RFC 1950): stops once `want` bytes are out or the stream ends. Returns 0
 * and the bytes written (fewer than `want` only when the stream ended),
 * -EBADMSG (bad header or data, or input ending before either), -ENOMEM or
 * -EINVAL (sizes beyond zlib's 32-bit counters).
 */
int _canp_prim_zlib_inflate_prefix(const void *in, size_t in_len, void *out, size_t want, size_t *out_len);

#endif /* CANP_PRIM_ZLIB_H */
