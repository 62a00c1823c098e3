#if canImport(Glibc)
import Glibc
#endif

/// How a ``CANPipeline`` runs: threads, memory, batching and error policy.
///
/// A value type with documented defaults; ``CANPipeline/init(configuration:decoder:)``
/// validates it.
public struct PipelineConfiguration: Sendable {
    /// Worker threads that inflate and decode. Default: the number of cores.
    public var cpuThreads: Int
    /// Worker threads that read files. Default: half the cores, at least 1.
    public var ioThreads: Int
    /// Most bytes of pool memory the pipeline holds at once: file buffers
    /// read ahead, the units being decoded (inflated blocks) and the encoded
    /// output waiting for its turn. Default 1 GiB. A file larger than this
    /// cannot be processed, and a unit that cannot fit beside its file is
    /// skipped; both are reported. What it does not bound is stated in the
    /// README ("Memory").
    public var memoryLimit: Int
    /// Record0 blocks decoded by one CPU task. Default 64.
    public var blocksPerTask: Int
    /// Most CPU tasks queued or running at once; 0 means 4 per CPU thread. Default 0.
    public var maximumTasksInFlight: Int
    /// Files read ahead of the one being decoded. Default 2.
    public var readAheadFiles: Int
    /// Whether the first damaged unit stops the run with an error. Default false.
    public var strict: Bool
    /// Whether signals are decoded (needs a DBC). Default true.
    public var decodesSignals: Bool
    /// The input formats, in the order detection tries them (the first
    /// whose ``InputFormat/matches(prefix:)`` accepts a file reads it).
    /// Default ``InputFormats/builtIn``: CANP last, as the fallback. Files
    /// named explicitly are always taken; directories contribute the files
    /// with the formats' ``InputFormat/directoryExtensions``.
    public var inputFormats: [any InputFormat]
    /// The name of the format that reads every file of the run, instead of
    /// detection by content. Default nil (detect).
    public var forcedInputFormat: String?
    /// Most skipped units kept in ``PipelineReport/issues`` (all are counted,
    /// and all go to the sink). Default 100,000.
    public var maximumReportedIssues: Int
    /// Force the `pread` reader instead of io_uring. Default false.
    public var forcesPread: Bool
    /// How far the blocks are decoded. Default ``PipelineStage/signals``
    /// (``PipelineStage/frames`` when there is no DBC). The earlier stages
    /// measure the cost of each layer.
    public var stage: PipelineStage

    /// The defaults listed on each property.
    public init() {
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        cpuThreads = cores
        ioThreads = max(1, cores / 2)
        memoryLimit = 1 << 30
        blocksPerTask = 64
        maximumTasksInFlight = 0
        readAheadFiles = 2
        strict = false
        decodesSignals = true
        inputFormats = InputFormats.builtIn
        forcedInputFormat = nil
        maximumReportedIssues = 100_000
        forcesPread = false
        stage = .signals
    }

    /// Checks every field; throws a message naming the first bad one.
    public func validate() throws(PipelineError) {
        if cpuThreads < 1 || cpuThreads > 1024 { throw .invalidConfiguration("cpuThreads must be in 1...1024, not \(cpuThreads)") }
        if ioThreads < 1 || ioThreads > 1024 { throw .invalidConfiguration("ioThreads must be in 1...1024, not \(ioThreads)") }
        if memoryLimit < 16 << 20 { throw .invalidConfiguration("memoryLimit must be at least 16 MiB, not \(memoryLimit) bytes") }
        if blocksPerTask < 1 { throw .invalidConfiguration("blocksPerTask must be positive, not \(blocksPerTask)") }
        if maximumTasksInFlight < 0 { throw .invalidConfiguration("maximumTasksInFlight must not be negative") }
        if readAheadFiles < 0 { throw .invalidConfiguration("readAheadFiles must not be negative") }
        if inputFormats.isEmpty { throw .invalidConfiguration("inputFormats must name at least one format") }
        if let forced = forcedInputFormat, !inputFormats.contains(where: { $0.name == forced }) {
            throw .invalidConfiguration("no input format is named \(forced); formats: \(inputFormats.map(\.name).joined(separator: ", "))")
        }
        if maximumReportedIssues < 0 { throw .invalidConfiguration("maximumReportedIssues must not be negative") }
    }

    /// The CPU tasks allowed in flight.
    var tasksInFlight: Int { maximumTasksInFlight > 0 ? maximumTasksInFlight : 4 * cpuThreads }

    /// The pipeline's own memory pool: decompression tiers sized for CANP
    /// blocks (a 10 KB gzip block inflates to tens of KB), file buffers above
    /// every tier (served from the pool's arena, and kept for the next files
    /// in a quarter of the limit: a fresh 15 MB buffer costs thousands of
    /// page faults, and its release an unmap that interrupts every core).
    var memoryPoolConfig: MemoryPoolConfig {
        var config = MemoryPoolConfig()
        config.generalBlockSizes = [4096, 16384, 65536, 262_144, 1 << 20]
        config.decompressionBufferSizes = [16384, 32768, 65536, 131_072, 262_144, 524_288, 1 << 20, 2 << 20, 4 << 20]
        config.frameBufferSizes = [4096, 16384, 65536]
        config.maxTotalMemory = memoryLimit
        config.memoryWarningThreshold = 0.9
        config.logsMemoryWarnings = false
        config.maximumFreeBlocksPerTier = 256
        config.threadCacheBlocks = 8
        config.oversizeCacheBytes = memoryLimit / 4
        config.mmapCacheSize = 16
        config.blockCacheSize = 16
        return config
    }
}

