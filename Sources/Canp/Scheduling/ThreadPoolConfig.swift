#if canImport(Glibc)
import Glibc
#endif

/// The configuration of a ``PipelineThreadPool``: a value type with defaults
/// derived from the machine's cores, named presets, and validation.
///
/// ```swift
/// var config = ThreadPoolConfig()          // io = cores/2, cpu = cores, memory = cores/2
/// config.cpuThreads = 8
/// let pool = try PipelineThreadPool(config: config)
/// ```
public struct ThreadPoolConfig: Sendable, Equatable, CustomStringConvertible {
    /// Worker threads of the IO class. Default: `max(1, cores / 2)`.
    public var ioThreads: Int
    /// Worker threads of the CPU class. Default: `max(1, cores)`.
    public var cpuThreads: Int
    /// Worker threads of the memory class. Default: `max(1, cores / 2)`.
    public var memoryThreads: Int
    /// Whether per-class execution and queue-wait times and counts are kept.
    /// Turning it off saves two clock reads and a few counter updates per task.
    /// Default: `true`.
    public var statisticsEnabled: Bool
    /// Whether memory blocks owned by tasks are returned to the pool's
    /// ``UnifiedMemoryPool`` explicitly and counted. When off, leftover blocks
    /// are simply dropped (their `deinit` still frees them) and no memory
    /// statistics are kept. Default: `true`.
    public var memoryManagementEnabled: Bool
    /// How IO workers read files. Default: ``FileReader/Backend/automatic``.
    public var ioBackend: FileReader.Backend
    /// io_uring operations in flight per IO worker (1...4096). Default: 64.
    public var ioQueueDepth: Int
    /// Largest single read operation in bytes (at least 4096). Default: 1 MiB.
    public var ioMaxOperationBytes: Int
    /// io_uring operations of at least this many bytes run on the kernel's
    /// worker threads, several at once (see
    /// ``FileReader/Configuration/offloadMinimumBytes``); 0 never offloads.
    /// Default: 256 KiB.
    public var ioOffloadMinimumBytes: Int

    /// The number of online processors, at least 1.
    public static var coreCount: Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    /// Creates a configuration with the defaults for `cores` processors.
    ///
    /// - Parameter cores: The processor count the defaults derive from;
    ///   defaults to ``coreCount``.
    public init(cores: Int = ThreadPoolConfig.coreCount) {
        let cores = max(1, cores)
        ioThreads = max(1, cores / 2)
        cpuThreads = cores
        memoryThreads = max(1, cores / 2)
        statisticsEnabled = true
        memoryManagementEnabled = true
        ioBackend = .automatic
        ioQueueDepth = 64
        ioMaxOperationBytes = 1 << 20
        ioOffloadMinimumBytes = 256 << 10
    }

    /// The defaults for this machine.
    public static var `default`: ThreadPoolConfig { ThreadPoolConfig() }

    /// A single worker per class, statistics on: deterministic ordering for
    /// tests and debugging.
    public static var serial: ThreadPoolConfig {
        var config = ThreadPoolConfig()
        config.ioThreads = 1
        config.cpuThreads = 1
        config.memoryThreads = 1
        return config
    }

    /// Throughput first: statistics off, deeper IO queues.
    public static var highThroughput: ThreadPoolConfig {
        var config = ThreadPoolConfig()
        config.statisticsEnabled = false
        config.ioQueueDepth = 256
        return config
    }

    /// The worker count of one class.
    public func threads(for type: PipelineTaskType) -> Int {
        switch type {
        case .io: ioThreads
        case .cpu: cpuThreads
        case .memory: memoryThreads
        }
    }

    /// Checks every field.
    ///
    /// - Throws: ``ThreadPoolError/invalidConfiguration(_:)`` naming the
    ///   first field out of range.
    /// - Complexity: O(1).
    public func validate() throws(ThreadPoolError) {
        for type in PipelineTaskType.allCases {
            let n = threads(for: type)
            guard (1...1024).contains(n) else {
                throw .invalidConfiguration("\(type) threads must be in 1...1024, got \(n)")
            }
        }
        guard (1...4096).contains(ioQueueDepth) else {
            throw .invalidConfiguration("ioQueueDepth must be in 1...4096, got \(ioQueueDepth)")
        }
        guard ioMaxOperationBytes >= 4096, ioMaxOperationBytes <= Int(Int32.max) else {
            throw .invalidConfiguration(
                "ioMaxOperationBytes must be in 4096...\(Int32.max), got \(ioMaxOperationBytes)")
        }
        guard ioOffloadMinimumBytes >= 0, ioOffloadMinimumBytes <= Int(UInt32.max) else {
            throw .invalidConfiguration(
                "ioOffloadMinimumBytes must be in 0...\(UInt32.max), got \(ioOffloadMinimumBytes)")
        }
    }

    public var description: String {
        "ThreadPoolConfig(io: \(ioThreads), cpu: \(cpuThreads), memory: \(memoryThreads), "
            + "statistics: \(statisticsEnabled), memoryManagement: \(memoryManagementEnabled), "
            + "ioBackend: \(ioBackend), ioQueueDepth: \(ioQueueDepth))"
    }
}
