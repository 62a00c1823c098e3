import Dispatch
import Synchronization
@testable import Canp

/// A memory pool that does not log (tests share stderr).
func quietMemoryPool() throws -> UnifiedMemoryPool {
    var config = MemoryPoolConfig()
    config.logsMemoryWarnings = false
    return try UnifiedMemoryPool(config: config)
}

/// A pool with `threads` workers per class over a quiet memory pool.
func makePool(threads: Int = 1, statistics: Bool = true, memory: UnifiedMemoryPool? = nil) throws
    -> PipelineThreadPool
{
    var config = ThreadPoolConfig(cores: 2)
    config.ioThreads = threads
    config.cpuThreads = threads
    config.memoryThreads = threads
    config.statisticsEnabled = statistics
    return try PipelineThreadPool(config: config, memoryPool: memory ?? quietMemoryPool())
}

struct TestFailure: Error, Equatable {
    let code: Int
}

/// A one-shot gate: tasks block in `wait()` until `open()`.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let waiters = Atomic<Int>(0)
    func wait() {
        waiters.wrappingAdd(1, ordering: .relaxed)
        semaphore.wait()
    }
    func open(count: Int = 1) {
        for _ in 0..<count { semaphore.signal() }
    }
}

/// A thread-safe log of strings.
final class OrderLog: Sendable {
    private let entries = LockedState<[String]>.make([])
    func append(_ s: String) { entries.withLock { $0.append(s) } }
    var all: [String] { entries.withLock { $0 } }
}

