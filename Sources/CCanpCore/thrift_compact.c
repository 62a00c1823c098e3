/*
 * thrift_compact.c: a writer of the Thrift compact protocol (structs, lists,
 * i32/i64 as zigzag varints, binary, bools in the field header), enough for
 * Parquet's metadata. There is no reader: CANP writes Parquet; tests read
 * it back with pyarrow, DuckDB and polars.
 *
 * Threads: a writer is a value on the caller's stack, used by one thread.
 *
 * Invariants: nothing is written at or past `buf + cap`; `len` still counts
 * such bytes so that the caller learns the size to allocate. A field id is
 * strictly greater than the previous one in its struct, which the short
 * header form (a 4-bit delta) and the readers' expectations rely on; the
 * long form (type byte, zigzag i16 id) is used when the delta is above 15.
 *
 * Why not generated code (the Apache Thrift compiler): it brings a C++
 * runtime and a code generator into the build for about 200 lines of
 * encoding, and its generated writers allocate per struct.
 */
#include "canp_parquet.h"

#include <errno.h>
#include <string.h>

static void put_byte(canp_thrift_writer_t *w, uint8_t byte) {
    if (w->len < w->cap) {
        w->buf[w->len] = byte;
    } else {
        w->overflow = true;
    }
    w->len++;
}

static void put_bytes(canp_thrift_writer_t *w, const void *bytes, size_t n) {
    if (n == 0) return;
    if (w->len <= w->cap && n <= w->cap - w->len) {
        memcpy(w->buf + w->len, bytes, n);
    } else {
        /* Write what fits so that a too-small buffer never holds a torn prefix that looks whole: it is flagged. */
        if (w->len < w->cap) memcpy(w->buf + w->len, bytes, w->cap - w->len);
        w->overflow = true;
    }
    w->len += n;
}

static void put_varint(canp_thrift_writer_t *w, uint64_t v) {
    while (v >= 0x80) {
        put_byte(w, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    put_byte(w, (uint8_t)v);
}

static uint64_t zigzag64(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static uint32_t zigzag32(int32_t v) { return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31); }

static void field_header(canp_thrift_writer_t *w, int16_t id, uint8_t type) {
    if (w->depth < 0 || w->depth >= CANP_THRIFT_MAX_DEPTH) {
        w->error = -EINVAL;
        return;
    }
    int16_t last = w->last_id[w->depth];
    if (id <= last) {
        w->error = -EINVAL;
        return;
    }
    int delta = id - last;
    if (delta <= 15) {
        put_byte(w, (uint8_t)(delta << 4 | type));
    } else {
        put_byte(w, type);
        put_varint(w, zigzag32(id));
    }
    w->last_id[w->depth] = id;
}

static void push(canp_thrift_writer_t *w) {
    if (w->depth + 1 >= CANP_THRIFT_MAX_DEPTH) {
        w->error = -EINVAL;
        return;
    }
    w->depth++;
    w->last_id[w->depth] = 0;
}

void canp_thrift_writer_init(canp_thrift_writer_t *w, void *buf, size_t cap) {
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = buf != NULL ? cap : 0;
}

void canp_thrift_field_bool(canp_thrift_writer_t *w, int16_t id, bool value) {
    field_header(w, id, value ? CANP_THRIFT_TRUE : CANP_THRIFT_FALSE);
}

void canp_thrift_field_i16(canp_thrift_writer_t *w, int16_t id, int16_t value) {
    field_header(w, id, CANP_THRIFT_I16);
    put_varint(w, zigzag32(value));
}

void canp_thrift_field_i32(canp_thrift_writer_t *w, int16_t id, int32_t value) {
    field_header(w, id, CANP_THRIFT_I32);
    put_varint(w, zigzag32(value));
}

void canp_thrift_field_i64(canp_thrift_writer_t *w, int16_t id, int64_t value) {
    field_header(w, id, CANP_THRIFT_I64);
    put_varint(w, zigzag64(value));
}

void canp_thrift_field_binary(canp_thrift_writer_t *w, int16_t id, const void *bytes, size_t len) {
    field_header(w, id, CANP_THRIFT_BINARY);
    canp_thrift_element_binary(w, bytes, len);
}

void canp_thrift_field_struct_begin(canp_thrift_writer_t *w, int16_t id) {
    field_header(w, id, CANP_THRIFT_STRUCT);
    push(w);
}

void canp_thrift_field_list_begin(canp_thrift_writer_t *w, int16_t id, uint8_t element_type, uint32_t count) {
    field_header(w, id, CANP_THRIFT_LIST);
    if (count < 15) {
        put_byte(w, (uint8_t)(count << 4 | element_type));
    } else {
        put_byte(w, (uint8_t)(0xF0 | element_type));
        put_varint(w, count);
    }
}

void canp_thrift_element_i32(canp_thrift_writer_t *w, int32_t value) { put_varint(w, zigzag32(value)); }

void canp_thrift_element_i64(canp_thrift_writer_t *w, int64_t value) { put_varint(w, zigzag64(value)); }

void canp_thrift_element_binary(canp_thrift_writer_t *w, const void *bytes, size_t len) {
    put_varint(w, len);
    put_bytes(w, bytes, len);
}

void canp_thrift_element_struct_begin(canp_thrift_writer_t *w) { push(w); }

void canp_thrift_struct_end(canp_thrift_writer_t *w) {
    if (w->depth < 0) {
        w->error = -EINVAL;
        return;
    }
    put_byte(w, 0);
    w->depth--;
}

int canp_thrift_writer_finish(const canp_thrift_writer_t *w, size_t *needed) {
    if (needed != NULL) *needed = w->len;
    if (w->error != 0 || w->depth != -1) return -EINVAL;
    return w->overflow ? -ENOBUFS : 0;
}
