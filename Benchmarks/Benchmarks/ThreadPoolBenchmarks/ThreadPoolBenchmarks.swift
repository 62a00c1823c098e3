// Thread pool and file-read benchmarks, each against its peers in the same run:
//   - per-task overhead of tiny tasks: PipelineThreadPool (submit one by one,
//     and submitBatch) vs DispatchQueue.concurrentPerform, Dispatch async on a
//     global queue with a group, and a Swift TaskGroup;
//   - parallelProcess of 1,000,000 items vs concurrentPerform and a chunked
//     TaskGroup (and a serial map, the floor);
//   - reading a set of 15 MB files from the page cache: io_uring vs the pread
//     backend vs a raw pread loop vs mmap + touching every page.
// Ratios are what count; absolute times drift with the shared machine.
//
// Task benchmarks use scalingFactor .kilo: one measurement is 1,000 tasks and
// the reported time is per task. File benchmarks read the whole set per
// measurement; MB/s = set size / time.
import Benchmark
import BasicContainers
import CCanpCore
import Canp
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

private let cores = ThreadPoolConfig.coreCount
private let tinyTaskCount = 1000  // == scalingFactor .kilo

@inline(never)
private func tinyWork(_ i: Int) -> Int { i &* 2_654_435_761 &+ 1 }

private func makeThreadPool(statistics: Bool = true) -> PipelineThreadPool {
    var config = ThreadPoolConfig()
    config.statisticsEnabled = statistics
    config.memoryManagementEnabled = false
    return try! PipelineThreadPool(config: config)
}

// MARK: - Files

private let fileCount = 16
private let fileSize = 15_000_000
private let fileDirectory = "/tmp/canp-bench-files"

private func filePaths() -> [String] { (0..<fileCount).map { "\(fileDirectory)/log-\($0).bin" } }

/// Creates the file set once and pulls it into the page cache.
private func prepareFiles() {
    mkdir(fileDirectory, 0o755)
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
    defer { chunk.deallocate() }
    for (i, path) in filePaths().enumerated() {
        var st = stat()
        if stat(path, &st) == 0, st.st_size == fileSize { continue }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        var written = 0
        var x = UInt64(i + 1)
        while written < fileSize {
            for j in stride(from: 0, to: chunk.count, by: 8) {
                x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                chunk.storeBytes(of: x, toByteOffset: j, as: UInt64.self)
            }
            let n = write(fd, chunk.baseAddress!, min(chunk.count, fileSize - written))
            precondition(n > 0)
            written += n
        }
        close(fd)
    }
    // Warm the page cache.
    _ = readAllPread(into: destinationBuffers)
}

/// One reusable, pre-faulted destination per file, so every mechanism is
/// measured copying into the same warm memory (allocation is the memory
/// pool's benchmark, not this one).
nonisolated(unsafe) private let destinationBuffers: [UnsafeMutableRawPointer] = (0..<fileCount).map { _ in
    let p = UnsafeMutableRawPointer.allocate(byteCount: fileSize, alignment: 4096)
    memset(p, 1, fileSize)
    return p
}

private func openAll() -> [Int32] {
    filePaths().map { path in
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        precondition(fd >= 0)
        return fd
    }
}

@discardableResult
private func readAllPread(into buffers: [UnsafeMutableRawPointer]) -> Int {
    var total = 0
    for (i, fd) in openAll().enumerated() {
        var done = 0
        while done < fileSize {
            let n = pread(fd, buffers[i] + done, fileSize - done, off_t(done))
            precondition(n > 0)
            done += n
        }
        total += done
        close(fd)
    }
    return total
}

private func readAllWithReader(_ reader: inout FileReader) -> Int {
    let fds = openAll()
    defer { for fd in fds { close(fd) } }
    var requests = [canp_read_req_t](repeating: canp_read_req_t(), count: fds.count)
    for i in fds.indices {
        requests[i].fd = fds[i]
        requests[i].buf = destinationBuffers[i]
        requests[i].len = fileSize
    }
    try! requests.withUnsafeMutableBufferPointer { try reader.unsafeReadBatch($0) }
    var total = 0
    for request in requests {
        precondition(request.result == 0 && request.done == fileSize)
        total += request.done
    }
    return total
}

private func mmapAndTouchAll() -> Int {
    var sum = 0
    for fd in openAll() {
        let p = mmap(nil, fileSize, PROT_READ, MAP_PRIVATE, fd, 0)!
        precondition(p != MAP_FAILED)
        let bytes = p.assumingMemoryBound(to: UInt8.self)
        for offset in stride(from: 0, to: fileSize, by: 4096) { sum &+= Int(bytes[offset]) }
        munmap(p, fileSize)
        close(fd)
    }
    return sum
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    let taskConfig = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal], timeUnits: .nanoseconds, warmupIterations: 3,
        scalingFactor: .kilo, maxDuration: .seconds(3), maxIterations: 2000)

    // MARK: Per-task overhead

    let pool = makeThreadPool()
    Benchmark("tiny tasks: PipelineThreadPool.submitCPUTask", configuration: taskConfig) { benchmark in
        for i in benchmark.scaledIterations {
            try! pool.submitCPUTask { blackHole(tinyWork(i)) }
        }
        pool.waitForCompletion()
    }

    let quietPool = makeThreadPool(statistics: false)
    Benchmark("tiny tasks: PipelineThreadPool.submitCPUTask (statistics off)", configuration: taskConfig) {
        benchmark in
        for i in benchmark.scaledIterations {
            try! quietPool.submitCPUTask { blackHole(tinyWork(i)) }
        }
        quietPool.waitForCompletion()
    }

    Benchmark("tiny tasks: PipelineThreadPool.submitBatch", configuration: taskConfig) { benchmark in
        var batch = UniqueArray<PipelineTask>(minimumCapacity: tinyTaskCount)
        for i in benchmark.scaledIterations {
            batch.append(PipelineTask(type: .cpu) { _ in blackHole(tinyWork(i)) })
        }
        try! pool.submitBatch(batch)
        pool.waitForCompletion()
    }

    Benchmark("tiny tasks: DispatchQueue.concurrentPerform", configuration: taskConfig) { benchmark in
        DispatchQueue.concurrentPerform(iterations: benchmark.scaledIterations.count) { i in
            blackHole(tinyWork(i))
        }
    }

    Benchmark("tiny tasks: DispatchQueue.global().async + DispatchGroup", configuration: taskConfig) {
        benchmark in
        let group = DispatchGroup()
        let queue = DispatchQueue.global()
        for i in benchmark.scaledIterations {
            queue.async(group: group) { blackHole(tinyWork(i)) }
        }
        group.wait()
    }

    Benchmark("tiny tasks: Swift TaskGroup", configuration: taskConfig) { benchmark in
        let n = benchmark.scaledIterations.count
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<n { group.addTask { blackHole(tinyWork(i)) } }
            await group.waitForAll()
        }
    }

    Benchmark("tiny tasks: Swift TaskGroup on the pool's cpuExecutor", configuration: taskConfig) { benchmark in
        let n = benchmark.scaledIterations.count
        await withTaskExecutorPreference(pool.cpuExecutor) {
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<n { group.addTask { blackHole(tinyWork(i)) } }
                await group.waitForAll()
            }
        }
    }

    // MARK: parallelProcess, 1,000,000 items

    let mapConfig = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal], timeUnits: .microseconds, warmupIterations: 2,
        maxDuration: .seconds(3), maxIterations: 200)
    let items = Array(0..<1_000_000)

    Benchmark("map 1M: PipelineThreadPool.parallelProcess", configuration: mapConfig) { _ in
        blackHole(try! pool.parallelProcess(items) { tinyWork($0) })
    }

    Benchmark("map 1M: PipelineThreadPool.parallelProcess async", configuration: mapConfig) { _ in
        blackHole(try! await pool.parallelProcess(items) { tinyWork($0) })
    }

    Benchmark("map 1M: DispatchQueue.concurrentPerform (chunked)", configuration: mapConfig) { _ in
        let n = items.count
        let chunks = cores * 8
        let result = [Int](unsafeUninitializedCapacity: n) { buffer, count in
            let base = buffer.baseAddress!
            let address = Int(bitPattern: base)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let out = UnsafeMutablePointer<Int>(bitPattern: address)!
                let lower = c * n / chunks
                let upper = (c + 1) * n / chunks
                for i in lower..<upper { (out + i).initialize(to: tinyWork(items[i])) }
            }
            count = n
        }
        blackHole(result)
    }

    Benchmark("map 1M: Swift TaskGroup (chunked)", configuration: mapConfig) { _ in
        let n = items.count
        let chunks = cores * 8
        let parts = await withTaskGroup(of: (Int, [Int]).self) { group in
            for c in 0..<chunks {
                group.addTask {
                    let lower = c * n / chunks
                    let upper = (c + 1) * n / chunks
                    return (c, items[lower..<upper].map(tinyWork))
                }
            }
            var parts = [[Int]](repeating: [], count: chunks)
            for await (c, part) in group { parts[c] = part }
            return parts
        }
        blackHole(Array(parts.joined()))
    }

    Benchmark("map 1M: serial Array.map", configuration: mapConfig) { _ in
        blackHole(items.map(tinyWork))
    }

    // MARK: File reads from the page cache

    let fileConfig = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .throughput], timeUnits: .microseconds, warmupIterations: 2,
        maxDuration: .seconds(4), maxIterations: 50,
        setup: { prepareFiles() })
    let setBytes = fileCount * fileSize

    if FileReader.isIOUringAvailable {
        Benchmark("read 16 x 15 MB: io_uring (FileReader)", configuration: fileConfig) { _ in
            // The defaults: 1 MiB operations, handed to the kernel's workers.
            var reader = try! FileReader(configuration: .init(backend: .ioUring))
            precondition(readAllWithReader(&reader) == setBytes)
        }
        Benchmark("read 16 x 15 MB: io_uring, inline (no offload)", configuration: fileConfig) { _ in
            var reader = try! FileReader(configuration: .init(backend: .ioUring, offloadMinimumBytes: 0))
            precondition(readAllWithReader(&reader) == setBytes)
        }
        Benchmark("read 16 x 15 MB: io_uring, offloaded 4 MiB operations", configuration: fileConfig) { _ in
            var reader = try! FileReader(configuration: .init(backend: .ioUring, maxOperationBytes: 4 << 20))
            precondition(readAllWithReader(&reader) == setBytes)
        }
        Benchmark("read 16 x 15 MB: io_uring, whole-file operations inline", configuration: fileConfig) { _ in
            var reader = try! FileReader(
                configuration: .init(backend: .ioUring, maxOperationBytes: 16 << 20, offloadMinimumBytes: 0))
            precondition(readAllWithReader(&reader) == setBytes)
        }
    }

    Benchmark("read 16 x 15 MB: pread backend (FileReader)", configuration: fileConfig) { _ in
        var reader = try! FileReader(configuration: .init(backend: .pread))
        precondition(readAllWithReader(&reader) == setBytes)
    }

    Benchmark("read 16 x 15 MB: raw pread loop", configuration: fileConfig) { _ in
        precondition(readAllPread(into: destinationBuffers) == setBytes)
    }

    Benchmark("read 16 x 15 MB: mmap + touch every page", configuration: fileConfig) { _ in
        blackHole(mmapAndTouchAll())
    }

    Benchmark("read 16 x 15 MB: PipelineThreadPool.readFiles (pool memory, IO workers)", configuration: fileConfig) {
        _ in
        await readAndRelease(with: ioPool)
    }

    Benchmark("read 16 x 15 MB: PipelineThreadPool.readFiles (pool memory with a 256 MiB oversize cache)",
              configuration: fileConfig) { _ in
        await readAndRelease(with: cachingIOPool)
    }
}

/// Reads the file set into fresh pool blocks and releases them.
private func readAndRelease(with pool: PipelineThreadPool) async {
    var results = try! await pool.readFiles(atPaths: filePaths())
    precondition(results.count == fileCount)
    while let result = results.popLast() {
        if case .failure(let error) = consume result { fatalError("\(error)") }
    }
}

private let ioPool: PipelineThreadPool = {
    var memoryConfig = MemoryPoolConfig()
    memoryConfig.logsMemoryWarnings = false
    return try! PipelineThreadPool(config: ThreadPoolConfig(), memoryPool: try! UnifiedMemoryPool(config: memoryConfig))
}()

/// The same, but the pool keeps freed file buffers for the next read
/// (`MemoryPoolConfig.oversizeCacheBytes`): no page faults after the first round.
private let cachingIOPool: PipelineThreadPool = {
    var memoryConfig = MemoryPoolConfig()
    memoryConfig.logsMemoryWarnings = false
    memoryConfig.oversizeCacheBytes = 256 << 20
    return try! PipelineThreadPool(config: ThreadPoolConfig(), memoryPool: try! UnifiedMemoryPool(config: memoryConfig))
}()
