import CCanpCore

/// A ``DBCDecoder``'s tables in the layout of the C decode kernel
/// (`canp_dbc.h`): the signal plans, the fast signal table and the message
/// plans converted once, the multiplexer tables and the message lookup's
/// tables shared. `DBCDecoder.decodeSignals(of:data:into:)` runs the kernel
/// over a whole batch of frames in one C call.
///
/// Owned by its decoder and immutable after `init`: every thread reads it.
final class DBCKernelPlan: @unchecked Sendable {
    // @unchecked: immutable after init; the pointers are owned (or, for the
    // lookup and multiplexer tables, borrowed from the decoder that owns this).
    let plan: UnsafeMutablePointer<canp_dbc_plan>
    private let signals: UnsafeMutablePointer<canp_dbc_signal_plan>
    private let fast: UnsafeMutablePointer<canp_dbc_fast_signal>
    private let messages: UnsafeMutablePointer<canp_dbc_message_plan>
    /// The most rows one frame can write (the largest padded signal count):
    /// a batch with this much room always lets the kernel decode a frame.
    let maximumRows: Int

    /// Converts and borrows the decoder's tables.
    ///
    /// - Parameters:
    ///   - signalPlans: every signal's plan (global indices).
    ///   - fastSignals: the fast table, in the decoder's `fastStart` indexing.
    ///   - messagePlans: every message's plan.
    ///   - multiplexerOrder, rangeLows, rangeHighs: the decoder's tables, borrowed.
    ///   - lookup: the decoder's message lookup, borrowed.
    init(signalPlans: UnsafeBufferPointer<DBCSignalPlan>, fastSignals: [canp_dbc_fast_signal],
         messagePlans: UnsafeBufferPointer<DBCMessagePlan>, multiplexerOrder: UnsafePointer<Int32>,
         rangeLows: UnsafePointer<UInt64>, rangeHighs: UnsafePointer<UInt64>, lookup: DBCMessageLookup) {
        precondition(MemoryLayout<canp_dbc_fast_signal>.stride == 32 && MemoryLayout<canp_dbc_signal_plan>.stride == 64
                     && MemoryLayout<canp_dbc_message_plan>.stride == 32, "canp_dbc.h layouts")
        signals = .allocate(capacity: max(signalPlans.count, 1))
        for (index, signal) in signalPlans.enumerated() { (signals + index).initialize(to: Self.signal(signal)) }
        fast = .allocate(capacity: max(fastSignals.count, 1))
        fast.initialize(from: fastSignals, count: fastSignals.count)
        messages = .allocate(capacity: max(messagePlans.count, 1))
        for (index, message) in messagePlans.enumerated() { (messages + index).initialize(to: Self.message(message)) }
        maximumRows = max(Int(messagePlans.map(\.fastPadded).max() ?? 0), 4)
        var plan = canp_dbc_plan()
        plan.messages = UnsafePointer(messages)
        plan.signals = UnsafePointer(signals)
        plan.fast = UnsafePointer(fast)
        plan.multiplexer_order = multiplexerOrder
        plan.range_lows = rangeLows
        plan.range_highs = rangeHighs
        plan.message_count = Int32(messagePlans.count)
        plan.maximum_multiplexers = Int32(DBCSignalBatch.maximumMultiplexers)
        lookup.export(into: &plan)
        self.plan = .allocate(capacity: 1)
        self.plan.initialize(to: plan)
    }

    deinit {
        plan.deallocate()
        signals.deallocate()
        fast.deallocate()
        messages.deallocate()
    }

    /// A signal's full plan in the kernel's layout.
    static func signal(_ s: DBCSignalPlan) -> canp_dbc_signal_plan {
        var c = canp_dbc_signal_plan()
        c.scale = s.scale
        c.offset = s.offset
        c.scale_integer = s.scaleInteger
        c.offset_integer = s.offsetInteger
        c.global_index = s.globalIndex
        c.required_bytes = s.requiredBytes
        c.range_start = s.rangeStart
        c.range_count = s.rangeCount
        c.multiplexer_slot = s.multiplexerSlot
        c.parent_slot = s.parentSlot
        c.load_byte = UInt8(s.loadByte)
        c.shift = s.shift
        c.top_shift = s.topShift
        c.ninth_shift = s.ninthShift
        c.is_big_endian = s.isBigEndian ? 1 : 0
        c.needs_ninth_byte = s.needsNinthByte ? 1 : 0
        c.kind = s.kind.rawValue
        c.conversion = s.conversion.rawValue
        c.is_fast_integer = s.isFastInteger ? 1 : 0
        return c
    }

    /// A signal's fast form in the kernel's layout (all zero, never used,
    /// unless the plan has `isFastInteger`).
    static func fastSignal(_ s: DBCSignalPlan) -> canp_dbc_fast_signal {
        var c = canp_dbc_fast_signal()
        guard s.isFastInteger else { return c }
        c.scale = s.scale
        c.offset = s.offset
        c.global_index = s.globalIndex
        c.load_byte = UInt8(s.loadByte)
        c.top_shift = s.topShift
        c.is_big_endian = s.isBigEndian ? 1 : 0
        // Little-endian bits start at `shift`; a fast signal needs no 9th byte, so
        // shift + length <= 64 and the most significant bit goes to bit 63 by a
        // left shift of 64 - length - shift. Big-endian: the plan's own shift.
        c.left_shift = s.isBigEndian ? s.shift : s.topShift - s.shift
        c.sign_bit = s.kind == .signed ? 1 << (63 - UInt64(s.topShift)) : 0
        return c
    }

    /// A message's plan in the kernel's layout.
    static func message(_ m: DBCMessagePlan) -> canp_dbc_message_plan {
        canp_dbc_message_plan(signal_start: m.signalStart, signal_count: m.signalCount, length: m.length,
                              multiplexer_order_start: m.multiplexerOrderStart,
                              multiplexer_count: m.multiplexerCount, fast_required: m.fastRequired,
                              fast_start: m.fastStart, fast_padded: m.fastPadded)
    }
}
