import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Canp

@Suite("MemoryBlock")
struct MemoryBlockTests {
    let pool: UnifiedMemoryPool

    init() throws {
        var config = MemoryPoolConfig()
        config.logsMemoryWarnings = false
        pool = try UnifiedMemoryPool(config: config)
    }

    @Test func appendAndReadWithoutCopying() throws {
        var block = try pool.allocateBlock(capacity: 16)
        let source: [UInt8] = [1, 2, 3, 4, 5]
        source.withUnsafeBytes { block.append($0) }
        block.append(contentsOf: [6, 7])
        #expect(block.count == 7)
        #expect(block.remainingCapacity == block.capacity - 7)
        let bytes = block.withUnsafeBytes { Array($0) }
        #expect(bytes == [1, 2, 3, 4, 5, 6, 7])
        let address = block.withUnsafeBytes { $0.baseAddress }
        #expect(address == UnsafeRawPointer(block.unsafeBaseAddress))
    }

    @Test func mutableAccessChangesTheBytesInPlace() throws {
        var block = try pool.allocateBlock(capacity: 4)
        block.append(contentsOf: [10, 20, 30])
        block.withUnsafeMutableBytes { $0[1] = 99 }
        #expect(block.withUnsafeBytes { Array($0) } == [10, 99, 30])
        block.removeAll()
        #expect(block.isEmpty == true)
    }

    @Test func uninitializedCapacityWritesAndSetsCount() throws {
        var block = try pool.allocateBlock(capacity: 1000)
        let written = block.withUnsafeUninitializedCapacity { buffer, count in
            #expect(buffer.count == 1024)
            for i in 0..<100 { buffer[i] = UInt8(i) }
            count = 100
            return 100
        }
        #expect(written == 100)
        #expect(block.count == 100)
        #expect(block.withUnsafeBytes { $0[99] } == 99)
    }

    @Test func frozenBlockSharesSlicesAndReturnsMemoryAtLastRelease() throws {
        var block = try pool.allocateBlock(capacity: 10)
        block.append(contentsOf: Array(0..<10 as Range<UInt8>))
        var shared: SharedBlock? = block.freeze()
        let slice = shared!.slice(2..<8)
        let inner = slice.slice(1..<3)
        #expect(slice.toArray() == [2, 3, 4, 5, 6, 7])
        #expect(inner.toArray() == [3, 4])
        #expect(inner.range == 3..<5)
        let sliceAddress = slice.withUnsafeBytes { $0.baseAddress }
        let blockAddress = shared!.withUnsafeBytes { $0.baseAddress! + 2 }
        #expect(sliceAddress == blockAddress)
        shared = nil
        #expect(pool.currentMemory == 512)      // the slices keep it
        _ = consume slice
        _ = consume inner
        #expect(pool.currentMemory == 0)
    }

    @Test func sharedBlockCrossesTasks() async throws {
        var block = try pool.allocateBlock(capacity: 4096)
        block.append(contentsOf: (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let shared = block.freeze()
        let sums = await withTaskGroup(of: Int.self) { group in
            for part in 0..<4 {
                let slice = shared.slice(part * 1024..<(part + 1) * 1024)
                group.addTask { slice.withUnsafeBytes { $0.reduce(0) { $0 + Int($1) } } }
            }
            var total = 0
            for await sum in group { total += sum }
            return total
        }
        let expected = (0..<4096).reduce(0) { $0 + Int(UInt8(truncatingIfNeeded: $1 * 7)) }
        #expect(sums == expected)
    }

    /// Synchronous, so that the second allocation runs on the thread whose
    /// cache holds the released block (a task may resume on another thread).
    @Test func createdAtIsWhenThePoolHandedTheBlockOut() throws {
        let before = PoolInstant.now
        let first = try pool.allocateBlock(capacity: 100)
        let after = PoolInstant.now
        let firstAt = first.createdAt
        #expect(before <= firstAt && firstAt <= after)
        #expect(firstAt.nanoseconds > 0)
        pool.release(first)
        let slept = ContinuousClock().measure { usleep(300_000) }
        // The thread's cached block is handed out again, and stamped again.
        let again = try pool.allocateBlock(capacity: 100)
        #expect(pool.statistics.reuseCount == 1)
        let againAt = again.createdAt
        let age = again.age
        let gap = firstAt.duration(to: againAt)
        #expect(gap >= .milliseconds(150), "the clock ticks every 10 ms; \(slept) were slept")
        #expect(gap <= slept + .seconds(1))
        #expect(age >= .zero)
        let shared = again.freeze()
        #expect(shared.createdAt == againAt)
    }

    @Test func oversizeBlocksAreStampedToo() throws {
        var config = MemoryPoolConfig()
        config.logsMemoryWarnings = false
        config.oversizeCacheBytes = 1 << 20
        let pool = try UnifiedMemoryPool(config: config)
        let first = try pool.allocateBlock(capacity: 100_000)
        let isOversize = first.isOversize
        #expect(isOversize)
        let firstAt = first.createdAt
        #expect(firstAt <= PoolInstant.now)
        pool.release(first)
        usleep(300_000)
        let reused = try pool.allocateBlock(capacity: 100_000)
        #expect(pool.statistics.reuseCount == 1, "served from the oversize cache")
        let reusedAt = reused.createdAt
        #expect(firstAt.duration(to: reusedAt) >= .milliseconds(150))
    }

    /// The clock is kept by a ticker thread while a pool exists (this suite's
    /// pool is alive here). The ticker names itself once it runs, and it may
    /// have been started an instant ago (when every other test's pool had just
    /// gone), so the names are looked at until it shows or 30 s have passed.
    @Test func aTickerThreadKeepsTheClockWhileAPoolExists() throws {
        func threadNames() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { task in
                try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
            }
        }
        let deadline = ContinuousClock.now + .seconds(30)
        var names = try threadNames()
        while !names.contains("canp-clock\n") && ContinuousClock.now < deadline {
            usleep(10_000)
            names = try threadNames()
        }
        #expect(names.contains("canp-clock\n"), "threads: \(names)")
    }
}
