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
    /// read ahead plus inflated blocks. Default 1 GiB. A file larger than
    /// this cannot be processed (it is reported and skipped).
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
    /// The largest inflated block accepted (a larger ISIZE is a level-0 error). Default 64 MiB.
    public var maximumInflatedBlockSize: Int
    /// Only files with this extension are taken from directories (files
    /// named explicitly are always taken). Default "bin".
    public var directoryFileExtension: String
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
        maximumInflatedBlockSize = 64 << 20
        directoryFileExtension = "bin"
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
        if maximumInflatedBlockSize < 1024 { throw .invalidConfiguration("maximumInflatedBlockSize must be at least 1024 bytes") }
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

/// How far a pipeline decodes each block; every stage includes the ones before it.
public enum PipelineStage: String, Sendable, CaseIterable {
    /// Inflate the gzip members with libdeflate, nothing more (the physical limit).
    case inflate
    /// Inflate with zlib instead (the peer most tools use).
    case inflateWithZlib = "inflate-zlib"
    /// Inflate and walk levels 1-3 (structure checked, frames counted).
    case walk
    /// Inflate, walk and decode the frames into columns.
    case frames
    /// All of that and the DBC signals.
    case signals
}

/// Errors that stop a pipeline run.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// The configuration is not usable.
    case invalidConfiguration(String)
    /// An input path does not exist or cannot be listed.
    case inputUnavailable(path: String, reason: String)
    /// The inputs name no file to process.
    case noInputFiles(String)
    /// Output could not be written.
    case outputFailed(path: String, reason: String)
    /// In strict mode: the first damaged unit.
    case damagedInput(FormatIssue)
    /// A file could not be read (in strict mode; otherwise it is reported).
    case fileUnreadable(path: String, reason: String)
    /// The thread or memory pool failed.
    case resources(String)
    /// The run was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): return "invalid pipeline configuration: \(why)"
        case let .inputUnavailable(path, reason): return "\(path): \(reason)"
        case .noInputFiles(let why): return why
        case let .outputFailed(path, reason): return "cannot write \(path): \(reason)"
        case .damagedInput(let issue): return "damaged input (strict mode): \(issue)"
        case let .fileUnreadable(path, reason): return "\(path): \(reason)"
        case .resources(let why): return why
        case .cancelled: return "cancelled"
        }
    }
}
