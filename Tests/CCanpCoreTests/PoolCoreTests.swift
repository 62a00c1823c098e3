import CCanpCore
import CCanpInternal
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Tests of the C pool API on its own (what a C program sees).
@Suite("canp_pool (C API)")
struct PoolCoreTests {
    static func makeConfig(tiers: [(Int, canp_family_t)], minFree: UInt32 = 0, maxFree: UInt32 = 64,
                           cache: UInt32 = 16, limit: Int = 0) -> canp_pool_config_t {
        var config = canp_pool_config_t()
        canp_pool_config_init(&config)
        withUnsafeMutableBytes(of: &config.tiers) { raw in
            let slots = raw.bindMemory(to: canp_tier_config_t.self)
            for (index, tier) in tiers.enumerated() {
                slots[index] = canp_tier_config_t(block_size: tier.0, family: tier.1.rawValue, min_free: minFree, max_free: maxFree)
            }
        }
        config.tier_count = UInt32(tiers.count)
        config.thread_cache_blocks = cache
        config.max_total_bytes = limit
        return config
    }

    static func validate(_ pool: OpaquePointer) -> String? {
        var message = [CChar](repeating: 0, count: 256)
        if canp_pool_validate(pool, &message, message.count) == 0 { return nil }
        return String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func rejectsBadConfigurations() {
        var pool: OpaquePointer?
        var empty = Self.makeConfig(tiers: [])
        #expect(canp_pool_create(&empty, &pool) == -EINVAL)
        var zero = Self.makeConfig(tiers: [(0, CANP_FAMILY_GENERAL)])
        #expect(canp_pool_create(&zero, &pool) == -EINVAL)
        var duplicate = Self.makeConfig(tiers: [(512, CANP_FAMILY_GENERAL), (512, CANP_FAMILY_GENERAL)])
        #expect(canp_pool_create(&duplicate, &pool) == -EINVAL)
        var minAboveMax = Self.makeConfig(tiers: [(512, CANP_FAMILY_GENERAL)], minFree: 10, maxFree: 5)
        #expect(canp_pool_create(&minAboveMax, &pool) == -EINVAL)
        var sameSizeOtherFamily = Self.makeConfig(tiers: [(512, CANP_FAMILY_GENERAL), (512, CANP_FAMILY_FRAME)])
        #expect(canp_pool_create(&sameSizeOtherFamily, &pool) == 0)
        #expect(canp_pool_destroy(pool) == 0)
    }

    @Test func familiesPickTheirOwnTiersInSizeOrder() throws {
        var config = Self.makeConfig(tiers: [(4096, CANP_FAMILY_GENERAL), (512, CANP_FAMILY_GENERAL), (1024, CANP_FAMILY_FRAME)])
        var pool: OpaquePointer?
        #expect(canp_pool_create(&config, &pool) == 0)
        var tier: Int32 = 0
        var size = 0
        canp_pool_tier_for(pool, 100, CANP_FAMILY_GENERAL.rawValue, &tier, &size)
        #expect(tier == 1 && size == 512)
        canp_pool_tier_for(pool, 600, CANP_FAMILY_GENERAL.rawValue, &tier, &size)
        #expect(tier == 0 && size == 4096)
        canp_pool_tier_for(pool, 600, CANP_FAMILY_FRAME.rawValue, &tier, &size)
        #expect(tier == 2 && size == 1024)
        canp_pool_tier_for(pool, 600, CANP_FAMILY_DECOMPRESSION.rawValue, &tier, &size)
        #expect(tier == CANP_TIER_OVERSIZE && size == 0)
        #expect(canp_pool_tier_for(pool, 1, 7, &tier, &size) == -EINVAL)
        var block = canp_block_t()
        #expect(canp_pool_alloc(pool, 1, 7, &block) == -EINVAL)
        #expect(canp_pool_destroy(pool) == 0)
    }

    @Test func freeByPartsIsTheSameAsFreeingTheBlock() {
        var config = Self.makeConfig(tiers: [(512, CANP_FAMILY_GENERAL)])
        var pool: OpaquePointer?
        #expect(canp_pool_create(&config, &pool) == 0)
        var tiered = canp_block_t()
        var oversize = canp_block_t()
        #expect(canp_pool_alloc(pool, 100, CANP_FAMILY_GENERAL.rawValue, &tiered) == 0)
        #expect(canp_pool_alloc(pool, 10_000, CANP_FAMILY_GENERAL.rawValue, &oversize) == 0)
        #expect(oversize.tier == CANP_TIER_OVERSIZE)
        _canp_pool_free_parts(pool, tiered.data, tiered.capacity, tiered.tier)
        _canp_pool_free_parts(pool, oversize.data, oversize.capacity, oversize.tier)
        var stats = canp_pool_stats_t()
        canp_pool_get_stats(pool, &stats)
        #expect(stats.allocations == 2 && stats.frees == 2)
        #expect(stats.in_use_bytes == 0)
        // The tier block is cached and reused: the same memory comes back.
        var again = canp_block_t()
        #expect(canp_pool_alloc(pool, 200, CANP_FAMILY_GENERAL.rawValue, &again) == 0)
        #expect(again.data == tiered.data)
        canp_pool_free(pool, again)
        #expect(Self.validate(pool!) == nil)
        #expect(canp_pool_destroy(pool) == 0)
    }

    @Test func blocksCarryTheTimeTheyWereHandedOut() {
        var config = Self.makeConfig(tiers: [(512, CANP_FAMILY_GENERAL)])
        var pool: OpaquePointer?
        #expect(canp_pool_create(&config, &pool) == 0)
        let before = canp_pool_clock_ns()
        var tiered = canp_block_t(), oversize = canp_block_t()
        #expect(canp_pool_alloc(pool, 100, CANP_FAMILY_GENERAL.rawValue, &tiered) == 0)
        #expect(canp_pool_alloc(pool, 10_000, CANP_FAMILY_GENERAL.rawValue, &oversize) == 0)
        let after = canp_pool_clock_ns()
        #expect(before > 0)
        #expect(before <= tiered.created_ns && tiered.created_ns <= after)
        #expect(before <= oversize.created_ns && oversize.created_ns <= after)
        #expect(tiered.reserved == 0)
        canp_pool_free(pool, tiered)
        canp_pool_free(pool, oversize)
        #expect(canp_pool_destroy(pool) == 0)
    }

    @Test func blockCapacityIsTheTierSizeOrTheRoundedOversize() {
        var config = Self.makeConfig(tiers: [(512, CANP_FAMILY_GENERAL), (1024, CANP_FAMILY_FRAME)])
        config.oversize_cache_bytes = 1 << 20
        var pool: OpaquePointer?
        #expect(canp_pool_create(&config, &pool) == 0)
        var capacity = 0
        #expect(canp_pool_block_capacity(pool, 100, CANP_FAMILY_GENERAL.rawValue, &capacity) == 0)
        #expect(capacity == 512)
        #expect(canp_pool_block_capacity(pool, 600, CANP_FAMILY_FRAME.rawValue, &capacity) == 0)
        #expect(capacity == 1024)
        // 100_000 rounds up to a multiple of 65536 / 16 = 4096.
        #expect(canp_pool_block_capacity(pool, 100_000, CANP_FAMILY_GENERAL.rawValue, &capacity) == 0)
        #expect(capacity == 102_400)
        var block = canp_block_t()
        #expect(canp_pool_alloc(pool, 100_000, CANP_FAMILY_GENERAL.rawValue, &block) == 0)
        #expect(block.capacity == 102_400)
        canp_pool_free(pool, block)
        #expect(canp_pool_block_capacity(pool, 1, 7, &capacity) == -EINVAL)
        #expect(canp_pool_destroy(pool) == 0)
    }

    @Test func destroyRefusesWhileBlocksAreOut() {
        var config = Self.makeConfig(tiers: [(512, CANP_FAMILY_GENERAL)])
        var pool: OpaquePointer?
        #expect(canp_pool_create(&config, &pool) == 0)
        var block = canp_block_t()
        #expect(canp_pool_alloc(pool, 100, 0, &block) == 0)
        #expect(canp_pool_destroy(pool) == -EBUSY)
        canp_pool_free(pool, block)
        #expect(canp_pool_destroy(pool) == 0)
    }

    @Test func limitIsExactAndTrimmingMakesRoom() {
        var config = Self.makeConfig(tiers: [(1024, CANP_FAMILY_GENERAL), (4096, CANP_FAMILY_GENERAL)], limit: 8192)
        var pool: OpaquePointer?
        #expect(canp_pool_create(&config, &pool) == 0)
        var a = canp_block_t(), b = canp_block_t(), c = canp_block_t()
        #expect(canp_pool_alloc(pool, 4096, 0, &a) == 0)
        #expect(canp_pool_alloc(pool, 4096, 0, &b) == 0)
        #expect(canp_pool_alloc(pool, 1, 0, &c) == -ENOBUFS)
        #expect(canp_pool_footprint(pool) == 8192)
        canp_pool_free(pool, a)
        // The freed 4096 block is cached; a 1024 request needs the pool to trim it.
        #expect(canp_pool_alloc(pool, 1, 0, &c) == 0)
        #expect(canp_pool_footprint(pool) == 4096 + 1024)
        var stats = canp_pool_stats_t()
        canp_pool_get_stats(pool, &stats)
        #expect(stats.limit_failures == 1)
        #expect(stats.peak_footprint_bytes == 8192)
        canp_pool_free(pool, b)
        canp_pool_free(pool, c)
        #expect(Self.validate(pool!) == nil)
        #expect(canp_pool_destroy(pool) == 0)
    }

    /// Seeded stress of the C core with tiny caches and shared lists, so that
    /// every path (thread cache, shared list push/pop and overflow, arena)
    /// runs under contention; accounting must be exact afterwards.
    @Test(arguments: [(0 as UInt32, 4 as UInt32), (2, 8), (16, 1024)])
    func threadsStressEveryPath(cache: UInt32, maxFree: UInt32) throws {
        var config = Self.makeConfig(
            tiers: [(64, CANP_FAMILY_GENERAL), (512, CANP_FAMILY_GENERAL), (4096, CANP_FAMILY_GENERAL), (256, CANP_FAMILY_FRAME)],
            minFree: 1, maxFree: maxFree, cache: cache)
        var created: OpaquePointer?
        #expect(canp_pool_create(&config, &created) == 0)
        let pool = try #require(created)
        let threads = 2
        let operations = 300_000
        final class Context: @unchecked Sendable {
            let pool: OpaquePointer
            let operations: Int
            // One counter per thread, each written by its thread only.
            let failures = UnsafeMutablePointer<Int>.allocate(capacity: 2)
            init(pool: OpaquePointer, operations: Int) {
                self.pool = pool
                self.operations = operations
                failures.initialize(repeating: 0, count: 2)
            }
            deinit { failures.deallocate() }
        }
        let context = Context(pool: pool, operations: operations)
        var ids = [pthread_t](repeating: 0, count: threads)
        for thread in 0..<threads {
            let argument = Unmanaged.passRetained(ThreadArgument(context: context, index: thread)).toOpaque()
            pthread_create(&ids[thread], nil, { raw in
                let argument = Unmanaged<ThreadArgument>.fromOpaque(raw!).takeRetainedValue()
                let context = argument.context as! Context
                var state: UInt64 = 0x9E37_79B9 &* UInt64(argument.index + 1)
                func next() -> UInt64 {
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    return state
                }
                var held = [canp_block_t](repeating: canp_block_t(), count: 32)
                for _ in 0..<context.operations {
                    let slot = Int(next() % 32)
                    if held[slot].data != nil {
                        let mark = held[slot].data.load(as: UInt8.self)
                        if mark != UInt8(slot) { context.failures[argument.index] += 1 }
                        canp_pool_free(context.pool, held[slot])
                        held[slot].data = nil
                    } else {
                        let family: UInt32 = next() % 4 == 0 ? 2 : 0
                        let size = Int(next() % 6000) + 1
                        if canp_pool_alloc(context.pool, size, family, &held[slot]) != 0 {
                            context.failures[argument.index] += 1
                            continue
                        }
                        held[slot].data.storeBytes(of: UInt8(slot), as: UInt8.self)
                    }
                }
                for slot in 0..<32 where held[slot].data != nil { canp_pool_free(context.pool, held[slot]) }
                return nil
            }, argument)
        }
        for id in ids { pthread_join(id, nil) }
        #expect(context.failures[0] == 0 && context.failures[1] == 0)
        var stats = canp_pool_stats_t()
        canp_pool_get_stats(pool, &stats)
        #expect(stats.in_use_bytes == 0)
        #expect(stats.allocations == stats.frees)
        #expect(stats.hits + stats.misses == stats.allocations)
        #expect(stats.allocations > UInt64(threads * operations / 3))
        // The worker threads exited: their caches went back to the shared lists.
        #expect(Self.validate(pool) == nil)
        #expect(canp_pool_destroy(pool) == 0)
    }
}

final class ThreadArgument {
    let context: AnyObject
    let index: Int
    init(context: AnyObject, index: Int) { self.context = context; self.index = index }
}
