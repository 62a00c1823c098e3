/// The bytes of one encoded piece (CSV rows, a Parquet page), in pool
/// memory under the pipeline's limit, or on the heap when the pool has no
/// room and the piece belongs to the oldest chunk in flight (which must be
/// able to progress; ``PieceOutput/makeBuffer(capacity:)`` decides).
///
/// A piece is filled by one encoder on one thread, then handed over whole:
/// nothing mutates it after ``PieceOutput/emit(_:bytes:)``.
public final class EncodedBytes: @unchecked Sendable {
    // @unchecked: written by one thread before it is handed over, read-only after.
    private var block: MemoryBlock?
    private let base: UnsafeMutableRawPointer
    /// The bytes it can hold.
    public let capacity: Int
    /// The bytes written.
    public private(set) var count = 0

    /// Wraps a pool block (its memory returns to the pool with this object).
    ///
    /// - Parameter block: the memory.
    public init(block: consuming MemoryBlock) {
        base = block.unsafeBaseAddress
        capacity = block.capacity
        self.block = consume block
    }

    /// Heap memory, outside the pool's accounting.
    ///
    /// - Parameter heapCapacity: the bytes to allocate.
    public init(heapCapacity: Int) {
        capacity = max(heapCapacity, 1)
        base = .allocate(byteCount: capacity, alignment: 16)
        block = nil
    }

    deinit {
        if block == nil { base.deallocate() }
    }

    /// Whether the bytes are pool memory (false: heap).
    public var isPoolMemory: Bool { block != nil }

    /// The bytes still free.
    public var remainingCapacity: Int { capacity - count }

    /// Appends bytes.
    ///
    /// - Parameter bytes: what to append; must fit ``remainingCapacity``.
    /// - Complexity: O(bytes).
    public func append(unsafeBytes bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count <= capacity - count, "EncodedBytes.append: more bytes than the capacity left")
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Lets `body` write into the free capacity and record how many bytes it wrote.
    ///
    /// - Parameter body: gets the free bytes and returns how many it wrote.
    public func appendUnsafeUninitialized(_ body: (UnsafeMutableRawBufferPointer) -> Int) {
        let written = body(UnsafeMutableRawBufferPointer(start: base + count, count: capacity - count))
        precondition(written >= 0 && written <= capacity - count, "EncodedBytes: wrote more than the capacity left")
        count += written
    }

    /// Calls `body` with the bytes written.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
}
