import CCanpCore
import CCanpInternal

/// A block of pool memory with a single owner.
///
/// `MemoryBlock` is noncopyable: it cannot be duplicated by accident, and it
/// returns its memory to its tier when it goes out of scope (`deinit`), or
/// explicitly with ``UnifiedMemoryPool/release(_:)``. Its first ``count``
/// bytes are initialized; ``capacity`` bytes are available. To share one
/// block between tasks without copying, ``freeze()`` it into a
/// ``SharedBlock``.
///
/// Wraps `canp_block_t`; freeing calls `canp_pool_free` (through
/// `_canp_pool_free_parts`, which takes the fields in registers).
public struct MemoryBlock: ~Copyable, @unchecked Sendable {
    // Trivially destroyed stored properties only, so that `discard self`
    // works; the pool is the C pool, which outlives its blocks (see
    // UnifiedMemoryPool.deinit).
    @usableFromInline let pool: OpaquePointer
    @usableFromInline let base: UnsafeMutableRawPointer
    /// Bytes available in the block (at least the requested capacity).
    public let capacity: Int
    @usableFromInline let tier: Int32
    /// When the pool handed the block out, on the pool's coarse clock (up to
    /// about 10 ms behind the real time; see ``PoolInstant``).
    /// `canp_block_t.created_ns`.
    public let createdAt: PoolInstant
    /// Bytes initialized, from the start of the block.
    @inlinable public var count: Int { initializedCount }
    /// The storage behind ``count``, visible to the inlinable appends so that
    /// they set it without a call.
    @usableFromInline var initializedCount: Int

    @inlinable
    init(pool: OpaquePointer, block: canp_block_t) {
        self.pool = pool
        self.base = block.data
        self.capacity = block.capacity
        self.tier = block.tier
        self.createdAt = PoolInstant(nanoseconds: block.created_ns)
        self.initializedCount = 0
    }

    deinit {
        _canp_pool_free_parts(pool, base, capacity, tier)
    }

    /// How long ago the pool handed the block out, to within the clock's
    /// resolution of about 10 ms.
    public var age: Duration { createdAt.duration(to: .now) }

    /// Whether no byte is initialized.
    public var isEmpty: Bool { count == 0 }

    /// Bytes that can still be appended.
    public var remainingCapacity: Int { capacity - count }

    /// Whether the block was served from the arena directly (above every tier).
    public var isOversize: Bool { tier == CANP_TIER_OVERSIZE }

    /// The start of the block, valid while the block lives. Prefer the
    /// closure accessors; this is for C calls that need a pointer and length.
    public var unsafeBaseAddress: UnsafeMutableRawPointer { base }

    /// Calls `body` with the initialized bytes, without copying.
    @inlinable
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Calls `body` with the initialized bytes, mutable, without copying.
    @inlinable
    public mutating func withUnsafeMutableBytes<R, E: Error>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    /// Calls `body` with the whole capacity and the count, which `body` sets
    /// to the number of bytes it initialized from the start.
    ///
    /// - Precondition: `body` leaves the count in `0...capacity`.
    public mutating func withUnsafeUninitializedCapacity<R, E: Error>(
        _ body: (UnsafeMutableRawBufferPointer, inout Int) throws(E) -> R
    ) throws(E) -> R {
        var newCount = count
        defer {
            precondition(newCount >= 0 && newCount <= capacity, "count \(newCount) outside 0...\(capacity)")
            initializedCount = newCount
        }
        return try body(UnsafeMutableRawBufferPointer(start: base, count: capacity), &newCount)
    }

    /// Appends bytes after the initialized ones.
    ///
    /// - Precondition: they fit (`bytes.count <= remainingCapacity`).
    /// - Complexity: O(n) in the appended bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= remainingCapacity, "appending \(bytes.count) bytes to a block with \(remainingCapacity) bytes left")
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        initializedCount += bytes.count
    }

    /// Appends the bytes of a sequence after the initialized ones.
    ///
    /// Inlinable, so that it is specialized for the caller's sequence type
    /// (unspecialized, each call looked up generic metadata: 90 ns a call).
    ///
    /// - Precondition: they fit.
    @inlinable
    public mutating func append<S: Sequence>(contentsOf bytes: S) where S.Element == UInt8 {
        var written = count
        for byte in bytes {
            precondition(written < capacity, "appending past the capacity of \(capacity) bytes")
            base.storeBytes(of: byte, toByteOffset: written, as: UInt8.self)
            written += 1
        }
        initializedCount = written
    }

    /// Forgets the initialized bytes (the memory stays with the block).
    public mutating func removeAll() { initializedCount = 0 }

    /// Freezes the block into an immutable, reference-counted shared block
    /// whose slices are zero-copy; the memory returns to the pool when the
    /// last reference goes.
    public consuming func freeze() -> SharedBlock {
        SharedBlock(block: self)
    }
}
