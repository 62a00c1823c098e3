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
}
