import BasicContainers
import CCanpCore
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A tiered memory pool with a limit, caches and statistics.
///
/// Three families of tiers (general, decompression, frame) serve blocks of
/// fixed sizes from one allocator arena (a jemalloc arena in the default
/// build). Freed blocks are cached per thread and in a lock-free
/// shared list per tier and reused; requests above a family's largest tier
/// are served from the arena directly and counted as misses.
///
/// The limit (``MemoryPoolConfig/maxTotalMemory``) bounds the pool's
/// footprint: blocks in use plus cached free blocks. When an allocation would
/// exceed it, cached blocks go back to the allocator first; if that is not
/// enough, the synchronous ``allocateBlock(capacity:family:)`` throws and the
/// `async` one waits until blocks are released.
///
/// The pool also owns two LRU caches bounded by entry count and TTL:
/// ``mappedFiles`` (memory-mapped files) and ``sharedBlocks``.
///
/// Blocks may outlive the pool object: the C pool under it is then kept
/// (and reported on standard error) so that their release stays valid.
///
/// Wraps `canp_pool_t` (`canp_pool_create`, `canp_pool_alloc`, `canp_pool_free`).
public final class UnifiedMemoryPool: @unchecked Sendable {
    // @unchecked: `handle` is a C pool whose functions are thread-safe;
    // everything else is immutable or synchronized.
    @usableFromInline let handle: OpaquePointer
    /// The configuration the pool was built from.
    public let config: MemoryPoolConfig
    private let hooks: PoolHooks
    /// Memory-mapped files, LRU by use, bounded by ``MemoryPoolConfig/mmapCacheSize``.
    public let mappedFiles: MappedFileCache
    /// Shared blocks by key, LRU by use, bounded by ``MemoryPoolConfig/blockCacheSize``.
    public let sharedBlocks: SharedBlockCache<String>

    /// Builds a pool.
    ///
    /// - Parameters:
    ///   - config: tiers, caches and limits; see ``MemoryPoolConfig``.
    ///   - clock: the time source of the caches' TTL (tests inject a manual one).
    /// - Throws: ``MemoryPoolError/invalidConfiguration(_:)`` for a bad
    ///   configuration, ``MemoryPoolError/outOfMemory(requested:)``.
    public init(config: MemoryPoolConfig = .default, clock: any CacheClock = SystemCacheClock()) throws(MemoryPoolError) {
        try config.validate()
        self.config = config
        let hooks = PoolHooks(config: config)
        self.hooks = hooks

        var c = canp_pool_config_t()
        canp_pool_config_init(&c)
        var tiers: [canp_tier_config_t] = []
        for family in BlockFamily.allCases {
            for size in config.blockSizes(of: family) {
                tiers.append(canp_tier_config_t(
                    block_size: size, family: family.cValue,
                    min_free: UInt32(config.minimumFreeBlocksPerTier),
                    max_free: UInt32(config.maximumFreeBlocksPerTier)))
            }
        }
        withUnsafeMutableBytes(of: &c.tiers) { raw in
            let slots = raw.bindMemory(to: canp_tier_config_t.self)
            for (index, tier) in tiers.enumerated() { slots[index] = tier }
        }
        c.tier_count = UInt32(tiers.count)
        c.thread_cache_blocks = UInt32(config.threadCacheBlocks)
        c.max_total_bytes = config.maxTotalMemory
        c.oversize_cache_bytes = config.oversizeCacheBytes
        c.warning_threshold = config.memoryWarningThreshold
        let context = Unmanaged.passUnretained(hooks).toOpaque()
        c.on_warning = { context, footprint, limit in
            Unmanaged<PoolHooks>.fromOpaque(context!).takeUnretainedValue().warn(footprint: footprint, limit: limit)
        }
        c.warning_context = context
        c.on_release = { context in
            Unmanaged<PoolHooks>.fromOpaque(context!).takeUnretainedValue().released()
        }
        c.release_context = context

        var pool: OpaquePointer?
        let rc = canp_pool_create(&c, &pool)
        switch rc {
        case 0: break
        case -ENOBUFS: throw .invalidConfiguration("the minimum free blocks of the tiers exceed maxTotalMemory")
        case -EINVAL: throw .invalidConfiguration("canp_pool_create refused the tiers")
        default: throw .outOfMemory(requested: 0)
        }
        self.handle = pool!
        self.mappedFiles = MappedFileCache(capacity: config.mmapCacheSize, timeToLive: config.cacheTTL, clock: clock)
        self.sharedBlocks = SharedBlockCache(capacity: config.blockCacheSize, timeToLive: config.cacheTTL, clock: clock)
    }

    deinit {
        mappedFiles.removeAll()
        sharedBlocks.removeAll()
        if canp_pool_destroy(handle) != 0 {
            // Blocks are still out: keep the C pool (and the hooks its
            // callbacks point to) alive for them rather than free memory
            // that is still in use.
            _ = Unmanaged.passRetained(hooks)
            hooks.reportLeak(inUse: canp_pool_in_use(handle))
        }
    }

    /// Allocates a block of at least `capacity` bytes.
    ///
    /// - Parameters:
    ///   - capacity: bytes needed; the block may be larger (its tier's size).
    ///   - family: the family of tiers to serve it from.
    /// - Returns: an empty block (`count == 0`) with `capacity >= capacity`.
    /// - Throws: ``MemoryPoolError/limitExceeded(requested:footprint:inUse:limit:)``
    ///   when the limit would be exceeded, ``MemoryPoolError/outOfMemory(requested:)``.
    /// - Complexity: O(1); a lock-free pop when a block is cached.
    @inlinable
    public func allocateBlock(capacity: Int, family: BlockFamily = .general) throws(MemoryPoolError) -> MemoryBlock {
        // Inlinable, like `release(_:)`: returned from a call, the 40-byte
        // block went through stack copies whose loads were wider than the
        // stores that wrote them, and each failed store-to-load forwarding
        // cost about as much as the C allocation itself (a pair through this
        // API took 23 ns; inlined, 9 ns).
        try allocateNow(capacity: capacity, family: family)
    }

    @inlinable @inline(__always)
    func allocateNow(capacity: Int, family: BlockFamily) throws(MemoryPoolError) -> MemoryBlock {
        precondition(capacity >= 0, "negative capacity \(capacity)")
        var block = canp_block_t()
        let rc = canp_pool_alloc(handle, capacity, family.cValue, &block)
        if rc == 0 { return MemoryBlock(pool: handle, block: block) }
        throw error(for: rc, requested: capacity)
    }

    /// Allocates a block, waiting for blocks to be released while the limit
    /// does not allow it (backpressure) instead of failing.
    ///
    /// - Throws: ``MemoryPoolError/limitExceeded(requested:footprint:inUse:limit:)``
    ///   only when the request alone is above the limit;
    ///   ``MemoryPoolError/cancelled`` when the task is cancelled while waiting.
    public func allocateBlockWaiting(capacity: Int, family: BlockFamily = .general) async throws(MemoryPoolError) -> MemoryBlock {
        do {
            return try allocateNow(capacity: capacity, family: family)
        } catch .limitExceeded(let requested, let footprint, let inUse, let limit) where requested > limit {
            throw .limitExceeded(requested: requested, footprint: footprint, inUse: inUse, limit: limit)
        } catch .limitExceeded {
            // Wait below.
        }
        // Registered before each retry, so a release between the retry and
        // the suspension bumps the generation and the wait returns at once.
        canp_pool_waiters_add(handle, 1)
        defer { canp_pool_waiters_add(handle, -1) }
        while true {
            let generation = hooks.releaseGeneration
            do {
                return try allocateNow(capacity: capacity, family: family)
            } catch .limitExceeded {
                // Wait for a release.
            }
            if await hooks.waitForRelease(after: generation) { throw .cancelled }
        }
    }

    /// Allocates one block per capacity, all or none.
    ///
    /// - Throws: the first failure; the blocks already allocated are released.
    public func allocateBlocks(capacities: [Int], family: BlockFamily = .general) throws(MemoryPoolError) -> UniqueArray<MemoryBlock> {
        var released = 0
        return try attemptBatch(capacities, family: family, releasedOnFailure: &released)
    }

    /// Allocates one block per capacity, all or none, waiting for blocks to
    /// be released while the limit does not allow the whole batch
    /// (backpressure) instead of failing.
    ///
    /// No block is held while it waits: each attempt allocates the whole
    /// batch or gives back what it got before it waits again, so that
    /// waiting batches never deadlock each other. Waiting batches are served
    /// first come, first served: only the oldest attempts (after each release,
    /// and at least every 10 ms), and a new batch waits behind them rather
    /// than overtake. Without that order, two batches that fit only one at a
    /// time could keep taking part of the memory and failing, each waking the
    /// other with what it gave back.
    ///
    /// - Parameters:
    ///   - capacities: bytes needed by each block; each block may be larger
    ///     (its tier's size).
    ///   - family: the family of tiers to serve them from.
    /// - Returns: the blocks, in the order of `capacities`.
    /// - Throws: ``MemoryPoolError/limitExceeded(requested:footprint:inUse:limit:)``
    ///   at once when the batch alone is above the limit (`requested` is the
    ///   sum of the capacities the blocks would have, tier sizes included), as
    ///   no release could make room; ``MemoryPoolError/cancelled`` when the
    ///   task is cancelled while waiting; ``MemoryPoolError/outOfMemory(requested:)``.
    /// - Complexity: O(n) per attempt, n the number of blocks.
    public func allocateBlocksWaiting(capacities: [Int], family: BlockFamily = .general) async throws(MemoryPoolError) -> UniqueArray<MemoryBlock> {
        if !hooks.hasWaitingBatches {
            var released = 0
            do {
                return try attemptBatch(capacities, family: family, releasedOnFailure: &released)
            } catch .limitExceeded {
                // Wait below, unless waiting cannot help.
            }
        }
        let needed = capacities.reduce(0) { total, capacity in
            let (sum, overflow) = total.addingReportingOverflow(blockCapacity(forCapacity: capacity, family: family))
            return overflow ? .max : sum
        }
        if needed > config.maxTotalMemory {
            throw .limitExceeded(requested: needed, footprint: canp_pool_footprint(handle),
                                 inUse: canp_pool_in_use(handle), limit: config.maxTotalMemory)
        }
        canp_pool_waiters_add(handle, 1)
        defer { canp_pool_waiters_add(handle, -1) }
        let ticket = hooks.enqueueBatch()
        defer { hooks.dequeueBatch(ticket) }   // wakes the next batch
        while true {
            // Read before the attempt, as in allocateBlockWaiting, so that a
            // release during the attempt is not missed.
            let generation = hooks.releaseGeneration
            var released = 0
            if hooks.isFirstWaitingBatch(ticket) {
                do {
                    return try attemptBatch(capacities, family: family, releasedOnFailure: &released)
                } catch .limitExceeded {
                    // Everything this attempt got is given back.
                }
            }
            // Each block this attempt gave back counted as a release (waiters
            // are registered); wait for a release by someone else, or for
            // this batch's turn.
            if await hooks.waitForRelease(after: generation &+ UInt64(released)) { throw .cancelled }
        }
    }

    /// One all-or-nothing attempt: on failure, the blocks it got are released
    /// (when the array goes out of scope) and `releasedOnFailure` says how many.
    private func attemptBatch(_ capacities: [Int], family: BlockFamily,
                              releasedOnFailure: inout Int) throws(MemoryPoolError) -> UniqueArray<MemoryBlock> {
        var blocks = UniqueArray<MemoryBlock>(minimumCapacity: capacities.count)
        for capacity in capacities {
            do {
                blocks.append(try allocateNow(capacity: capacity, family: family))
            } catch {
                releasedOnFailure = blocks.count
                throw error
            }
        }
        return blocks
    }

    /// Returns a block's memory to its tier now (rather than at the end of its scope).
    @inlinable
    public func release(_ block: consuming MemoryBlock) {
        precondition(block.pool == handle, "releasing a block into a pool it does not belong to")
        _ = consume block
    }

    /// Returns every block of a batch to its tier.
    public func releaseBlocks(_ blocks: consuming UniqueArray<MemoryBlock>) {
        while let block = blocks.popLast() {
            release(block)
        }
    }

    /// Gives cached free blocks back to the allocator, down to each tier's
    /// minimum, and drops expired cache entries.
    ///
    /// - Returns: the bytes given back.
    @discardableResult
    public func trim() -> Int {
        mappedFiles.removeExpired()
        sharedBlocks.removeExpired()
        return canp_pool_trim(handle)
    }

    /// Bytes of the blocks handed out and not yet released.
    public var currentMemory: Int { canp_pool_in_use(handle) }

    /// A snapshot of the statistics.
    public var statistics: MemoryPoolStatistics {
        var s = canp_pool_stats_t()
        canp_pool_get_stats(handle, &s)
        var tiers: [MemoryPoolStatistics.Tier] = []
        withUnsafeBytes(of: &s.tiers) { raw in
            let all = raw.bindMemory(to: canp_tier_stats_t.self)
            for index in 0..<Int(s.tier_count) {
                let t = all[index]
                tiers.append(.init(
                    blockSize: t.block_size, family: BlockFamily(rawValue: Int(t.family)) ?? .general,
                    allocations: Int(t.allocations), deallocations: Int(t.frees),
                    hits: Int(t.hits), misses: Int(t.misses),
                    cachedBlocks: Int(t.cached_blocks), returnedBlocks: Int(t.returned)))
            }
        }
        return MemoryPoolStatistics(
            totalAllocations: Int(s.allocations), totalDeallocations: Int(s.frees),
            currentMemory: s.in_use_bytes, footprint: s.footprint_bytes, peakMemory: s.peak_footprint_bytes,
            maxTotalMemory: s.max_total_bytes, reuseCount: Int(s.hits), missCount: Int(s.misses),
            oversizeAllocations: Int(s.oversize_allocations), limitFailures: Int(s.limit_failures),
            warningCount: Int(s.warnings), isAboveWarningThreshold: s.warning_active,
            usesJemalloc: s.uses_jemalloc, tiers: tiers,
            oversizeCachedBlocks: Int(s.oversize_cached_blocks), oversizeCachedBytes: s.oversize_cached_bytes)
    }

    /// Checks the pool's internal invariants (for stress tests); call only
    /// when no allocation or release is in flight.
    ///
    /// - Returns: nil when they hold, else a description of the first violation.
    public func validateInvariants() -> String? {
        var message = [CChar](repeating: 0, count: 512)
        let rc = canp_pool_validate(handle, &message, message.count)
        if rc == 0 { return nil }
        let bytes = message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The size of the block that a request would get, or nil when it is
    /// above the family's largest tier.
    public func tierBlockSize(forCapacity capacity: Int, family: BlockFamily = .general) -> Int? {
        var tier: Int32 = 0
        var size = 0
        _ = canp_pool_tier_for(handle, capacity, family.cValue, &tier, &size)
        return tier == CANP_TIER_OVERSIZE ? nil : size
    }

    /// The capacity a request would get, which is what it counts against the
    /// limit: its tier's block size, or above every tier of the family, the
    /// request rounded as the oversize cache rounds it (`canp_pool_block_capacity`).
    ///
    /// - Precondition: `capacity >= 0`.
    public func blockCapacity(forCapacity capacity: Int, family: BlockFamily = .general) -> Int {
        precondition(capacity >= 0, "negative capacity \(capacity)")
        var size = 0
        _ = canp_pool_block_capacity(handle, capacity, family.cValue, &size)
        return size
    }

    /// Whether blocks come from jemalloc arenas in this build.
    public static var usesJemalloc: Bool { canp_pool_uses_jemalloc() }

    @usableFromInline
    func error(for rc: Int32, requested: Int) -> MemoryPoolError {
        if rc == -ENOBUFS {
            return .limitExceeded(requested: requested, footprint: canp_pool_footprint(handle),
                                  inUse: canp_pool_in_use(handle), limit: config.maxTotalMemory)
        }
        return .outOfMemory(requested: requested)
    }
}

/// What the C pool calls back into: warnings and releases (for waiters).
final class PoolHooks: Sendable {
    private let threshold: Double
    private let logs: Bool
    private let onWarning: (@Sendable (MemoryWarning) -> Void)?
    /// Waiters for a release: the release count (`generation`), the
    /// suspended waiters, and the waiting batches in arrival order.
    private struct WaitState {
        var generation: UInt64 = 0
        var continuations: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var nextID: UInt64 = 0
        var batches: [UInt64] = []
    }
    private let waiters = LockedState<WaitState>.make(WaitState())

    init(config: MemoryPoolConfig) {
        threshold = config.memoryWarningThreshold
        logs = config.logsMemoryWarnings
        onWarning = config.onMemoryWarning
    }

    var releaseGeneration: UInt64 { waiters.withLock { $0.generation } }

    func warn(footprint: Int, limit: Int) {
        let warning = MemoryWarning(footprint: footprint, limit: limit, threshold: threshold)
        if logs {
            let percent = Int((Double(footprint) / Double(max(limit, 1)) * 100).rounded())
            FileDescriptorLog.standardError("canp: memory warning: the pool holds \(footprint) bytes, \(percent)% of its limit of \(limit) bytes (threshold \(Int(threshold * 100))%)")
        }
        onWarning?(warning)
    }

    func reportLeak(inUse: Int) {
        FileDescriptorLog.standardError("canp: a memory pool was released while \(inUse) bytes of its blocks were still in use; its memory is kept for them")
    }

    /// A block was released while waiters were registered: wake them all to retry.
    func released() {
        wakeAll()
    }

    /// Counts a release and resumes every suspended waiter.
    private func wakeAll() {
        let woken = waiters.withLock { state -> [CheckedContinuation<Bool, Never>] in
            state.generation &+= 1
            let all = Array(state.continuations.values)
            state.continuations.removeAll()
            return all
        }
        for continuation in woken { continuation.resume(returning: false) }
    }

    /// Whether a batch waits (a new batch then queues behind it).
    var hasWaitingBatches: Bool { waiters.withLock { !$0.batches.isEmpty } }

    /// Puts a batch at the end of the queue; returns its ticket.
    func enqueueBatch() -> UInt64 {
        waiters.withLock { state in
            state.nextID &+= 1
            state.batches.append(state.nextID)
            return state.nextID
        }
    }

    /// Whether the batch is the oldest waiting one, the only one that attempts.
    func isFirstWaitingBatch(_ ticket: UInt64) -> Bool {
        waiters.withLock { $0.batches.first == ticket }
    }

    /// Takes a batch out of the queue (served, cancelled or failed); when it
    /// was the first, the waiters are woken so that the next one attempts.
    func dequeueBatch(_ ticket: UInt64) {
        let wasFirst = waiters.withLock { state -> Bool in
            guard let index = state.batches.firstIndex(of: ticket) else { return false }
            state.batches.remove(at: index)
            return index == 0 && !state.batches.isEmpty
        }
        if wasFirst { wakeAll() }
    }

    /// How long a waiter sleeps at most before it retries on its own: a
    /// release that races with the waiter's registration may not call back
    /// (the C pool reads the waiter count without a fence, to keep frees cheap).
    static let retryInterval = DispatchTimeInterval.milliseconds(10)

    /// Suspends until a release after `generation`, or at most
    /// `retryInterval`; returns true when cancelled.
    func waitForRelease(after generation: UInt64) async -> Bool {
        let id = waiters.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let resumeNow: Bool? = waiters.withLock { state in
                    if Task.isCancelled { return true }
                    if state.generation != generation { return false }
                    state.continuations[id] = continuation
                    return nil
                }
                if let resumeNow {
                    continuation.resume(returning: resumeNow)
                } else {
                    DispatchQueue.global().asyncAfter(deadline: .now() + Self.retryInterval) { [waiters] in
                        waiters.withLock { $0.continuations.removeValue(forKey: id) }?.resume(returning: false)
                    }
                }
            }
        } onCancel: {
            let continuation = waiters.withLock { $0.continuations.removeValue(forKey: id) }
            continuation?.resume(returning: true)
        }
    }
}
