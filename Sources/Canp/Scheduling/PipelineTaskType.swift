/// The class of work a task belongs to; each class runs on its own workers.
///
/// Separate workers per class keep a burst of one kind of work from starving
/// another: file reads waiting on the disk never occupy the threads that
/// inflate and decode, and bulk memory work never delays either.
public enum PipelineTaskType: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// File reads (io_uring or pread). Workers: `canp-io-N`.
    case io = 0
    /// Parsing, inflating, decoding. Workers: `canp-cpu-N`.
    case cpu = 1
    /// Bulk data processing over memory blocks. Workers: `canp-mem-N`.
    case memory = 2

    /// The short name used in worker thread names (`io`, `cpu`, `mem`).
    public var threadNamePrefix: String {
        switch self {
        case .io: "io"
        case .cpu: "cpu"
        case .memory: "mem"
        }
    }

    public var description: String {
        switch self {
        case .io: "io"
        case .cpu: "cpu"
        case .memory: "memory"
        }
    }
}
