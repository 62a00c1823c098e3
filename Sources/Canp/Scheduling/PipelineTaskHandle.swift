/// The handle of a submitted task: await or wait for its result, or cancel it
/// while it is still queued.
///
/// Handles are cheap values; copies refer to the same task, and any number of
/// them may wait. Dropping every handle does not cancel the task.
public struct PipelineTaskHandle<Success: Sendable>: Sendable {
    /// The task's id (``PipelineTask/id``).
    public let id: UInt64
    /// The task's class.
    public let type: PipelineTaskType
    /// The task's priority.
    public let priority: PipelineTaskPriority
    let box: TaskBox<Success>

    init(id: UInt64, type: PipelineTaskType, priority: PipelineTaskPriority, box: TaskBox<Success>) {
        self.id = id
        self.type = type
        self.priority = priority
        self.box = box
    }

    /// The task's result, once it has finished.
    ///
    /// Suspends (without blocking a thread) until the task finishes.
    ///
    /// - Throws: ``ThreadPoolError/taskFailed(_:)`` with the body's error,
    ///   ``ThreadPoolError/cancelled`` if it was cancelled before it started,
    ///   ``ThreadPoolError/notRunning(_:)`` if the pool refused it.
    public var value: Success {
        get async throws(ThreadPoolError) {
            try await box.outcomeAsync().get()
        }
    }

    /// The task's outcome, suspending until it finishes; never throws.
    public var result: Result<Success, ThreadPoolError> {
        get async { await box.outcomeAsync() }
    }

    /// Blocks the calling thread until the task finishes and returns its
    /// value.
    ///
    /// Do not call it from a worker of the task's own class when that class
    /// may have no other free worker: the task could never start.
    ///
    /// - Throws: As ``value``.
    public func wait() throws(ThreadPoolError) -> Success {
        try box.outcomeBlocking().get()
    }

    /// Whether the task has finished (succeeded, failed or been cancelled).
    public var isFinished: Bool { box.outcome != nil }

    /// The outcome if the task has finished, without waiting.
    public var currentResult: Result<Success, ThreadPoolError>? { box.outcome }

    /// Cancels the task if it has not started: it is removed from its queue,
    /// its blocks go back to the memory pool, and its result becomes
    /// ``ThreadPoolError/cancelled``. A running or finished task is not
    /// affected.
    ///
    /// - Returns: Whether the task was cancelled by this call.
    /// - Complexity: O(n) in the tasks queued at the same class and priority.
    @discardableResult
    public func cancel() -> Bool {
        guard let queue = box.queue else { return false }
        return queue.cancel(taskID: id, priority: priority)
    }
}
