/*
 * blf.c: the BLF frame walk kernel (canp_blf.h).
 *
 * Each step mirrors Swift's BLFUnitDecoder.wholeFrames and
 * BLFFrameObject.decode (Sources/Canp/Input/BLF/): find LOBJ within 8 bytes,
 * check the base header (a valid size, version 1 or 2, a frame type, the
 * object inside the data), read the type's fields, the timestamp (10 us
 * units when the versioned header's flags are 1, else ns) and the flags.
 * Anything else ends the loop before that object.
 */
#include "canp_blf.h"

#include <stdbool.h>
#include <string.h>

#include "canp_debug.h"

enum {
    BLF_SIGNATURE = 0x4A424F4C, /* "LOBJ" little-endian */
    BLF_BASE = 16,
    BLF_CAN_MESSAGE = 1,
    BLF_CAN_MESSAGE2 = 86,
    BLF_CAN_FD_MESSAGE = 100,
    BLF_CAN_FD_MESSAGE_64 = 101,
};

static inline uint8_t load8(const uint8_t *p) { return *p; }
static inline uint16_t load16(const uint8_t *p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline uint32_t load32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline uint64_t load64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the BLF kernel reads little-endian fields directly");

size_t canp_blf_decode_frames(const uint8_t *data, size_t count, size_t *position, uint64_t start_nanoseconds,
                              const canp_blf_columns *columns, size_t first, size_t limit) {
    CANP_ASSERT(data != NULL && position != NULL && columns != NULL);
    CANP_ASSERT(count <= UINT32_MAX);
    size_t pos = *position;
    size_t row = first;
    uint64_t *const timestamps = columns->timestamps;
    uint32_t *const identifiers = columns->identifiers;
    uint8_t *const flag_column = columns->flags;
    int32_t *const channels = columns->channels;
    uint8_t *const lengths = columns->lengths;
    uint32_t *const data_offsets = columns->data_offsets;
    while (row < limit) {
        /* The signature, at pos or up to 7 bytes after it (padding). */
        if (count < 4 || pos >= count - 3) break;
        size_t stop = count - 3 < pos + 8 ? count - 3 : pos + 8;
        size_t at = pos;
        while (at < stop && load32(data + at) != BLF_SIGNATURE) at++;
        if (at >= stop || at + BLF_BASE > count) break;
        const uint8_t *object = data + at;
        size_t header_size = load16(object + 4);
        uint16_t version = load16(object + 6);
        size_t size = load32(object + 8);
        uint32_t type = load32(object + 12);
        size_t versioned = version == 1 ? 16 : version == 2 ? 24 : 0;
        if (versioned == 0) break;
        size_t minimum = BLF_BASE + versioned > header_size ? BLF_BASE + versioned : header_size;
        if (size < minimum || header_size < BLF_BASE || size > count - at) break;
        size_t payload = at + BLF_BASE + versioned;
        size_t end = at + size;
        const uint8_t *p = data + payload;
        uint32_t raw_id;
        int32_t channel;
        size_t length;
        size_t data_offset;
        uint8_t flags;
        if (type == BLF_CAN_MESSAGE2 || type == BLF_CAN_MESSAGE) {
            if (payload + 16 > end) break;
            uint8_t bits = load8(p + 2);
            bool remote = (bits & 0x80) != 0;
            size_t dlc = load8(p + 3);
            length = remote ? 0 : (dlc < 8 ? dlc : 8);
            channel = (int32_t)load16(p) - 1;
            raw_id = load32(p + 4);
            data_offset = payload + 8;
            flags = (uint8_t)((remote ? CANP_BLF_FLAG_REMOTE : 0) | ((bits & 1) ? CANP_BLF_FLAG_TX : 0));
        } else if (type == BLF_CAN_FD_MESSAGE) {
            if (payload + 84 > end) break;
            uint8_t bits = load8(p + 2);
            uint8_t fd_bits = load8(p + 13);
            bool remote = (bits & 0x80) != 0;
            size_t valid = load8(p + 14);
            length = remote ? 0 : (valid < 64 ? valid : 64);
            channel = (int32_t)load16(p) - 1;
            raw_id = load32(p + 4);
            data_offset = payload + 20;
            flags = (uint8_t)((remote ? CANP_BLF_FLAG_REMOTE : 0) | ((bits & 1) ? CANP_BLF_FLAG_TX : 0) |
                              ((fd_bits & 1) ? CANP_BLF_FLAG_FD : 0) | ((fd_bits & 2) ? CANP_BLF_FLAG_BRS : 0) |
                              ((fd_bits & 4) ? CANP_BLF_FLAG_ESI : 0));
        } else if (type == BLF_CAN_FD_MESSAGE_64) {
            if (payload + 40 > end) break;
            uint32_t bits = load32(p + 12);
            bool remote = (bits & 0x10) != 0;
            long valid = load8(p + 2);
            long ext_offset = load8(p + 35);
            long field = (ext_offset != 0 ? ext_offset : (long)size) - (long)header_size - 40;
            long room = (long)end - (long)(payload + 40);
            long stored = valid < field ? valid : field;
            stored = stored < room ? stored : room;
            if (stored < 0) stored = 0;
            length = remote ? 0 : (size_t)valid;
            if (length > 64) break;
            /* Data not stored whole is zero-padded by the Swift walk. */
            if (!remote && stored < valid) break;
            channel = (int32_t)load8(p) - 1;
            raw_id = load32(p + 4);
            data_offset = payload + 40;
            flags = (uint8_t)((remote ? CANP_BLF_FLAG_REMOTE : 0) | (load8(p + 34) != 0 ? CANP_BLF_FLAG_TX : 0) |
                              ((bits & 0x1000) ? CANP_BLF_FLAG_FD : 0) | ((bits & 0x2000) ? CANP_BLF_FLAG_BRS : 0) |
                              ((bits & 0x4000) ? CANP_BLF_FLAG_ESI : 0));
        } else {
            break;
        }
        /* The timestamp: the versioned header's flags and time. */
        uint64_t delta = load64(object + 24);
        if (load32(object + 16) == 1 && __builtin_mul_overflow(delta, (uint64_t)10000, &delta)) break;
        uint64_t timestamp;
        if (__builtin_add_overflow(start_nanoseconds, delta, &timestamp)) break;
        timestamps[row] = timestamp;
        identifiers[row] = raw_id & 0x1FFFFFFFu;
        flag_column[row] = (uint8_t)(flags | ((raw_id >> 31) ? CANP_BLF_FLAG_EXTENDED : 0));
        channels[row] = channel;
        lengths[row] = (uint8_t)length;
        data_offsets[row] = (uint32_t)data_offset;
        row++;
        pos = end;
    }
    *position = pos;
    return row;
}
