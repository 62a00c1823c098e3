import BasicContainers
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What a class queue holds: a pool task, or a job of a Swift task that
/// prefers this class's executor.
struct QueueItem: ~Copyable {
    /// The task's id; 0 for executor jobs.
    let id: UInt64
    var task: PipelineTask?
    var job: UnownedJob?

    init(task: consuming PipelineTask) {
        id = task.id
        job = nil
        self.task = .some(task)
    }

    init(job: UnownedJob) {
        id = 0
        task = nil
        self.job = job
    }
}

/// The queue and the workers of one task class.
///
/// Four FIFO rings, one per priority, under one lock: a worker always takes
/// the front of the highest non-empty ring, which gives "a higher priority
/// always starts first; equal priorities in submission order" exactly.
///
/// Possible alternatives, rejected:
/// - A binary heap keyed by (priority, sequence): O(log n) per operation for
///   the same order; four rings are O(1) and there are only four levels.
/// - Per-worker deques with stealing: faster for tiny tasks but cannot give a
///   strict pool-wide priority order, which the pipeline relies on.
///
/// Wake-ups: a submitter signals the condition only when an idle worker is
/// not already being woken (`idle > wakeupsPending`), so a burst of
/// submissions costs at most one futex wake per sleeping worker.
final class TaskClassQueue: @unchecked Sendable {
    // @unchecked: every `var` below is guarded by `lock`, except `workers`,
    // written before the threads start and read after they are joined.

    enum ShutdownMode { case drain, cancelPending }

    let type: PipelineTaskType
    let core: PoolCore
    private let lock = ConditionLock()
    private var critical = TaskRing<QueueItem>()
    private var high = TaskRing<QueueItem>()
    private var normal = TaskRing<QueueItem>()
    private var low = TaskRing<QueueItem>()
    private var queued = 0 {
        didSet { queuedHint.store(queued, ordering: .relaxed) }
    }
    /// `queued`, readable without the lock: a worker about to sleep polls it
    /// for a moment first.
    private let queuedHint = Atomic<Int>(0)
    /// How many times an idle worker yields the CPU, polling for work, before
    /// it sleeps on the condition. Sleeping and waking cost a futex call each
    /// (microseconds); a stream of small tasks would pay them per task. The
    /// poll yields (sched_yield) rather than spins, so other processes on a
    /// shared machine get the core meanwhile.
    static let pollsBeforeSleep = 64
    private var idle = 0
    private var wakeupsPending = 0
    private var accepting = true
    private var exitWhenEmpty = false
    private var liveWorkers = 0
    private var running = 0
    private var submittedCount = 0
    private var cancelledCount = 0
    private(set) var workers: [WorkerContext] = []
    /// Set right after init; jobs run "on" it. Cleared when the pool stops
    /// (after the workers are joined) to break the executor <-> queue cycle.
    var executor: PipelineTaskExecutor?

    init(type: PipelineTaskType, core: PoolCore) {
        self.type = type
        self.core = core
    }

    // MARK: Threads

    private final class ThreadStart {
        let queue: TaskClassQueue
        let worker: WorkerContext
        init(queue: TaskClassQueue, worker: WorkerContext) {
            self.queue = queue
            self.worker = worker
        }
    }

    /// Starts `count` workers. Returns 0, or the `pthread_create` error (the
    /// workers already started keep running; the caller shuts them down).
    func start(count: Int, poolID: ObjectIdentifier) -> Int32 {
        for i in 1...count {
            let worker = WorkerContext(type: type, index: i, poolID: poolID)
            let start = Unmanaged.passRetained(ThreadStart(queue: self, worker: worker)).toOpaque()
            lock.withLock { liveWorkers += 1 }
            var thread = pthread_t()
            let rc = pthread_create(&thread, nil, { raw in
                let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
                start.worker.adoptCurrentThread()
                start.queue.workerLoop(start.worker)
                start.worker.forgetCurrentThread()
                return nil
            }, start)
            guard rc == 0 else {
                Unmanaged<ThreadStart>.fromOpaque(start).release()
                lock.withLock { liveWorkers -= 1 }
                return rc
            }
            worker.thread = thread
            workers.append(worker)
        }
        return 0
    }

    /// Stops accepting tasks; wakes every worker so that each exits once the
    /// queue is empty. With `.cancelPending`, queued tasks are resolved as
    /// cancelled (their blocks returned) before this returns; executor jobs are
    /// never dropped.
    func beginShutdown(_ mode: ShutdownMode) {
        var cancelled = UniqueArray<PipelineTask>()
        lock.lock()
        accepting = false
        exitWhenEmpty = true
        if mode == .cancelPending {
            drainTasks(from: &critical, into: &cancelled)
            drainTasks(from: &high, into: &cancelled)
            drainTasks(from: &normal, into: &cancelled)
            drainTasks(from: &low, into: &cancelled)
            queued -= cancelled.count
            cancelledCount += cancelled.count
        }
        lock.broadcast()
        lock.unlock()
        while let task = cancelled.popLast() {
            finishUnrun(task, error: .cancelled)
        }
    }

    private func drainTasks(from ring: inout TaskRing<QueueItem>, into tasks: inout UniqueArray<PipelineTask>) {
        var jobs = TaskRing<QueueItem>(capacity: 4)
        while var item = ring.popFirst() {
            if let task = item.task.take() {
                tasks.append(task)
            } else {
                jobs.append(item)
            }
        }
        while let job = jobs.popFirst() { ring.append(job) }
    }

    /// Waits for every worker thread to exit.
    func join() {
        for worker in workers {
            guard let thread = worker.thread else { continue }
            pthread_join(thread, nil)
        }
    }

    /// Detaches the workers instead of joining them (used when the pool is
    /// released from one of its own workers, which cannot join itself).
    func detach() {
        for worker in workers {
            guard let thread = worker.thread else { continue }
            pthread_detach(thread)
        }
    }

    // MARK: Submission

    @inline(__always)
    private func append(_ item: consuming QueueItem, priority: PipelineTaskPriority) {
        switch priority {
        case .critical: critical.append(item)
        case .high: high.append(item)
        case .normal: normal.append(item)
        case .low: low.append(item)
        }
    }

    @inline(__always)
    private func withRing<R: ~Copyable>(_ priority: PipelineTaskPriority, _ body: (inout TaskRing<QueueItem>) -> R) -> R {
        switch priority {
        case .critical: body(&critical)
        case .high: body(&high)
        case .normal: body(&normal)
        case .low: body(&low)
        }
    }

    /// Queues a task. On refusal (the pool is shutting down) the task is
    /// resolved as `.notRunning` and its blocks returned; returns false.
    func enqueue(_ task: consuming PipelineTask, state: @autoclosure () -> ThreadPoolState) -> Bool {
        precondition(task.type == type, "task queued on the wrong class")
        let blockCount = task.memoryBlocks.count
        task.runner.queue = self
        let priority = task.priority
        var item = QueueItem(task: task)
        lock.lock()
        guard accepting else {
            lock.unlock()
            finishUnrun(item.task.take()!, error: .notRunning(state()), counted: false)
            return false
        }
        core.tracker.add(1)
        submittedCount += 1
        append(item, priority: priority)
        queued += 1
        let wake = idle > wakeupsPending
        if wake { wakeupsPending += 1 }
        lock.unlock()
        if wake { lock.signal() }
        if blockCount > 0 { core.blocksHandedToTasks.wrappingAdd(blockCount, ordering: .relaxed) }
        return true
    }

    /// Queues many tasks of this class under one lock acquisition, in order.
    /// Returns false, resolving them all as `.notRunning`, when refused.
    func enqueue(batch tasks: inout UniqueArray<PipelineTask>, state: @autoclosure () -> ThreadPoolState) -> Bool {
        guard !tasks.isEmpty else { return true }
        var blockCount = 0
        for i in tasks.indices {
            precondition(tasks[i].type == type, "task queued on the wrong class")
            tasks[i].runner.queue = self
            blockCount += tasks[i].memoryBlocks.count
        }
        lock.lock()
        guard accepting else {
            lock.unlock()
            let error = ThreadPoolError.notRunning(state())
            while let task = tasks.popLast() { finishUnrun(task, error: error, counted: false) }
            return false
        }
        let n = tasks.count
        core.tracker.add(n)
        submittedCount += n
        // Move out front to back to keep submission order.
        var reversed = UniqueArray<PipelineTask>(minimumCapacity: n)
        while let task = tasks.popLast() { reversed.append(task) }
        while let task = reversed.popLast() {
            let priority = task.priority
            let item = QueueItem(task: task)
            append(item, priority: priority)
        }
        queued += n
        let wakeCount = min(n, idle - wakeupsPending)
        if wakeCount > 0 { wakeupsPending += wakeCount }
        lock.unlock()
        if wakeCount > 0 {
            if wakeCount == 1 { lock.signal() } else { lock.broadcast() }
        }
        if blockCount > 0 { core.blocksHandedToTasks.wrappingAdd(blockCount, ordering: .relaxed) }
        return true
    }

    /// Queues an executor job. Jobs are accepted while any worker lives
    /// (also during a shutdown); after the last worker exited they go to the
    /// global concurrent executor, since a job must never be dropped.
    func enqueue(job: UnownedJob, priority: PipelineTaskPriority) {
        lock.lock()
        guard liveWorkers > 0 else {
            lock.unlock()
            globalConcurrentExecutor.enqueue(ExecutorJob(job))
            return
        }
        append(QueueItem(job: job), priority: priority)
        queued += 1
        let wake = idle > wakeupsPending
        if wake { wakeupsPending += 1 }
        lock.unlock()
        if wake { lock.signal() }
    }

    /// Removes a still-queued task and resolves it as cancelled. Returns
    /// false when the task already started or finished. O(queued tasks of its
    /// priority).
    func cancel(taskID: UInt64, priority: PipelineTaskPriority) -> Bool {
        lock.lock()
        let found = withRing(priority) { ring in ring.remove { $0.id == taskID } }
        guard var item = found else {
            lock.unlock()
            return false
        }
        queued -= 1
        cancelledCount += 1
        lock.unlock()
        finishUnrun(item.task.take()!, error: .cancelled)
        return true
    }

    /// Resolves a task that will never run: returns its blocks, fails its
    /// handle, and (when it had been counted as submitted) retires it.
    private func finishUnrun(_ task: consuming PipelineTask, error: ThreadPoolError, counted: Bool = true) {
        var blocks = task.memoryBlocks
        let runner = task.runner
        let n = core.recycle(&blocks)
        if n > 0, core.memoryManagementEnabled {
            core.blocksRecycledOutsideWorkers.wrappingAdd(n, ordering: .relaxed)
        }
        runner.resolve(failing: error)
        if counted { core.tracker.finish(1) }
    }

    // MARK: Workers

    private func popHighest() -> QueueItem? {
        if let item = critical.popFirst() { return item }
        if let item = high.popFirst() { return item }
        if let item = normal.popFirst() { return item }
        return low.popFirst()
    }

    fileprivate func workerLoop(_ worker: WorkerContext) {
        lock.lock()
        while true {
            if queued > 0, var item = popHighest() {
                queued -= 1
                running += 1
                lock.unlock()
                if let task = item.task.take() {
                    execute(task, on: worker)
                } else if let job = item.job.take() {
                    job.runSynchronously(on: executor!.asUnownedTaskExecutor())
                    worker.executorJobs.wrappingAdd(1, ordering: .relaxed)
                }
                lock.lock()
                running -= 1
                continue
            }
            if exitWhenEmpty { break }
            lock.unlock()
            var polls = 0
            while polls < Self.pollsBeforeSleep, queuedHint.load(ordering: .relaxed) == 0 {
                sched_yield()
                polls += 1
            }
            lock.lock()
            if queued > 0 || exitWhenEmpty { continue }
            idle += 1
            lock.wait()
            idle -= 1
            if wakeupsPending > 0 { wakeupsPending -= 1 }
        }
        liveWorkers -= 1
        lock.unlock()
    }

    private func execute(_ task: consuming PipelineTask, on worker: WorkerContext) {
        let statistics = core.statisticsEnabled
        let start: UInt64? = statistics ? monotonicNanoseconds() : nil
        let creation = task.creationNanoseconds
        var blocks = task.memoryBlocks
        let runner = task.runner
        let given = blocks.count
        let succeeded = runner.run(&blocks, worker)
        let left = blocks.count
        if left > 0 || given > 0 {
            core.recycle(&blocks)
            if core.memoryManagementEnabled {
                worker.blocksRecycled.wrappingAdd(left, ordering: .relaxed)
                if given > left { core.blocksKeptByTasks.wrappingAdd(given - left, ordering: .relaxed) }
            }
        }
        if let start {
            let end = monotonicNanoseconds()
            let wait = Int(truncatingIfNeeded: start &- creation)
            worker.executionNanoseconds.wrappingAdd(Int(truncatingIfNeeded: end &- start), ordering: .relaxed)
            worker.queueWaitNanoseconds.wrappingAdd(wait, ordering: .relaxed)
            if wait > worker.maxQueueWaitNanoseconds.load(ordering: .relaxed) {
                worker.maxQueueWaitNanoseconds.store(wait, ordering: .relaxed)
            }
            if succeeded {
                worker.completed.wrappingAdd(1, ordering: .relaxed)
            } else {
                worker.failed.wrappingAdd(1, ordering: .relaxed)
            }
        }
        runner.publish()
        core.tracker.finish(1)
    }

    // MARK: Introspection

    struct Snapshot {
        var submitted = 0
        var cancelled = 0
        var queued = 0
        var running = 0
        var idle = 0
    }

    func snapshot() -> Snapshot {
        lock.withLock {
            Snapshot(submitted: submittedCount, cancelled: cancelledCount, queued: queued,
                     running: running, idle: idle)
        }
    }
}
