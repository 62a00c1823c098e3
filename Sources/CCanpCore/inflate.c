/*
 * inflate.c: one gzip member (RFC 1952) in, its inflated bytes out, whole
 * buffers only; and the gzip compressor used by the file writer.
 *
 * Threads: a canp_inflater_t / canp_deflater_t is owned by one worker thread
 * at a time (the Swift wrappers are noncopyable); canp_gzip_member_isize is
 * stateless and safe from any thread.
 *
 * Invariants: every read of the member is bounds-checked against `in_len`
 * before it happens (the header is parsed here; the DEFLATE stream is handed
 * to the library with the trailer excluded), so no byte pattern makes this
 * file read outside `in[0..<in_len]` or write outside `out[0..<out_cap]`.
 *
 * Why the header is parsed here rather than by libdeflate_gzip_decompress_ex:
 * libdeflate reports a CRC-32 or ISIZE mismatch as plain BAD_DATA. Damaged
 * blocks are reported to people with a reason, and "CRC-32 mismatch" says far
 * more than "bad data"; the extra cost is nil (libdeflate also runs the CRC
 * as a second pass over the output).
 */
#include "canp_inflate.h"

#include <errno.h>
#include <stdlib.h>

#include "canp_debug.h"
#include "prim_deflate.h"

enum {
    GZ_FTEXT = 1 << 0,
    GZ_FHCRC = 1 << 1,
    GZ_FEXTRA = 1 << 2,
    GZ_FNAME = 1 << 3,
    GZ_FCOMMENT = 1 << 4,
    GZ_FRESERVED = 0xE0,
    GZ_FIXED_HEADER = 10,
    GZ_TRAILER = 8,
};

struct canp_inflater_s {
    _canp_prim_inflater_t *raw;
};

struct canp_deflater_s {
    _canp_prim_compressor_t *compressor;
};

static inline uint32_t load_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Checks the fixed header; 0 or -EBADMSG. The caller has checked `len >= 18`. */
static int check_fixed_header(const uint8_t *p) {
    if (p[0] != 0x1f || p[1] != 0x8b || p[2] != 8 || (p[3] & GZ_FRESERVED) != 0) return -EBADMSG;
    return 0;
}

/*
 * Finds where the DEFLATE stream starts, skipping the optional header fields.
 * `end` is where the trailer starts; every optional field must end before it.
 */
static int skip_header(const uint8_t *p, size_t end, size_t *deflate_start) {
    size_t at = GZ_FIXED_HEADER;
    uint8_t flags = p[3];
    if (flags & GZ_FEXTRA) {
        if (end - at < 2) return -EBADMSG;
        size_t xlen = (size_t)p[at] | (size_t)p[at + 1] << 8;
        at += 2;
        if (end - at < xlen) return -EBADMSG;
        at += xlen;
    }
    for (int field = GZ_FNAME; field <= GZ_FCOMMENT; field <<= 1) {
        if (!(flags & field)) continue;
        while (at < end && p[at] != 0) at++;
        if (at == end) return -EBADMSG;
        at++; /* the terminating zero */
    }
    if (flags & GZ_FHCRC) {
        /* The header CRC-16 (low half of the CRC-32 of the header so far) is verified, as zlib does. */
        if (end - at < 2) return -EBADMSG;
        uint32_t stored = (uint32_t)p[at] | (uint32_t)p[at + 1] << 8;
        if (stored != (_canp_prim_crc32(0, p, at) & 0xFFFFu)) return -EBADMSG;
        at += 2;
    }
    CANP_ASSERT(at <= end);
    *deflate_start = at;
    return 0;
}

int canp_inflater_create(canp_inflater_t **out) {
    if (out == NULL) return -EINVAL;
    *out = NULL;
    canp_inflater_t *inflater = malloc(sizeof *inflater);
    if (inflater == NULL) return -ENOMEM;
    inflater->raw = _canp_prim_inflater_new();
    if (inflater->raw == NULL) {
        free(inflater);
        return -ENOMEM;
    }
    *out = inflater;
    return 0;
}

void canp_inflater_destroy(canp_inflater_t *inflater) {
    if (inflater == NULL) return;
    _canp_prim_inflater_free(inflater->raw);
    free(inflater);
}

int canp_gzip_member_isize(const void *in, size_t in_len, uint32_t *isize) {
    if (isize == NULL || (in == NULL && in_len != 0)) return -EINVAL;
    if (in_len < GZ_FIXED_HEADER + GZ_TRAILER) return -EBADMSG;
    const uint8_t *p = in;
    int rc = check_fixed_header(p);
    if (rc != 0) return rc;
    *isize = load_le32(p + in_len - 4);
    return 0;
}

int canp_inflater_gzip(canp_inflater_t *inflater, const void *in, size_t in_len,
                       void *out, size_t out_cap, size_t *out_len) {
    if (inflater == NULL || out_len == NULL || (in == NULL && in_len != 0) || (out == NULL && out_cap != 0))
        return -EINVAL;
    if (in_len < GZ_FIXED_HEADER + GZ_TRAILER) return -EBADMSG;
    const uint8_t *p = in;
    int rc = check_fixed_header(p);
    if (rc != 0) return rc;
    size_t trailer_limit = in_len - GZ_TRAILER, start = 0;
    rc = skip_header(p, trailer_limit, &start);
    if (rc != 0) return rc;

    uint8_t dummy = 0;
    void *dst = out != NULL ? out : &dummy;
    size_t used = 0, written = 0;
    rc = _canp_prim_inflate_raw(inflater->raw, p + start, trailer_limit - start, dst, out_cap, &used, &written);
    if (rc == -ENOBUFS) {
        /* More output than fits. If the buffer already holds ISIZE bytes, the stream disagrees with ISIZE. */
        return (uint64_t)out_cap >= load_le32(p + in_len - 4) ? -ERANGE : -ENOBUFS;
    }
    if (rc != 0) return rc;
    /* The library was given the bytes before the trailer and used at most those. */
    CANP_ASSERT(used <= trailer_limit - start && written <= out_cap);

    const uint8_t *trailer = p + start + used;
    if (load_le32(trailer) != _canp_prim_crc32(0, dst, written)) return -EILSEQ;
    if (load_le32(trailer + 4) != (uint32_t)written) return -ERANGE;
    if (trailer + GZ_TRAILER != p + in_len) return -EOVERFLOW;
    *out_len = written;
    return 0;
}

int canp_deflater_create(int level, canp_deflater_t **out) {
    if (out == NULL) return -EINVAL;
    *out = NULL;
    if (level < 0 || level > 12) return -EINVAL;
    canp_deflater_t *deflater = malloc(sizeof *deflater);
    if (deflater == NULL) return -ENOMEM;
    deflater->compressor = _canp_prim_compressor_new(level);
    if (deflater->compressor == NULL) {
        free(deflater);
        return -ENOMEM;
    }
    *out = deflater;
    return 0;
}

void canp_deflater_destroy(canp_deflater_t *deflater) {
    if (deflater == NULL) return;
    _canp_prim_compressor_free(deflater->compressor);
    free(deflater);
}

int canp_deflater_gzip_bound(canp_deflater_t *deflater, size_t in_len, size_t *bound) {
    if (deflater == NULL || bound == NULL) return -EINVAL;
    *bound = _canp_prim_gzip_bound(deflater->compressor, in_len);
    return 0;
}

int canp_deflater_gzip(canp_deflater_t *deflater, const void *in, size_t in_len,
                       void *out, size_t out_cap, size_t *out_len) {
    if (deflater == NULL || out_len == NULL || (in == NULL && in_len != 0) || out == NULL) return -EINVAL;
    uint8_t empty = 0;
    size_t n = _canp_prim_gzip_compress(deflater->compressor, in != NULL ? in : &empty, in_len, out, out_cap);
    if (n == 0) return -ENOBUFS;
    *out_len = n;
    return 0;
}

int canp_inflater_zlib(canp_inflater_t *inflater, const void *in, size_t in_len,
                       void *out, size_t out_cap, size_t *out_len) {
    if (inflater == NULL || out_len == NULL || (in == NULL && in_len != 0) || (out == NULL && out_cap != 0))
        return -EINVAL;
    /* A 2-byte header and a 4-byte Adler-32 at least. */
    if (in_len < 6) return -EBADMSG;
    uint8_t dummy = 0;
    size_t used = 0, written = 0;
    int rc = _canp_prim_inflate_zlib(inflater->raw, in, in_len, out != NULL ? out : &dummy, out_cap, &used, &written);
    if (rc != 0) return rc;
    CANP_ASSERT(used <= in_len && written <= out_cap);
    *out_len = written;
    return 0;
}

int canp_deflater_zlib_bound(canp_deflater_t *deflater, size_t in_len, size_t *bound) {
    if (deflater == NULL || bound == NULL) return -EINVAL;
    *bound = _canp_prim_zlib_bound(deflater->compressor, in_len);
    return 0;
}

int canp_deflater_zlib(canp_deflater_t *deflater, const void *in, size_t in_len,
                       void *out, size_t out_cap, size_t *out_len) {
    if (deflater == NULL || out_len == NULL || (in == NULL && in_len != 0) || out == NULL) return -EINVAL;
    uint8_t empty = 0;
    size_t n = _canp_prim_zlib_compress(deflater->compressor, in != NULL ? in : &empty, in_len, out, out_cap);
    if (n == 0) return -ENOBUFS;
    *out_len = n;
    return 0;
}
