/// The priority of a task within its class.
///
/// Within one class, a queued task of a higher priority always starts before
/// any queued task of a lower priority; tasks of equal priority start in
/// submission order. Priorities do not preempt running tasks and do not
/// cross classes.
public enum PipelineTaskPriority: Int, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Background work that may wait.
    case low = 0
    /// The default.
    case normal = 1
    /// Work on the critical path of a batch.
    case high = 2
    /// Work that must start before anything else queued in its class.
    case critical = 3

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .low: "low"
        case .normal: "normal"
        case .high: "high"
        case .critical: "critical"
        }
    }

    /// Maps a Swift concurrency priority to a pool priority (used by the
    /// pool's task executors): `.high`/`.userInitiated` and above map to
    /// `.high`, `.medium` to `.normal`, anything lower to `.low`.
    init(_ priority: TaskPriority) {
        if priority >= .high {
            self = .high
        } else if priority >= .medium {
            self = .normal
        } else {
            self = .low
        }
    }
}
