import CCanpCore

/// A reusable columnar batch of decoded signals: one row per decoded signal,
/// in the order ``DBCDecoder`` appends them (frame order, then `SG_` order).
///
/// The columns are the caller's frame index (a tag that joins a row to its
/// frame), the decoder's global signal index (name, message, unit and labels
/// come from ``DBCDecoder``), the raw bits with their kind, and the physical
/// value. Appending needs no allocation once the capacity is reached, and
/// ``removeAll()`` keeps it, so a worker thread decodes batch after batch with
/// one batch value.
///
/// The batch owns its memory (noncopyable, freed in `deinit`); it can be moved
/// to another thread but not shared.
public struct DBCSignalBatch: ~Copyable {
    @usableFromInline var frameIndexColumn: UnsafeMutablePointer<UInt32>
    @usableFromInline var signalIndexColumn: UnsafeMutablePointer<UInt32>
    @usableFromInline var rawBitsColumn: UnsafeMutablePointer<UInt64>
    @usableFromInline var kindColumn: UnsafeMutablePointer<DBCRawKind>
    @usableFromInline var valueColumn: UnsafeMutablePointer<Double>
    /// The number of rows.
    public internal(set) var count: Int = 0
    /// The number of rows the batch holds without growing.
    public private(set) var capacity: Int

    /// 80 bytes into which a frame's payload is copied, so that every signal is
    /// read with unaligned 8-byte loads and never past the end of memory.
    let payloadScratch: UnsafeMutableRawPointer
    /// Per multiplexer of the message being decoded: bit 0 = present, bit 1 = selects.
    let multiplexerFlags: UnsafeMutablePointer<UInt8>
    /// Per multiplexer: its raw value as the selector, its raw bits and its value.
    let multiplexerSelector: UnsafeMutablePointer<UInt64>
    let multiplexerRawBits: UnsafeMutablePointer<UInt64>
    let multiplexerValue: UnsafeMutablePointer<Double>

    static let scratchSize = 80
    static let maximumMultiplexers = 256

    /// Creates an empty batch.
    ///
    /// - Parameter capacity: The initial number of rows (it grows by doubling when needed).
    public init(capacity: Int = 4096) {
        let capacity = max(capacity, 16)
        self.capacity = capacity
        frameIndexColumn = .allocate(capacity: capacity)
        signalIndexColumn = .allocate(capacity: capacity)
        rawBitsColumn = .allocate(capacity: capacity)
        kindColumn = .allocate(capacity: capacity)
        valueColumn = .allocate(capacity: capacity)
        payloadScratch = .allocate(byteCount: Self.scratchSize, alignment: 16)
        payloadScratch.initializeMemory(as: UInt8.self, repeating: 0, count: Self.scratchSize)
        multiplexerFlags = .allocate(capacity: Self.maximumMultiplexers)
        multiplexerSelector = .allocate(capacity: Self.maximumMultiplexers)
        multiplexerRawBits = .allocate(capacity: Self.maximumMultiplexers)
        multiplexerValue = .allocate(capacity: Self.maximumMultiplexers)
    }

    deinit {
        frameIndexColumn.deallocate()
        signalIndexColumn.deallocate()
        rawBitsColumn.deallocate()
        kindColumn.deallocate()
        valueColumn.deallocate()
        payloadScratch.deallocate()
        multiplexerFlags.deallocate()
        multiplexerSelector.deallocate()
        multiplexerRawBits.deallocate()
        multiplexerValue.deallocate()
    }

    /// Whether the batch has no rows.
    public var isEmpty: Bool { count == 0 }

    /// Removes all rows and keeps the capacity.
    public mutating func removeAll() { count = 0 }

    /// Makes room for `additional` more rows.
    ///
    /// - Complexity: O(1), or O(*n*) when the batch has to grow.
    @inline(__always)
    mutating func reserve(additional: Int) {
        if count + additional > capacity { grow(to: max(capacity * 2, count + additional)) }
    }

    private mutating func grow(to newCapacity: Int) {
        func move<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
            let new = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
            new.moveInitialize(from: old, count: count)
            old.deallocate()
            return new
        }
        frameIndexColumn = move(frameIndexColumn)
        signalIndexColumn = move(signalIndexColumn)
        rawBitsColumn = move(rawBitsColumn)
        kindColumn = move(kindColumn)
        valueColumn = move(valueColumn)
        capacity = newCapacity
    }

    /// The columns and multiplexer scratch as the C decode kernel writes them
    /// (`canp_dbc_rows`); valid until the batch grows.
    func kernelRows() -> canp_dbc_rows {
        canp_dbc_rows(frame_indices: frameIndexColumn, signal_indices: signalIndexColumn, raw_bits: rawBitsColumn,
                      kinds: UnsafeMutableRawPointer(kindColumn).assumingMemoryBound(to: UInt8.self),
                      values: valueColumn, count: count, capacity: capacity, multiplexer_flags: multiplexerFlags,
                      multiplexer_selectors: multiplexerSelector, multiplexer_raw_bits: multiplexerRawBits,
                      multiplexer_values: multiplexerValue)
    }

    /// The frame index given to ``DBCDecoder/decode(id:isExtended:bytes:frameIndex:into:)`` for a row.
    public func frameIndex(at row: Int) -> UInt32 {
        precondition(row >= 0 && row < count, "row out of range")
        return frameIndexColumn[row]
    }

    /// The decoder's global signal index of a row (see ``DBCDecoder/signal(at:)``).
    public func signalIndex(at row: Int) -> Int {
        precondition(row >= 0 && row < count, "row out of range")
        return Int(signalIndexColumn[row])
    }

    /// The raw value of a row.
    public func rawValue(at row: Int) -> DBCRawValue {
        precondition(row >= 0 && row < count, "row out of range")
        return DBCRawValue(bits: rawBitsColumn[row], kind: kindColumn[row])
    }

    /// The physical value (`raw * scale + offset`) of a row.
    public func value(at row: Int) -> Double {
        precondition(row >= 0 && row < count, "row out of range")
        return valueColumn[row]
    }

    /// Calls `body` with the columns (each `count` long) for zero-copy consumers.
    ///
    /// - Parameter body: Receives frame indices, signal indices, raw bits, kinds
    ///   and values. The pointers are valid only during the call.
    /// - Returns: What `body` returns.
    public func withUnsafeColumns<R, E: Error>(
        _ body: (_ frameIndices: UnsafeBufferPointer<UInt32>, _ signalIndices: UnsafeBufferPointer<UInt32>,
                 _ rawBits: UnsafeBufferPointer<UInt64>, _ kinds: UnsafeBufferPointer<DBCRawKind>,
                 _ values: UnsafeBufferPointer<Double>) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeBufferPointer(start: frameIndexColumn, count: count),
                 UnsafeBufferPointer(start: signalIndexColumn, count: count),
                 UnsafeBufferPointer(start: rawBitsColumn, count: count),
                 UnsafeBufferPointer(start: kindColumn, count: count),
                 UnsafeBufferPointer(start: valueColumn, count: count))
    }
}

/// The batch owns its buffers exclusively and is noncopyable, so moving it to
/// another thread cannot create shared mutable state.
extension DBCSignalBatch: @unchecked Sendable {}
