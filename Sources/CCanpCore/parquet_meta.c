/*
 * parquet_meta.c: the Thrift structs of a Parquet file that this writer
 * emits (PageHeader with DataPageHeader or DictionaryPageHeader;
 * FileMetaData with its SchemaElements, RowGroups, ColumnChunks,
 * ColumnMetaData, Statistics, KeyValues and ColumnOrders), field ids as in
 * parquet.thrift.
 *
 * Threads: stateless; any thread.
 *
 * Invariants: fields are written in increasing id order (the Thrift writer
 * rejects anything else); required fields are always written. The writer
 * counts past a short buffer, so -ENOBUFS comes with the size needed.
 *
 * Choices, each for the widest set of readers: data pages are v1 (every
 * reader supports them; v2's separate level section buys nothing for flat
 * columns with one-bit levels). Strings carry both the LogicalType STRING
 * and the ConvertedType UTF8, timestamps both TIMESTAMP(UTC, MICROS) and
 * TIMESTAMP_MICROS, so that readers that predate logical types agree.
 * Statistics use only min_value / max_value (the deprecated min / max
 * fields had signed byte order for strings) with a TYPE_ORDER column order
 * per column, without which readers ignore string statistics.
 * ColumnChunk.file_offset is 0, as the format now asks.
 */
#include "canp_parquet.h"

#include <errno.h>
#include <string.h>

/* ConvertedType values used. */
enum { CONVERTED_UTF8 = 0, CONVERTED_TIMESTAMP_MICROS = 10 };

int canp_parquet_page_header_encode(const canp_parquet_page_header_t *h, void *out, size_t cap, size_t *len) {
    if (h == NULL || len == NULL || (out == NULL && cap != 0)) return -EINVAL;
    if (h->page_type != CANP_PARQUET_DATA_PAGE && h->page_type != CANP_PARQUET_DICTIONARY_PAGE) return -EINVAL;
    canp_thrift_writer_t w;
    canp_thrift_writer_init(&w, out, cap);
    canp_thrift_field_i32(&w, 1, h->page_type);
    canp_thrift_field_i32(&w, 2, h->uncompressed_size);
    canp_thrift_field_i32(&w, 3, h->compressed_size);
    if (h->page_type == CANP_PARQUET_DATA_PAGE) {
        canp_thrift_field_struct_begin(&w, 5); /* DataPageHeader */
        canp_thrift_field_i32(&w, 1, h->num_values);
        canp_thrift_field_i32(&w, 2, h->encoding);
        canp_thrift_field_i32(&w, 3, h->definition_level_encoding);
        canp_thrift_field_i32(&w, 4, h->repetition_level_encoding);
        canp_thrift_struct_end(&w);
    } else {
        canp_thrift_field_struct_begin(&w, 7); /* DictionaryPageHeader */
        canp_thrift_field_i32(&w, 1, h->num_values);
        canp_thrift_field_i32(&w, 2, h->encoding);
        canp_thrift_struct_end(&w);
    }
    canp_thrift_struct_end(&w);
    return canp_thrift_writer_finish(&w, len);
}

static void write_statistics(canp_thrift_writer_t *w, int16_t id, const canp_parquet_statistics_t *s) {
    canp_thrift_field_struct_begin(w, id);
    canp_thrift_field_i64(w, 3, s->null_count);
    if (s->has_min_max) {
        canp_thrift_field_binary(w, 5, s->max_value, s->max_len);
        canp_thrift_field_binary(w, 6, s->min_value, s->min_len);
    }
    if (s->has_nan_count) canp_thrift_field_i64(w, 9, s->nan_count);
    canp_thrift_struct_end(w);
}

/* The distinct encodings of a chunk's pages, in first-seen order, plus RLE for the levels. */
static size_t chunk_encodings(const canp_parquet_column_chunk_t *c, int *encodings, size_t cap) {
    size_t n = 0;
    int candidates[64];
    size_t count = 0;
    candidates[count++] = CANP_PARQUET_RLE; /* definition and repetition levels */
    for (size_t i = 0; i < c->encoding_count_count && count < 64; i++) candidates[count++] = c->encoding_counts[i].encoding;
    for (size_t i = 0; i < count; i++) {
        bool seen = false;
        for (size_t j = 0; j < n; j++) seen |= encodings[j] == candidates[i];
        if (!seen && n < cap) encodings[n++] = candidates[i];
    }
    return n;
}

static void write_column_chunk(canp_thrift_writer_t *w, const canp_parquet_column_schema_t *schema,
                               const canp_parquet_column_chunk_t *c) {
    canp_thrift_element_struct_begin(w);    /* ColumnChunk */
    canp_thrift_field_i64(w, 2, 0);          /* file_offset (deprecated) */
    canp_thrift_field_struct_begin(w, 3);   /* ColumnMetaData */
    canp_thrift_field_i32(w, 1, schema->physical_type);
    int encodings[16];
    size_t encoding_count = chunk_encodings(c, encodings, 16);
    canp_thrift_field_list_begin(w, 2, CANP_THRIFT_I32, (uint32_t)encoding_count);
    for (size_t i = 0; i < encoding_count; i++) canp_thrift_element_i32(w, encodings[i]);
    canp_thrift_field_list_begin(w, 3, CANP_THRIFT_BINARY, 1);
    canp_thrift_element_binary(w, schema->name, schema->name_len);
    canp_thrift_field_i32(w, 4, c->codec);
    canp_thrift_field_i64(w, 5, c->num_values);
    canp_thrift_field_i64(w, 6, c->total_uncompressed_size);
    canp_thrift_field_i64(w, 7, c->total_compressed_size);
    canp_thrift_field_i64(w, 9, c->data_page_offset);
    if (c->dictionary_page_offset >= 0) canp_thrift_field_i64(w, 11, c->dictionary_page_offset);
    if (c->has_statistics) write_statistics(w, 12, &c->statistics);
    if (c->encoding_count_count > 0) {
        canp_thrift_field_list_begin(w, 13, CANP_THRIFT_STRUCT, (uint32_t)c->encoding_count_count);
        for (size_t i = 0; i < c->encoding_count_count; i++) {
            canp_thrift_element_struct_begin(w); /* PageEncodingStats */
            canp_thrift_field_i32(w, 1, c->encoding_counts[i].page_type);
            canp_thrift_field_i32(w, 2, c->encoding_counts[i].encoding);
            canp_thrift_field_i32(w, 3, c->encoding_counts[i].count);
            canp_thrift_struct_end(w);
        }
    }
    canp_thrift_struct_end(w); /* ColumnMetaData */
    canp_thrift_struct_end(w); /* ColumnChunk */
}

static void write_schema_element(canp_thrift_writer_t *w, const canp_parquet_column_schema_t *c) {
    canp_thrift_element_struct_begin(w);
    canp_thrift_field_i32(w, 1, c->physical_type);
    canp_thrift_field_i32(w, 3, c->optional ? 1 : 0); /* FieldRepetitionType OPTIONAL / REQUIRED */
    canp_thrift_field_binary(w, 4, c->name, c->name_len);
    switch (c->logical_type) {
    case CANP_PARQUET_LOGICAL_STRING:
        canp_thrift_field_i32(w, 6, CONVERTED_UTF8);
        canp_thrift_field_struct_begin(w, 10); /* LogicalType */
        canp_thrift_field_struct_begin(w, 1);  /* STRING: StringType {} */
        canp_thrift_struct_end(w);
        canp_thrift_struct_end(w);
        break;
    case CANP_PARQUET_LOGICAL_TIMESTAMP_MICROS_UTC:
        canp_thrift_field_i32(w, 6, CONVERTED_TIMESTAMP_MICROS);
        canp_thrift_field_struct_begin(w, 10); /* LogicalType */
        canp_thrift_field_struct_begin(w, 8);  /* TIMESTAMP: TimestampType */
        canp_thrift_field_bool(w, 1, true);    /* isAdjustedToUTC */
        canp_thrift_field_struct_begin(w, 2);  /* unit: TimeUnit */
        canp_thrift_field_struct_begin(w, 2);  /* MICROS: MicroSeconds {} */
        canp_thrift_struct_end(w);
        canp_thrift_struct_end(w);
        canp_thrift_struct_end(w);
        canp_thrift_struct_end(w);
        break;
    default:
        break;
    }
    canp_thrift_struct_end(w);
}

static bool valid_type(int type) {
    return type == CANP_PARQUET_BOOLEAN || type == CANP_PARQUET_INT32 || type == CANP_PARQUET_INT64 ||
           type == CANP_PARQUET_DOUBLE || type == CANP_PARQUET_BYTE_ARRAY;
}

int canp_parquet_file_metadata_encode(const canp_parquet_file_metadata_t *m, void *out, size_t cap, size_t *len) {
    if (m == NULL || len == NULL || (out == NULL && cap != 0)) return -EINVAL;
    if ((m->columns == NULL && m->column_count != 0) || (m->row_groups == NULL && m->row_group_count != 0) ||
        (m->key_values == NULL && m->key_value_count != 0))
        return -EINVAL;
    if (m->column_count > INT32_MAX - 1 || m->row_group_count > INT32_MAX) return -EINVAL;
    for (size_t i = 0; i < m->column_count; i++) {
        const canp_parquet_column_schema_t *c = &m->columns[i];
        if (!valid_type(c->physical_type) || (c->name == NULL && c->name_len != 0)) return -EINVAL;
        if (c->logical_type == CANP_PARQUET_LOGICAL_STRING && c->physical_type != CANP_PARQUET_BYTE_ARRAY) return -EINVAL;
        if (c->logical_type == CANP_PARQUET_LOGICAL_TIMESTAMP_MICROS_UTC && c->physical_type != CANP_PARQUET_INT64)
            return -EINVAL;
    }
    for (size_t g = 0; g < m->row_group_count; g++)
        if (m->row_groups[g].columns == NULL && m->column_count != 0) return -EINVAL;

    canp_thrift_writer_t w;
    canp_thrift_writer_init(&w, out, cap);
    canp_thrift_field_i32(&w, 1, 2); /* version */

    canp_thrift_field_list_begin(&w, 2, CANP_THRIFT_STRUCT, (uint32_t)(m->column_count + 1));
    canp_thrift_element_struct_begin(&w); /* the root: a group of every column */
    canp_thrift_field_binary(&w, 4, "schema", 6);
    canp_thrift_field_i32(&w, 5, (int32_t)m->column_count);
    canp_thrift_struct_end(&w);
    for (size_t i = 0; i < m->column_count; i++) write_schema_element(&w, &m->columns[i]);

    canp_thrift_field_i64(&w, 3, m->num_rows);

    canp_thrift_field_list_begin(&w, 4, CANP_THRIFT_STRUCT, (uint32_t)m->row_group_count);
    for (size_t g = 0; g < m->row_group_count; g++) {
        const canp_parquet_row_group_t *rg = &m->row_groups[g];
        canp_thrift_element_struct_begin(&w); /* RowGroup */
        canp_thrift_field_list_begin(&w, 1, CANP_THRIFT_STRUCT, (uint32_t)m->column_count);
        for (size_t i = 0; i < m->column_count; i++) write_column_chunk(&w, &m->columns[i], &rg->columns[i]);
        canp_thrift_field_i64(&w, 2, rg->total_byte_size);
        canp_thrift_field_i64(&w, 3, rg->num_rows);
        canp_thrift_field_i64(&w, 5, rg->file_offset);
        canp_thrift_field_i64(&w, 6, rg->total_compressed_size);
        if (g <= INT16_MAX) canp_thrift_field_i16(&w, 7, (int16_t)g); /* ordinal */
        canp_thrift_struct_end(&w);
    }

    if (m->key_value_count > 0) {
        canp_thrift_field_list_begin(&w, 5, CANP_THRIFT_STRUCT, (uint32_t)m->key_value_count);
        for (size_t i = 0; i < m->key_value_count; i++) {
            canp_thrift_element_struct_begin(&w);
            canp_thrift_field_binary(&w, 1, m->key_values[i].key, m->key_values[i].key_len);
            if (m->key_values[i].value != NULL)
                canp_thrift_field_binary(&w, 2, m->key_values[i].value, m->key_values[i].value_len);
            canp_thrift_struct_end(&w);
        }
    }
    if (m->created_by != NULL) canp_thrift_field_binary(&w, 6, m->created_by, strlen(m->created_by));

    canp_thrift_field_list_begin(&w, 7, CANP_THRIFT_STRUCT, (uint32_t)m->column_count);
    for (size_t i = 0; i < m->column_count; i++) {
        canp_thrift_element_struct_begin(&w); /* ColumnOrder */
        canp_thrift_field_struct_begin(&w, 1); /* TYPE_ORDER: TypeDefinedOrder {} */
        canp_thrift_struct_end(&w);
        canp_thrift_struct_end(&w);
    }
    canp_thrift_struct_end(&w);
    return canp_thrift_writer_finish(&w, len);
}
