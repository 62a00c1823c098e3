/*
 * canp_parquet.h: the pieces of an Apache Parquet writer that run per value
 * or per page: value encodings, page compression, page headers, the file
 * footer, and the Thrift compact protocol they are written in.
 *
 * What is here and what is not: this layer turns arrays of values into
 * finished pages (levels, encoded values, compressed, with their header and
 * statistics) and turns a description of the file's row groups into the
 * footer's bytes. Which columns exist, how rows are cut into pages and
 * pages into row groups, and where the bytes go is the caller's (the Swift
 * ParquetFileWriter). Only flat schemas are written (no nesting, no
 * repetition levels): definition levels are 0 or 1.
 *
 * Threads: a page encoder (`canp_parquet_encoder_t`) holds a compressor and
 * scratch memory and is used by one thread at a time; give every worker its
 * own. Every other function is stateless and safe from any thread.
 *
 * Output buffers: functions write into caller memory of a stated capacity
 * and return -ENOBUFS when it is too small; the `*_bound` functions give a
 * capacity that always suffices. The Thrift writer keeps counting past the
 * end of its buffer, so that one failed pass tells the size to allocate.
 *
 * Conventions: 0 or -errno, results through out-parameters. The format's
 * enum values are used as they are numbered in parquet.thrift.
 */
#ifndef CANP_PARQUET_H
#define CANP_PARQUET_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The format's enums (parquet.thrift numbering) ---- */

/* Physical types. */
enum {
    CANP_PARQUET_BOOLEAN = 0,
    CANP_PARQUET_INT32 = 1,
    CANP_PARQUET_INT64 = 2,
    CANP_PARQUET_DOUBLE = 5,
    CANP_PARQUET_BYTE_ARRAY = 6,
};

/* Encodings. */
enum {
    CANP_PARQUET_PLAIN = 0,
    CANP_PARQUET_RLE = 3,
    CANP_PARQUET_DELTA_BINARY_PACKED = 5,
    CANP_PARQUET_DELTA_LENGTH_BYTE_ARRAY = 6,
    CANP_PARQUET_RLE_DICTIONARY = 8,
    CANP_PARQUET_BYTE_STREAM_SPLIT = 9,
};

/* Compression codecs. */
enum {
    CANP_PARQUET_UNCOMPRESSED = 0,
    CANP_PARQUET_SNAPPY = 1,
    CANP_PARQUET_GZIP = 2,
    CANP_PARQUET_ZSTD = 6,
};

/* Page types. */
enum {
    CANP_PARQUET_DATA_PAGE = 0,
    CANP_PARQUET_DICTIONARY_PAGE = 2,
};

/* Logical annotations this writer knows (not the format's numbering). */
enum {
    CANP_PARQUET_LOGICAL_NONE = 0,
    CANP_PARQUET_LOGICAL_STRING = 1,               /* STRING, converted type UTF8 */
    CANP_PARQUET_LOGICAL_TIMESTAMP_MICROS_UTC = 2, /* TIMESTAMP(isAdjustedToUTC=true, MICROS) */
};

/* The 4-byte magic at the start and end of a file. */
#define CANP_PARQUET_MAGIC "PAR1"

/* ---- The Thrift compact protocol writer ---- */

/* Deepest nesting of structs (FileMetaData > RowGroup > ColumnChunk > ColumnMetaData > Statistics is 5). */
#define CANP_THRIFT_MAX_DEPTH 16

/* Compact protocol type codes of fields (list elements use the same codes; bool elements: 1 true, 0 false are not used here). */
enum {
    CANP_THRIFT_TRUE = 1,
    CANP_THRIFT_FALSE = 2,
    CANP_THRIFT_I8 = 3,
    CANP_THRIFT_I16 = 4,
    CANP_THRIFT_I32 = 5,
    CANP_THRIFT_I64 = 6,
    CANP_THRIFT_DOUBLE = 7,
    CANP_THRIFT_BINARY = 8,
    CANP_THRIFT_LIST = 9,
    CANP_THRIFT_STRUCT = 12,
};

/*
 * A writer of one top-level struct into caller memory. Fields must be given
 * in increasing id order within a struct (the short field header holds the
 * delta). `len` counts every byte written or that would have been: when it
 * exceeds `cap`, the bytes past `cap` were dropped and `overflow` is set.
 * Misuse (nesting deeper than CANP_THRIFT_MAX_DEPTH, ending a struct that
 * was not begun, ids that do not increase) sets `error` to -EINVAL.
 */
typedef struct canp_thrift_writer_s {
    uint8_t *buf;
    size_t cap;
    size_t len;
    bool overflow;
    int error;
    int depth;
    int16_t last_id[CANP_THRIFT_MAX_DEPTH];
} canp_thrift_writer_t;

/* Starts writing the fields of a top-level struct into `buf[0..<cap]` (buf may be NULL when cap is 0). */
void canp_thrift_writer_init(canp_thrift_writer_t *w, void *buf, size_t cap);

/* Fields of the current struct. */
void canp_thrift_field_bool(canp_thrift_writer_t *w, int16_t id, bool value);
void canp_thrift_field_i16(canp_thrift_writer_t *w, int16_t id, int16_t value);
void canp_thrift_field_i32(canp_thrift_writer_t *w, int16_t id, int32_t value);
void canp_thrift_field_i64(canp_thrift_writer_t *w, int16_t id, int64_t value);
void canp_thrift_field_binary(canp_thrift_writer_t *w, int16_t id, const void *bytes, size_t len);
/* A struct-valued field: its fields follow, then canp_thrift_struct_end. */
void canp_thrift_field_struct_begin(canp_thrift_writer_t *w, int16_t id);
/* A list-valued field of `count` elements of `element_type`; the elements follow. */
void canp_thrift_field_list_begin(canp_thrift_writer_t *w, int16_t id, uint8_t element_type, uint32_t count);

/* List elements. */
void canp_thrift_element_i32(canp_thrift_writer_t *w, int32_t value);
void canp_thrift_element_i64(canp_thrift_writer_t *w, int64_t value);
void canp_thrift_element_binary(canp_thrift_writer_t *w, const void *bytes, size_t len);
/* A struct element: its fields follow, then canp_thrift_struct_end. */
void canp_thrift_element_struct_begin(canp_thrift_writer_t *w);

/* Ends the innermost struct (writes its stop byte); at depth 0 ends the top-level struct. */
void canp_thrift_struct_end(canp_thrift_writer_t *w);

/*
 * The result: 0 when everything fit (the top-level struct must have been
 * ended), -ENOBUFS when `cap` was too small (`*needed` is the size), or
 * -EINVAL after misuse. `needed` may be NULL.
 */
int canp_thrift_writer_finish(const canp_thrift_writer_t *w, size_t *needed);

/* ---- Value encodings (stateless; tests and callers with their own buffers) ---- */

/*
 * The RLE / bit-packing hybrid of `n` values of `bit_width` bits (0-32; each
 * value must fit), without a length prefix. Runs of 8 or more equal values
 * become RLE runs; the rest is bit-packed in groups of 8, the last group
 * padded with zero bits. Stores the bytes written in `*len`.
 * Returns 0, -EINVAL (width above 32, a value wider than the width) or -ENOBUFS.
 */
int canp_parquet_rle_encode(const uint32_t *values, size_t n, unsigned bit_width,
                            void *out, size_t cap, size_t *len);

/* A capacity that always holds canp_parquet_rle_encode's output. */
size_t canp_parquet_rle_bound(size_t n, unsigned bit_width);

/*
 * DELTA_BINARY_PACKED of `n` values: blocks of 128 values in 4 miniblocks of
 * 32, deltas in wrapping two's complement arithmetic of the type's width.
 * Returns 0, -EINVAL or -ENOBUFS.
 */
int canp_parquet_delta_encode_int64(const int64_t *values, size_t n, void *out, size_t cap, size_t *len);
int canp_parquet_delta_encode_int32(const int32_t *values, size_t n, void *out, size_t cap, size_t *len);

/*
 * DELTA_LENGTH_BYTE_ARRAY of `n` byte strings: their lengths as
 * DELTA_BINARY_PACKED INT32, then their bytes back to back. String `i` is
 * `bytes[offsets[i]..<offsets[i + 1]]` (offsets ascending). A capacity of
 * canp_parquet_delta_bound(n, 4) plus the bytes always suffices.
 * Returns 0, -EINVAL or -ENOBUFS.
 */
int canp_parquet_delta_length_encode(const void *bytes, const uint32_t *offsets, size_t n, void *out, size_t cap,
                                     size_t *len);

/* A capacity that always holds the DELTA_BINARY_PACKED output of `n` values of `width_bytes` (4 or 8). */
size_t canp_parquet_delta_bound(size_t n, size_t width_bytes);

/* BYTE_STREAM_SPLIT of `n` values of `width` bytes: `n * width` bytes into `out`. */
void canp_parquet_byte_stream_split(const void *values, size_t n, size_t width, void *out);

/* PLAIN booleans (0 / non-zero bytes): bit-packed, LSB first, ceil(n / 8) bytes into `out`. */
void canp_parquet_plain_booleans(const uint8_t *values, size_t n, void *out);

/* ---- Compression ---- */

/* A capacity that always holds `n` bytes compressed with `codec`, or 0 for an unknown codec. */
size_t canp_parquet_compress_bound(int codec, size_t n);

/* ---- Pages ---- */

/* A page encoder: a compressor for one codec and the scratch memory of the page bodies. One per worker. */
typedef struct canp_parquet_encoder_s canp_parquet_encoder_t;

/*
 * Creates an encoder for `codec` at `level` (ZSTD: 1-22 or negative for the
 * fast levels, 0 = the library default; GZIP: 1-12; ignored for the others).
 * Returns 0, -EINVAL (unknown codec, bad level) or -ENOMEM.
 */
int canp_parquet_encoder_create(int codec, int level, canp_parquet_encoder_t **out);

/* Destroys an encoder; NULL is allowed. */
void canp_parquet_encoder_destroy(canp_parquet_encoder_t *encoder);

/*
 * The values of one page. `num_rows` rows, of which the rows whose `defined`
 * byte is non-zero carry a value (`defined` NULL: every row, and no
 * definition levels are written: a REQUIRED column). `num_values` is the
 * number of values in `values` and must equal the defined rows. `values`
 * holds int32_t, int64_t, double, uint8_t booleans (0 / non-zero), uint32_t
 * dictionary indices (RLE_DICTIONARY) or, for BYTE_ARRAY, the bytes of all
 * values back to back with `offsets[0...num_values]` giving where each
 * starts and the last ends.
 */
typedef struct canp_parquet_values_s {
    uint32_t num_rows;
    uint32_t num_values;
    const uint8_t *defined;
    const void *values;
    const uint32_t *offsets;
} canp_parquet_values_t;

/*
 * How a page is written. `encoding` must suit `physical_type`: PLAIN (all),
 * RLE_DICTIONARY (indices, any type), DELTA_BINARY_PACKED (INT32, INT64),
 * DELTA_LENGTH_BYTE_ARRAY (BYTE_ARRAY),
 * BYTE_STREAM_SPLIT (INT32, INT64, DOUBLE). `index_bit_width` is for
 * RLE_DICTIONARY: 0 writes the fewest bits the largest index needs,
 * otherwise indices take that many bits (1-32; an index wider than it is
 * -EINVAL); a multiple of 8 keeps them byte-aligned, which byte-oriented
 * compressors reward. `dictionary_page` makes a DICTIONARY_PAGE of the
 * values in PLAIN (`defined` must be NULL). `statistics` asks for the
 * min/max of the values in the result.
 */
typedef struct canp_parquet_page_options_s {
    int physical_type;
    int encoding;
    unsigned index_bit_width;
    bool dictionary_page;
    bool statistics;
} canp_parquet_page_options_t;

/*
 * What a page became. `page_size` bytes were written at the start of the
 * output: the page header (`header_size` bytes) and the compressed body;
 * `body_size` is the body before compression. `null_count` counts the rows
 * without value. Statistics (when asked and `has_min_max`): the smallest
 * and largest value as int64 (INT32, INT64), double (DOUBLE; NaN excluded
 * and counted in `nan_count`, a zero minimum written as -0.0 and a zero
 * maximum as +0.0, as the format asks; no min/max when every value is NaN)
 * or as the value indices `min_index` / `max_index` (BYTE_ARRAY, by
 * unsigned byte comparison; BOOLEAN: false < true). For RLE_DICTIONARY,
 * `max_index` is the largest index and `index_bit_width` the width used.
 */
typedef struct canp_parquet_page_result_s {
    size_t page_size;
    size_t header_size;
    size_t body_size;
    uint32_t null_count;
    bool has_min_max;
    int64_t min_int;
    int64_t max_int;
    double min_double;
    double max_double;
    uint32_t min_index;
    uint32_t max_index;
    uint64_t nan_count;
    unsigned index_bit_width;
} canp_parquet_page_result_t;

/* A capacity that always holds the page (header, body, compression overhead); 0 for invalid options. */
size_t canp_parquet_page_bound(const canp_parquet_encoder_t *encoder, const canp_parquet_page_options_t *options,
                               const canp_parquet_values_t *values);

/*
 * Encodes, compresses and frames one page into `out[0..<cap]`.
 * Returns 0, -EINVAL (inconsistent options or values), -ENOMEM (scratch),
 * -ENOBUFS (`cap` below what the page needs; canp_parquet_page_bound
 * always suffices) or -EIO (the compressor failed).
 */
int canp_parquet_page_encode(canp_parquet_encoder_t *encoder, const canp_parquet_page_options_t *options,
                             const canp_parquet_values_t *values, void *out, size_t cap,
                             canp_parquet_page_result_t *result);

/* The fields of a PageHeader this writer uses. */
typedef struct canp_parquet_page_header_s {
    int page_type;               /* CANP_PARQUET_DATA_PAGE or CANP_PARQUET_DICTIONARY_PAGE */
    int32_t uncompressed_size;
    int32_t compressed_size;
    int32_t num_values;          /* data pages: rows, nulls included; dictionary pages: entries */
    int encoding;
    int definition_level_encoding; /* data pages only (RLE) */
    int repetition_level_encoding; /* data pages only (RLE) */
} canp_parquet_page_header_t;

/* Encodes a PageHeader (Thrift compact). Returns 0, -EINVAL or -ENOBUFS (`*len` then holds the size needed). */
int canp_parquet_page_header_encode(const canp_parquet_page_header_t *header, void *out, size_t cap, size_t *len);

/* ---- The footer ---- */

/* Statistics of a column chunk. min/max are PLAIN-encoded values (BYTE_ARRAY without a length prefix). */
typedef struct canp_parquet_statistics_s {
    bool has_min_max;
    const uint8_t *min_value;
    size_t min_len;
    const uint8_t *max_value;
    size_t max_len;
    int64_t null_count;
    bool has_nan_count;
    int64_t nan_count;
} canp_parquet_statistics_t;

/* A leaf column of the (flat) schema. */
typedef struct canp_parquet_column_schema_s {
    const char *name;   /* UTF-8, not necessarily NUL-terminated */
    size_t name_len;
    int physical_type;
    bool optional;      /* OPTIONAL, else REQUIRED */
    int logical_type;   /* CANP_PARQUET_LOGICAL_* */
} canp_parquet_column_schema_t;

/* The pages of a column chunk, by type and encoding (the ColumnMetaData.encoding_stats). */
typedef struct canp_parquet_encoding_count_s {
    int page_type;
    int encoding;
    int32_t count;
} canp_parquet_encoding_count_t;

/* One column chunk of a row group. */
typedef struct canp_parquet_column_chunk_s {
    int codec;
    int64_t num_values;              /* rows, nulls included */
    int64_t total_uncompressed_size; /* page headers included */
    int64_t total_compressed_size;   /* page headers included */
    int64_t data_page_offset;
    int64_t dictionary_page_offset;  /* -1: none */
    const canp_parquet_encoding_count_t *encoding_counts; /* the distinct (page type, encoding) pairs */
    size_t encoding_count_count;
    bool has_statistics;
    canp_parquet_statistics_t statistics;
} canp_parquet_column_chunk_t;

/* One row group: its column chunks in schema order. */
typedef struct canp_parquet_row_group_s {
    const canp_parquet_column_chunk_t *columns;
    int64_t num_rows;
    int64_t total_byte_size;       /* uncompressed, all columns */
    int64_t total_compressed_size; /* all columns */
    int64_t file_offset;           /* of its first page */
} canp_parquet_row_group_t;

/* A key/value pair of the file's metadata. */
typedef struct canp_parquet_key_value_s {
    const char *key;
    size_t key_len;
    const char *value;
    size_t value_len;
} canp_parquet_key_value_t;

/* What the footer describes. */
typedef struct canp_parquet_file_metadata_s {
    const canp_parquet_column_schema_t *columns;
    size_t column_count;
    const canp_parquet_row_group_t *row_groups;
    size_t row_group_count;
    int64_t num_rows;
    const canp_parquet_key_value_t *key_values;
    size_t key_value_count;
    const char *created_by; /* NUL-terminated, or NULL */
} canp_parquet_file_metadata_t;

/*
 * Encodes the FileMetaData (Thrift compact) that precedes the footer's
 * length and magic: the schema (root "schema" and the leaves), the row
 * groups, the key/value pairs, created_by, and a TYPE_ORDER column order
 * per column (so that readers trust min_value / max_value).
 * Returns 0, -EINVAL, or -ENOBUFS with `*len` holding the size needed.
 */
int canp_parquet_file_metadata_encode(const canp_parquet_file_metadata_t *metadata, void *out, size_t cap,
                                      size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* CANP_PARQUET_H */
