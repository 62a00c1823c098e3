/// The lifecycle of a ``PipelineThreadPool``.
public enum ThreadPoolState: Int, Sendable, CustomStringConvertible {
    /// Accepting and running work.
    case running
    /// ``PipelineThreadPool/shutdown(_:)`` was called: no new work is
    /// accepted; queued work is finished or cancelled, per the mode.
    case shuttingDown
    /// Every worker has exited.
    case stopped

    public var description: String {
        switch self {
        case .running: "running"
        case .shuttingDown: "shuttingDown"
        case .stopped: "stopped"
        }
    }
}
