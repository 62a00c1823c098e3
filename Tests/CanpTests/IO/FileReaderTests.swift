import BasicContainers
import CCanpCore
import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

/// Test files with known contents, in a private temporary directory.
final class FileFixture: @unchecked Sendable {
    let directory: String
    init() {
        var template = Array("/tmp/canp-reader-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    deinit {
        if let dir = opendir(directory) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { unlink(directory + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(directory)
    }

    /// Deterministic bytes for a file of `size` bytes.
    static func contents(size: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBytes { raw in
            var i = 0
            while i + 8 <= size {
                raw.storeBytes(of: generator.next(), toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < size {
                raw[i] = UInt8(truncatingIfNeeded: generator.next())
                i += 1
            }
        }
        return bytes
    }

    /// Writes a file and returns its path.
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = directory + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(path)")
        var written = 0
        bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                precondition(n > 0, "write failed")
                written += n
            }
        }
        close(fd)
        return path
    }
}

private func equal(_ block: borrowing MemoryBlock, _ bytes: [UInt8], offset: Int = 0) -> Bool {
    block.withUnsafeBytes { raw in
        raw.count == bytes.count - offset && bytes.withUnsafeBytes { expected in
            raw.count == 0 || memcmp(raw.baseAddress!, expected.baseAddress! + offset, raw.count) == 0
        }
    }
}

/// The backends this machine can test: pread always; io_uring when the
/// kernel allows it (the io_uring-only tests say so when it does not).
private let backends: [FileReader.Backend] =
    FileReader.isIOUringAvailable ? [.ioUring, .pread] : [.pread]

/// One way of reading: a backend and, on io_uring, whether operations go to
/// the kernel's worker threads (offloaded) or are first tried inline.
struct ReadMode: Sendable, CustomStringConvertible {
    let backend: FileReader.Backend
    let offload: Bool

    var description: String {
        backend == .pread ? "pread" : offload ? "io_uring, offloaded" : "io_uring, inline"
    }

    /// A configuration of this mode; offloaded modes offload operations of
    /// every size.
    func configuration(queueDepth: Int = 64, maxOperationBytes: Int = 1 << 20) -> FileReader.Configuration {
        .init(backend: backend, queueDepth: queueDepth, maxOperationBytes: maxOperationBytes,
              offloadMinimumBytes: offload ? 4096 : 0)
    }
}

/// Every mode this machine can test.
private let modes: [ReadMode] =
    (FileReader.isIOUringAvailable
        ? [ReadMode(backend: .ioUring, offload: true), ReadMode(backend: .ioUring, offload: false)] : [])
    + [ReadMode(backend: .pread, offload: false)]

private let sizes = [0, 1, 4095, 4096, 4097, 65_537, (1 << 20) + 3, 15_000_000, 64 << 20]

@Suite("FileReader", .serialized)
struct FileReaderTests {
    @Test func reportsWhetherIOUringIsAvailable() {
        if let error = FileReader.ioUringSetupError {
            // Docker's seccomp profile: the fallback is what gets tested.
            print("io_uring unavailable here (errno \(error)); only the pread path is tested")
            #expect(!FileReader.isIOUringAvailable)
        } else {
            #expect(FileReader.isIOUringAvailable)
        }
    }

    @Test(arguments: modes)
    func wholeFilesAreByteIdentical(mode: ReadMode) throws {
        let backend = mode.backend
        let fixture = FileFixture()
        let memory = try quietMemoryPool()
        var reader = try FileReader(configuration: mode.configuration())
        #expect(reader.backend == backend)
        for (i, size) in sizes.enumerated() {
            let bytes = FileFixture.contents(size: size, seed: UInt64(i + 1))
            let path = fixture.write("f\(i)", bytes)
            let block = try reader.readFile(atPath: path, into: memory)
            let count = block.count
            #expect(count == size)
            let same1 = equal(block, bytes)

            #expect(same1, "size \(size) via \(backend)")
        }
        let stats = reader.statistics
        #expect(stats.requests == sizes.filter { $0 > 0 }.count + sizes.filter { $0 == 0 }.count)
        #expect(stats.bytesRead == sizes.reduce(0, +))
        #expect(stats.failedRequests == 0)
        // One operation per started MiB of each non-empty file (a short read
        // could add more, but not from a fresh regular file on this path).
        let operations = sizes.reduce(0) { $0 + ($1 + (1 << 20) - 1) / (1 << 20) }
        #expect(stats.operations == operations)
        if backend == .ioUring {
            #expect(stats.submissions > 0)
            // Offloaded modes offload every operation of at least 4096 bytes.
            let large = sizes.reduce(0) { $0 + $1 / (1 << 20) + ($1 % (1 << 20) >= 4096 ? 1 : 0) }
            #expect(stats.offloaded == (mode.offload ? large : 0))
        } else {
            #expect(stats.submissions == 0)
            #expect(stats.offloaded == 0)
        }
    }

    @Test func largeOperationsAreOffloadedByDefault() throws {
        let configuration = FileReader.Configuration()
        #expect(configuration.maxOperationBytes == 1 << 20)
        #expect(configuration.offloadMinimumBytes == 256 << 10)
        guard FileReader.isIOUringAvailable else { return }
        let fixture = FileFixture()
        let memory = try quietMemoryPool()
        var reader = try FileReader(configuration: configuration)
        // 3 MiB + 100 KiB: three full operations offloaded, the 100 KiB tail
        // tried inline; then a file below the threshold, inline.
        let big = FileFixture.contents(size: (3 << 20) + 100 * 1024, seed: 31)
        let small = FileFixture.contents(size: 200 * 1024, seed: 32)
        let bigBlock = try reader.readFile(atPath: fixture.write("big", big), into: memory)
        let smallBlock = try reader.readFile(atPath: fixture.write("small", small), into: memory)
        let bigMatches = equal(bigBlock, big)
        let smallMatches = equal(smallBlock, small)
        #expect(bigMatches)
        #expect(smallMatches)
        let stats = reader.statistics
        #expect(stats.operations == 5)
        #expect(stats.offloaded == 3)
    }

    @Test(arguments: modes)
    func batchesMatchFileByFileAndReportFailuresInPlace(mode: ReadMode) throws {
        let fixture = FileFixture()
        let memory = try quietMemoryPool()
        // Tiny operations and a shallow queue: many operations per file, slots
        // reused while other files are in flight.
        var reader = try FileReader(
            configuration: mode.configuration(queueDepth: 3, maxOperationBytes: 4096))
        var paths: [String] = []
        var expected: [[UInt8]?] = []
        for i in 0..<40 {
            if i == 17 {
                paths.append(fixture.directory + "/missing")
                expected.append(nil)
                continue
            }
            let bytes = FileFixture.contents(size: (i * 7919) % 50_000, seed: UInt64(100 + i))
            paths.append(fixture.write("b\(i)", bytes))
            expected.append(bytes)
        }
        var results = reader.readFiles(atPaths: paths, into: memory)
        #expect(results.count == paths.count)
        var matched = 0
        for i in results.indices.reversed() {
            let result = results.popLast()!
            switch consume result {
            case .success(let block):
                if let bytes = expected[i], equal(block, bytes) { matched += 1 }
            case .failure(let error):
                #expect(i == 17)
                #expect(error == .open(path: paths[17], errno: ENOENT))
            }
        }
        #expect(matched == 39)
        #expect(memory.currentMemory == 0)
    }

    @Test(arguments: modes)
    func rangesAndShortReadsAtTheEndOfTheFile(mode: ReadMode) throws {
        let fixture = FileFixture()
        let memory = try quietMemoryPool()
        var reader = try FileReader(configuration: mode.configuration(maxOperationBytes: 8192))
        let bytes = FileFixture.contents(size: 100_000, seed: 9)
        let path = fixture.write("r", bytes)
        let middle = try reader.readRange(atPath: path, offset: 12_345, length: 40_000, into: memory)
        let same2 = equal(middle, Array(bytes[12_345..<52_345]))

        #expect(same2)
        let tail = try reader.readRange(atPath: path, offset: 99_000, length: nil, into: memory)
        let same3 = equal(tail, Array(bytes[99_000...]))

        #expect(same3)
        let past = try reader.readRange(atPath: path, offset: 200_000, length: 10, into: memory)
        let pastCount = past.count
        #expect(pastCount == 0)

        // Ask for more than the file holds through the descriptor API: the
        // last operation comes back short, is requeued, and meets the end.
        var fd: Int32 = -1
        var size: UInt64 = 0
        #expect(canp_file_open(path, &fd, &size) == 0)
        defer { _ = canp_file_close(fd) }
        var block = try memory.allocateBlock(capacity: 20_000)
        let before = reader.statistics
        let n = try reader.read(fileDescriptor: fd, offset: 90_000, length: 20_000, into: &block)
        #expect(n == 10_000)
        let same4 = equal(block, Array(bytes[90_000...]))

        #expect(same4)
        let delta = reader.statistics.subtracting(before)
        #expect(delta.bytesRead == 10_000)
        #expect(delta.shortReads >= 1)
    }

    @Test(arguments: modes)
    func readErrorsAreReportedPerRequest(mode: ReadMode) throws {
        var reader = try FileReader(configuration: mode.configuration())
        let memory = try quietMemoryPool()
        let fixture = FileFixture()
        #expect(throws: FileReadError.open(path: fixture.directory + "/nope", errno: ENOENT)) {
            _ = try reader.readFile(atPath: fixture.directory + "/nope", into: memory)
        }
        #expect(throws: FileReadError.open(path: fixture.directory, errno: EISDIR)) {
            _ = try reader.readFile(atPath: fixture.directory, into: memory)
        }
        // A descriptor open for writing only: the read itself fails (EBADF).
        let path = fixture.write("w", [1, 2, 3])
        let fd = open(path, O_WRONLY)
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { buffer.deallocate() }
        var requests = [canp_read_req_t(), canp_read_req_t()]
        requests[0].fd = fd
        requests[0].buf = buffer.baseAddress
        requests[0].len = 3
        requests[1].fd = -1
        requests[1].buf = buffer.baseAddress
        requests[1].len = 3
        try requests.withUnsafeMutableBufferPointer { try reader.unsafeReadBatch($0) }
        #expect(requests[0].result == -EBADF)
        #expect(requests[1].result == -EBADF)
        #expect(reader.statistics.failedRequests == 2)
    }

    @Test func requiringIOUringFailsCleanlyWhereItIsRefused() throws {
        if let error = FileReader.ioUringSetupError {
            #expect(throws: FileReadError.ioUringUnavailable(errno: error)) {
                _ = try FileReader(configuration: .init(backend: .ioUring))
            }
        } else {
            let reader = try FileReader(configuration: .init(backend: .ioUring))
            #expect(reader.backend == .ioUring)
            #expect(reader.ioUringSetupError == nil)
        }
        #expect(throws: FileReadError.setup(errno: EINVAL)) {
            _ = try FileReader(configuration: .init(queueDepth: 0))
        }
    }

    @Test func theEnvironmentForcesTheFallback() async {
        await #expect(processExitsWith: .success) {
            setenv("CANP_IO_BACKEND", "pread", 1)
            let reader = try! FileReader()
            precondition(reader.backend == .pread, "backend \(reader.backend)")
            precondition(reader.fallbackForcedByEnvironment)
            let pool = try! PipelineThreadPool(config: ThreadPoolConfig(cores: 2))
            let io = pool.statistics.io
            precondition(io.backend == .pread && io.fallbackForced && io.usesFallback)
        }
    }

    @Test(arguments: backends)
    func poolReadsFilesOnItsIOWorkers(backend: FileReader.Backend) async throws {
        let fixture = FileFixture()
        let memory = try quietMemoryPool()
        var config = ThreadPoolConfig(cores: 2)
        config.ioBackend = backend
        config.ioThreads = 2
        let pool = try PipelineThreadPool(config: config, memoryPool: memory)
        #expect(pool.statistics.io.backend == backend)
        #expect(pool.statistics.io.usesFallback == (backend == .pread))
        var paths: [String] = []
        var contents: [[UInt8]] = []
        for i in 0..<12 {
            let bytes = FileFixture.contents(size: 1000 * i * i, seed: UInt64(500 + i))
            paths.append(fixture.write("p\(i)", bytes))
            contents.append(bytes)
        }
        let one = try await pool.readFile(atPath: paths[5])
        let same5 = equal(one, contents[5])

        #expect(same5)
        _ = consume one
        var all = try await pool.readFiles(atPaths: paths + [fixture.directory + "/missing"])
        #expect(all.count == 13)
        var matched = 0
        var failures = 0
        for i in all.indices.reversed() {
            let result = all.popLast()!
            switch consume result {
            case .success(let block): if equal(block, contents[i]) { matched += 1 }
            case .failure: failures += 1
            }
        }
        #expect(matched == 12)
        #expect(failures == 1)
        do {
            _ = try await pool.readFile(atPath: fixture.directory + "/missing")
            Issue.record("expected a failure")
        } catch {
            guard case .fileRead(.open(_, ENOENT)) = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
        await pool.waitForCompletion()
        let io = pool.statistics.io
        #expect(io.reads.bytesRead == contents.reduce(0) { $0 + $1.count } + contents[5].count)
        #expect(io.reads.failedRequests == 0)
        #expect(io.reads.requests == 13)
        #expect(memory.currentMemory == 0)
    }
}
