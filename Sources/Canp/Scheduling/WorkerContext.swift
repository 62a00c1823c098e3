import CCanpCore
import CCanpInternal
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One worker thread of a ``TaskClassQueue``: its identity and the counters
/// only it writes.
///
/// Counters live per worker, not per class, so finishing a task touches no
/// cache line another worker writes; readers sum them (relaxed loads: the
/// happens-before edge for exact counts comes from the completion tracker).
final class WorkerContext: @unchecked Sendable {
    // @unchecked: `reader` and `thread` are confined to the worker thread
    // (`thread` is written once before the thread starts and read by `join`
    // after it is known to exist); the counters are atomics.
    let type: PipelineTaskType
    /// 1-based, as in the thread name.
    let index: Int
    let name: String
    /// Identifies the pool, for misuse checks (waiting from one's own worker).
    let poolID: ObjectIdentifier
    var thread: pthread_t?

    let completed = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let executionNanoseconds = Atomic<Int>(0)
    let queueWaitNanoseconds = Atomic<Int>(0)
    let maxQueueWaitNanoseconds = Atomic<Int>(0)
    let executorJobs = Atomic<Int>(0)
    let blocksRecycled = Atomic<Int>(0)

    /// The IO worker's file reader, created on first use.
    var reader: FileReader?

    init(type: PipelineTaskType, index: Int, poolID: ObjectIdentifier) {
        self.type = type
        self.index = index
        self.poolID = poolID
        name = "canp-\(type.threadNamePrefix)-\(index)"
    }

    /// The worker running on the calling thread, if any (any pool).
    static var current: WorkerContext? {
        guard let raw = pthread_getspecific(workerKey) else { return nil }
        return Unmanaged<WorkerContext>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Marks the calling thread as this worker's (for `current`) and names it.
    func adoptCurrentThread() {
        pthread_setspecific(workerKey, Unmanaged.passUnretained(self).toOpaque())
        _ = _canp_thread_set_name(name)
    }

    func forgetCurrentThread() {
        pthread_setspecific(workerKey, nil)
    }
}

/// The thread-specific key that maps a thread to its ``WorkerContext``.
/// Values are unretained: a worker clears it before its context can go away.
let workerKey: pthread_key_t = {
    var key = pthread_key_t()
    let rc = pthread_key_create(&key, nil)
    precondition(rc == 0, "pthread_key_create failed")
    return key
}()
