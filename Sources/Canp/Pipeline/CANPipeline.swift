/// The layered pipeline: log files in, frames and DBC signals out, in file
/// and unit order, to a sink.
///
/// Stages (`docs/ARCHITECTURE.md`, "The data path"):
/// 1. IO workers read whole files with io_uring (or `pread`) into pool
///    memory, reading ahead while memory allows; each file's format is
///    recognised by content and the file is scanned into units there;
/// 2. CPU workers decode chunks of units (CANP: inflate each gzip member
///    into pool memory sized from its ISIZE, walk levels 1-3 in place,
///    decode the frames into columns), decode their signals with the
///    compiled DBC, and encode them for the sink;
/// 3. the pieces leave in order to the sink: the canonical CSV exports, an
///    `AsyncSequence` of ``DecodedBatch``, any ``OutputSink``, or nothing
///    (counts only).
///
/// Memory is bounded by ``PipelineConfiguration/memoryLimit``: file
/// buffers, the units in decoding and the pieces waiting for their turn are
/// pool memory, and no queue grows without bound.
public final class CANPipeline: Sendable {
    /// How the pipeline runs.
    public let configuration: PipelineConfiguration
    /// The compiled DBC, if signals are decoded.
    public let decoder: DBCDecoder?
    /// The pipeline's memory pool (file buffers, decoded units, pieces).
    public let memoryPool: UnifiedMemoryPool
    /// The pipeline's workers.
    public let threadPool: PipelineThreadPool

    /// Where the decoded data goes, for the built-in sinks.
    public enum Output: Sendable {
        /// Decode everything (frames and signals into memory) and keep only the report.
        case none
        /// Write `frames.csv`, `signals.csv` and `errors.csv` into the directory.
        case csv(directory: String)
    }

    /// Builds a pipeline and starts its workers.
    ///
    /// - Parameters:
    ///   - configuration: threads, memory, formats and policies.
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

    /// Processes the inputs to one of the built-in outputs.
    ///
    /// - Parameters:
    ///   - inputs: files and directories; directories contribute their files
    ///     with the formats' extensions; all sorted by path.
    ///   - output: where the decoded data goes.
    ///   - progress: called on the driving task after each chunk.
    /// - Returns: the report: everything decoded and skipped, with reasons.
    /// - Throws: ``PipelineError``; in strict mode the first damaged unit.
    ///   Output files of a failed run are removed.
    public func process(
        _ inputs: [String], output: Output = .none, progress: ((PipelineProgress) -> Void)? = nil
    ) async throws(PipelineError) -> PipelineReport {
        try await process(inputs.map { InputPath($0) }, output: output, progress: progress)
    }

    /// ``process(_:output:progress:)`` for exact paths (names that are not valid UTF-8).
    public func process(
        _ inputs: [InputPath], output: Output = .none, progress: ((PipelineProgress) -> Void)? = nil
    ) async throws(PipelineError) -> PipelineReport {
        switch output {
        case .none: try await process(inputs, to: DiscardingSink(), progress: progress)
        case .csv(let directory): try await process(inputs, to: CSVSink(directory: directory), progress: progress)
        }
    }

    /// Processes the inputs to any sink (`docs/ARCHITECTURE.md`, "Adding a sink").
    ///
    /// - Parameters:
    ///   - inputs: files and directories, as for ``process(_:output:progress:)``.
    ///   - sink: where the decoded data goes; a sink serves one run.
    ///   - progress: called on the driving task after each chunk.
    /// - Returns: the report, with the sink's outputs.
    /// - Throws: ``PipelineError``; the sink's temporary outputs are then discarded.
    public func process<Sink: OutputSink>(
        _ inputs: [String], to sink: Sink, progress: ((PipelineProgress) -> Void)? = nil
    ) async throws(PipelineError) -> PipelineReport {
        try await process(inputs.map { InputPath($0) }, to: sink, progress: progress)
    }

    /// ``process(_:to:progress:)`` for exact paths (names that are not valid UTF-8).
    public func process<Sink: OutputSink>(
        _ inputs: [InputPath], to sink: Sink, progress: ((PipelineProgress) -> Void)? = nil
    ) async throws(PipelineError) -> PipelineReport {
        let files = try InputFiles.expand(inputs, directoryExtensions: directoryExtensions)
        return try await process(listed: files, to: sink, progress: progress)
    }

    /// The extensions of the files a directory input contributes (those of the configured formats).
    public var directoryExtensions: [String] { InputFormats.directoryExtensions(of: configuration.inputFormats) }

    /// Processes files already listed (``InputFiles/expand(_:directoryExtensions:)``,
    /// or a shard's share of them) to any sink.
    ///
    /// - Parameters:
    ///   - files: the files, in the order their rows are written. An empty
    ///     list is a run with no input: the sink is opened and finished and
    ///     writes its outputs with no rows (an empty part of a sharded job).
    ///   - sink: where the decoded data goes; a sink serves one run.
    ///   - progress: called on the driving task after each chunk.
    /// - Returns: the report, with the sink's outputs.
    /// - Throws: ``PipelineError``; the sink's temporary outputs are then discarded.
    public func process<Sink: OutputSink>(
        listed files: [InputFiles.File], to sink: Sink, progress: ((PipelineProgress) -> Void)? = nil
    ) async throws(PipelineError) -> PipelineReport {
        let run = PipelineRun(configuration: configuration, files: files, decoder: decoder, sink: sink,
                              pool: memoryPool, threadPool: threadPool, progress: progress)
        return try await run.run(decoder: decoder)
    }

    /// The decoded data of the inputs as an asynchronous sequence of
    /// columnar batches, in file and unit order.
    ///
    /// The pipeline works ahead of the consumer by a bounded number of
    /// batches and then waits for it (backpressure). The batches' data
    /// buffers are pool memory: a consumer that keeps every batch eventually
    /// makes the pipeline wait for memory.
    ///
    /// - Parameter inputs: files and directories, as for ``process(_:output:progress:)``.
    /// - Returns: the batches; iteration throws ``PipelineError``. The
    ///   report is available from ``DecodedBatches/report`` after the last batch.
    public func batches(of inputs: [String]) -> DecodedBatches {
        let channel = BatchChannel(capacity: max(2, configuration.cpuThreads))
        let producer = Task {
            do throws(PipelineError) {
                let report = try await process(inputs, to: BatchSink(receiver: channel))
                channel.finish(.success(report))
            } catch {
                channel.finish(.failure(error))
            }
        }
        return DecodedBatches(channel: channel, producer: producer)
    }
}
