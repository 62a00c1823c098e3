/*
 * dbc.c: the DBC decode kernel (canp_dbc.h).
 *
 * One loop over the frames: flags, the message lookup (a table load for
 * 11-bit identifiers, an open-addressing probe for 29-bit ones, a second
 * probe by J1939 parameter group), then the message's plan:
 *   - every signal a fast integer and all present: the fast table, four
 *     signals a step, straight-line (padding entries write rows past the
 *     count, which the next frame overwrites);
 *   - otherwise, without multiplexers: each present signal, the fast form
 *     for fast integers, the full plan for the rest;
 *   - multiplexed: multiplexers first (each after its own), then the
 *     signals in SG_ order, present when their multiplexer selects them.
 * Every step mirrors Swift's DBCDecoder (DBCDecoder.swift, DBCSignalPlan.swift,
 * DBCMessagePlan.swift, DBCMessageLookup.swift); a test compares both on
 * random plans and payloads.
 *
 * Physical values are computed as Double(raw) * scale + offset with two
 * roundings (as Python floats do): never contracted to a fused multiply-add.
 */
#include "canp_dbc.h"

#include <stdbool.h>
#include <string.h>

#include "canp_debug.h"

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

_Static_assert(sizeof(canp_dbc_fast_signal) == 32, "DBCFastSignal's C layout is 32 bytes");
_Static_assert(offsetof(canp_dbc_fast_signal, global_index) == 24, "fast signal layout");
_Static_assert(offsetof(canp_dbc_fast_signal, is_big_endian) == 31, "fast signal layout");
_Static_assert(sizeof(canp_dbc_signal_plan) == 64, "DBCSignalPlan's C layout is 64 bytes");
_Static_assert(offsetof(canp_dbc_signal_plan, multiplexer_slot) == 48, "signal plan layout");
_Static_assert(offsetof(canp_dbc_signal_plan, is_fast_integer) == 60, "signal plan layout");
_Static_assert(sizeof(canp_dbc_message_plan) == 32, "DBCMessagePlan's C layout is 32 bytes");

#define SIGN_BIT ((uint64_t)1 << 63)
#define GROUP_FLAG ((uint64_t)1 << 62)
#define EMPTY_KEY UINT64_MAX
#define FIBONACCI 0x9E3779B97F4A7C15ull

/* ---- lookup ---- */

static inline int32_t probe(const canp_dbc_plan *plan, uint64_t key) {
    uint64_t slot = (key * FIBONACCI) >> plan->shift;
    for (;;) {
        uint64_t stored = plan->keys[slot];
        if (stored == key) return plan->values[slot];
        if (stored == EMPTY_KEY) return -1;
        slot = (slot + 1) & plan->mask;
    }
}

static inline uint32_t parameter_group(uint32_t id) {
    uint32_t raw = id & 0x1FFFFFFFu;
    uint32_t group = (raw >> 8) & 0x3FFFFu;
    return (raw & 0x00F00000u) == 0x00F00000u ? group : group & 0x3FF00u;
}

static inline int32_t lookup(const canp_dbc_plan *plan, uint32_t id, bool extended, uint32_t table) {
    if (!extended) return id < 2048 ? plan->standard[table << 11 | id] : -1;
    uint64_t base = (uint64_t)table << 32;
    int32_t found = probe(plan, base | id);
    if (found >= 0 || plan->group_probe[table] == 0) return found;
    return probe(plan, base | GROUP_FLAG | parameter_group(id));
}

static inline uint32_t table_of(const canp_dbc_plan *plan, int32_t channel) {
    uint32_t index = (uint32_t)channel;
    return index < plan->route_count ? plan->routes[index] : 0;
}

int32_t canp_dbc_lookup(const canp_dbc_plan *plan, uint32_t id, uint8_t flags, int32_t channel) {
    return lookup(plan, id, (flags & CANP_DBC_FLAG_EXTENDED) != 0, table_of(plan, channel));
}

/* ---- one signal ---- */

static inline uint64_t load64(const uint8_t *p) {
    uint64_t word;
    memcpy(&word, p, 8);
    return word;
}

/* The five row columns, held by value in the frame loop: the kind column is
 * bytes, which may alias anything, so columns read through a pointer would be
 * reloaded after every row. */
typedef struct columns {
    uint32_t *frame_indices;
    uint32_t *signal_indices;
    uint64_t *raw_bits;
    uint8_t *kinds;
    double *values;
} columns;

static inline columns columns_of(const canp_dbc_rows *rows) {
    return (columns){rows->frame_indices, rows->signal_indices, rows->raw_bits, rows->kinds, rows->values};
}

/* Writes one row. */
static inline void put(columns out, size_t row, uint32_t frame, uint32_t signal, uint64_t bits, uint8_t kind,
                       double value) {
    out.frame_indices[row] = frame;
    out.signal_indices[row] = signal;
    out.raw_bits[row] = bits;
    out.kinds[row] = kind;
    out.values[row] = value;
}

/* The raw value of a fast integer signal (sign-extended when signed). */
static inline uint64_t fast_raw(const canp_dbc_fast_signal *s, const uint8_t *payload) {
    uint64_t word = load64(payload + s->load_byte);
    uint64_t ordered = s->is_big_endian ? __builtin_bswap64(word) : word;
    uint64_t raw = (ordered << s->left_shift) >> s->top_shift;
    return (raw ^ s->sign_bit) - s->sign_bit;
}

static inline void put_fast(columns out, size_t row, uint32_t frame, const canp_dbc_fast_signal *s,
                            const uint8_t *payload) {
    uint64_t raw = fast_raw(s, payload);
    double product = (double)(int64_t)raw * s->scale;
    uint8_t kind = s->sign_bit != 0 ? CANP_DBC_RAW_SIGNED : CANP_DBC_RAW_UNSIGNED;
    put(out, row, frame, s->global_index, raw, kind, product + s->offset);
}

/* The signal's bits at the top of a 64-bit word (DBCSignalPlan.alignedBits). */
static inline uint64_t aligned_bits(const canp_dbc_signal_plan *s, const uint8_t *payload) {
    const uint8_t *p = payload + s->load_byte;
    uint64_t word = load64(p);
    if (s->is_big_endian) {
        uint64_t v = __builtin_bswap64(word) << s->shift;
        if (s->needs_ninth_byte) v |= (uint64_t)p[8] >> s->ninth_shift;
        return v;
    }
    uint64_t v = word >> s->shift;
    if (s->needs_ninth_byte) v |= (uint64_t)p[8] << s->ninth_shift;
    return v << s->top_shift;
}

/* raw * scale + offset computed exactly, rounded once (DBCSignalPlan.exact). */
static double exact(int64_t raw, int64_t scale, int64_t offset) {
    int64_t product, sum;
    if (!__builtin_mul_overflow(raw, scale, &product) && !__builtin_add_overflow(product, offset, &sum)) {
        return (double)sum;
    }
    return (double)((__int128)raw * (__int128)scale + (__int128)offset);
}

/* IEEE 754 binary16 to binary32, exactly (DBCSignalPlan.halfToFloat). */
static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    int exponent = (h >> 10) & 0x1F;
    uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | mantissa << 13;
    } else if (exponent == 0) {
        float magnitude = (float)mantissa * 0x1p-24f;
        return sign != 0 ? -magnitude : magnitude;
    } else {
        bits = sign | (uint32_t)(exponent + 112) << 23 | mantissa << 13;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

typedef struct decoded {
    uint64_t bits;
    uint8_t kind;
    double value;
} decoded;

static inline double converted(const canp_dbc_signal_plan *s, double f) {
    if (s->conversion == CANP_DBC_IDENTITY) return f;
    double product = f * s->scale;
    return product + s->offset;
}

/* A signal decoded by its full plan (DBCSignalPlan.decode). */
static decoded decode_full(const canp_dbc_signal_plan *s, const uint8_t *payload) {
    uint64_t aligned = aligned_bits(s, payload);
    switch (s->kind) {
    case CANP_DBC_KIND_UNSIGNED: {
        uint64_t raw = aligned >> s->top_shift;
        if (s->conversion == CANP_DBC_IDENTITY) return (decoded){raw, CANP_DBC_RAW_UNSIGNED, (double)raw};
        if (s->conversion == CANP_DBC_LINEAR) {
            double product = (double)raw * s->scale;
            return (decoded){raw, CANP_DBC_RAW_UNSIGNED, product + s->offset};
        }
        if (raw <= (uint64_t)INT64_MAX) {
            return (decoded){raw, CANP_DBC_RAW_UNSIGNED, exact((int64_t)raw, s->scale_integer, s->offset_integer)};
        }
        __int128 wide = (__int128)raw * (__int128)s->scale_integer + (__int128)s->offset_integer;
        return (decoded){raw, CANP_DBC_RAW_UNSIGNED, (double)wide};
    }
    case CANP_DBC_KIND_SIGNED: {
        int64_t raw = (int64_t)aligned >> s->top_shift;
        double value;
        if (s->conversion == CANP_DBC_IDENTITY) {
            value = (double)raw;
        } else if (s->conversion == CANP_DBC_LINEAR) {
            double product = (double)raw * s->scale;
            value = product + s->offset;
        } else {
            value = exact(raw, s->scale_integer, s->offset_integer);
        }
        return (decoded){(uint64_t)raw, CANP_DBC_RAW_SIGNED, value};
    }
    case CANP_DBC_KIND_FLOAT32: {
        uint32_t word = (uint32_t)(aligned >> 32);
        float f;
        memcpy(&f, &word, 4);
        double d = (double)f;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        return (decoded){bits, CANP_DBC_RAW_FLOAT, converted(s, d)};
    }
    case CANP_DBC_KIND_FLOAT64: {
        double d;
        memcpy(&d, &aligned, 8);
        return (decoded){aligned, CANP_DBC_RAW_FLOAT, converted(s, d)};
    }
    default: {
        double d = (double)half_to_float((uint16_t)(aligned >> 48));
        uint64_t bits;
        memcpy(&bits, &d, 8);
        return (decoded){bits, CANP_DBC_RAW_FLOAT, converted(s, d)};
    }
    }
}

/* One present signal into a row: the fast form for fast integers, the full plan for the rest. */
static inline void put_one(columns out, size_t row, uint32_t frame, const canp_dbc_signal_plan *s,
                           const canp_dbc_fast_signal *fast, const uint8_t *payload) {
    if (s->is_fast_integer) {
        put_fast(out, row, frame, fast, payload);
    } else {
        decoded d = decode_full(s, payload);
        put(out, row, frame, s->global_index, d.bits, d.kind, d.value);
    }
}

/* ---- one message ---- */

/* Whether a signal of a multiplexed message is present (DBCDecoder.isPresent). */
static inline bool is_present(const canp_dbc_plan *plan, const canp_dbc_signal_plan *s, int32_t available,
                              const canp_dbc_rows *rows) {
    if (s->required_bytes > available) return false;
    int parent = s->parent_slot;
    if (parent == -1) return true;
    if (parent < 0 || (rows->multiplexer_flags[parent] & 2) == 0) return false;
    uint64_t selector = rows->multiplexer_selectors[parent];
    for (int32_t r = s->range_start; r < s->range_start + s->range_count; r++) {
        if (selector >= plan->range_lows[r] && selector <= plan->range_highs[r]) return true;
    }
    return false;
}

/* The multiplexers of a message, each after its own, into the scratch slots. */
static void decode_multiplexers(const canp_dbc_plan *plan, const canp_dbc_message_plan *m, const uint8_t *payload,
                                int32_t available, canp_dbc_rows *rows) {
    const canp_dbc_signal_plan *signals = plan->signals + m->signal_start;
    const int32_t *order = plan->multiplexer_order + m->multiplexer_order_start;
    for (int32_t slot = 0; slot < m->multiplexer_count; slot++) {
        const canp_dbc_signal_plan *s = signals + order[slot];
        if (!is_present(plan, s, available, rows)) {
            rows->multiplexer_flags[slot] = 0;
            continue;
        }
        decoded d = decode_full(s, payload);
        rows->multiplexer_raw_bits[slot] = d.bits;
        rows->multiplexer_values[slot] = d.value;
        uint8_t selects = 2;
        if (d.kind == CANP_DBC_RAW_UNSIGNED) {
            rows->multiplexer_selectors[slot] = d.bits;
        } else if (d.kind == CANP_DBC_RAW_SIGNED) {
            rows->multiplexer_selectors[slot] = d.bits ^ SIGN_BIT;
        } else {
            double f;
            memcpy(&f, &d.bits, 8);
            double t = __builtin_trunc(f);
            /* Int64(exactly:) of an integral double: within [-2^63, 2^63), not NaN. */
            if (t >= -0x1p63 && t < 0x1p63) {
                rows->multiplexer_selectors[slot] = (uint64_t)(int64_t)t ^ SIGN_BIT;
            } else {
                selects = 0;
            }
        }
        rows->multiplexer_flags[slot] = 1 | selects;
    }
}

/* The multiplexed-message path (DBCDecoder.decodeMultiplexed); returns the rows written. */
static __attribute__((noinline)) size_t decode_multiplexed(const canp_dbc_plan *plan, const canp_dbc_message_plan *m,
                                                           const uint8_t *payload, int32_t available, uint32_t frame,
                                                           canp_dbc_rows *rows) {
    decode_multiplexers(plan, m, payload, available, rows);
    const canp_dbc_signal_plan *signals = plan->signals + m->signal_start;
    const canp_dbc_fast_signal *fast = plan->fast + m->fast_start;
    const columns out = columns_of(rows);
    size_t row = rows->count;
    for (int32_t k = 0; k < m->signal_count; k++) {
        const canp_dbc_signal_plan *s = signals + k;
        int slot = s->multiplexer_slot;
        if (slot >= 0) {
            if ((rows->multiplexer_flags[slot] & 1) == 0) continue;
            uint8_t kind = s->kind == CANP_DBC_KIND_UNSIGNED ? CANP_DBC_RAW_UNSIGNED
                         : s->kind == CANP_DBC_KIND_SIGNED   ? CANP_DBC_RAW_SIGNED
                                                             : CANP_DBC_RAW_FLOAT;
            put(out, row++, frame, s->global_index, rows->multiplexer_raw_bits[slot], kind,
                rows->multiplexer_values[slot]);
            continue;
        }
        if (!is_present(plan, s, available, rows)) continue;
        put_one(out, row++, frame, s, fast + k, payload);
    }
    return row - rows->count;
}

/* A message without multiplexers that the fast loop cannot take whole. */
static __attribute__((noinline)) size_t decode_plain(const canp_dbc_plan *plan, const canp_dbc_message_plan *m,
                                                     const uint8_t *payload, int32_t available, uint32_t frame,
                                                     canp_dbc_rows *rows) {
    const canp_dbc_signal_plan *signals = plan->signals + m->signal_start;
    const canp_dbc_fast_signal *fast = plan->fast + m->fast_start;
    const columns out = columns_of(rows);
    size_t row = rows->count;
    for (int32_t k = 0; k < m->signal_count; k++) {
        if (signals[k].required_bytes > available) continue;
        put_one(out, row++, frame, signals + k, fast + k, payload);
    }
    return row - rows->count;
}

/* ---- the frame loop ---- */

/* The loop, inlined into one function per instruction set (below). */
static inline __attribute__((always_inline)) size_t decode_frames(const canp_dbc_plan *plan,
                                                                 const canp_dbc_frames *frames, size_t first,
                                                                 canp_dbc_rows *rows, size_t *next) {
    CANP_ASSERT(rows->count <= rows->capacity);
    CANP_ASSERT(plan->maximum_multiplexers <= 256);
    /* Locals, not reads through the pointers: the byte stores of the kind
     * column may alias anything, which would reload every field per row. */
    const canp_dbc_plan p = *plan;
    const canp_dbc_frames f = *frames;
    const columns out = columns_of(rows);
    const bool routed = p.route_count > 0;
    const size_t capacity = rows->capacity;
    size_t with_signals = 0;
    size_t count = rows->count;
    size_t index = first;
    for (; index < f.count; index++) {
        uint8_t flags = f.flags[index];
        if (flags & (CANP_DBC_FLAG_ERROR | CANP_DBC_FLAG_REMOTE)) continue;
        uint32_t table = routed ? table_of(&p, f.channels[index]) : 0;
        int32_t message = lookup(&p, f.identifiers[index], (flags & CANP_DBC_FLAG_EXTENDED) != 0, table);
        if (message < 0) continue;
        CANP_ASSERT(message < p.message_count);
        const canp_dbc_message_plan *m = p.messages + message;
        if (capacity - count < (size_t)m->fast_padded) break;
        const uint8_t *payload = f.data + f.data_offsets[index];
        int32_t length = f.lengths[index];
        int32_t available = length < m->length ? length : m->length;
        uint32_t frame = (uint32_t)index;
        size_t added;
        if (available >= m->fast_required) {
            const canp_dbc_fast_signal *fast = p.fast + m->fast_start;
            const int32_t padded = m->fast_padded;
            int32_t k = 0;
            do {
                put_fast(out, count + (size_t)k, frame, fast + k, payload);
                put_fast(out, count + (size_t)k + 1, frame, fast + k + 1, payload);
                put_fast(out, count + (size_t)k + 2, frame, fast + k + 2, payload);
                put_fast(out, count + (size_t)k + 3, frame, fast + k + 3, payload);
                k += 4;
            } while (k < padded);
            added = (size_t)m->signal_count;
        } else {
            rows->count = count;
            added = m->multiplexer_count > 0 ? decode_multiplexed(plan, m, payload, available, frame, rows)
                                             : decode_plain(plan, m, payload, available, frame, rows);
        }
        count += added;
        with_signals += added > 0;
    }
    rows->count = count;
    *next = index;
    return with_signals;
}

/* With BMI2, the variable shifts of the fast loop are one instruction each
 * (shlx, shrx) instead of three micro-operations: chosen once, at run time. */
#if defined(__x86_64__) && defined(__clang__)
__attribute__((target("bmi2"))) static size_t decode_frames_bmi2(const canp_dbc_plan *plan,
                                                                 const canp_dbc_frames *frames, size_t first,
                                                                 canp_dbc_rows *rows, size_t *next) {
    return decode_frames(plan, frames, first, rows, next);
}
#endif

static size_t decode_frames_generic(const canp_dbc_plan *plan, const canp_dbc_frames *frames, size_t first,
                                    canp_dbc_rows *rows, size_t *next) {
    return decode_frames(plan, frames, first, rows, next);
}

size_t canp_dbc_decode_frames(const canp_dbc_plan *plan, const canp_dbc_frames *frames, size_t first,
                              canp_dbc_rows *rows, size_t *next) {
#if defined(__x86_64__) && defined(__clang__)
    if (__builtin_cpu_supports("bmi2")) return decode_frames_bmi2(plan, frames, first, rows, next);
#endif
    return decode_frames_generic(plan, frames, first, rows, next);
}
