import BasicContainers
import Dispatch
import Synchronization

/// The type-erased part of a ``PipelineTask``: its body, and the completion
/// state its ``PipelineTaskHandle`` observes.
///
/// A class rather than a protocol existential so the worker calls one virtual
/// method and the handle shares the same allocation: a submitted task costs
/// one allocation here plus the body's closure context.
class TaskRunner: @unchecked Sendable {
    // @unchecked: `queue` is written once before the task is published to a
    // queue (under that queue's lock) and only read afterwards; subclasses
    // guard their own state.

    /// The queue the task was submitted to; `cancel()` looks for it there.
    var queue: TaskClassQueue?
    var taskID: UInt64 = 0

    /// Runs the body once on a worker and keeps the outcome staged (not yet
    /// visible to the handle). Returns whether the body succeeded.
    func run(_ blocks: inout UniqueArray<MemoryBlock>, _ worker: WorkerContext) -> Bool {
        fatalError("abstract")
    }

    /// Makes the staged outcome visible and wakes every waiter.
    func publish() { fatalError("abstract") }

    /// Resolves the task with `error` without running it.
    func resolve(failing error: ThreadPoolError) { fatalError("abstract") }
}

/// The runner of a task producing `Success`.
final class TaskBox<Success: Sendable>: TaskRunner, @unchecked Sendable {
    // @unchecked: `body` and `staged` are touched only by the one worker that
    // runs the task (it won the task by popping it under the queue lock);
    // `state` is a LockedState.

    enum Body {
        case plain(@Sendable () throws -> Success)
        case blocks(@Sendable (inout UniqueArray<MemoryBlock>) throws -> Success)
        case worker(@Sendable (inout UniqueArray<MemoryBlock>, WorkerContext) throws -> Success)
    }

    typealias Outcome = Result<Success, ThreadPoolError>

    private enum State {
        case pending(continuations: [UnsafeContinuation<Outcome, Never>], semaphores: [DispatchSemaphore])
        case finished(Outcome)
    }

    private var body: Body?
    private var staged: Outcome?
    private let state = LockedState<State>.make(.pending(continuations: [], semaphores: []))

    init(_ body: Body) {
        self.body = body
    }

    override func run(_ blocks: inout UniqueArray<MemoryBlock>, _ worker: WorkerContext) -> Bool {
        guard let body = self.body.take() else { preconditionFailure("a task ran twice") }
        do {
            let value: Success
            switch body {
            case .plain(let f): value = try f()
            case .blocks(let f): value = try f(&blocks)
            case .worker(let f): value = try f(&blocks, worker)
            }
            staged = .success(value)
            return true
        } catch let error as ThreadPoolError {
            // A pool error thrown by the body (a nested wait, say) is passed
            // through rather than wrapped twice.
            staged = .failure(error)
            return false
        } catch {
            staged = .failure(.taskFailed(error))
            return false
        }
    }

    override func publish() {
        guard let outcome = staged.take() else { preconditionFailure("publish before run") }
        finish(outcome)
    }

    override func resolve(failing error: ThreadPoolError) {
        body = nil
        finish(.failure(error))
    }

    private func finish(_ outcome: Outcome) {
        let waiters = state.withLock { state -> ([UnsafeContinuation<Outcome, Never>], [DispatchSemaphore]) in
            guard case .pending(let continuations, let semaphores) = state else {
                preconditionFailure("a task finished twice")
            }
            state = .finished(outcome)
            return (continuations, semaphores)
        }
        for continuation in waiters.0 { continuation.resume(returning: outcome) }
        for semaphore in waiters.1 { semaphore.signal() }
    }

    /// The outcome, if the task has finished.
    var outcome: Outcome? {
        state.withLock { state in
            if case .finished(let outcome) = state { return outcome }
            return nil
        }
    }

    /// Suspends until the task finishes.
    func outcomeAsync() async -> Outcome {
        if let outcome { return outcome }
        return await withUnsafeContinuation { (continuation: UnsafeContinuation<Outcome, Never>) in
            let ready: Outcome? = state.withLock { state in
                switch state {
                case .finished(let outcome):
                    return outcome
                case .pending(var continuations, let semaphores):
                    continuations.append(continuation)
                    state = .pending(continuations: continuations, semaphores: semaphores)
                    return nil
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Blocks the calling thread until the task finishes.
    func outcomeBlocking() -> Outcome {
        let semaphore = DispatchSemaphore(value: 0)
        let ready: Outcome? = state.withLock { state in
            switch state {
            case .finished(let outcome):
                return outcome
            case .pending(let continuations, var semaphores):
                semaphores.append(semaphore)
                state = .pending(continuations: continuations, semaphores: semaphores)
                return nil
            }
        }
        if let ready { return ready }
        semaphore.wait()
        guard let outcome else { preconditionFailure("woken before the task finished") }
        return outcome
    }
}
