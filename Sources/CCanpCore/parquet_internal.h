/*
 * parquet_internal.h: what the Parquet files of the C core share (internal).
 *
 * parquet_encode.c owns the value encodings, parquet_page.c the page
 * encoder, parquet_meta.c the Thrift structs of the headers and footer.
 */
#ifndef CANP_PARQUET_INTERNAL_H
#define CANP_PARQUET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes a PageHeader of this writer takes (it is about 30). */
#define _CANP_PARQUET_MAX_PAGE_HEADER 64

/* The bits needed for `v` (0 for 0). */
static inline unsigned _canp_parquet_bit_width(uint64_t v) {
    return v == 0 ? 0u : 64u - (unsigned)__builtin_clzll(v);
}

/*
 * Definition levels (0 / 1) of `n` rows as the RLE / bit-packing hybrid with
 * bit width 1, without the 4-byte length prefix; counts the defined rows.
 * Returns 0 or -ENOBUFS.
 */
int _canp_parquet_rle_encode_levels(const uint8_t *defined, size_t n, void *out, size_t cap, size_t *len,
                                    size_t *defined_count);

/* canp_parquet_rle_encode without its check of every value against the width: the caller has checked it. */
int _canp_parquet_rle_encode_checked(const uint32_t *values, size_t n, unsigned bit_width, void *out, size_t cap,
                                     size_t *len);

#endif /* CANP_PARQUET_INTERNAL_H */
