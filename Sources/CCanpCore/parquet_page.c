/*
 * parquet_page.c: one Parquet page from arrays of values: definition
 * levels, the encoded values, compression, the page header in front, and
 * the page's statistics on the side.
 *
 * Threads: an encoder is used by one thread at a time (a CPU worker of the
 * pipeline encodes its chunk's pages with its own encoder); nothing is
 * shared between encoders.
 *
 * Invariants: the body is built in the encoder's scratch (grown to the
 * page's bound before a byte is written, never shrunk), then compressed
 * into the caller's buffer behind room for the largest header, and the
 * header is written in front once the sizes are known (moving the
 * compressed bytes down by the difference, which costs far less than the
 * compression). Nothing is written past `out + cap`.
 *
 * The header carries no statistics: readers prune by the column chunk's
 * statistics in the footer, which the caller merges from the results; a
 * copy in every page header would cost bytes in every page for nothing.
 */
#include "canp_parquet.h"
#include "parquet_internal.h"
#include "prim_compress.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct canp_parquet_encoder_s {
    int codec;
    _canp_prim_page_compressor_t *compressor; /* NULL for UNCOMPRESSED */
    uint8_t *scratch;
    size_t scratch_cap;
};

int canp_parquet_encoder_create(int codec, int level, canp_parquet_encoder_t **out) {
    if (out == NULL) return -EINVAL;
    *out = NULL;
    canp_parquet_encoder_t *e = calloc(1, sizeof *e);
    if (e == NULL) return -ENOMEM;
    e->codec = codec;
    if (codec != CANP_PARQUET_UNCOMPRESSED) {
        int rc = _canp_prim_page_compressor_new(codec, level, &e->compressor);
        if (rc != 0) {
            free(e);
            return rc;
        }
    }
    *out = e;
    return 0;
}

void canp_parquet_encoder_destroy(canp_parquet_encoder_t *e) {
    if (e == NULL) return;
    _canp_prim_page_compressor_free(e->compressor);
    free(e->scratch);
    free(e);
}

size_t canp_parquet_compress_bound(int codec, size_t n) {
    return codec == CANP_PARQUET_UNCOMPRESSED ? n : _canp_prim_compress_bound(codec, n);
}

static size_t type_width(int type) {
    switch (type) {
    case CANP_PARQUET_INT32: return 4;
    case CANP_PARQUET_INT64:
    case CANP_PARQUET_DOUBLE: return 8;
    default: return 0;
    }
}

/* 0 when the options and values are consistent, else -EINVAL. */
static int check(const canp_parquet_page_options_t *o, const canp_parquet_values_t *v) {
    if (o == NULL || v == NULL) return -EINVAL;
    if (v->values == NULL && v->num_values != 0) return -EINVAL;
    if (v->num_values > v->num_rows) return -EINVAL;
    if (v->defined == NULL && v->num_values != v->num_rows) return -EINVAL;
    int t = o->physical_type;
    if (t != CANP_PARQUET_BOOLEAN && t != CANP_PARQUET_INT32 && t != CANP_PARQUET_INT64 && t != CANP_PARQUET_DOUBLE &&
        t != CANP_PARQUET_BYTE_ARRAY)
        return -EINVAL;
    if (o->index_bit_width > 32) return -EINVAL;
    if (o->dictionary_page && (v->defined != NULL || o->encoding != CANP_PARQUET_PLAIN)) return -EINVAL;
    switch (o->encoding) {
    case CANP_PARQUET_PLAIN:
    case CANP_PARQUET_RLE_DICTIONARY: break;
    case CANP_PARQUET_DELTA_BINARY_PACKED:
        if (t != CANP_PARQUET_INT32 && t != CANP_PARQUET_INT64) return -EINVAL;
        break;
    case CANP_PARQUET_BYTE_STREAM_SPLIT:
        if (type_width(t) == 0) return -EINVAL;
        break;
    case CANP_PARQUET_DELTA_LENGTH_BYTE_ARRAY:
        if (t != CANP_PARQUET_BYTE_ARRAY) return -EINVAL;
        break;
    default: return -EINVAL;
    }
    bool byte_values = t == CANP_PARQUET_BYTE_ARRAY && o->encoding != CANP_PARQUET_RLE_DICTIONARY;
    if (byte_values) {
        if (v->offsets == NULL) return -EINVAL;
        for (uint32_t i = 0; i < v->num_values; i++)
            if (v->offsets[i + 1] < v->offsets[i]) return -EINVAL;
    }
    return 0;
}

static size_t values_bound(const canp_parquet_page_options_t *o, const canp_parquet_values_t *v) {
    size_t n = v->num_values;
    switch (o->encoding) {
    case CANP_PARQUET_RLE_DICTIONARY: return 1 + canp_parquet_rle_bound(n, 32);
    case CANP_PARQUET_DELTA_BINARY_PACKED: return canp_parquet_delta_bound(n, type_width(o->physical_type));
    case CANP_PARQUET_BYTE_STREAM_SPLIT: return n * type_width(o->physical_type);
    case CANP_PARQUET_DELTA_LENGTH_BYTE_ARRAY:
        return canp_parquet_delta_bound(n, 4) + (n > 0 ? v->offsets[n] - v->offsets[0] : 0);
    default: break;
    }
    switch (o->physical_type) {
    case CANP_PARQUET_BOOLEAN: return (n + 7) / 8;
    case CANP_PARQUET_BYTE_ARRAY: return 4 * n + (n > 0 ? v->offsets[n] - v->offsets[0] : 0);
    default: return n * type_width(o->physical_type);
    }
}

static size_t body_bound(const canp_parquet_page_options_t *o, const canp_parquet_values_t *v) {
    size_t levels = v->defined != NULL ? 4 + canp_parquet_rle_bound(v->num_rows, 1) : 0;
    return levels + values_bound(o, v);
}

size_t canp_parquet_page_bound(const canp_parquet_encoder_t *e, const canp_parquet_page_options_t *o,
                               const canp_parquet_values_t *v) {
    if (e == NULL || check(o, v) != 0) return 0;
    size_t body = body_bound(o, v);
    size_t compressed = canp_parquet_compress_bound(e->codec, body);
    return compressed == 0 ? 0 : _CANP_PARQUET_MAX_PAGE_HEADER + compressed;
}

static int reserve(canp_parquet_encoder_t *e, size_t n) {
    if (n <= e->scratch_cap) return 0;
    size_t cap = e->scratch_cap < 4096 ? 4096 : e->scratch_cap;
    while (cap < n) cap *= 2;
    uint8_t *grown = realloc(e->scratch, cap);
    if (grown == NULL) return -ENOMEM;
    e->scratch = grown;
    e->scratch_cap = cap;
    return 0;
}

static inline void store_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* Encodes the values at `dst` (capacity `cap`); stores their length. */
static int encode_values(const canp_parquet_page_options_t *o, const canp_parquet_values_t *v, uint8_t *dst,
                         size_t cap, size_t *len, canp_parquet_page_result_t *r) {
    size_t n = v->num_values;
    switch (o->encoding) {
    case CANP_PARQUET_RLE_DICTIONARY: {
        const uint32_t *idx = v->values;
        uint32_t max = 0;
        for (size_t i = 0; i < n; i++)
            if (idx[i] > max) max = idx[i];
        unsigned needed = _canp_parquet_bit_width(max);
        if (needed == 0) needed = 1; /* width 0 is legal but not every reader takes it */
        unsigned width = o->index_bit_width;
        if (width == 0) width = needed;
        if (width < needed) return -EINVAL;
        if (cap < 1) return -ENOBUFS;
        dst[0] = (uint8_t)width;
        size_t written = 0;
        int rc = _canp_parquet_rle_encode_checked(idx, n, width, dst + 1, cap - 1, &written); /* max checked above */
        if (rc != 0) return rc;
        *len = 1 + written;
        r->max_index = max;
        r->index_bit_width = width;
        return 0;
    }
    case CANP_PARQUET_DELTA_BINARY_PACKED:
        return o->physical_type == CANP_PARQUET_INT64 ? canp_parquet_delta_encode_int64(v->values, n, dst, cap, len)
                                                      : canp_parquet_delta_encode_int32(v->values, n, dst, cap, len);
    case CANP_PARQUET_DELTA_LENGTH_BYTE_ARRAY:
        return canp_parquet_delta_length_encode(v->values, v->offsets, n, dst, cap, len);
    case CANP_PARQUET_BYTE_STREAM_SPLIT: {
        size_t w = type_width(o->physical_type);
        if (cap < n * w) return -ENOBUFS;
        canp_parquet_byte_stream_split(v->values, n, w, dst);
        *len = n * w;
        return 0;
    }
    default: break;
    }
    switch (o->physical_type) {
    case CANP_PARQUET_BOOLEAN:
        if (cap < (n + 7) / 8) return -ENOBUFS;
        canp_parquet_plain_booleans(v->values, n, dst);
        *len = (n + 7) / 8;
        return 0;
    case CANP_PARQUET_BYTE_ARRAY: {
        const uint8_t *bytes = v->values;
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t start = v->offsets[i], length = v->offsets[i + 1] - start;
            if (cap - at < 4 + (size_t)length) return -ENOBUFS;
            store_le32(dst + at, length);
            if (length > 0) memcpy(dst + at + 4, bytes + start, length);
            at += 4 + (size_t)length;
        }
        *len = at;
        return 0;
    }
    default: {
        size_t total = n * type_width(o->physical_type);
        if (cap < total) return -ENOBUFS;
        if (total > 0) memcpy(dst, v->values, total);
        *len = total;
        return 0;
    }
    }
}

/* Unsigned byte-wise order, a prefix first. */
static int compare_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
    int c = memcmp(a, b, an < bn ? an : bn);
    if (c != 0) return c;
    return an < bn ? -1 : an > bn ? 1 : 0;
}

/* The smallest and largest of n >= 1 integers of one width, as int64. */
#define INTEGER_RANGE(name, type)                                                    \
    static void name(const type *x, size_t n, int64_t *min_out, int64_t *max_out) { \
        type lo = x[0], hi = x[0];                                                   \
        for (size_t i = 1; i < n; i++) {                                             \
            lo = x[i] < lo ? x[i] : lo;                                              \
            hi = x[i] > hi ? x[i] : hi;                                              \
        }                                                                            \
        *min_out = lo;                                                               \
        *max_out = hi;                                                               \
    }
INTEGER_RANGE(int32_range, int32_t)
INTEGER_RANGE(int64_range, int64_t)
#undef INTEGER_RANGE

static void statistics(const canp_parquet_page_options_t *o, const canp_parquet_values_t *v,
                       canp_parquet_page_result_t *r) {
    size_t n = v->num_values;
    if (n == 0 || o->encoding == CANP_PARQUET_RLE_DICTIONARY) return;
    switch (o->physical_type) {
    case CANP_PARQUET_BOOLEAN: {
        const uint8_t *b = v->values;
        bool any_true = false, any_false = false;
        for (size_t i = 0; i < n; i++) {
            any_true |= b[i] != 0;
            any_false |= b[i] == 0;
        }
        r->min_int = any_false ? 0 : 1;
        r->max_int = any_true ? 1 : 0;
        r->has_min_max = true;
        return;
    }
    case CANP_PARQUET_INT32:
        int32_range(v->values, n, &r->min_int, &r->max_int);
        r->has_min_max = true;
        return;
    case CANP_PARQUET_INT64:
        int64_range(v->values, n, &r->min_int, &r->max_int);
        r->has_min_max = true;
        return;
    case CANP_PARQUET_DOUBLE: {
        const double *x = v->values;
        double lo = INFINITY, hi = -INFINITY;
        uint64_t nans = 0;
        for (size_t i = 0; i < n; i++) {
            if (isnan(x[i])) {
                nans++;
                continue;
            }
            lo = x[i] < lo ? x[i] : lo;
            hi = x[i] > hi ? x[i] : hi;
        }
        r->nan_count = nans;
        if (nans == n) return;
        /* -0.0 and +0.0 compare equal; the format asks for -0.0 as a zero minimum and +0.0 as a zero maximum. */
        r->min_double = lo == 0.0 ? -0.0 : lo;
        r->max_double = hi == 0.0 ? 0.0 : hi;
        r->has_min_max = true;
        return;
    }
    case CANP_PARQUET_BYTE_ARRAY: {
        const uint8_t *bytes = v->values;
        uint32_t lo = 0, hi = 0;
        for (uint32_t i = 1; i < n; i++) {
            const uint8_t *p = bytes + v->offsets[i];
            size_t len = v->offsets[i + 1] - v->offsets[i];
            if (compare_bytes(p, len, bytes + v->offsets[lo], v->offsets[lo + 1] - v->offsets[lo]) < 0) lo = i;
            if (compare_bytes(p, len, bytes + v->offsets[hi], v->offsets[hi + 1] - v->offsets[hi]) > 0) hi = i;
        }
        r->min_index = lo;
        r->max_index = hi;
        r->has_min_max = true;
        return;
    }
    default: return;
    }
}

int canp_parquet_page_encode(canp_parquet_encoder_t *e, const canp_parquet_page_options_t *o,
                             const canp_parquet_values_t *v, void *out, size_t cap,
                             canp_parquet_page_result_t *r) {
    if (e == NULL || r == NULL || out == NULL) return -EINVAL;
    int rc = check(o, v);
    if (rc != 0) return rc;
    memset(r, 0, sizeof *r);
    size_t bound = body_bound(o, v);
    rc = reserve(e, bound);
    if (rc != 0) return rc;

    uint8_t *body = e->scratch;
    size_t at = 0;
    if (v->defined != NULL) {
        size_t levels = 0, defined = 0;
        rc = _canp_parquet_rle_encode_levels(v->defined, v->num_rows, body + 4, bound - 4, &levels, &defined);
        if (rc != 0) return rc;
        if (defined != v->num_values) return -EINVAL;
        store_le32(body, (uint32_t)levels);
        at = 4 + levels;
    }
    size_t values_len = 0;
    rc = encode_values(o, v, body + at, bound - at, &values_len, r);
    if (rc != 0) return rc;
    size_t body_size = at + values_len;
    if (body_size > INT32_MAX) return -EINVAL;
    if (o->statistics) statistics(o, v, r);
    r->null_count = v->num_rows - v->num_values;

    uint8_t *dst = out;
    const size_t room = _CANP_PARQUET_MAX_PAGE_HEADER;
    size_t compressed = body_size;
    if (e->codec != CANP_PARQUET_UNCOMPRESSED) {
        if (cap < room) return -ENOBUFS;
        /* Delta-packed integers are nearly incompressible when they are not tiny (jittered timestamps):
         * zstd's fast level spends half the time on them for the same size. */
        bool fast = o->encoding == CANP_PARQUET_DELTA_BINARY_PACKED;
        rc = _canp_prim_page_compress(e->compressor, body, body_size, dst + room, cap - room, &compressed, fast);
        if (rc != 0) return rc;
        if (compressed > INT32_MAX) return -EINVAL;
    }
    canp_parquet_page_header_t h = {
        .page_type = o->dictionary_page ? CANP_PARQUET_DICTIONARY_PAGE : CANP_PARQUET_DATA_PAGE,
        .uncompressed_size = (int32_t)body_size,
        .compressed_size = (int32_t)compressed,
        .num_values = (int32_t)(o->dictionary_page ? v->num_values : v->num_rows),
        .encoding = o->encoding,
        .definition_level_encoding = CANP_PARQUET_RLE,
        .repetition_level_encoding = CANP_PARQUET_RLE,
    };
    uint8_t header[_CANP_PARQUET_MAX_PAGE_HEADER];
    size_t header_len = 0;
    rc = canp_parquet_page_header_encode(&h, header, sizeof header, &header_len);
    if (rc != 0) return rc == -ENOBUFS ? -EINVAL : rc;
    if (e->codec == CANP_PARQUET_UNCOMPRESSED) {
        if (cap < header_len || cap - header_len < body_size) return -ENOBUFS;
        memcpy(dst + header_len, body, body_size);
    } else {
        memmove(dst + header_len, dst + room, compressed);
    }
    memcpy(dst, header, header_len);
    r->header_size = header_len;
    r->body_size = body_size;
    r->page_size = header_len + compressed;
    return 0;
}
