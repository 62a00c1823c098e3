/*
 * canp_dbc.h: the DBC decode kernel: a compiled message plan run over a
 * batch of frames, writing one row per decoded signal into five columns.
 *
 * The plan is built once per decoder by Swift's DBCDecoder (from its signal
 * and message plans and its message lookup) and is read-only afterwards: one
 * plan serves every thread. The kernel follows the semantics of
 * DBCDecoder.decode(messageAt:...) exactly (cantools parity, truncation and
 * multiplexing rules of spec/FORMAT.md, databases bound to channels and
 * J1939 of spec/DECODING.md); the Swift decoder's comments are the
 * specification, dbc.c mirrors them step by step.
 *
 * Layouts are shared with Swift, which imports these structs as they are;
 * dbc.c _Static_asserts their sizes and the offsets the hot loop relies on.
 */
#ifndef CANP_DBC_H
#define CANP_DBC_H

#include <stddef.h>
#include <stdint.h>

/* Raw kinds of the rows (DBCRawKind's raw values). */
enum { CANP_DBC_RAW_UNSIGNED = 0, CANP_DBC_RAW_SIGNED = 1, CANP_DBC_RAW_FLOAT = 2 };

/* Signal kinds of a full plan (DBCSignalPlan.Kind's raw values). */
enum {
    CANP_DBC_KIND_UNSIGNED = 0,
    CANP_DBC_KIND_SIGNED = 1,
    CANP_DBC_KIND_FLOAT16 = 2,
    CANP_DBC_KIND_FLOAT32 = 3,
    CANP_DBC_KIND_FLOAT64 = 4,
};

/* Conversions of a full plan (DBCSignalPlan.Conversion's raw values). */
enum { CANP_DBC_IDENTITY = 0, CANP_DBC_INTEGER = 1, CANP_DBC_LINEAR = 2 };

/* Frame flag bits the kernel reads (FrameFlags). */
enum { CANP_DBC_FLAG_ERROR = 1 << 0, CANP_DBC_FLAG_REMOTE = 1 << 1, CANP_DBC_FLAG_EXTENDED = 1 << 2 };

/* A fast integer signal, 32 bytes: one 8-byte load at load_byte, byte-swapped
 * when big-endian, shifted left by left_shift (the signal's most significant
 * bit to bit 63), then logically right by top_shift (64 - length); a signed
 * signal is sign-extended by (raw ^ sign_bit) - sign_bit, sign_bit being
 * 1 << (length - 1) for signed signals and 0 for unsigned ones (the row's
 * kind follows from it); value = raw * scale + offset. */
typedef struct canp_dbc_fast_signal {
    double scale;
    double offset;
    uint64_t sign_bit;
    uint32_t global_index;
    uint8_t load_byte;
    uint8_t left_shift;
    uint8_t top_shift;
    uint8_t is_big_endian;
} canp_dbc_fast_signal;

/* A signal's full plan (DBCSignalPlan), 64 bytes. */
typedef struct canp_dbc_signal_plan {
    double scale;
    double offset;
    int64_t scale_integer;
    int64_t offset_integer;
    uint32_t global_index;
    /* Payload bytes needed; INT32_MAX when never decodable. */
    int32_t required_bytes;
    int32_t range_start;
    int32_t range_count;
    /* Its multiplexer slot, or -1; its multiplexer's slot, -1 always present, -2 never. */
    int16_t multiplexer_slot;
    int16_t parent_slot;
    uint8_t load_byte;
    uint8_t shift;
    uint8_t top_shift;
    uint8_t ninth_shift;
    uint8_t is_big_endian;
    uint8_t needs_ninth_byte;
    uint8_t kind;
    uint8_t conversion;
    uint8_t is_fast_integer;
    uint8_t reserved[3];
} canp_dbc_signal_plan;

/* A message's plan (DBCMessagePlan), 32 bytes. */
typedef struct canp_dbc_message_plan {
    int32_t signal_start;
    int32_t signal_count;
    /* The DBC length, at most 64. */
    int32_t length;
    int32_t multiplexer_order_start;
    int32_t multiplexer_count;
    /* Bytes from which the fast loop decodes every signal; INT32_MAX when it cannot. */
    int32_t fast_required;
    int32_t fast_start;
    /* signal_count rounded up to 4 (the fast loop's group). */
    int32_t fast_padded;
} canp_dbc_message_plan;

/* The compiled decoder: tables owned by the Swift DBCDecoder, valid for its life. */
typedef struct canp_dbc_plan {
    const canp_dbc_message_plan *messages;
    const canp_dbc_signal_plan *signals;
    const canp_dbc_fast_signal *fast;
    const int32_t *multiplexer_order;
    const uint64_t *range_lows;
    const uint64_t *range_highs;
    /* The message lookup (DBCMessageLookup): routes[channel] for channels below
     * route_count (else table 0); standard[table << 11 | id]; the open-addressing
     * table keys/values (mask, 64 - shift bits) under table << 32 | id, and
     * table << 32 | 1 << 62 | PGN when group_probe[table]. */
    const uint32_t *routes;
    const int32_t *standard;
    const uint64_t *keys;
    const int32_t *values;
    const uint8_t *group_probe;
    uint64_t mask;
    uint32_t shift;
    uint32_t route_count;
    int32_t message_count;
    /* The multiplexer scratch slots a batch must have. */
    int32_t maximum_multiplexers;
} canp_dbc_plan;

/* The frames to decode (FrameBatch's columns) and their data buffer, which has
 * at least 16 readable bytes after its end. */
typedef struct canp_dbc_frames {
    const uint32_t *identifiers;
    const uint8_t *flags;
    const int32_t *channels;
    const uint32_t *data_offsets;
    const uint8_t *lengths;
    const uint8_t *data;
    size_t count;
} canp_dbc_frames;

/* The rows (DBCSignalBatch's columns) and its multiplexer scratch. */
typedef struct canp_dbc_rows {
    uint32_t *frame_indices;
    uint32_t *signal_indices;
    uint64_t *raw_bits;
    uint8_t *kinds;
    double *values;
    size_t count;
    size_t capacity;
    uint8_t *multiplexer_flags;
    uint64_t *multiplexer_selectors;
    uint64_t *multiplexer_raw_bits;
    double *multiplexer_values;
} canp_dbc_rows;

/*
 * Decodes the signals of frames [first, frames->count) into rows, each row's
 * frame index the frame's index. Remote and error frames and frames of no
 * message carry no signals. Stops before a frame whose rows might not fit
 * (rows->capacity - rows->count below its message's fast_padded rows): the
 * caller grows the columns and calls again from *next.
 *
 * Returns the number of frames that yielded at least one row; *next is the
 * first frame not decoded (frames->count when all were).
 */
size_t canp_dbc_decode_frames(const canp_dbc_plan *plan, const canp_dbc_frames *frames, size_t first,
                              canp_dbc_rows *rows, size_t *next);

/* The global message index of a frame (id without flag bits, CANP_DBC_FLAG_EXTENDED
 * in flags), on a channel, or -1: the kernel's lookup, for tests. */
int32_t canp_dbc_lookup(const canp_dbc_plan *plan, uint32_t id, uint8_t flags, int32_t channel);

#endif /* CANP_DBC_H */
