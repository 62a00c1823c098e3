import Synchronization

/// The batches of a run, in file and unit order (``CANPipeline/batches(of:)``).
///
/// Iterate it once. Breaking out of the loop (or cancelling the iterating
/// task) stops the run.
public struct DecodedBatches: AsyncSequence, Sendable {
    public typealias Element = DecodedBatch
    public typealias Failure = PipelineError

    let channel: BatchChannel
    let producer: Task<Void, Never>
    /// Stops the run when the sequence and its iterators are all gone.
    let lifetime: RunLifetime

    init(channel: BatchChannel, producer: Task<Void, Never>) {
        self.channel = channel
        self.producer = producer
        lifetime = RunLifetime(channel: channel, producer: producer)
    }

    /// The run's report, once the last batch has been consumed (nil before, or after a failure).
    public var report: PipelineReport? { channel.report }

    public func makeAsyncIterator() -> Iterator {
        Iterator(channel: channel, producer: producer, sequenceLifetime: lifetime,
                 lifetime: RunLifetime(channel: channel, producer: producer))
    }

    /// Hands out the batches; stops the run when dropped before the end.
    public struct Iterator: AsyncIteratorProtocol {
        let channel: BatchChannel
        let producer: Task<Void, Never>
        /// Keeps the sequence's lifetime: an iterator outlives a temporary sequence.
        let sequenceLifetime: RunLifetime
        /// Stops the run when the iterator is dropped (a `break` out of the loop).
        let lifetime: RunLifetime

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(PipelineError) -> DecodedBatch? {
            let result = await withTaskCancellationHandler {
                await channel.receive()
            } onCancel: { [channel, producer] in
                channel.close()
                producer.cancel()
            }
            return try result.get()
        }

        public mutating func next() async throws(PipelineError) -> DecodedBatch? {
            try await next(isolation: nil)
        }
    }
}

/// Stops a run of ``CANPipeline/batches(of:)`` when its owner goes away.
///
/// A struct iterator has no `deinit`: without this, breaking out of the loop
/// left the producer waiting forever for room in the channel, holding the
/// pipeline, its pool memory and the batches it had made. Closing an
/// already finished channel changes nothing.
final class RunLifetime: Sendable {
    let channel: BatchChannel
    let producer: Task<Void, Never>

    init(channel: BatchChannel, producer: Task<Void, Never>) {
        self.channel = channel
        self.producer = producer
    }

    deinit {
        channel.close()
        producer.cancel()
    }
}

/// A bounded hand-over between the pipeline (one sender) and one receiver:
/// the sender waits while `capacity` batches are unclaimed.
final class BatchChannel: BatchReceiver {
    private struct State {
        var buffer: [DecodedBatch] = []
        var head = 0
        var end: Result<PipelineReport, PipelineError>?
        var closed = false
        var sender: CheckedContinuation<Bool, Never>?
        var receiver: CheckedContinuation<Result<DecodedBatch?, PipelineError>, Never>?
        var report: PipelineReport?
        var count: Int { buffer.count - head }
        mutating func pop() -> DecodedBatch {
            let batch = buffer[head]
            head += 1
            if head == buffer.count { buffer.removeAll(keepingCapacity: true); head = 0 }
            return batch
        }
    }

    private let capacity: Int
    private let state = LockedState.make(State())

    init(capacity: Int) { self.capacity = capacity }

    var report: PipelineReport? { state.withLock { $0.report } }

    /// Hands a batch over; returns false when the receiver has gone.
    func send(_ batch: DecodedBatch) async -> Bool {
        while true {
            enum Step { case delivered, wait, closed }
            let step: Step = state.withLock { state in
                if state.closed { return .closed }
                if let receiver = state.receiver.take() {
                    receiver.resume(returning: .success(batch))
                    return .delivered
                }
                if state.count < capacity {
                    state.buffer.append(batch)
                    return .delivered
                }
                return .wait
            }
            switch step {
            case .delivered: return true
            case .closed: return false
            case .wait:
                let open = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                    let resumeNow: Bool? = state.withLock { state in
                        if state.closed { return false }
                        if state.count < capacity { return true }
                        state.sender = continuation
                        return nil
                    }
                    if let resumeNow { continuation.resume(returning: resumeNow) }
                }
                if !open { return false }
            }
        }
    }

    /// Ends the sequence after the buffered batches.
    func finish(_ end: Result<PipelineReport, PipelineError>) {
        let receiver = state.withLock { state -> CheckedContinuation<Result<DecodedBatch?, PipelineError>, Never>? in
            state.end = end
            if state.count == 0, let receiver = state.receiver.take() {
                if case .success(let report) = end { state.report = report }
                return receiver
            }
            return nil
        }
        switch end {
        case .success: receiver?.resume(returning: .success(nil))
        case .failure(let error): receiver?.resume(returning: .failure(error))
        }
    }

    /// The receiver has gone: wake the sender so that the run stops.
    func close() {
        let (sender, receiver) = state.withLock { state in
            state.closed = true
            state.buffer.removeAll()
            state.head = 0
            return (state.sender.take(), state.receiver.take())
        }
        sender?.resume(returning: false)
        receiver?.resume(returning: .success(nil))
    }

    func receive() async -> Result<DecodedBatch?, PipelineError> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<DecodedBatch?, PipelineError>, Never>) in
            let now: Result<DecodedBatch?, PipelineError>? = state.withLock { state in
                if state.count > 0 {
                    let batch = state.pop()
                    if let sender = state.sender.take() { sender.resume(returning: true) }
                    return .success(batch)
                }
                if state.closed { return .success(nil) }
                if let end = state.end {
                    switch end {
                    case .success(let report):
                        state.report = report
                        return .success(nil)
                    case .failure(let error):
                        return .failure(error)
                    }
                }
                state.receiver = continuation
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }
}
