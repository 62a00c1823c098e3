import BasicContainers
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The pool-wide state every class queue shares: settings, the memory pool,
/// the completion tracker and the counters not owned by one worker.
///
/// Split from ``PipelineThreadPool`` so that queues and workers reference it
/// without referencing the pool: the pool's `deinit` can then run (and shut
/// the workers down) while workers are still alive.
final class PoolCore: Sendable {
    let statisticsEnabled: Bool
    let memoryManagementEnabled: Bool
    let memoryPool: UnifiedMemoryPool?
    let tracker = CompletionTracker()
    let readerConfiguration: FileReader.Configuration

    let blocksHandedToTasks = Atomic<Int>(0)
    let blocksRecycledOutsideWorkers = Atomic<Int>(0)
    let blocksKeptByTasks = Atomic<Int>(0)

    let ioBatches = Atomic<Int>(0)
    let ioRequests = Atomic<Int>(0)
    let ioFailedRequests = Atomic<Int>(0)
    let ioBytesRead = Atomic<Int>(0)
    let ioOperations = Atomic<Int>(0)
    let ioSubmissions = Atomic<Int>(0)
    let ioShortReads = Atomic<Int>(0)
    let ioRetries = Atomic<Int>(0)

    init(config: ThreadPoolConfig, memoryPool: UnifiedMemoryPool?, readerConfiguration: FileReader.Configuration) {
        statisticsEnabled = config.statisticsEnabled
        memoryManagementEnabled = config.memoryManagementEnabled
        self.memoryPool = memoryPool
        self.readerConfiguration = readerConfiguration
    }

    /// Returns a task's leftover blocks to the memory pool (or drops them
    /// when memory management is off). Returns how many were returned.
    @discardableResult
    func recycle(_ blocks: inout UniqueArray<MemoryBlock>) -> Int {
        var n = 0
        if memoryManagementEnabled, let memoryPool {
            while let block = blocks.popLast() {
                memoryPool.release(block)
                n += 1
            }
        } else {
            n = blocks.count
            blocks.removeAll()
        }
        return n
    }

    /// Adds the counters of one reader call to the pool's IO statistics.
    func record(_ d: FileReader.Statistics) {
        ioBatches.wrappingAdd(d.batches, ordering: .relaxed)
        ioRequests.wrappingAdd(d.requests, ordering: .relaxed)
        ioFailedRequests.wrappingAdd(d.failedRequests, ordering: .relaxed)
        ioBytesRead.wrappingAdd(d.bytesRead, ordering: .relaxed)
        ioOperations.wrappingAdd(d.operations, ordering: .relaxed)
        ioSubmissions.wrappingAdd(d.submissions, ordering: .relaxed)
        ioShortReads.wrappingAdd(d.shortReads, ordering: .relaxed)
        ioRetries.wrappingAdd(d.retries, ordering: .relaxed)
    }
}

/// `CLOCK_MONOTONIC` in nanoseconds.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int {
        let c = components
        let (ns, overflow) = c.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return c.seconds < 0 ? Int.min : Int.max }
        return Int(ns) + Int(c.attoseconds / 1_000_000_000)
    }
}
