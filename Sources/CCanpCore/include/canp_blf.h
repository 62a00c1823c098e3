/*
 * canp_blf.h: the BLF frame walk kernel: the frame objects that lie whole,
 * one after the other, in a container's inflated data, decoded into frame
 * columns in one tight loop.
 *
 * The kernel is the common case of Swift's BLF reader (BLFUnitDecoder's
 * walk and BLFFrameObject.decode): it decodes exactly what they decode and
 * stops, without consuming it, at the first object it does not handle
 * itself: an object of another type, a header version other than 1 or 2,
 * a damaged or cut object, a timestamp that overflows, a CAN FD 64 frame
 * whose data is not stored whole, or the end of the data. The Swift walk
 * then takes that object (and reports what it is). A test compares both on
 * random objects.
 *
 * Layouts are shared with Swift (FrameScratch.Columns); the flag bits are
 * FrameFlags' raw values.
 */
#ifndef CANP_BLF_H
#define CANP_BLF_H

#include <stddef.h>
#include <stdint.h>

/* Frame flag bits the kernel writes (FrameFlags). */
enum {
    CANP_BLF_FLAG_REMOTE = 1 << 1,
    CANP_BLF_FLAG_EXTENDED = 1 << 2,
    CANP_BLF_FLAG_FD = 1 << 3,
    CANP_BLF_FLAG_BRS = 1 << 4,
    CANP_BLF_FLAG_ESI = 1 << 5,
    CANP_BLF_FLAG_TX = 1 << 6,
};

/* The columns the frames are written into, from row 0 up (FrameScratch.Columns):
 * timestamps in ns (the file's start plus the object's time), identifiers
 * without the flag bits, flags, channels (the BLF channel minus 1), data
 * lengths, and the offsets of the data in the walked buffer. */
typedef struct canp_blf_columns {
    uint64_t *timestamps;
    uint32_t *identifiers;
    uint8_t *flags;
    int32_t *channels;
    uint8_t *lengths;
    uint32_t *data_offsets;
} canp_blf_columns;

/* Decodes the whole frame objects of data[0..count) from *position on (the
 * offset where the next object's LOBJ signature is searched, within 8 bytes
 * as the Swift walk does) into rows first..<limit of columns. Returns the
 * row after the last one written; *position is then the offset after the
 * last decoded object (where the Swift walk goes on). count is at most
 * UINT32_MAX. */
size_t canp_blf_decode_frames(const uint8_t *data, size_t count, size_t *position, uint64_t start_nanoseconds,
                              const canp_blf_columns *columns, size_t first, size_t limit);

#endif
