import Testing
@testable import Canp

/// Seeded stress: threads allocate and release across every tier (and
/// oversize), holding a random window of live blocks; afterwards the usage
/// must be exactly zero and the invariant checker must pass.
@Suite("UnifiedMemoryPool stress")
struct UnifiedMemoryPoolStressTests {
    /// The last argument is the oversize cache: 0, or a cache that holds a
    /// few of the 8-20 KB oversize blocks and keeps dropping the oldest.
    @Test(arguments: [(2, 1_000_000, 0), (2, 500_000, 64 << 10)])
    func usageReturnsToZero(threads: Int, operationsPerThread: Int, oversizeCacheBytes: Int) async throws {
        var config = MemoryPoolConfig()
        config.logsMemoryWarnings = false
        config.oversizeCacheBytes = oversizeCacheBytes
        config.maximumFreeBlocksPerTier = 64      // small, so that blocks spill back to the arena too
        config.threadCacheBlocks = 8
        let pool = try UnifiedMemoryPool(config: config)
        let sizes = MemoryPoolConfig.default.generalBlockSizes + [20_000]
        let operations = await withTaskGroup(of: Int.self) { group in
            for thread in 0..<threads {
                group.addTask {
                    var random = SplitMix64(seed: 0xC0FFEE + UInt64(thread))
                    let families = BlockFamily.allCases
                    var live = [BlockHolder?](repeating: nil, count: 64)
                    var done = 0
                    while done < operationsPerThread {
                        let slot = Int(random.next() % 64)
                        if live[slot] != nil {
                            live[slot]!.release()
                            live[slot] = nil
                        } else {
                            let family = families[Int(random.next() % 3)]
                            let size = Int(random.next() % UInt64(sizes.randomElement(using: &random)!)) + 1
                            guard var block = try? pool.allocateBlock(capacity: size, family: family) else {
                                Issue.record("allocation of \(size) failed")
                                return done
                            }
                            block.append(contentsOf: [UInt8(slot)])
                            live[slot] = BlockHolder(block)
                        }
                        done += 1
                    }
                    for holder in live { holder?.release() }
                    return done
                }
            }
            return await group.reduce(0, +)
        }
        #expect(operations == threads * operationsPerThread)
        let stats = pool.statistics
        #expect(stats.currentMemory == 0)
        #expect(stats.totalAllocations == stats.totalDeallocations)
        #expect(stats.totalAllocations > threads * operationsPerThread / 3)
        #expect(stats.reuseCount + stats.missCount == stats.totalAllocations)
        #expect(pool.validateInvariants() == nil)
        if oversizeCacheBytes > 0 {
            #expect(stats.oversizeCachedBytes > 0 && stats.oversizeCachedBytes <= oversizeCacheBytes)
            #expect(stats.reuseCount > stats.tiers.reduce(0) { $0 + $1.hits }, "oversize requests were served from the cache")
        }
        pool.trim()
        // What stays is held by the caches of the worker threads, which
        // trim cannot empty from here: at most threadCacheBlocks per tier
        // for each thread that ran a worker.
        let after = pool.statistics
        let allTiers = BlockFamily.allCases.flatMap { config.blockSizes(of: $0) }.reduce(0, +)
        let cachedBytes = after.tiers.reduce(0) { $0 + $1.cachedBlocks * $1.blockSize }
        #expect(after.footprint == cachedBytes)
        #expect(after.footprint <= threads * config.threadCacheBlocks * allTiers)
        #expect(pool.validateInvariants() == nil)
    }

    /// Seeded: tasks take batches of 1-4 blocks under a limit that holds a
    /// few of them at once, each waiting for the others' releases. All finish (no
    /// deadlock: a waiting batch holds nothing), and the accounting is exact.
    @Test(.timeLimit(.minutes(10)))
    func batchWaitersUnderTheLimitAllFinish() async throws {
        var config = MemoryPoolConfig()
        config.logsMemoryWarnings = false
        config.maxTotalMemory = 33_000   // the largest batch, 4 x 8192, fits alone
        let pool = try UnifiedMemoryPool(config: config)
        let tasks = 6, rounds = 200
        let sizes = config.generalBlockSizes
        let served = await withTaskGroup(of: Int.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var random = SplitMix64(seed: 0xBA7C4 + UInt64(task))
                    var done = 0
                    for _ in 0..<rounds {
                        let capacities = (0..<Int(random.next() % 4) + 1).map { _ in sizes[Int(random.next() % UInt64(sizes.count))] }
                        do {
                            var blocks = try await pool.allocateBlocksWaiting(capacities: capacities)
                            if blocks.count != capacities.count { Issue.record("\(blocks.count) blocks for \(capacities.count) capacities") }
                            for index in 0..<blocks.count { blocks[index].append(contentsOf: [UInt8(task)]) }
                            await Task.yield()
                            pool.releaseBlocks(blocks)
                            done += 1
                        } catch {
                            Issue.record("batch \(capacities) failed: \(error)")
                        }
                    }
                    return done
                }
            }
            return await group.reduce(0, +)
        }
        #expect(served == tasks * rounds)
        let stats = pool.statistics
        #expect(stats.currentMemory == 0)
        #expect(stats.totalAllocations == stats.totalDeallocations)
        #expect(stats.peakMemory <= config.maxTotalMemory)
        #expect(pool.validateInvariants() == nil)
    }
}
