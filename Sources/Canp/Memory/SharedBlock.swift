/// An immutable pool block shared between tasks without copying: the
/// counterpart of Rust's `Arc<Vec<u8>>`.
///
/// Made by ``MemoryBlock/freeze()``. Its memory returns to the pool when the
/// last reference (the block or any of its slices) goes away.
public final class SharedBlock: Sendable {
    private let block: MemoryBlock

    init(block: consuming MemoryBlock) {
        self.block = block
    }

    /// Bytes in the block.
    public var count: Int { block.count }

    /// When the pool handed out the block that was frozen into this one
    /// (``MemoryBlock/createdAt``).
    public var createdAt: PoolInstant { block.createdAt }

    /// Calls `body` with the bytes, without copying.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try block.withUnsafeBytes(body)
    }

    /// A zero-copy slice of the bytes in `range`.
    ///
    /// - Precondition: `range` lies within `0..<count`.
    public func slice(_ range: Range<Int>) -> SharedSlice {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice \(range) outside 0..<\(count)")
        return SharedSlice(owner: self, range: range)
    }

    /// A copy of the bytes (for tests and small payloads).
    public func toArray() -> [UInt8] { withUnsafeBytes { Array($0) } }
}

/// A zero-copy range of a ``SharedBlock``, which it keeps alive.
public struct SharedSlice: Sendable {
    /// The block the bytes belong to.
    public let owner: SharedBlock
    /// The range of the bytes within the block.
    public let range: Range<Int>

    /// Bytes in the slice.
    public var count: Int { range.count }

    /// Calls `body` with the slice's bytes, without copying.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try owner.withUnsafeBytes { (bytes) throws(E) -> R in
            try body(UnsafeRawBufferPointer(rebasing: bytes[range]))
        }
    }

    /// A zero-copy sub-slice; `range` is relative to this slice.
    public func slice(_ range: Range<Int>) -> SharedSlice {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "slice \(range) outside 0..<\(count)")
        return SharedSlice(owner: owner, range: (self.range.lowerBound + range.lowerBound)..<(self.range.lowerBound + range.upperBound))
    }

    /// A copy of the bytes.
    public func toArray() -> [UInt8] { withUnsafeBytes { Array($0) } }
}
