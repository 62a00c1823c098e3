import BasicContainers
import Dispatch
import Synchronization

/// The type-erased part of a ``PipelineTask``: its body, and the completion
/// state its ``PipelineTaskHandle`` observes.
///
/// A class rather than a protocol existential so the worker calls one virtual
/// method and the handle shares the same allocation: a submitted task costs
/// one allocation here plus the body's closure context.
///
/// Everything a task does on its way through the pool is in this non-generic
/// base class, so that it is compiled once, for every result type. The
/// generic subclass only runs the body and keeps its value. (With the
/// completion state and the outcome generic over the result, each task paid
/// about ten runtime look-ups of generic type metadata, such as
/// `Result<Success, ThreadPoolError>`: a third of the cost of a tiny task.)
///
/// Completion protocol: `state` goes from `pending` (or `waited`, once a
/// waiter registered) to `finished` exactly once, by an atomic exchange in
/// ``publish()``. Waiters register under one of ``waiterLocks``: they append
/// themselves, then move `state` from `pending` to `waited`; when that finds
/// `finished`, they take themselves back and go on at once. The publisher
/// takes the lock (and the waiters) only when the exchange returned
/// `waited`. Either the waiter's compare-exchange or the publisher's
/// exchange comes first, so no waiter is missed, and a task nobody waits for
/// never takes a lock.
class TaskRunner: @unchecked Sendable {
    // @unchecked: `queue` and `taskID` are written once before the task is
    // published to a queue (under that queue's lock) and only read
    // afterwards; `failure` and the subclass's value are written by the one
    // worker that runs the task before `publish()` (release) and read only
    // after `isFinished` (acquire); the waiter lists are guarded by the
    // task's lock in `waiterLocks`.

    /// The queue the task was submitted to; `cancel()` looks for it there.
    var queue: TaskClassQueue?
    var taskID: UInt64 = 0

    private static let pending = 0
    private static let waited = 1
    private static let finished = 2
    private let state = Atomic<Int>(TaskRunner.pending)

    /// Set before `publish()` when the task failed, was cancelled or refused.
    private(set) var failure: ThreadPoolError?
    private var continuations: [UnsafeContinuation<Void, Never>] = []
    private var semaphores: [DispatchSemaphore] = []

    /// Locks for the waiter lists, shared by all tasks and picked by the
    /// task's address: a task needs a lock only while someone registers to
    /// wait for it, so 64 shared ones save a lock (and its allocation) per
    /// task.
    /// (Plain mutexes: a `LockedState<Void>` has a zero-sized value at the
    /// address of its buffer, where ThreadSanitizer then reports the read of
    /// the buffer's pointers, before the lock, as racing with the write
    /// access to the value, inside it.)
    private static let waiterLocks: [ConditionLock] = (0..<64).map { _ in ConditionLock() }

    private var waiterLock: ConditionLock {
        let address = UInt(bitPattern: ObjectIdentifier(self))
        return Self.waiterLocks[Int((address >> 6) & 63)]
    }

    /// Runs the body once on a worker and keeps the outcome staged (not yet
    /// visible to the handle). Returns whether the body succeeded.
    func run(_ blocks: inout UniqueArray<MemoryBlock>, _ worker: WorkerContext) -> Bool {
        fatalError("abstract")
    }

    /// Drops the body without running it.
    func discardBody() {}

    /// Records the failure of a body that threw.
    final func stageFailure(_ error: any Error) {
        // A pool error thrown by the body (a nested wait, say) is passed
        // through rather than wrapped twice.
        failure = error as? ThreadPoolError ?? .taskFailed(error)
    }

    /// Resolves the task with `error` without running it.
    final func resolve(failing error: ThreadPoolError) {
        discardBody()
        failure = error
        publish()
    }

    /// Makes the staged outcome visible and wakes every waiter.
    final func publish() {
        let before = state.exchange(Self.finished, ordering: .acquiringAndReleasing)
        precondition(before != Self.finished, "a task finished twice")
        guard before == Self.waited else { return }
        let (continuations, semaphores) = waiterLock.withLock {
            defer {
                self.continuations = []
                self.semaphores = []
            }
            return (self.continuations, self.semaphores)
        }
        for continuation in continuations { continuation.resume() }
        for semaphore in semaphores { semaphore.signal() }
    }

    /// Whether the outcome is published.
    final var isFinished: Bool { state.load(ordering: .acquiring) == Self.finished }

    /// Registers a waiter unless the task already finished; returns whether
    /// it registered (and will be woken by `publish()`).
    private func register(_ add: () -> Void, _ remove: () -> Void) -> Bool {
        waiterLock.withLock {
            add()
            let (exchanged, original) = state.compareExchange(
                expected: Self.pending, desired: Self.waited, ordering: .acquiringAndReleasing)
            if exchanged || original == Self.waited { return true }
            remove()
            return false
        }
    }

    /// Suspends until the task finishes.
    final func waitAsync() async {
        if isFinished { return }
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let registered = register({ continuations.append(continuation) }, { continuations.removeLast() })
            if !registered { continuation.resume() }
        }
        // The publisher's exchange (release) precedes the resumption; this
        // load pairs with it for the outcome's fields.
        precondition(isFinished, "woken before the task finished")
    }

    /// Blocks the calling thread until the task finishes.
    final func waitBlocking() {
        if isFinished { return }
        let semaphore = DispatchSemaphore(value: 0)
        if register({ semaphores.append(semaphore) }, { semaphores.removeLast() }) {
            semaphore.wait()
        }
        precondition(isFinished, "woken before the task finished")
    }
}

/// The runner of a task producing `Success`.
final class TaskBox<Success: Sendable>: TaskRunner, @unchecked Sendable {
    // @unchecked: the bodies and `value` are touched only by the one worker
    // that runs the task (it won the task by popping it under the queue lock)
    // until `publish()`, and only read after it (see TaskRunner).

    typealias Outcome = Result<Success, ThreadPoolError>

    // Three optional closures rather than one generic enum: their layout
    // does not depend on `Success`, so the unspecialized code that runs them
    // needs no type metadata look-up.
    private var plain: (@Sendable () throws -> Success)?
    private var blocks: (@Sendable (inout UniqueArray<MemoryBlock>) throws -> Success)?
    private var worker: (@Sendable (inout UniqueArray<MemoryBlock>, WorkerContext) throws -> Success)?
    /// The body's value, boxed: an `Any` holds any `Success` with no
    /// look-up (the class's own metadata names `Success`).
    private var value: Any?

    /// A task whose body takes nothing.
    init(plain body: @escaping @Sendable () throws -> Success) { plain = body }

    /// A task whose body gets the task's memory blocks.
    init(blocks body: @escaping @Sendable (inout UniqueArray<MemoryBlock>) throws -> Success) { blocks = body }

    /// A task whose body gets its blocks and the worker running it.
    init(worker body: @escaping @Sendable (inout UniqueArray<MemoryBlock>, WorkerContext) throws -> Success) {
        worker = body
    }

    override func run(_ blocks: inout UniqueArray<MemoryBlock>, _ worker: WorkerContext) -> Bool {
        do {
            // Plain loads and stores, not `Optional.take()`: that generic
            // method needs the closure type's metadata, a runtime look-up.
            if let f = plain {
                plain = nil
                value = try f()
            } else if let f = self.blocks {
                self.blocks = nil
                value = try f(&blocks)
            } else if let f = self.worker {
                self.worker = nil
                value = try f(&blocks, worker)
            } else {
                preconditionFailure("a task ran twice")
            }
            return true
        } catch {
            stageFailure(error)
            return false
        }
    }

    override func discardBody() {
        plain = nil
        blocks = nil
        worker = nil
    }

    /// The published outcome. Call only once `isFinished`.
    private var finishedOutcome: Outcome {
        if let failure { return .failure(failure) }
        guard let value else { preconditionFailure("a finished task without its value") }
        // A force cast, not `as?`: a `Success` that is itself optional must
        // come back as `.success(nil)`.
        return .success(value as! Success)
    }

    /// The outcome, if the task has finished.
    var outcome: Outcome? { isFinished ? finishedOutcome : nil }

    /// Suspends until the task finishes.
    func outcomeAsync() async -> Outcome {
        await waitAsync()
        return finishedOutcome
    }

    /// Blocks the calling thread until the task finishes.
    func outcomeBlocking() -> Outcome {
        waitBlocking()
        return finishedOutcome
    }
}
