/// A Swift `TaskExecutor` that runs jobs on the workers of one class of a
/// ``PipelineThreadPool``.
///
/// ```swift
/// let value = await Task(executorPreference: pool.cpuExecutor) {
///     decode(batch)          // runs on a canp-cpu-N thread
/// }.value
/// ```
///
/// Jobs are queued with the pool's tasks of the same class, at a priority
/// mapped from the Swift task's (`.high` and above: high; `.medium`: normal;
/// lower: low). They are not pool tasks: they do not count in
/// `waitForCompletion` or in submitted/completed, but in
/// ``ThreadPoolStatistics/ClassStatistics/executorJobs``. A shutdown never
/// drops a job; once the class's workers have exited, jobs run on the global
/// concurrent executor.
public final class PipelineTaskExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: the only stored property is an immutable reference to a
    // thread-safe queue. The queue references this executor until the pool
    // stops (its workers run jobs "on" it), then drops it.
    private let owner: TaskClassQueue

    /// The class whose workers run the jobs.
    public var type: PipelineTaskType { owner.type }

    init(queue: TaskClassQueue) {
        owner = queue
    }

    /// Queues a job (called by the Swift runtime).
    ///
    /// - Parameter job: The job to run on a worker.
    /// - Complexity: O(1).
    public func enqueue(_ job: consuming ExecutorJob) {
        let priority = PipelineTaskPriority(TaskPriority(job.priority) ?? .medium)
        owner.enqueue(job: UnownedJob(job), priority: priority)
    }
}
