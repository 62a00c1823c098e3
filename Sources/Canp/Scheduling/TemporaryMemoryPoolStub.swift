// TEMPORARY: stands in for the lead's Memory/ pool until it lands on main,
// with the API announced in the brief. Deleted after `git rebase main`.
import Synchronization

public struct MemoryPoolConfig: Sendable {
    public static let `default` = MemoryPoolConfig()
    public var maxTotalMemory: Int = 1 << 30
}

public enum MemoryPoolError: Error, Sendable { case limitExceeded }

public struct MemoryPoolStatistics: Sendable {
    public var currentMemory: Int
    public var totalAllocations: Int
    public var totalDeallocations: Int
}

final class StubCounters: Sendable {
    let current = Atomic<Int>(0)
    let allocations = Atomic<Int>(0)
    let deallocations = Atomic<Int>(0)
}

public final class UnifiedMemoryPool: Sendable {
    let counters = StubCounters()
    public init(config: MemoryPoolConfig = .default) throws(MemoryPoolError) {}
    public func allocateBlock(capacity: Int) throws(MemoryPoolError) -> MemoryBlock { make(capacity) }
    func make(_ capacity: Int) -> MemoryBlock {
        counters.current.add(capacity, ordering: .relaxed)
        counters.allocations.add(1, ordering: .relaxed)
        return MemoryBlock(capacity: capacity, counters: counters)
    }
    public func allocateBlock(capacity: Int) async throws(MemoryPoolError) -> MemoryBlock {
        make(capacity)
    }
    public func release(_ block: consuming MemoryBlock) { _ = consume block }
    public var statistics: MemoryPoolStatistics {
        MemoryPoolStatistics(
            currentMemory: counters.current.load(ordering: .relaxed),
            totalAllocations: counters.allocations.load(ordering: .relaxed),
            totalDeallocations: counters.deallocations.load(ordering: .relaxed))
    }
}

public struct MemoryBlock: ~Copyable, @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    public let capacity: Int
    public private(set) var count: Int = 0
    let counters: StubCounters
    init(capacity: Int, counters: StubCounters) {
        self.base = UnsafeMutableRawPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        self.capacity = capacity
        self.counters = counters
    }
    deinit {
        base.deallocate()
        counters.current.subtract(capacity, ordering: .relaxed)
        counters.deallocations.add(1, ordering: .relaxed)
    }
    public var isEmpty: Bool { count == 0 }
    public func withUnsafeBytes<R, E>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }
    public mutating func withUnsafeMutableBytes<R, E>(_ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }
    public mutating func withUnsafeUninitializedCapacity<R, E>(_ body: (UnsafeMutableRawBufferPointer, inout Int) throws(E) -> R) throws(E) -> R {
        var n = count
        defer { count = n }
        return try body(UnsafeMutableRawBufferPointer(start: base, count: capacity), &n)
    }
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(count + bytes.count <= capacity)
        (base + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }
}
