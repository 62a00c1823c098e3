/*
 * canp_internal.h: what the Swift library needs from C beyond the public API
 * (internal: the module CCanpInternal, imported by Canp and its tests; not a
 * product, not for C consumers, no stability promise).
 *
 *   _canp_pool_free_parts    canp_pool_free with the block's fields apart
 *                            (defined in CCanpCore/pool.c)
 *   _canp_thread_set_name    pthread_setname_np, which Swift's Glibc module
 *                            does not export (CCanpCore/prim_thread.c)
 *   _canp_inflate_gzip_zlib  zlib's inflate under the contract of
 *                            canp_inflater_gzip: the benchmarks' peer
 *                            (zlib_peer.c, here)
 *
 *   _canp_inflate_zlib_prefix  the first bytes of a zlib stream (zlib's
 *                            streaming inflate; libdeflate has no
 *                            streaming): the BLF reader finishes an object
 *                            split across two containers with it
 *                            (zlib_peer.c, here)
 *
 * The files that define these include this header, so that the compiler
 * checks each definition against the declaration Swift imports.
 */
#ifndef CANP_INTERNAL_H
#define CANP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "canp_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * canp_pool_free with the block's fields as separate arguments, all passed in
 * registers (a canp_block_t, larger than 16 bytes, goes through the stack).
 * MemoryBlock's deinit keeps the fields apart and calls this; through the
 * stack, the pair allocate+release cost it about a nanosecond more.
 */
void _canp_pool_free_parts(canp_pool_t *pool, void *data, size_t capacity, int32_t tier);

/* Names the calling thread (Linux keeps the first 15 bytes). 0 or -errno.
 * The Swift thread pool names its workers with it (`canp-io-1`, ...). */
int _canp_thread_set_name(const char *name);

/*
 * The same contract as canp_inflater_gzip (canp_inflate.h), on zlib's
 * streaming inflate (a fresh z_stream per call): the peer that the
 * benchmarks measure libdeflate against. Also returns -EINVAL for sizes
 * above 4 GiB - 1 (zlib's counters are 32-bit).
 */
int _canp_inflate_gzip_zlib(const void *in, size_t in_len, void *out, size_t out_cap, size_t *out_len);

/*
 * Inflates the first `want` bytes of the zlib stream (RFC 1950) `in[0..<in_len]`
 * into `out` with zlib's streaming inflate, stopping as soon as they are out:
 * what the BLF reader needs of the container after the one it decodes, to
 * finish the object that crosses into it, without inflating the whole
 * container. Stores the bytes written (fewer than `want` only when the
 * stream ends first). Returns 0, -EBADMSG, -ENOMEM or -EINVAL.
 */
int _canp_inflate_zlib_prefix(const void *in, size_t in_len, void *out, size_t want, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* CANP_INTERNAL_H */
