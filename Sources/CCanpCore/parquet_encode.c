/*
 * parquet_encode.c: Parquet's value encodings, array in, bytes out:
 * the RLE / bit-packing hybrid (definition levels, dictionary indices),
 * DELTA_BINARY_PACKED (INT32, INT64), DELTA_LENGTH_BYTE_ARRAY,
 * BYTE_STREAM_SPLIT and PLAIN booleans.
 *
 * Threads: stateless; any thread.
 *
 * Invariants: every function checks the capacity it is given before a byte
 * is written past it, so a short buffer gives -ENOBUFS, never an overrun;
 * the *_bound functions give capacities for which that cannot happen. Bits
 * are packed least significant first (the format's order for the hybrid
 * and for delta miniblocks) a group at a time, the room for the group
 * checked once: byte-aligned widths as plain stores, the others through a
 * 64-bit accumulator that never holds more than 32 pending bits before a
 * value of at most 32 bits is added (wider delta values are added as two
 * halves), so no shift reaches 64.
 *
 * Runs: the hybrid encoder makes an RLE run of 8 or more equal values and
 * bit-packs the rest in groups of 8. A bit-packed run must hold a multiple
 * of 8 values, so before an RLE run the literals are topped up to a group
 * boundary with values taken from the run (they are equal, so nothing
 * changes), and a run too short after that stays literal. Only the final
 * group is padded (with zero bits): the reader stops at the page's value
 * count. The rule of 8 is the break-even of the two forms at width 1 and
 * what the reference implementations use.
 */
#include "canp_parquet.h"
#include "parquet_internal.h"

#include <errno.h>
#include <string.h>

/* ---- A byte writer with a capacity ---- */

typedef struct out_s {
    uint8_t *p;
    size_t len;
    size_t cap;
    bool full;
} out_t;

static inline void out_byte(out_t *o, uint8_t b) {
    if (o->len < o->cap) o->p[o->len++] = b;
    else o->full = true;
}

static inline void out_varint(out_t *o, uint64_t v) {
    while (v >= 0x80) {
        out_byte(o, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    out_byte(o, (uint8_t)v);
}

static inline uint64_t zigzag64(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

static inline void store_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A little-endian bit stream written through a 64-bit accumulator, 32 bits at a time. */
typedef struct {
    uint64_t acc;
    unsigned bits; /* < 32 between calls */
    uint8_t *dst;
} bit_sink_t;

/* Appends the low `width` (<= 32) bits of `value` (which has no higher bits set). */
static inline void bits_put(bit_sink_t *s, uint64_t value, unsigned width) {
    s->acc |= value << s->bits;
    s->bits += width;
    if (s->bits >= 32) {
        store_le32(s->dst, (uint32_t)s->acc);
        s->dst += 4;
        s->acc >>= 32;
        s->bits -= 32;
    }
}

/* Writes the bits left; the stream's length is a whole number of bytes. */
static inline void bits_flush(bit_sink_t *s) {
    while (s->bits > 0) {
        *s->dst++ = (uint8_t)s->acc;
        s->acc >>= 8;
        s->bits -= 8;
    }
}

/*
 * Packs `count` values (a multiple of 8) of `width` <= 32 bits, LSB first,
 * at `dst` (count * width / 8 bytes; the caller has checked the room).
 * Byte-aligned widths are stores; the others go through a 64-bit
 * accumulator that is written 32 bits at a time.
 */
static void pack_u32(const uint32_t *v, size_t count, unsigned width, uint8_t *dst) {
    switch (width) {
    case 0: return;
    case 8:
        for (size_t i = 0; i < count; i++) dst[i] = (uint8_t)v[i];
        return;
    case 16:
        for (size_t i = 0; i < count; i++) {
            dst[2 * i] = (uint8_t)v[i];
            dst[2 * i + 1] = (uint8_t)(v[i] >> 8);
        }
        return;
    case 32:
        for (size_t i = 0; i < count; i++) store_le32(dst + 4 * i, v[i]);
        return;
    default: break;
    }
    bit_sink_t sink = {0, 0, dst};
    for (size_t i = 0; i < count; i++) bits_put(&sink, v[i], width);
    bits_flush(&sink);
}

/* The same for values of up to 64 bits (delta miniblocks of very large deltas), as two halves each. */
static void pack_u64_wide(const uint64_t *v, size_t count, unsigned width, uint8_t *dst) {
    bit_sink_t sink = {0, 0, dst};
    unsigned low = width > 32 ? 32 : width, high = width > 32 ? width - 32 : 0;
    for (size_t i = 0; i < count; i++) {
        bits_put(&sink, v[i] & 0xFFFFFFFFu, low);
        if (high > 0) bits_put(&sink, v[i] >> 32, high);
    }
    bits_flush(&sink);
}

/* A bit-packed run of the hybrid: header, then `count` values packed in groups of 8 (the last padded with zeros). */
static void emit_literals_u32(out_t *o, const uint32_t *v, size_t count, unsigned width) {
    size_t groups = (count + 7) / 8;
    out_varint(o, (uint64_t)groups << 1 | 1);
    size_t bytes = groups * width;
    if (o->full || o->cap - o->len < bytes) {
        o->full = true;
        return;
    }
    size_t whole = count / 8 * 8;
    pack_u32(v, whole, width, o->p + o->len);
    o->len += whole / 8 * width;
    if (whole < count) {
        uint32_t tail[8] = {0};
        memcpy(tail, v + whole, (count - whole) * sizeof *v);
        pack_u32(tail, 8, width, o->p + o->len);
        o->len += width;
    }
}

/* The same for levels (bytes 0 / 1) at width 1: eight levels to a byte. */
static void emit_literals_levels(out_t *o, const uint8_t *v, size_t count) {
    size_t groups = (count + 7) / 8;
    out_varint(o, (uint64_t)groups << 1 | 1);
    if (o->full || o->cap - o->len < groups) {
        o->full = true;
        return;
    }
    canp_parquet_plain_booleans(v, count, o->p + o->len);
    o->len += groups;
}

/* ---- RLE / bit-packing hybrid ---- */

/* The hybrid over uint32_t indices (EMIT: emit_literals_u32) or uint8_t levels (emit_literals_levels, width 1). */
#define HYBRID_ENCODER(NAME, TYPE, EMIT_LITERALS)                                                       \
    static void NAME(const TYPE *v, size_t n, unsigned width, out_t *o) {                                \
        unsigned value_bytes = (width + 7) / 8;                                                          \
        size_t pos = 0, literal_start = 0;                                                               \
        while (pos < n) {                                                                                \
            TYPE value = v[pos];                                                                         \
            size_t run = 1;                                                                              \
            while (pos + run < n && v[pos + run] == value) run++;                                        \
            if (run < 8) {                                                                               \
                pos += run;                                                                              \
                continue;                                                                                \
            }                                                                                            \
            size_t pad = (8 - (pos - literal_start) % 8) % 8;                                            \
            if (run - pad < 8) {                                                                         \
                pos += run;                                                                              \
                continue;                                                                                \
            }                                                                                            \
            pos += pad;                                                                                  \
            run -= pad;                                                                                  \
            if (pos > literal_start) EMIT_LITERALS;                                                      \
            out_varint(o, (uint64_t)run << 1);                                                           \
            for (unsigned b = 0; b < value_bytes; b++) out_byte(o, (uint8_t)((uint32_t)value >> (8 * b))); \
            pos += run;                                                                                  \
            literal_start = pos;                                                                         \
        }                                                                                                \
        if (literal_start < n) {                                                                         \
            pos = n;                                                                                     \
            EMIT_LITERALS;                                                                               \
        }                                                                                                \
    }

HYBRID_ENCODER(hybrid_u32, uint32_t, emit_literals_u32(o, v + literal_start, pos - literal_start, width))
HYBRID_ENCODER(hybrid_u8, uint8_t, emit_literals_levels(o, v + literal_start, pos - literal_start))

size_t canp_parquet_rle_bound(size_t n, unsigned bit_width) {
    /* Worst case: all literal, one header per run of literals broken by a short RLE run: bound by
     * literals of every value plus a header and a run per 8 values. */
    size_t groups = n / 8 + 1;
    return groups * (bit_width + 5 + 10 + 4) + 16;
}

int _canp_parquet_rle_encode_checked(const uint32_t *values, size_t n, unsigned bit_width, void *out, size_t cap,
                                     size_t *len) {
    out_t o = {out, 0, cap, false};
    hybrid_u32(values, n, bit_width, &o);
    if (o.full) return -ENOBUFS;
    *len = o.len;
    return 0;
}

int canp_parquet_rle_encode(const uint32_t *values, size_t n, unsigned bit_width, void *out, size_t cap,
                            size_t *len) {
    if (len == NULL || bit_width > 32 || (values == NULL && n != 0) || (out == NULL && cap != 0)) return -EINVAL;
    if (bit_width < 32) {
        uint32_t limit = bit_width == 0 ? 0 : (uint32_t)((1ull << bit_width) - 1);
        for (size_t i = 0; i < n; i++)
            if (values[i] > limit) return -EINVAL;
    }
    out_t o = {out, 0, cap, false};
    hybrid_u32(values, n, bit_width, &o);
    if (o.full) return -ENOBUFS;
    *len = o.len;
    return 0;
}

int _canp_parquet_rle_encode_levels(const uint8_t *defined, size_t n, void *out, size_t cap, size_t *len,
                                    size_t *defined_count) {
    size_t count = 0;
    for (size_t i = 0; i < n; i++) count += defined[i] != 0;
    out_t o = {out, 0, cap, false};
    if (count == n || count == 0) {
        /* The common cases, one run. */
        if (n > 0) {
            out_varint(&o, (uint64_t)n << 1);
            out_byte(&o, count == n ? 1 : 0);
        }
    } else {
        /* Levels must be 0 or 1; normalize non-zero bytes only if a caller passed other values. */
        bool normalized = true;
        for (size_t i = 0; i < n; i++)
            if (defined[i] > 1) {
                normalized = false;
                break;
            }
        if (!normalized) return -EINVAL;
        hybrid_u8(defined, n, 1, &o);
    }
    if (o.full) return -ENOBUFS;
    *len = o.len;
    *defined_count = count;
    return 0;
}

/* ---- DELTA_BINARY_PACKED ---- */

enum { DELTA_BLOCK = 128, DELTA_MINIBLOCKS = 4, DELTA_MINIBLOCK = DELTA_BLOCK / DELTA_MINIBLOCKS };

size_t canp_parquet_delta_bound(size_t n, size_t width_bytes) {
    size_t blocks = n / DELTA_BLOCK + 1;
    return 4 * 10 + blocks * (10 + DELTA_MINIBLOCKS + DELTA_BLOCK * width_bytes);
}

/*
 * The blocks after the header. `deltas` holds the n - 1 deltas of the values
 * (wrapping), sign-extended to 64 bits; `type_bits` is 32 or 64: the
 * subtraction of the minimum is done modulo 2^type_bits, so an INT32 column
 * never needs more than 32 bits per delta.
 */
static void delta_blocks(out_t *o, const int64_t *deltas, size_t count, unsigned type_bits) {
    uint64_t mask = type_bits == 64 ? ~0ull : 0xFFFFFFFFull;
    for (size_t start = 0; start < count; start += DELTA_BLOCK) {
        size_t in_block = count - start < DELTA_BLOCK ? count - start : DELTA_BLOCK;
        const int64_t *d = deltas + start;
        int64_t min = d[0];
        for (size_t i = 1; i < in_block; i++)
            if (d[i] < min) min = d[i];
        out_varint(o, zigzag64(min));
        uint8_t widths[DELTA_MINIBLOCKS];
        for (unsigned m = 0; m < DELTA_MINIBLOCKS; m++) {
            size_t first = (size_t)m * DELTA_MINIBLOCK;
            uint64_t all = 0;
            for (size_t i = first; i < first + DELTA_MINIBLOCK && i < in_block; i++)
                all |= ((uint64_t)d[i] - (uint64_t)min) & mask;
            widths[m] = first < in_block ? (uint8_t)_canp_parquet_bit_width(all) : 0;
            out_byte(o, widths[m]);
        }
        for (unsigned m = 0; m < DELTA_MINIBLOCKS; m++) {
            size_t first = (size_t)m * DELTA_MINIBLOCK;
            if (first >= in_block) break;
            unsigned width = widths[m];
            if (width == 0) continue;
            size_t bytes = (size_t)DELTA_MINIBLOCK * width / 8;
            if (o->full || o->cap - o->len < bytes) {
                o->full = true;
                return;
            }
            if (width <= 32) {
                uint32_t relative[DELTA_MINIBLOCK];
                for (size_t i = 0; i < DELTA_MINIBLOCK; i++) {
                    size_t at = first + i;
                    relative[i] = at < in_block ? (uint32_t)(((uint64_t)d[at] - (uint64_t)min) & mask) : 0;
                }
                pack_u32(relative, DELTA_MINIBLOCK, width, o->p + o->len);
            } else {
                uint64_t relative[DELTA_MINIBLOCK];
                for (size_t i = 0; i < DELTA_MINIBLOCK; i++) {
                    size_t at = first + i;
                    relative[i] = at < in_block ? (((uint64_t)d[at] - (uint64_t)min) & mask) : 0;
                }
                pack_u64_wide(relative, DELTA_MINIBLOCK, width, o->p + o->len);
            }
            o->len += bytes;
        }
    }
}

/* Deltas are computed a block at a time into this buffer, so no allocation is needed. */
#define DELTA_ENCODE(NAME, TYPE, UTYPE, BITS)                                                            \
    int NAME(const TYPE *values, size_t n, void *out, size_t cap, size_t *len) {                         \
        if (len == NULL || (values == NULL && n != 0) || (out == NULL && cap != 0)) return -EINVAL;      \
        out_t o = {out, 0, cap, false};                                                                  \
        out_varint(&o, DELTA_BLOCK);                                                                     \
        out_varint(&o, DELTA_MINIBLOCKS);                                                                \
        out_varint(&o, n);                                                                               \
        out_varint(&o, zigzag64(n > 0 ? (int64_t)values[0] : 0));                                        \
        int64_t deltas[DELTA_BLOCK];                                                                     \
        for (size_t start = 1; start < n; start += DELTA_BLOCK) {                                        \
            size_t count = n - start < DELTA_BLOCK ? n - start : DELTA_BLOCK;                            \
            for (size_t i = 0; i < count; i++)                                                           \
                deltas[i] = (int64_t)(TYPE)((UTYPE)values[start + i] - (UTYPE)values[start + i - 1]);    \
            delta_blocks(&o, deltas, count, BITS);                                                       \
            if (o.full) return -ENOBUFS;                                                                 \
        }                                                                                                \
        if (o.full) return -ENOBUFS;                                                                     \
        *len = o.len;                                                                                    \
        return 0;                                                                                        \
    }

DELTA_ENCODE(canp_parquet_delta_encode_int64, int64_t, uint64_t, 64)
DELTA_ENCODE(canp_parquet_delta_encode_int32, int32_t, uint32_t, 32)

int canp_parquet_delta_length_encode(const void *bytes, const uint32_t *offsets, size_t n, void *out, size_t cap,
                                     size_t *len) {
    if (len == NULL || offsets == NULL || (bytes == NULL && n != 0 && offsets[n] != offsets[0]) || (out == NULL && cap != 0))
        return -EINVAL;
    /* The lengths, a block of 128 at a time so that no allocation is needed. */
    out_t o = {out, 0, cap, false};
    out_varint(&o, DELTA_BLOCK);
    out_varint(&o, DELTA_MINIBLOCKS);
    out_varint(&o, n);
    out_varint(&o, zigzag64(n > 0 ? (int64_t)(offsets[1] - offsets[0]) : 0));
    int64_t deltas[DELTA_BLOCK];
    for (size_t start = 1; start < n; start += DELTA_BLOCK) {
        size_t count = n - start < DELTA_BLOCK ? n - start : DELTA_BLOCK;
        for (size_t i = 0; i < count; i++) {
            int32_t length = (int32_t)(offsets[start + i + 1] - offsets[start + i]);
            int32_t previous = (int32_t)(offsets[start + i] - offsets[start + i - 1]);
            deltas[i] = (int64_t)(int32_t)((uint32_t)length - (uint32_t)previous);
        }
        delta_blocks(&o, deltas, count, 32);
        if (o.full) return -ENOBUFS;
    }
    if (o.full) return -ENOBUFS;
    size_t data = n > 0 ? offsets[n] - offsets[0] : 0;
    if (cap - o.len < data) return -ENOBUFS;
    if (data > 0) memcpy(o.p + o.len, (const uint8_t *)bytes + offsets[0], data);
    *len = o.len + data;
    return 0;
}

/* ---- BYTE_STREAM_SPLIT and PLAIN booleans ---- */

void canp_parquet_byte_stream_split(const void *values, size_t n, size_t width, void *out) {
    const uint8_t *in = values;
    uint8_t *dst = out;
    if (width == 8) {
        /* The common case, unrolled by the compiler with the width known. */
        for (size_t i = 0; i < n; i++) {
            const uint8_t *v = in + i * 8;
            for (size_t k = 0; k < 8; k++) dst[k * n + i] = v[k];
        }
        return;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < width; k++) dst[k * n + i] = in[i * width + k];
}

void canp_parquet_plain_booleans(const uint8_t *values, size_t n, void *out) {
    uint8_t *dst = out;
    size_t full = n / 8;
    for (size_t g = 0; g < full; g++) {
        const uint8_t *v = values + g * 8;
        dst[g] = (uint8_t)((v[0] != 0) | (v[1] != 0) << 1 | (v[2] != 0) << 2 | (v[3] != 0) << 3 |
                           (v[4] != 0) << 4 | (v[5] != 0) << 5 | (v[6] != 0) << 6 | (v[7] != 0) << 7);
    }
    if (n % 8 != 0) {
        uint8_t last = 0;
        for (size_t i = full * 8; i < n; i++) last |= (uint8_t)((values[i] != 0) << (i % 8));
        dst[full] = last;
    }
}
