import CCanpCore

/// The configuration of a ``UnifiedMemoryPool``: tier sizes per family,
/// cache sizes, the memory limit and the warning threshold.
///
/// A value type with documented defaults and two named presets. Building a
/// pool validates it and throws ``MemoryPoolError/invalidConfiguration(_:)``.
public struct MemoryPoolConfig: Sendable {
    /// Block sizes of the general family, in bytes. Default `[512, 1024, 2048, 4096, 8192]`.
    public var generalBlockSizes: [Int]
    /// Block sizes of the decompression family. Default `[1024, 2048, 4096, 8192, 16384]`.
    public var decompressionBufferSizes: [Int]
    /// Block sizes of the frame family. Default `[256, 512, 1024, 2048, 4096]`.
    public var frameBufferSizes: [Int]
    /// Most memory-mapped files kept by ``UnifiedMemoryPool/mappedFiles``. Default 1000.
    public var mmapCacheSize: Int
    /// Most shared blocks kept by ``UnifiedMemoryPool/sharedBlocks``. Default 500.
    public var blockCacheSize: Int
    /// Time after which a cache entry expires. Default 300 s.
    public var cacheTTL: Duration
    /// Most bytes the pool may hold from the system (blocks in use plus
    /// cached free blocks). Default 1 GiB.
    public var maxTotalMemory: Int
    /// Fraction of `maxTotalMemory` above which a warning is reported, in
    /// `(0, 1]`. Default 0.8.
    public var memoryWarningThreshold: Double
    /// Free blocks allocated up front in every tier and kept by ``UnifiedMemoryPool/trim()``. Default 0.
    public var minimumFreeBlocksPerTier: Int
    /// Most free blocks a tier keeps in its shared list; the excess goes back
    /// to the allocator. Default 1024.
    public var maximumFreeBlocksPerTier: Int
    /// Free blocks cached per tier by each thread before they spill
    /// to the shared list. Default 16.
    public var threadCacheBlocks: Int
    /// Most bytes of freed oversize blocks (requests above every tier, such
    /// as whole-file buffers) kept for reuse by later requests of about
    /// their size, instead of going back to the system at once. Their pages
    /// stay mapped, so a reused block costs no page faults. They count in
    /// the footprint and are released by ``UnifiedMemoryPool/trim()`` and
    /// whenever a request would otherwise exceed the limit. With a cache,
    /// oversize requests are rounded up to 1/16 steps of their size. Default
    /// 0 (no cache).
    public var oversizeCacheBytes: Int
    /// Whether a crossing of the warning threshold also writes a line to
    /// standard error. Default true.
    public var logsMemoryWarnings: Bool
    /// Called once per upward crossing of the warning threshold, on the
    /// thread whose allocation crossed it. Default nil.
    public var onMemoryWarning: (@Sendable (MemoryWarning) -> Void)?

    /// The defaults listed on each property.
    public init() {
        generalBlockSizes = [512, 1024, 2048, 4096, 8192]
        decompressionBufferSizes = [1024, 2048, 4096, 8192, 16384]
        frameBufferSizes = [256, 512, 1024, 2048, 4096]
        mmapCacheSize = 1000
        blockCacheSize = 500
        cacheTTL = .seconds(300)
        maxTotalMemory = 1 << 30
        memoryWarningThreshold = 0.8
        minimumFreeBlocksPerTier = 0
        maximumFreeBlocksPerTier = 1024
        threadCacheBlocks = 16
        oversizeCacheBytes = 0
        logsMemoryWarnings = true
        onMemoryWarning = nil
    }

    /// The defaults (see ``init()``).
    public static var `default`: MemoryPoolConfig { MemoryPoolConfig() }

    /// Larger tiers and caches for machines with memory to spare: sizes up to
    /// 16384 / 32768 / 8192, caches of 2000 mappings and 1000 blocks, TTL
    /// 600 s, a 2 GiB limit and a warning at 85 %.
    public static var highPerformance: MemoryPoolConfig {
        var config = MemoryPoolConfig()
        config.generalBlockSizes = [512, 1024, 2048, 4096, 8192, 16384]
        config.decompressionBufferSizes = [1024, 2048, 4096, 8192, 16384, 32768]
        config.frameBufferSizes = [256, 512, 1024, 2048, 4096, 8192]
        config.mmapCacheSize = 2000
        config.blockCacheSize = 1000
        config.cacheTTL = .seconds(600)
        config.maxTotalMemory = 2 << 30
        config.memoryWarningThreshold = 0.85
        config.maximumFreeBlocksPerTier = 4096
        config.threadCacheBlocks = 32
        return config
    }

    /// Small tiers and caches for constrained machines: 256-2048 /
    /// 512-4096 / 128-1024, caches of 100 mappings and 50 blocks, TTL 300 s,
    /// a 512 MiB limit and a warning at 70 %.
    public static var memoryConstrained: MemoryPoolConfig {
        var config = MemoryPoolConfig()
        config.generalBlockSizes = [256, 512, 1024, 2048]
        config.decompressionBufferSizes = [512, 1024, 2048, 4096]
        config.frameBufferSizes = [128, 256, 512, 1024]
        config.mmapCacheSize = 100
        config.blockCacheSize = 50
        config.cacheTTL = .seconds(300)
        config.maxTotalMemory = 512 << 20
        config.memoryWarningThreshold = 0.7
        config.maximumFreeBlocksPerTier = 256
        config.threadCacheBlocks = 8
        return config
    }

    /// The tier sizes of one family.
    public func blockSizes(of family: BlockFamily) -> [Int] {
        switch family {
        case .general: return generalBlockSizes
        case .decompression: return decompressionBufferSizes
        case .frame: return frameBufferSizes
        }
    }

    /// Checks every field; throws a message naming the first bad one.
    public func validate() throws(MemoryPoolError) {
        var tierCount = 0
        for family in BlockFamily.allCases {
            let sizes = blockSizes(of: family)
            if sizes.isEmpty {
                throw .invalidConfiguration("the \(family) family has no tier sizes")
            }
            if let bad = sizes.first(where: { $0 <= 0 }) {
                throw .invalidConfiguration("the \(family) family has a tier size of \(bad) bytes; sizes must be positive")
            }
            if Set(sizes).count != sizes.count {
                throw .invalidConfiguration("the \(family) family lists a tier size twice: \(sizes)")
            }
            tierCount += sizes.count
        }
        if tierCount > Int(CANP_POOL_MAX_TIERS) {
            throw .invalidConfiguration("\(tierCount) tiers in all; at most \(CANP_POOL_MAX_TIERS)")
        }
        if mmapCacheSize < 0 || blockCacheSize < 0 {
            throw .invalidConfiguration("cache sizes must not be negative (mmap \(mmapCacheSize), blocks \(blockCacheSize))")
        }
        if cacheTTL <= .zero {
            throw .invalidConfiguration("cacheTTL must be positive, not \(cacheTTL)")
        }
        if maxTotalMemory <= 0 {
            throw .invalidConfiguration("maxTotalMemory must be positive, not \(maxTotalMemory)")
        }
        if !(memoryWarningThreshold > 0 && memoryWarningThreshold <= 1) {
            throw .invalidConfiguration("memoryWarningThreshold must be in (0, 1], not \(memoryWarningThreshold)")
        }
        if minimumFreeBlocksPerTier < 0 || maximumFreeBlocksPerTier < minimumFreeBlocksPerTier || maximumFreeBlocksPerTier > 1 << 24 {
            throw .invalidConfiguration("free blocks per tier must satisfy 0 <= minimum (\(minimumFreeBlocksPerTier)) <= maximum (\(maximumFreeBlocksPerTier)) <= 16777216")
        }
        if oversizeCacheBytes < 0 {
            throw .invalidConfiguration("oversizeCacheBytes must not be negative, not \(oversizeCacheBytes)")
        }
        if threadCacheBlocks < 0 || threadCacheBlocks > 4096 {
            throw .invalidConfiguration("threadCacheBlocks must be in 0...4096, not \(threadCacheBlocks)")
        }
    }
}

/// What is reported when the pool's footprint crosses the warning threshold.
public struct MemoryWarning: Sendable, Equatable {
    /// Bytes the pool holds from the system at the crossing.
    public var footprint: Int
    /// The pool's limit in bytes.
    public var limit: Int
    /// The configured threshold (a fraction of the limit).
    public var threshold: Double
}
