import BasicContainers
import CCanpCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The layered pipeline: CANP files in, frames and DBC signals out, in file
/// and block order.
///
/// Stages (DESIGN.md section 3):
/// 1. IO workers read whole files with io_uring (or `pread`) into pool
///    memory, reading ahead while memory allows;
/// 2. the Record0 headers are scanned into block descriptors (no copy);
/// 3. CPU workers take chunks of blocks: inflate each gzip member into a
///    pool block sized from its ISIZE, walk levels 1-3 in place, decode the
///    frames into columns and their signals with the compiled DBC;
/// 4. the results leave in order to the output: the canonical CSV exports,
///    an `AsyncSequence` of ``DecodedBatch``, or counts only.
///
/// Memory is bounded by ``PipelineConfiguration/memoryLimit`` (the pool's
/// limit: reads wait for memory instead of failing) and by the number of
/// chunks in flight; no queue grows without bound.
public final class CANPipeline: Sendable {
    /// How the pipeline runs.
    public let configuration: PipelineConfiguration
    /// The compiled DBC, if signals are decoded.
    public let decoder: DBCDecoder?
    /// The pipeline's memory pool (file buffers, inflated blocks).
    public let memoryPool: UnifiedMemoryPool
    /// The pipeline's workers.
    public let threadPool: PipelineThreadPool

    /// Where the decoded data goes.
    public enum Output: Sendable {
        /// Decode everything (frames and signals into memory) and keep only the report.
        case none
        /// Write `frames.csv`, `signals.csv` and `errors.csv` into the directory.
        case csv(directory: String)
    }

    /// Builds a pipeline and starts its workers.
    ///
    /// - Parameters:
    ///   - configuration: threads, memory and policies.
    ///   - decoder: the compiled DBC (`DBCDatabase.compile()`); nil decodes frames only.
    /// - Throws: ``PipelineError/invalidConfiguration(_:)``, ``PipelineError/resources(_:)``.
    public init(configuration: PipelineConfiguration = PipelineConfiguration(), decoder: DBCDecoder?) throws(PipelineError) {
        try configuration.validate()
        self.configuration = configuration
        self.decoder = configuration.decodesSignals ? decoder : nil
        do {
            memoryPool = try UnifiedMemoryPool(config: configuration.memoryPoolConfig)
        } catch {
            throw .resources("cannot create the memory pool: \(error)")
        }
        var threads = ThreadPoolConfig()
        threads.cpuThreads = configuration.cpuThreads
        threads.ioThreads = configuration.ioThreads
        threads.memoryThreads = 1
        if configuration.forcesPread { threads.ioBackend = .pread }
        do {
            threadPool = try PipelineThreadPool(config: threads, memoryPool: memoryPool)
        } catch {
            throw .resources("cannot start the worker threads: \(error)")
        }
    }

    deinit {
        threadPool.shutdown(.cancelPending)
    }

    /// Processes the inputs (files, and directories of `.bin` files) to `output`.
    ///
    /// - Parameters:
    ///   - inputs: files and directories; directories contribute their files
    ///     with ``PipelineConfiguration/directoryFileExtension``; all sorted by path.
    ///   - output: where the decoded data goes.
    ///   - progress: called on the driving task after each chunk.
    /// - Returns: the report: everything decoded and skipped, with reasons.
    /// - Throws: ``PipelineError``; in strict mode the first damaged unit.
    ///   Output files of a failed run are removed.
    public func process(
        _ inputs: [String], output: Output = .none, progress: ((PipelineProgress) -> Void)? = nil
    ) async throws(PipelineError) -> PipelineReport {
        let files = try InputFiles.expand(inputs, directoryExtension: configuration.directoryFileExtension)
        switch output {
        case .none:
            return try await run(files, products: .countsOnly, progress: progress) { _ throws(PipelineError) in }
        case .csv(let directory):
            let export = try CSVExport(directory: directory)
            do {
                var report = try await run(files, products: .csv, progress: progress) { result throws(PipelineError) in
                    try export.append(result)
                }
                report.outputs = try export.finish()
                report.bytesWritten = export.bytesWritten
                return report
            } catch {
                export.discard()
                throw error
            }
        }
    }

    /// The decoded data of the inputs as an asynchronous sequence of
    /// columnar batches, in file and block order.
    ///
    /// The pipeline works ahead of the consumer by a bounded number of
    /// batches and then waits for it (backpressure). The batches' inflated
    /// blocks are pool memory: a consumer that keeps every batch eventually
    /// makes the pipeline wait for memory.
    ///
    /// - Parameter inputs: files and directories, as for ``process(_:output:progress:)``.
    /// - Returns: the batches; iteration throws ``PipelineError``. The
    ///   report is available from ``DecodedBatches/report`` after the last batch.
    public func batches(of inputs: [String]) -> DecodedBatches {
        let channel = BatchChannel(capacity: max(2, configuration.cpuThreads))
        let producer = Task {
            do throws(PipelineError) {
                let files = try InputFiles.expand(inputs, directoryExtension: configuration.directoryFileExtension)
                let report = try await run(files, products: .batches, progress: nil) { result throws(PipelineError) in
                    if let batch = result.batch {
                        guard await channel.send(batch) else { throw PipelineError.cancelled }
                    }
                }
                channel.finish(.success(report))
            } catch {
                channel.finish(.failure(error))
            }
        }
        return DecodedBatches(channel: channel, producer: producer)
    }

    // MARK: - The driver

    private struct LoadedFile: Sendable {
        var file: SharedBlock
        var blocks: [BlockDescriptor]
        var tail: Record0Scanner.TruncatedTail?
    }

    private enum Pending {
        case task(PipelineTaskHandle<ChunkResult>, bytes: Int, lastOfFile: Bool)
        case ready(ChunkResult, bytes: Int, lastOfFile: Bool)
        /// A slot already delivered: it no longer holds the handle or the
        /// result (a chunk's CSV rows are megabytes; see deliverHead).
        case delivered
    }

    private func run(
        _ files: [InputFiles.File], products: ChunkProducts, progress: ((PipelineProgress) -> Void)?,
        deliver: (ChunkResult) async throws(PipelineError) -> Void
    ) async throws(PipelineError) -> PipelineReport {
        let started = Self.now()
        let statsBefore = memoryPool.statistics
        let chunkDecoder = ChunkDecoder(
            decoder: decoder, products: products, stage: configuration.stage, memoryPool: memoryPool,
            blockConfiguration: BlockDecoder.Configuration(maximumInflatedSize: configuration.maximumInflatedBlockSize))
        var report = PipelineReport()
        var reads: [PendingRead] = []
        var pending: [Pending] = []
        var pendingHead = 0
        var nextFile = 0
        var filesDone = 0
        var bytesDone = 0
        let bytesTotal = files.reduce(0) { $0 + $1.size }
        let limit = configuration.memoryLimit

        func cancelAll() {
            for index in pendingHead..<pending.count {
                if case .task(let handle, _, _) = pending[index] { handle.cancel() }
            }
        }

        // Delivers the oldest pending chunk (waiting for it if needed).
        func deliverHead() async throws(PipelineError) {
            let entry = pending[pendingHead]
            // Release the slot's handle and result now: the array is
            // compacted only every 1024 chunks, and slots kept alive until
            // then held every delivered chunk's rows (RSS grew with the input).
            pending[pendingHead] = .delivered
            pendingHead += 1
            if pendingHead > 1024 && pendingHead * 2 > pending.count {
                pending.removeFirst(pendingHead)
                pendingHead = 0
            }
            let result: ChunkResult
            let bytes: Int
            let last: Bool
            switch entry {
            case .ready(let ready, let size, let isLast):
                (result, bytes, last) = (ready, size, isLast)
            case .delivered:
                preconditionFailure("CANPipeline: a pending chunk was delivered twice")
            case .task(let handle, let size, let isLast):
                switch await handle.result {
                case .success(let value): result = value
                case .failure(let error):
                    cancelAll()
                    throw Self.pipelineError(error)
                }
                (bytes, last) = (size, isLast)
            }
            report.format += result.counts
            report.signals += result.signals
            report.framesWithSignals += result.framesWithSignals
            for issue in result.issues {
                report.skippedByReason[Self.reasonKind(issue), default: 0] += 1
            }
            report.issues.append(contentsOf: result.issues)
            if configuration.strict, let first = result.issues.first {
                cancelAll()
                throw .damagedInput(first)
            }
            try await deliver(result)
            bytesDone += bytes
            if last { filesDone += 1 }
            progress?(PipelineProgress(
                filesDone: filesDone, filesTotal: files.count, bytesDone: bytesDone, bytesTotal: bytesTotal,
                frames: report.format.framesDecoded, signals: report.signals, skippedUnits: report.format.issueCount,
                memoryInUse: memoryPool.currentMemory, seconds: Self.now() - started))
        }

        func hasPending() -> Bool { pendingHead < pending.count }

        // Starts reading files ahead while memory and the read-ahead allow.
        // Waits for memory only when `mayWait` and nothing else can free it:
        // the caller must then hold no file buffer itself.
        func startReads(mayWait: Bool) async throws(PipelineError) {
            while nextFile < files.count && reads.count <= configuration.readAheadFiles {
                let file = files[nextFile]
                let index = nextFile
                if let reason = file.unreadableReason {
                    nextFile += 1
                    reads.append(PendingRead(index: index, handle: nil, failure: reason))
                    continue
                }
                if file.size > limit {
                    nextFile += 1
                    reads.append(PendingRead(index: index, handle: nil,
                                             failure: "\(file.size) bytes is more than the memory limit of \(limit) bytes"))
                    continue
                }
                // Memory for the whole file: wait for it, delivering finished
                // chunks meanwhile (their memory may be what we wait for).
                var block: MemoryBlock?
                while block == nil {
                    do {
                        block = try memoryPool.allocateBlock(capacity: max(file.size, 1))
                    } catch .limitExceeded {
                        if hasPending() {
                            try await deliverHead()
                        } else if reads.count > 0 || !mayWait {
                            // The reads in flight (or the file being split)
                            // come first; this file is taken again (nextFile
                            // not advanced) once they are done.
                            return
                        } else {
                            do {
                                block = try await memoryPool.allocateBlockWaiting(capacity: max(file.size, 1))
                            } catch {
                                throw .resources("\(error)")
                            }
                        }
                    } catch {
                        throw .resources("\(error)")
                    }
                }
                nextFile += 1
                let box = BlockBox(block.take()!)
                let path = file.path
                let handle: PipelineTaskHandle<LoadedFileTransfer>
                do {
                    handle = try threadPool.submitFileTask { reader throws(PipelineError) -> LoadedFileTransfer in
                        var block = box.take()
                        try Self.read(path: path, into: &block, with: &reader)
                        let shared = block.freeze()
                        let scanned = shared.withUnsafeBytes { Record0Scanner.scan(unsafeFileBytes: $0) }
                        return LoadedFileTransfer(LoadedFile(file: shared, blocks: scanned.blocks, tail: scanned.truncatedTail))
                    }
                } catch {
                    throw .resources("\(error)")
                }
                reads.append(PendingRead(index: index, handle: handle, failure: nil))
            }
        }

        do throws(PipelineError) {
            try await startReads(mayWait: true)
            while !reads.isEmpty {
                var read = reads.removeFirst()
                if Task.isCancelled { cancelAll(); throw PipelineError.cancelled }
                let file = files[read.index]
                var loaded: LoadedFile?
                if let failure = read.failure {
                    report.unreadableFiles.append((file.path, failure))
                } else if let handle = read.handle {
                    read.handle = nil       // its result holds the file buffer: keep it in `loaded` only
                    switch await handle.result {
                    case .success(let transfer): loaded = transfer.file
                    case .failure(let error):
                        report.unreadableFiles.append((file.path, Self.describe(error)))
                    }
                }
                if configuration.strict, let (path, reason) = report.unreadableFiles.last, path == file.path {
                    // The earlier files' results come first: damage in them
                    // is the first error in file order.
                    while hasPending() { try await deliverHead() }
                    cancelAll()
                    throw PipelineError.fileUnreadable(path: path, reason: reason)
                }
                guard loaded != nil else {
                    filesDone += 1
                    try await startReads(mayWait: true)
                    continue
                }
                // In a scope of its own: the file buffer must be released
                // before waiting for memory for the next file.
                do {
                    let loaded = loaded.take()!
                    report.files += 1
                    report.bytesRead += file.size
                    let encodedName = CSVByteWriter.encodedField(file.name)
                    var start = 0
                    let blocks = loaded.blocks
                    let per = configuration.blocksPerTask
                    while start < blocks.count {
                        let end = min(start + per, blocks.count)
                        let chunk = Chunk(fileIndex: read.index, fileName: file.name, encodedFileName: encodedName,
                                          file: loaded.file, blocks: blocks[start..<end])
                        while pending.count - pendingHead >= configuration.tasksInFlight {
                            try await deliverHead()
                        }
                        let handle: PipelineTaskHandle<ChunkResult>
                        do {
                            handle = try threadPool.submitCPUTask { try chunkDecoder.decode(chunk) }
                        } catch {
                            throw PipelineError.resources("\(error)")
                        }
                        let bytes = blocks[end - 1].endOffset - blocks[start].offset
                        pending.append(.task(handle, bytes: bytes, lastOfFile: end == blocks.count && loaded.tail == nil))
                        start = end
                        if (start / per) % 4 == 0 { try await startReads(mayWait: false) }
                    }
                    if let tail = loaded.tail {
                        var result = ChunkResult(fileIndex: read.index)
                        let issue = tail.issue(file: file.name)
                        result.issues = [issue]
                        result.counts.truncatedTails = 1
                        pending.append(.ready(result, bytes: file.size - tail.offset, lastOfFile: true))
                    } else if blocks.isEmpty {
                        pending.append(.ready(ChunkResult(fileIndex: read.index), bytes: file.size, lastOfFile: true))
                    }
                }
                try await startReads(mayWait: true)
            }
            while hasPending() { try await deliverHead() }
        } catch {
            cancelAll()
            throw error
        }

        let statsAfter = memoryPool.statistics
        let allocations = statsAfter.totalAllocations - statsBefore.totalAllocations
        report.poolHitRate = allocations == 0 ? 0 : Double(statsAfter.reuseCount - statsBefore.reuseCount) / Double(allocations)
        report.peakPoolMemory = statsAfter.peakMemory
        report.peakResidentMemory = Self.peakResidentMemory()
        let io = threadPool.statistics.io
        if io.usesFallback {
            report.readBackend = "pread" + (io.fallbackForced ? " (forced)" : io.ioUringSetupError.map { " (io_uring unavailable: errno \($0))" } ?? "")
        } else {
            report.readBackend = "io_uring"
        }
        report.seconds = Self.now() - started
        return report
    }

    // MARK: - Helpers

    private struct PendingRead {
        var index: Int
        var handle: PipelineTaskHandle<LoadedFileTransfer>?
        var failure: String?
    }

    private struct LoadedFileTransfer: Sendable {
        var file: LoadedFile
        init(_ file: LoadedFile) { self.file = file }
    }

    private static func read(path: String, into block: inout MemoryBlock, with reader: inout FileReader) throws(PipelineError) {
        var fd: Int32 = -1
        var size: UInt64 = 0
        let rc = canp_file_open(path, &fd, &size)
        guard rc == 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(-rc))) }
        defer { _ = canp_file_close(fd) }
        let wanted = min(Int(size), block.capacity)
        let done: Int
        do {
            done = try reader.read(fileDescriptor: fd, offset: 0, length: wanted, into: &block)
        } catch {
            throw .fileUnreadable(path: path, reason: "\(error)")
        }
        if done < wanted {
            throw .fileUnreadable(path: path, reason: "the file shrank while it was read (\(done) of \(wanted) bytes)")
        }
    }

    /// The reason with its free numbers replaced by `N` and its
    /// parenthesised details dropped, for counting skipped units by kind
    /// (`CRC-32` and `11-bit` stay as they are).
    static func reasonKind(_ issue: FormatIssue) -> String {
        var text = ""
        var depth = 0
        for character in issue.reason.description {
            if character == "(" { depth += 1 } else if character == ")" { depth = max(0, depth - 1) } else if depth == 0 { text.append(character) }
        }
        let words = text.split(separator: " ").map { word -> Substring in
            let isNumber = word.allSatisfy(\.isNumber) || (word.hasPrefix("0x") && word.dropFirst(2).allSatisfy(\.isHexDigit))
            return isNumber ? "N" : word
        }
        return "level \(issue.level): " + words.joined(separator: " ")
    }

    private static func pipelineError(_ error: ThreadPoolError) -> PipelineError {
        if case .taskFailed(let inner) = error, let pipeline = inner as? PipelineError { return pipeline }
        if case .cancelled = error { return .cancelled }
        return .resources("\(error)")
    }

    private static func describe(_ error: ThreadPoolError) -> String {
        if case .taskFailed(let inner) = error, let pipeline = inner as? PipelineError,
           case .fileUnreadable(_, let reason) = pipeline {
            return reason
        }
        return "\(error)"
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// `VmHWM` of /proc/self/status, in bytes.
    static func peakResidentMemory() -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmHWM:") {
                let digits = text.filter { $0.isNumber }
                return Int(digits).map { $0 * 1024 }
            }
        }
        return nil
    }
}

/// Moves a noncopyable block into an escaping closure.
final class BlockBox: @unchecked Sendable {
    // @unchecked: taken exactly once, by the one task it is handed to.
    private var block: MemoryBlock?
    init(_ block: consuming MemoryBlock) { self.block = consume block }
    func take() -> MemoryBlock { block.take()! }
}

