import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory removed at the end of the test.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/canp-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = String(cString: made!)
    }

    deinit { _ = system("rm -rf '\(path)'") }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                precondition(n > 0)
                offset += n
            }
        }
        close(fd)
        return file
    }
}

@Suite("MappedFileCache")
struct MappedFileCacheTests {
    @Test func mapsFilesAndReusesTheMapping() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("a.bin", Array(0..<200 as Range<UInt8>))
        var config = MemoryPoolConfig()
        config.mmapCacheSize = 2
        let pool = try UnifiedMemoryPool(config: config, clock: ManualCacheClock())
        let first = try pool.mappedFiles.mappedFile(at: path)
        #expect(first.count == 200)
        #expect(first.withUnsafeBytes { Array($0) } == Array(0..<200 as Range<UInt8>))
        let second = try pool.mappedFiles.mappedFile(at: path)
        #expect(first === second)
        #expect(pool.mappedFiles.statistics.hits == 1)
    }

    @Test func evictsLeastRecentlyUsedMappings() throws {
        let directory = TemporaryDirectory()
        let paths = (0..<3).map { directory.write("f\($0)", [UInt8($0)]) }
        var config = MemoryPoolConfig()
        config.mmapCacheSize = 2
        let pool = try UnifiedMemoryPool(config: config, clock: ManualCacheClock())
        _ = try pool.mappedFiles.mappedFile(at: paths[0])
        _ = try pool.mappedFiles.mappedFile(at: paths[1])
        _ = try pool.mappedFiles.mappedFile(at: paths[0])
        let held = try pool.mappedFiles.mappedFile(at: paths[1])
        _ = try pool.mappedFiles.mappedFile(at: paths[2])     // evicts paths[0]
        #expect(pool.mappedFiles.pathsByRecency == [paths[2], paths[1]])
        #expect(held.withUnsafeBytes { Array($0) } == [1])
    }

    @Test func expiresMappingsAfterTheTTL() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("a", [1, 2, 3])
        let clock = ManualCacheClock()
        var config = MemoryPoolConfig()
        config.cacheTTL = .seconds(300)
        let pool = try UnifiedMemoryPool(config: config, clock: clock)
        let first = try pool.mappedFiles.mappedFile(at: path)
        clock.advance(by: .seconds(301))
        let second = try pool.mappedFiles.mappedFile(at: path)
        #expect(first !== second)
        #expect(pool.mappedFiles.statistics.expirations == 1)
    }

    @Test func remapsAChangedFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.write("a", [1, 2, 3])
        let pool = try UnifiedMemoryPool(config: .default, clock: ManualCacheClock())
        _ = try pool.mappedFiles.mappedFile(at: path)
        directory.write("a", [4, 5, 6, 7])
        let fresh = try pool.mappedFiles.mappedFile(at: path)
        #expect(fresh.withUnsafeBytes { Array($0) } == [4, 5, 6, 7])
    }

    @Test func missingFilesAndDirectoriesAreClearErrors() throws {
        let directory = TemporaryDirectory()
        let pool = try UnifiedMemoryPool(config: .default)
        #expect(throws: MemoryPoolError.fileUnavailable(path: directory.path + "/none", reason: "No such file or directory")) {
            _ = try pool.mappedFiles.mappedFile(at: directory.path + "/none")
        }
        #expect(throws: MemoryPoolError.fileUnavailable(path: directory.path, reason: "not a regular file")) {
            _ = try pool.mappedFiles.mappedFile(at: directory.path)
        }
        let empty = try pool.mappedFiles.mappedFile(at: directory.write("empty", []))
        #expect(empty.count == 0)
    }
}

@Suite("SharedBlockCache")
struct SharedBlockCacheTests {
    @Test func keepsBlocksAliveUntilEvicted() throws {
        let clock = ManualCacheClock()
        var config = MemoryPoolConfig()
        config.blockCacheSize = 2
        let pool = try UnifiedMemoryPool(config: config, clock: clock)
        for key in ["a", "b", "c"] {
            var block = try pool.allocateBlock(capacity: 100)
            block.append(contentsOf: Array(key.utf8))
            pool.sharedBlocks.store(block.freeze(), forKey: key)
        }
        #expect(pool.sharedBlocks.keysByRecency == ["c", "b"])
        #expect(pool.currentMemory == 2 * 512)         // "a" went back to the pool
        #expect(pool.sharedBlocks.block(forKey: "b")?.toArray() == Array("b".utf8))
        clock.advance(by: .seconds(300))
        #expect(pool.sharedBlocks.block(forKey: "b") == nil)
        #expect(pool.sharedBlocks.removeExpired() == 1)
        #expect(pool.currentMemory == 0)
    }
}
