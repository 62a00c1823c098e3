/// Errors thrown by ``PipelineThreadPool`` and its handles.
///
/// Runtime failures throw; programmer misuse (waiting for the pool from one
/// of its own workers, for instance) traps.
public enum ThreadPoolError: Error, CustomStringConvertible {
    /// A ``ThreadPoolConfig`` field is out of range; the text names it.
    case invalidConfiguration(String)
    /// The pool no longer accepts work (it is shutting down or stopped).
    case notRunning(ThreadPoolState)
    /// The task was cancelled before it started (``PipelineTaskHandle/cancel()``,
    /// a cancelling shutdown, or a sibling's failure in `parallelProcess`).
    case cancelled
    /// The task's body threw this error.
    case taskFailed(any Error)
    /// `parallelProcess`: the transform threw for the item at `index`; this is
    /// the first failure observed, the remaining items were cancelled.
    case itemFailed(index: Int, error: any Error)
    /// Memory for a task could not be allocated from the memory pool.
    case memory(MemoryPoolError)
    /// A file read failed.
    case fileRead(FileReadError)
    /// `pthread_create` failed with this `errno` while starting workers.
    case threadCreationFailed(errno: Int32)

    /// The error a task body threw, if that is what this is.
    public var underlyingError: (any Error)? {
        switch self {
        case .taskFailed(let error), .itemFailed(_, let error): error
        default: nil
        }
    }

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): "invalid thread pool configuration: \(why)"
        case .notRunning(let state): "the thread pool is not running (\(state))"
        case .cancelled: "the task was cancelled"
        case .taskFailed(let error): "the task failed: \(error)"
        case .itemFailed(let index, let error): "item \(index) failed: \(error)"
        case .memory(let error): "memory pool: \(error)"
        case .fileRead(let error): "\(error)"
        case .threadCreationFailed(let code): "cannot start a worker thread: \(FileReadError.text(code))"
        }
    }
}
