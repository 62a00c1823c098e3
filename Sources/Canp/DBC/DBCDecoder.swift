import CCanpCore

/// A DBC database compiled for decoding frames at high throughput.
///
/// Every message becomes a plan of precomputed byte positions, shifts,
/// sign extension and conversions (see `DBCSignalPlan`); decoding a frame is
/// one identifier lookup and then straight-line work per signal, writing into
/// a reusable ``DBCSignalBatch``: no allocation, no dictionary, no strings.
///
/// Which signals a frame yields follows cantools' `decode(...,
/// allow_truncated=True)` and, where cantools gives up on a whole frame,
/// CANP's reference reader:
/// - a signal is decoded only when it lies entirely within both the frame and
///   the message length (bytes after the DBC length are ignored);
/// - overlapping signals are each decoded from their own bits;
/// - a multiplexed signal is present when its multiplexer is present and the
///   multiplexer's raw value is one of the signal's values (`m<n>` or an
///   `SG_MUL_VAL_` range); nested multiplexers chain; a multiplexer value that
///   selects nothing leaves the multiplexer and the unmultiplexed signals.
///
/// Signals are reported in the order of their `SG_` lines.
///
/// A decoder may be compiled from several databases, each bound to the
/// channels it serves, and J1939 databases match extended frames by
/// parameter group number (``DBCBinding``, `spec/DECODING.md`): the frame's
/// channel then selects the database, in the same single lookup
/// (``messageIndex(id:isExtended:channel:)``). Message and signal indices are
/// global: the messages of the first binding, then those of the second, and
/// so on (``messages``), so that a ``DBCSignalBatch`` row names its message
/// and signal whichever database decoded it.
///
/// The decoder is immutable and `Sendable`: one instance serves all threads.
public final class DBCDecoder: @unchecked Sendable {
    /// The databases this decoder was compiled from, in the order given.
    public let bindings: [DBCBinding]
    /// The database of the first binding (the only one of a decoder made by
    /// ``DBCDatabase/compile()``); with several, use ``messages`` and the
    /// global indices.
    public var database: DBCDatabase { bindings[0].database }
    /// Every message of every binding, in binding order: the global message
    /// indices of ``messageIndex(id:isExtended:channel:)``.
    public let messages: [DBCMessage]
    /// The binding of each global message index.
    private let messageBindings: [Int32]
    /// The largest channel number a database can be bound to.
    public static let maximumChannel: Int32 = 65535
    /// The signals of all messages in one table: message `m`'s signals are
    /// the global indices `signalRange(ofMessageAt: m)`.
    private let signalPlans: UnsafeMutablePointer<DBCSignalPlan>
    /// The compact form of every signal, message `m`'s from
    /// `messagePlans[m].fastStart` in `SG_` order (meaningful for fast
    /// integer signals only), each message padded with copies of its last
    /// entry to a multiple of `fastGroup`.
    private let fastSignals: UnsafeMutablePointer<DBCFastSignal>
    private let fastSignalCount: Int
    /// The fast loop decodes this many signals per step, straight-line: a
    /// message of up to 4 signals is one step, so that the loop's exit
    /// branch rarely mispredicts although messages of different lengths
    /// alternate. The padding entries write rows past the batch's count,
    /// which the next frame overwrites.
    static let fastGroup = 4
    private let messagePlans: UnsafeMutablePointer<DBCMessagePlan>
    private let multiplexerOrder: UnsafeMutablePointer<Int32>
    /// Multiplexer value ranges as selector keys (see `selectorKey`).
    private let rangeLows: UnsafeMutablePointer<UInt64>
    private let rangeHighs: UnsafeMutablePointer<UInt64>
    /// The message lookup (internal: the frame loop of `DBCDecoder+Frames` uses it directly).
    let lookup: DBCMessageLookup
    /// The tables in the C decode kernel's layout (`DBCDecoder+Frames`).
    let kernel: DBCKernelPlan
    private let signalLocations: [(message: Int32, signal: Int32)]
    private let labelTables: [[Int128: String]]
    /// The number of signals of all messages.
    public let signalCount: Int
    /// The number of messages of all bindings.
    public var messageCount: Int { messages.count }

    /// Compiles several databases, each bound to its channels, into one decoder.
    ///
    /// - Parameter bindings: The databases in the order given (the order of
    ///   the lookup among databases that serve the same channel).
    /// - Precondition: `bindings` is not empty and every channel is in 0...``maximumChannel``.
    /// - Complexity: O(*n*) in the number of signals and messages, plus
    ///   O(*m* x *t*) for *m* extended messages of the *t* distinct lists of
    ///   databases that serve a channel.
    public init(bindings: [DBCBinding]) {
        precondition(!bindings.isEmpty, "a decoder needs a database")
        precondition(bindings.allSatisfy { $0.channels.allSatisfy { $0 >= 0 && $0 <= Self.maximumChannel } },
                     "channels must be in 0...\(Self.maximumChannel)")
        self.bindings = bindings
        var messages: [DBCMessage] = []
        var messageBindings: [Int32] = []
        var sources: [DBCMessageLookup.Source] = []
        for (index, binding) in bindings.enumerated() {
            sources.append(.init(messages: binding.database.messages, firstIndex: messages.count,
                                 isJ1939: binding.isJ1939, channels: binding.channels))
            messages += binding.database.messages
            messageBindings += repeatElement(Int32(index), count: binding.database.messages.count)
        }
        self.messages = messages
        self.messageBindings = messageBindings
        let total = messages.reduce(0) { $0 + $1.signals.count }
        signalCount = total
        signalPlans = .allocate(capacity: max(total, 1))
        var fast: [DBCFastSignal] = []
        var kernelFast: [canp_dbc_fast_signal] = []
        messagePlans = .allocate(capacity: max(messages.count, 1))
        var order: [Int32] = []
        var lows: [UInt64] = [], highs: [UInt64] = []
        var locations: [(message: Int32, signal: Int32)] = []
        var labels: [[Int128: String]] = []
        locations.reserveCapacity(total)
        labels.reserveCapacity(total)

        var global = 0
        for (m, message) in messages.enumerated() {
            let start = global
            var plans = message.signals.enumerated().map { (k, signal) in
                DBCSignalPlan(signal: signal, messageLength: message.length, globalIndex: UInt32(start + k))
            }
            let orderStart = order.count
            Self.compileMultiplexing(message.signals, into: &plans, order: &order, lows: &lows, highs: &highs)
            let fastStart = fast.count
            for (k, plan) in plans.enumerated() {
                (signalPlans + start + k).initialize(to: plan)
                fast.append(DBCFastSignal(plan))
                kernelFast.append(DBCKernelPlan.fastSignal(plan))
            }
            while (fast.count - fastStart) % Self.fastGroup != 0 {
                fast.append(fast[fast.count - 1])
                kernelFast.append(kernelFast[kernelFast.count - 1])
            }
            messagePlans[m] = DBCMessagePlan(signalStart: Int32(start), signalCount: Int32(plans.count),
                                             length: Int32(min(message.length, 64)),
                                             multiplexerOrderStart: Int32(orderStart),
                                             multiplexerCount: Int32(order.count - orderStart),
                                             fastStart: Int32(fastStart), fastPadded: Int32(fast.count - fastStart))
            if order.count == orderStart && !plans.isEmpty
                && plans.allSatisfy({ $0.isFastInteger && $0.requiredBytes != DBCSignalPlan.never }) {
                messagePlans[m].fastRequired = plans.map(\.requiredBytes).max()!
            }
            for (k, signal) in message.signals.enumerated() {
                locations.append((Int32(m), Int32(k)))
                var table: [Int128: String] = [:]
                for entry in signal.valueDescriptions { table[entry.value] = entry.text }
                labels.append(table)
            }
            global += message.signals.count
        }
        fastSignalCount = fast.count
        fastSignals = .allocate(capacity: max(fast.count, 1))
        fastSignals.initialize(from: fast, count: fast.count)
        multiplexerOrder = .allocate(capacity: max(order.count, 1))
        multiplexerOrder.initialize(from: order, count: order.count)
        rangeLows = .allocate(capacity: max(lows.count, 1))
        rangeLows.initialize(from: lows, count: lows.count)
        rangeHighs = .allocate(capacity: max(highs.count, 1))
        rangeHighs.initialize(from: highs, count: highs.count)
        signalLocations = locations
        labelTables = labels
        lookup = DBCMessageLookup(sources: sources)
        kernel = DBCKernelPlan(signalPlans: UnsafeBufferPointer(start: signalPlans, count: total), fastSignals: kernelFast,
                               messagePlans: UnsafeBufferPointer(start: messagePlans, count: messages.count),
                               multiplexerOrder: multiplexerOrder, rangeLows: rangeLows, rangeHighs: rangeHighs,
                               lookup: lookup)
    }

    deinit {
        signalPlans.deinitialize(count: signalCount)
        signalPlans.deallocate()
        fastSignals.deinitialize(count: fastSignalCount)
        fastSignals.deallocate()
        messagePlans.deallocate()
        multiplexerOrder.deallocate()
        rangeLows.deallocate()
        rangeHighs.deallocate()
        lookup.deallocate()
    }

    static let signBit: UInt64 = 1 << 63

    /// A multiplexer value range as selector keys, or `nil` when no raw value
    /// of the multiplexer lies in it. A selector key is a multiplexer's raw
    /// value mapped to `UInt64` preserving order, so that one unsigned
    /// comparison serves every multiplexer: an unsigned raw value as it is
    /// (0...2^64-1), a signed one (and a float's, truncated) with its sign
    /// bit flipped (-2^63...2^63-1).
    static func selectorKeys(_ range: ClosedRange<Int128>, multiplexer kind: DBCSignalPlan.Kind) -> ClosedRange<UInt64>? {
        let (low, high): (Int128, Int128) = kind == .unsigned ? (0, Int128(UInt64.max)) : (Int128(Int64.min), Int128(Int64.max))
        guard range.upperBound >= low, range.lowerBound <= high else { return nil }
        let clamped = max(range.lowerBound, low)...min(range.upperBound, high)
        if kind == .unsigned { return UInt64(clamped.lowerBound)...UInt64(clamped.upperBound) }
        return (UInt64(bitPattern: Int64(clamped.lowerBound)) ^ signBit)...(UInt64(bitPattern: Int64(clamped.upperBound)) ^ signBit)
    }

    /// Gives a message's plans their multiplexer slots, parents and selector
    /// ranges (appended to `lows` and `highs`), appends its multiplexers to
    /// `order` (each after its own) and marks the signals that are never
    /// present as never decodable.
    private static func compileMultiplexing(_ signals: [DBCSignal], into plans: inout [DBCSignalPlan],
                                            order: inout [Int32], lows: inout [UInt64], highs: inout [UInt64]) {
        let muxOrder = multiplexerOrder(signals)
        for (slot, local) in muxOrder.enumerated() where slot < DBCSignalBatch.maximumMultiplexers {
            plans[local].multiplexerSlot = Int16(slot)
            order.append(Int32(local))
        }
        for (k, signal) in signals.enumerated() {
            guard let parentName = signal.multiplexerSignalName else { continue }
            let parent = signals.firstIndex { $0.name == parentName && $0.isMultiplexer }
            guard let parent, plans[parent].multiplexerSlot >= 0, let values = signal.multiplexerValues else {
                plans[k].parentSlot = -2
                continue
            }
            plans[k].parentSlot = plans[parent].multiplexerSlot
            plans[k].rangeStart = Int32(lows.count)
            for range in values {
                guard let keys = selectorKeys(range, multiplexer: plans[parent].kind) else { continue }
                lows.append(keys.lowerBound)
                highs.append(keys.upperBound)
            }
            plans[k].rangeCount = Int32(lows.count) - plans[k].rangeStart
        }
        // A multiplexer that depends on itself through a cycle is never present.
        for slot in muxOrder.indices.reversed() where slot < DBCSignalBatch.maximumMultiplexers {
            let local = muxOrder[slot]
            if plans[local].parentSlot >= Int16(slot) { plans[local].parentSlot = -2 }
        }
        // A signal that is never present is never decodable: the loop without
        // multiplexers then needs no check of its own.
        for k in plans.indices where plans[k].parentSlot == -2 { plans[k].requiredBytes = DBCSignalPlan.never }
    }

    /// The multiplexers of a message, each after the multiplexer it depends on
    /// (cycles are broken arbitrarily and detected by the caller).
    private static func multiplexerOrder(_ signals: [DBCSignal]) -> [Int] {
        let multiplexers = signals.indices.filter { signals[$0].isMultiplexer }
        var placed = Set<Int>()
        var order: [Int] = []
        var remaining = multiplexers
        while !remaining.isEmpty {
            let before = remaining.count
            remaining.removeAll { index in
                let parentName = signals[index].multiplexerSignalName
                let parent = parentName.flatMap { name in signals.firstIndex { $0.name == name && $0.isMultiplexer } }
                if parent == nil || placed.contains(parent!) {
                    placed.insert(index)
                    order.append(index)
                    return true
                }
                return false
            }
            if remaining.count == before {   // a cycle: append the rest; their parent slots come later
                order += remaining
                remaining = []
            }
        }
        return order
    }

    // MARK: - Lookup

    /// The index of the message that frames with this identifier decode as,
    /// on a channel that no database is bound to.
    ///
    /// - Parameters:
    ///   - id: The 11-bit or 29-bit identifier without flag bits.
    ///   - isExtended: Whether the frame has the EFF flag.
    /// - Returns: A global message index (into ``messages``; into
    ///   `database.messages` for a decoder of one database), or `nil` when no
    ///   database has such a message.
    /// - Complexity: O(1).
    @inline(__always)
    public func messageIndex(id: UInt32, isExtended: Bool) -> Int? {
        let index = lookup.lookup(id: id, isExtended: isExtended, table: 0)
        return index < 0 ? nil : index
    }

    /// The index of the message that a frame on a channel decodes as: looked
    /// up in the databases that serve the channel (`spec/DECODING.md`).
    ///
    /// - Parameters:
    ///   - id: The 11-bit or 29-bit identifier without flag bits.
    ///   - isExtended: Whether the frame has the EFF flag.
    ///   - channel: The frame's channel (the `channel` column of the exports).
    /// - Returns: A global message index (into ``messages``), or `nil` when no
    ///   database that serves the channel has a matching message.
    /// - Complexity: O(1): one table load for the channel, then one array
    ///   load (11-bit) or one hash probe (29-bit; a second one for a frame of
    ///   a J1939 bus that no message names by its whole identifier).
    @inline(__always)
    public func messageIndex(id: UInt32, isExtended: Bool, channel: Int32) -> Int? {
        let index = lookup.lookup(id: id, isExtended: isExtended, table: lookup.table(channel: channel))
        return index < 0 ? nil : index
    }

    /// The message at a global message index.
    ///
    /// - Parameter index: A global message index.
    public func message(at index: Int) -> DBCMessage { messages[index] }

    /// The binding whose database holds a global message index.
    ///
    /// - Parameter index: A global message index.
    /// - Returns: An index into ``bindings``.
    public func bindingIndex(ofMessageAt index: Int) -> Int { Int(messageBindings[index]) }

    /// The global signal indices of a message's signals, in `SG_` order.
    ///
    /// - Parameter messageIndex: A global message index.
    public func signalRange(ofMessageAt messageIndex: Int) -> Range<Int> {
        let plan = messagePlans[messageIndex]
        return Int(plan.signalStart)..<Int(plan.signalStart + plan.signalCount)
    }

    /// The signal with a global index (a ``DBCSignalBatch`` row's signal index).
    ///
    /// - Parameter index: A global signal index.
    public func signal(at index: Int) -> DBCSignal {
        let location = signalLocations[index]
        return messages[Int(location.message)].signals[Int(location.signal)]
    }

    /// The message of a global signal index.
    ///
    /// - Parameter index: A global signal index.
    public func message(ofSignalAt index: Int) -> DBCMessage {
        messages[Int(signalLocations[index].message)]
    }

    /// The `VAL_` text of a raw value of a signal.
    ///
    /// - Parameters:
    ///   - signalIndex: A global signal index.
    ///   - raw: The raw value; a float without fraction matches an integer entry.
    /// - Returns: The text, or `nil`.
    /// - Complexity: O(1) on average.
    public func label(signalIndex: Int, raw: DBCRawValue) -> String? {
        let table = labelTables[signalIndex]
        guard !table.isEmpty, let key = raw.tableKey else { return nil }
        return table[key]
    }

    // MARK: - Decoding

    /// Decodes one frame and appends its signals to a batch, as a frame on a
    /// channel that no database is bound to.
    ///
    /// - Parameters:
    ///   - id: The 11-bit or 29-bit identifier without flag bits.
    ///   - isExtended: Whether the frame has the EFF flag.
    ///   - bytes: The payload (0 to 64 bytes).
    ///   - frameIndex: A tag stored with each row (for example the frame's index in its block).
    ///   - batch: The batch the rows are appended to.
    /// - Returns: The number of rows appended (0 when the DBC has no such message).
    /// - Complexity: O(*s*) in the number of signals of the message; no allocation
    ///   unless the batch has to grow.
    @inline(__always)
    @discardableResult
    public func decode(id: UInt32, isExtended: Bool, bytes: UnsafeRawBufferPointer, frameIndex: UInt32,
                       into batch: inout DBCSignalBatch) -> Int {
        let index = lookup.lookup(id: id, isExtended: isExtended, table: 0)
        if index < 0 { return 0 }
        return decode(messageAt: index, bytes: bytes, frameIndex: frameIndex, into: &batch)
    }

    /// Decodes one frame of a channel and appends its signals to a batch.
    ///
    /// - Parameters:
    ///   - id: The 11-bit or 29-bit identifier without flag bits.
    ///   - isExtended: Whether the frame has the EFF flag.
    ///   - channel: The frame's channel (selects the databases, see ``DBCBinding``).
    ///   - bytes: The payload (0 to 64 bytes).
    ///   - frameIndex: A tag stored with each row.
    ///   - batch: The batch the rows are appended to.
    /// - Returns: The number of rows appended (0 when no database that serves the channel has such a message).
    /// - Complexity: O(*s*) in the number of signals of the message.
    @inline(__always)
    @discardableResult
    public func decode(id: UInt32, isExtended: Bool, channel: Int32, bytes: UnsafeRawBufferPointer, frameIndex: UInt32,
                       into batch: inout DBCSignalBatch) -> Int {
        let index = lookup.lookup(id: id, isExtended: isExtended, table: lookup.table(channel: channel))
        if index < 0 { return 0 }
        return decode(messageAt: index, bytes: bytes, frameIndex: frameIndex, into: &batch)
    }

    /// Decodes one frame held in a `RawSpan` and appends its signals to a batch,
    /// as a frame on a channel that no database is bound to.
    ///
    /// - Parameters:
    ///   - id: The 11-bit or 29-bit identifier without flag bits.
    ///   - isExtended: Whether the frame has the EFF flag.
    ///   - span: The payload (0 to 64 bytes).
    ///   - frameIndex: A tag stored with each row.
    ///   - batch: The batch the rows are appended to.
    /// - Returns: The number of rows appended.
    /// - Complexity: O(*s*) in the number of signals of the message.
    @discardableResult
    public func decode(id: UInt32, isExtended: Bool, span: RawSpan, frameIndex: UInt32,
                       into batch: inout DBCSignalBatch) -> Int {
        span.withUnsafeBytes { bytes in
            decode(id: id, isExtended: isExtended, bytes: bytes, frameIndex: frameIndex, into: &batch)
        }
    }

    /// Decodes one frame of a known message and appends its signals to a batch.
    ///
    /// - Parameters:
    ///   - messageIndex: From ``messageIndex(id:isExtended:)``.
    ///   - bytes: The payload (0 to 64 bytes; bytes after the DBC length are ignored).
    ///   - frameIndex: A tag stored with each row.
    ///   - batch: The batch the rows are appended to.
    /// - Returns: The number of rows appended.
    /// - Complexity: O(*s*) in the number of signals of the message.
    public func decode(messageAt messageIndex: Int, bytes: UnsafeRawBufferPointer, frameIndex: UInt32,
                       into batch: inout DBCSignalBatch) -> Int {
        precondition(messageIndex >= 0 && messageIndex < messages.count, "message index out of range")
        let plan = messagePlans[messageIndex]
        let available = Int32(min(bytes.count, Int(plan.length)))
        let payload = batch.payloadScratch
        if available >= 8 && available <= 16 {
            // The usual classic and short FD payloads: two unaligned words
            // (overlapping when shorter than 16) instead of a memcpy call.
            let source = bytes.baseAddress!
            payload.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            payload.storeBytes(of: source.loadUnaligned(fromByteOffset: Int(available) - 8, as: UInt64.self),
                               toByteOffset: Int(available) - 8, as: UInt64.self)
        } else if available > 0 {
            payload.copyMemory(from: bytes.baseAddress!, byteCount: Int(available))
        }
        return decode(plan: plan, payload: UnsafeRawPointer(payload), available: available,
                      frameIndex: frameIndex, into: &batch)
    }

    /// The bytes that must be readable after a payload given to
    /// ``decode(messageAt:paddedPayload:count:frameIndex:into:)``: a signal's
    /// bits are read with one 8-byte load plus a 9th byte, which may run up
    /// to 8 bytes past the payload's last byte (those bits are discarded).
    public static let payloadPadding = 16

    /// Decodes one frame of a known message straight from its bytes, without
    /// copying them: for payloads inside a buffer that has at least
    /// ``payloadPadding`` readable bytes after them (the pipeline's inflate
    /// buffers are allocated with that slack).
    ///
    /// - Parameters:
    ///   - messageIndex: From ``messageIndex(id:isExtended:)`` (not checked).
    ///   - paddedPayload: The payload's first byte.
    ///   - count: The payload's length (0 to 64).
    ///   - frameIndex: A tag stored with each row.
    ///   - batch: The batch the rows are appended to.
    /// - Returns: The number of rows appended.
    @inline(__always)
    func decode(messageAt messageIndex: Int, paddedPayload: UnsafeRawPointer, count: Int, frameIndex: UInt32,
                into batch: inout DBCSignalBatch) -> Int {
        let plan = messagePlans[messageIndex]
        let available = Int32(min(count, Int(plan.length)))
        return decode(plan: plan, payload: paddedPayload, available: available, frameIndex: frameIndex, into: &batch)
    }

    /// The per-signal loop over a payload with at least 16 readable bytes
    /// after `available`.
    @inline(__always)
    private func decode(plan: DBCMessagePlan, payload: UnsafeRawPointer, available: Int32, frameIndex: UInt32,
                        into batch: inout DBCSignalBatch) -> Int {
        if available >= plan.fastRequired {
            // Every signal is a fast integer and every one is present.
            let fast = fastSignals + Int(plan.fastStart)
            let padded = Int(plan.fastPadded)
            batch.reserve(additional: padded)
            let rows = SignalRows(batch, frameIndex: frameIndex)
            let first = batch.count
            var k = 0
            repeat {
                rows.put(first &+ k, fast + k, payload)
                rows.put(first &+ k &+ 1, fast + (k &+ 1), payload)
                rows.put(first &+ k &+ 2, fast + (k &+ 2), payload)
                rows.put(first &+ k &+ 3, fast + (k &+ 3), payload)
                k &+= Self.fastGroup
            } while k < padded
            batch.count = first &+ Int(plan.signalCount)
            return Int(plan.signalCount)
        }
        if plan.multiplexerCount > 0 {
            return decodeMultiplexed(plan: plan, payload: payload, available: available, frameIndex: frameIndex,
                                     into: &batch)
        }
        batch.reserve(additional: Int(plan.signalCount))
        let rows = SignalRows(batch, frameIndex: frameIndex)
        let plans = signalPlans + Int(plan.signalStart)
        let fast = fastSignals + Int(plan.fastStart)
        let first = batch.count
        var row = first
        for k in 0..<Int(plan.signalCount) where plans[k].requiredBytes <= available {
            decodeOne(plans + k, fast + k, payload, into: rows, row: row)
            row += 1
        }
        batch.count = row
        return row - first
    }

    /// Decodes one present signal into a row: the compact form for fast
    /// integers, the full plan for the rest.
    @inline(__always)
    private func decodeOne(_ signal: UnsafeMutablePointer<DBCSignalPlan>, _ fast: UnsafeMutablePointer<DBCFastSignal>,
                           _ payload: UnsafeRawPointer, into rows: SignalRows, row: Int) {
        if signal.pointee.isFastInteger {
            rows.put(row, fast, payload)
        } else {
            let decoded = signal.pointee.decode(payload)
            rows.put(row, signal: signal.pointee.globalIndex, bits: decoded.bits, kind: decoded.kind, value: decoded.value)
        }
    }

    /// The multiplexed-message path, kept out of line so that the common
    /// path above stays small (few registers spilled per frame).
    @inline(never)
    private func decodeMultiplexed(plan: DBCMessagePlan, payload: UnsafeRawPointer, available: Int32,
                                   frameIndex: UInt32, into batch: inout DBCSignalBatch) -> Int {
        batch.reserve(additional: Int(plan.signalCount))
        let rows = SignalRows(batch, frameIndex: frameIndex)
        let plans = signalPlans + Int(plan.signalStart)
        let fast = fastSignals + Int(plan.fastStart)
        var row = batch.count
        let first = row

        // Multiplexers first, each after its own multiplexer.
        let flags = batch.multiplexerFlags, selectors = batch.multiplexerSelector
        let muxRaws = batch.multiplexerRawBits, muxValues = batch.multiplexerValue
        let order = multiplexerOrder + Int(plan.multiplexerOrderStart)
        for slot in 0..<Int(plan.multiplexerCount) {
            let signal = plans + Int(order[slot])
            guard isPresent(signal.pointee, available: available, flags: flags, selectors: selectors) else {
                flags[slot] = 0
                continue
            }
            let decoded = signal.pointee.decode(payload)
            muxRaws[slot] = decoded.bits
            muxValues[slot] = decoded.value
            var selects: UInt8 = 2
            switch decoded.kind {
            case .unsigned:
                selectors[slot] = decoded.bits
            case .signed:
                selectors[slot] = decoded.bits ^ Self.signBit
            case .float:
                let f = Double(bitPattern: decoded.bits)
                if let v = Int64(exactly: f.rounded(.towardZero)) {
                    selectors[slot] = UInt64(bitPattern: v) ^ Self.signBit
                } else {
                    selects = 0
                }
            }
            flags[slot] = 1 | selects
        }
        for k in 0..<Int(plan.signalCount) {
            let signal = plans + k
            let slot = Int(signal.pointee.multiplexerSlot)
            if slot >= 0 {
                if flags[slot] & 1 == 0 { continue }
                rows.put(row, signal: signal.pointee.globalIndex, bits: muxRaws[slot], kind: signal.pointee.kind.rawKind,
                         value: muxValues[slot])
                row += 1
                continue
            }
            guard isPresent(signal.pointee, available: available, flags: flags, selectors: selectors) else { continue }
            decodeOne(signal, fast + k, payload, into: rows, row: row)
            row += 1
        }
        batch.count = row
        return row - first
    }

    /// Whether a signal of a multiplexed message is present in this frame.
    @inline(__always)
    private func isPresent(_ signal: DBCSignalPlan, available: Int32, flags: UnsafeMutablePointer<UInt8>,
                           selectors: UnsafeMutablePointer<UInt64>) -> Bool {
        if signal.requiredBytes > available { return false }
        let parent = Int(signal.parentSlot)
        if parent == -1 { return true }
        if parent < 0 || flags[parent] & 2 == 0 { return false }
        let selector = selectors[parent]
        for r in Int(signal.rangeStart)..<Int(signal.rangeStart + signal.rangeCount)
        where selector >= rangeLows[r] && selector <= rangeHighs[r] {
            return true
        }
        return false
    }

    /// One decoded signal, for tests and tools (the batch API is for throughput).
    public struct DecodedSignal: Sendable, Hashable {
        /// The signal name.
        public var name: String
        /// The raw value (exact integer, or the float value).
        public var raw: DBCRawValue
        /// The physical value.
        public var value: Double
        /// The `VAL_` text of the raw value, if any.
        public var label: String?
    }

    /// Decodes one frame into named values.
    ///
    /// - Parameters:
    ///   - id: The 11-bit or 29-bit identifier without flag bits.
    ///   - isExtended: Whether the frame has the EFF flag.
    ///   - bytes: The payload.
    ///   - channel: The frame's channel; `nil` for a channel no database is bound to.
    /// - Returns: The signals in `SG_` order (empty for an unknown identifier).
    /// - Complexity: Allocates; use ``decode(id:isExtended:channel:bytes:frameIndex:into:)`` in loops.
    public func decode(id: UInt32, isExtended: Bool, channel: Int32? = nil, bytes: [UInt8]) -> [DecodedSignal] {
        var batch = DBCSignalBatch(capacity: 64)
        let table = channel.map { lookup.table(channel: $0) } ?? 0
        let index = lookup.lookup(id: id, isExtended: isExtended, table: table)
        if index >= 0 {
            bytes.withUnsafeBytes { _ = decode(messageAt: index, bytes: $0, frameIndex: 0, into: &batch) }
        }
        return (0..<batch.count).map { row in
            let index = batch.signalIndex(at: row)
            let raw = batch.rawValue(at: row)
            return DecodedSignal(name: signal(at: index).name, raw: raw, value: batch.value(at: row),
                                 label: label(signalIndex: index, raw: raw))
        }
    }
}

extension DBCSignalPlan.Kind {
    var rawKind: DBCRawKind {
        switch self {
        case .unsigned: return .unsigned
        case .signed: return .signed
        case .float16, .float32, .float64: return .float
        }
    }
}

/// The five columns of a ``DBCSignalBatch``, written row by row by the
/// decode loops (which reserve the rows first).
private struct SignalRows {
    let frames: UnsafeMutablePointer<UInt32>
    let signals: UnsafeMutablePointer<UInt32>
    let raws: UnsafeMutablePointer<UInt64>
    let kinds: UnsafeMutablePointer<DBCRawKind>
    let values: UnsafeMutablePointer<Double>
    let frameIndex: UInt32

    @inline(__always)
    init(_ batch: borrowing DBCSignalBatch, frameIndex: UInt32) {
        frames = batch.frameIndexColumn
        signals = batch.signalIndexColumn
        raws = batch.rawBitsColumn
        kinds = batch.kindColumn
        values = batch.valueColumn
        self.frameIndex = frameIndex
    }

    @inline(__always)
    func put(_ row: Int, signal: UInt32, bits: UInt64, kind: DBCRawKind, value: Double) {
        frames[row] = frameIndex
        signals[row] = signal
        raws[row] = bits
        kinds[row] = kind
        values[row] = value
    }

    /// Decodes a fast integer signal into a row.
    @inline(__always)
    func put(_ row: Int, _ fast: UnsafeMutablePointer<DBCFastSignal>, _ payload: UnsafeRawPointer) {
        let raw = fast.pointee.raw(payload)
        put(row, signal: fast.pointee.globalIndex, bits: UInt64(bitPattern: raw), kind: fast.pointee.kind,
            value: Double(raw) * fast.pointee.scale + fast.pointee.offset)
    }
}
