// Memory pool benchmark: allocate+release pairs over the general tier sizes
// (512...8192), CANP's pool against jemalloc (mallocx/sdallocx, thread cache)
// and glibc (malloc/free), on 1 and 2 threads, all in the same run.
// The loops are in C (CBenchPeers) so that allocators, not languages, are
// compared; "MemoryBlock" measures the Swift wrapper on top of the pool.
import Benchmark
import Canp
import CBenchPeers
import CCanpCore

private let sizes: [Int] = [512, 1024, 2048, 4096, 8192]
private let pairsPerThread: UInt64 = 1_000_000

private func makePool() -> OpaquePointer {
    var config = canp_pool_config_t()
    canp_pool_config_init(&config)
    withUnsafeMutableBytes(of: &config.tiers) { raw in
        let tiers = raw.bindMemory(to: canp_tier_config_t.self)
        for (index, size) in sizes.enumerated() {
            tiers[index] = canp_tier_config_t(block_size: size, family: 0, min_free: 0, max_free: 1024)
        }
    }
    config.tier_count = UInt32(sizes.count)
    var pool: OpaquePointer?
    precondition(canp_pool_create(&config, &pool) == 0)
    return pool!
}

private func pairs(_ allocator: bench_allocator_t, threads: Int32, benchmark: Benchmark) {
    let pool = makePool()
    defer { canp_pool_destroy(pool) }
    for _ in benchmark.scaledIterations {
        let nanoseconds = sizes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: Int.self) {
                bench_pairs(allocator, pool, $0.baseAddress, sizes.count, pairsPerThread, threads)
            }
        }
        precondition(nanoseconds > 0, "the allocation loop failed")
        benchmark.measurement(.custom("ns per pair", polarity: .prefersSmaller), Int(nanoseconds / pairsPerThread))
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock],
        timeUnits: .microseconds,   // a fixed unit: automatic units round 10.4 ms to "10"
        warmupIterations: 1,
        maxDuration: .seconds(5),
        maxIterations: 10
    )
    for threads: Int32 in [1, 2] {
        Benchmark("pairs canp pool, \(threads) thread(s)") { pairs(BENCH_CANP_POOL, threads: threads, benchmark: $0) }
        Benchmark("pairs jemalloc mallocx, \(threads) thread(s)") { pairs(BENCH_JEMALLOC, threads: threads, benchmark: $0) }
        Benchmark("pairs glibc malloc, \(threads) thread(s)") { pairs(BENCH_GLIBC, threads: threads, benchmark: $0) }
    }
    Benchmark("pairs Swift MemoryBlock, 1 thread") { benchmark in
        var config = MemoryPoolConfig()
        config.generalBlockSizes = sizes
        let pool = try! UnifiedMemoryPool(config: config)
        for _ in benchmark.scaledIterations {
            for index in 0..<Int(pairsPerThread) {
                var block = try! pool.allocateBlock(capacity: sizes[index % sizes.count])
                block.append(contentsOf: CollectionOfOne(1))
                pool.release(block)
            }
        }
    }
}
