import BasicContainers
import Synchronization

/// A unit of work for ``PipelineThreadPool``: an id, a class, a priority, a
/// creation time, the memory blocks it owns, and its body.
///
/// It is noncopyable because it owns its blocks: moving the task moves the
/// blocks, and nothing else can reach them. When the task ends (its body
/// returns or throws, or it is cancelled) the blocks still in
/// ``memoryBlocks`` go back to the pool's memory pool.
///
/// Most callers never build one: `submitCPUTask`, `submitTask(type:priority:memoryBlocks:_:)`
/// and friends do. Build them to submit a batch in one step:
///
/// ```swift
/// var batch = UniqueArray<PipelineTask>()
/// batch.append(PipelineTask(type: .cpu, priority: .high) { _ in decode() })
/// let handles = try pool.submitBatch(&batch)
/// ```
public struct PipelineTask: ~Copyable, Sendable {
    /// A process-wide unique, increasing id.
    public let id: UInt64
    /// The class whose workers run the task.
    public let type: PipelineTaskType
    /// The task's priority within its class.
    public let priority: PipelineTaskPriority
    /// When the task was created (`CLOCK_MONOTONIC` nanoseconds: one vDSO
    /// read, cheaper than `ContinuousClock.now` plus `Duration` arithmetic on
    /// the per-task path).
    let creationNanoseconds: UInt64

    /// When the task was created; queue wait is measured from here.
    public var creationTime: ContinuousClock.Instant {
        // Converted through one pair of readings of both clocks taken once per
        // process, so that the result does not depend on when it is read
        // (converting with a fresh pair each time put it late by the gap
        // between the two reads).
        let epoch = ClockEpoch.shared
        return epoch.instant.advanced(by: .nanoseconds(Int64(bitPattern: creationNanoseconds &- epoch.nanoseconds)))
    }
    /// The blocks the task owns. The body receives them `inout`; whatever is
    /// left when it ends is returned to the memory pool. A body keeps a block
    /// beyond the task by removing it from the array.
    public var memoryBlocks: UniqueArray<MemoryBlock>
    /// Type-erased body plus the state its handle observes.
    let runner: TaskRunner

    private static let nextID = Atomic<UInt64>(1)

    /// Creates a task whose body receives the task's blocks.
    ///
    /// - Parameters:
    ///   - type: The class to run on. Default: `.cpu`.
    ///   - priority: The priority within the class. Default: `.normal`.
    ///   - memoryBlocks: Blocks moved into the task.
    ///   - body: The work. It runs once, on a worker of `type`.
    public init(
        type: PipelineTaskType = .cpu,
        priority: PipelineTaskPriority = .normal,
        memoryBlocks: consuming UniqueArray<MemoryBlock> = UniqueArray(),
        _ body: @escaping @Sendable (inout UniqueArray<MemoryBlock>) throws -> Void
    ) {
        self.init(type: type, priority: priority, memoryBlocks: memoryBlocks,
                  runner: TaskBox<Void>(blocks: body))
    }

    init(
        type: PipelineTaskType, priority: PipelineTaskPriority,
        memoryBlocks: consuming UniqueArray<MemoryBlock>, runner: TaskRunner
    ) {
        id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        self.type = type
        self.priority = priority
        creationNanoseconds = monotonicNanoseconds()
        self.memoryBlocks = memoryBlocks
        self.runner = runner
    }
}

/// A reading of `ContinuousClock` and of the monotonic nanosecond counter at
/// (nearly) the same moment: the midpoint of two continuous-clock readings
/// around one counter reading.
struct ClockEpoch: Sendable {
    let instant: ContinuousClock.Instant
    let nanoseconds: UInt64

    static let shared: ClockEpoch = {
        let first = ContinuousClock.now
        let counter = monotonicNanoseconds()
        let second = ContinuousClock.now
        return ClockEpoch(instant: first.advanced(by: (second - first) / 2), nanoseconds: counter)
    }()
}
