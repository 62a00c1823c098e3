import Synchronization

/// Counts tasks submitted but not finished, pool-wide, and wakes
/// `waitForCompletion` callers when the count reaches zero.
///
/// The hot path is one atomic add per submission and one atomic subtract per
/// finished task; the lock is taken only when the count reaches zero while
/// someone waits. Lost wake-ups are excluded by ordering: a waiter registers
/// (`waiters += 1`) before it re-checks `outstanding` under the lock, and a
/// finisher that brings `outstanding` to zero checks `waiters` afterwards
/// (both sequentially consistent), so at least one of them sees the other.
final class CompletionTracker: @unchecked Sendable {
    // @unchecked: `epoch` and `continuations` are guarded by `lock`.
    private let outstanding = Atomic<Int>(0)
    private let waiters = Atomic<Int>(0)
    private let lock = ConditionLock()
    private var epoch = 0
    private var continuations: [UnsafeContinuation<Void, Never>] = []

    var count: Int { outstanding.load(ordering: .sequentiallyConsistent) }

    func add(_ n: Int) {
        outstanding.wrappingAdd(n, ordering: .sequentiallyConsistent)
    }

    func finish(_ n: Int) {
        let left = outstanding.wrappingSubtract(n, ordering: .sequentiallyConsistent).newValue
        precondition(left >= 0, "more tasks finished than were submitted")
        guard left == 0, waiters.load(ordering: .sequentiallyConsistent) > 0 else { return }
        lock.lock()
        epoch += 1
        let resumed = continuations
        continuations.removeAll()
        lock.broadcast()
        lock.unlock()
        if !resumed.isEmpty { waiters.wrappingSubtract(resumed.count, ordering: .sequentiallyConsistent) }
        for continuation in resumed { continuation.resume() }
    }

    /// Blocks until the outstanding count is, or has been since the call,
    /// zero.
    func waitBlocking() {
        if outstanding.load(ordering: .sequentiallyConsistent) == 0 { return }
        lock.lock()
        waiters.wrappingAdd(1, ordering: .sequentiallyConsistent)
        let start = epoch
        while epoch == start, outstanding.load(ordering: .sequentiallyConsistent) > 0 {
            lock.wait()
        }
        waiters.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        lock.unlock()
    }

    /// Suspends until the outstanding count is, or has been since the call,
    /// zero.
    func wait() async {
        if outstanding.load(ordering: .sequentiallyConsistent) == 0 { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            lock.lock()
            waiters.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if outstanding.load(ordering: .sequentiallyConsistent) == 0 {
                waiters.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                lock.unlock()
                continuation.resume()
                return
            }
            continuations.append(continuation)
            lock.unlock()
        }
    }
}
