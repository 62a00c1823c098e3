/// A snapshot of a pool's statistics (``UnifiedMemoryPool/statistics``).
///
/// Counts are exact when no allocation or release is in flight; while calls
/// run they are a consistent-enough snapshot for monitoring.
public struct MemoryPoolStatistics: Sendable, Equatable {
    /// Statistics of one tier.
    public struct Tier: Sendable, Equatable {
        public var blockSize: Int
        public var family: BlockFamily
        public var allocations: Int
        public var deallocations: Int
        /// Allocations served by reusing a cached block.
        public var hits: Int
        /// Allocations that had to ask the system allocator.
        public var misses: Int
        /// Free blocks cached now.
        public var cachedBlocks: Int
        /// Blocks given back to the system allocator (excess or trim).
        public var returnedBlocks: Int
        /// `hits / allocations`, 0 when there were none.
        public var hitRate: Double { allocations == 0 ? 0 : Double(hits) / Double(allocations) }
    }

    public var totalAllocations: Int
    public var totalDeallocations: Int
    /// Bytes of the blocks handed out and not yet released.
    public var currentMemory: Int
    /// Bytes held from the system: blocks in use plus cached free blocks.
    public var footprint: Int
    /// Highest footprint so far.
    public var peakMemory: Int
    /// The configured limit.
    public var maxTotalMemory: Int
    /// Allocations served by reusing a cached block.
    public var reuseCount: Int
    /// Allocations that asked the system allocator (oversize included).
    public var missCount: Int
    /// Allocations above the largest tier of their family (from the
    /// oversize cache or the system allocator).
    public var oversizeAllocations: Int
    /// Allocations refused by the limit.
    public var limitFailures: Int
    /// Upward crossings of the warning threshold so far.
    public var warningCount: Int
    /// Whether the footprint is above the warning threshold now.
    public var isAboveWarningThreshold: Bool
    /// Whether blocks come from jemalloc arenas (else malloc).
    public var usesJemalloc: Bool
    /// Per-tier statistics in configuration order (general, decompression, frame).
    public var tiers: [Tier]
    /// Freed oversize blocks kept for reuse now (``MemoryPoolConfig/oversizeCacheBytes``).
    public var oversizeCachedBlocks: Int
    /// Their bytes (part of the footprint).
    public var oversizeCachedBytes: Int

    /// Hit rate over all tiers and oversize requests.
    public var hitRate: Double {
        totalAllocations == 0 ? 0 : Double(reuseCount) / Double(totalAllocations)
    }

    /// Hit rate of one family's tiers (oversize requests not included).
    public func hitRate(of family: BlockFamily) -> Double {
        let tiers = self.tiers.filter { $0.family == family }
        let allocations = tiers.reduce(0) { $0 + $1.allocations }
        return allocations == 0 ? 0 : Double(tiers.reduce(0) { $0 + $1.hits }) / Double(allocations)
    }
}
