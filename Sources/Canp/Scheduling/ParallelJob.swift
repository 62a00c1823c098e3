import Dispatch
import Synchronization

/// The shared state of one `parallelProcess` call: a chunk counter that the
/// caller and the helper tasks claim chunks from, the first failure, and the
/// semaphore the caller waits on for the last chunk.
///
/// Not generic on purpose: the per-item loop lives in `chunkBody`, a closure
/// built by the `@inlinable` `parallelProcess` in the caller's module, where
/// it is specialized for the caller's types. A generic job compiled here would
/// run every item through unspecialized witness calls (measured: slower than
/// a serial `map` for cheap transforms).
///
/// Chunks are claimed dynamically (one atomic add each) rather than assigned
/// up front, so a slow item delays only its own chunk. A chunk that stops early
/// (failure or cancellation) deinitializes its own outputs before reporting,
/// so at the end exactly the chunks marked complete hold initialized outputs.
@usableFromInline
final class ParallelJob: @unchecked Sendable {
    // @unchecked: `complete` is written at disjoint indices by the thread that
    // claimed the chunk and read by the waiter only after the last chunk's
    // finish (acquire/release on `finishedChunks`); `chunkBody` is set before
    // any helper is submitted and never changed.

    /// Processes items `lower..<upper` and returns how many leading outputs it
    /// initialized and kept (`upper - lower` when the chunk is complete).
    @usableFromInline typealias ChunkBody = @Sendable (ParallelJob, Int, Int) -> Int

    @usableFromInline let count: Int
    @usableFromInline let chunkSize: Int
    @usableFromInline let chunkCount: Int
    @usableFromInline var chunkBody: ChunkBody?
    private let complete: UnsafeMutablePointer<Bool>
    private let nextChunk = Atomic<Int>(0)
    private let finishedChunks = Atomic<Int>(0)
    private let cancelled = Atomic<Bool>(false)
    private let firstError = LockedState<(index: Int, error: any Error)?>.make(nil)
    private let done = DispatchSemaphore(value: 0)

    @usableFromInline
    init(count: Int, participants: Int) {
        self.count = count
        chunkSize = max(1, min(16_384, count / max(1, participants * 8)))
        chunkCount = (count + chunkSize - 1) / chunkSize
        complete = .allocate(capacity: max(chunkCount, 1))
        complete.initialize(repeating: false, count: max(chunkCount, 1))
    }

    deinit { complete.deallocate() }

    /// Whether a failure has cancelled the remaining items.
    @usableFromInline var isCancelled: Bool { cancelled.load(ordering: .relaxed) }

    /// Records a failure (the first one wins) and cancels the rest.
    @usableFromInline
    func recordFailure(index: Int, error: any Error) {
        firstError.withLock { first in
            if first == nil { first = (index, error) }
        }
        cancelled.store(true, ordering: .relaxed)
    }

    /// Claims and runs chunks until none is left.
    func work() {
        guard let body = chunkBody else { preconditionFailure("no chunk body") }
        while true {
            let chunk = nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
            if chunk >= chunkCount { return }
            let lower = chunk * chunkSize
            let upper = min(count, lower + chunkSize)
            let kept = isCancelled ? 0 : body(self, lower, upper)
            complete[chunk] = kept == upper - lower
            if finishedChunks.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == chunkCount {
                done.signal()
            }
        }
    }

    /// Blocks until every chunk has finished.
    func waitBlocking() {
        done.wait()
        _ = finishedChunks.load(ordering: .acquiring)
    }

    /// After the wait: nil when every output is initialized; otherwise the
    /// first failure, after `deinitialize(lower, upper)` was called for every
    /// complete chunk.
    @usableFromInline
    func failureCleaningUp(_ deinitialize: (Int, Int) -> Void) -> ThreadPoolError? {
        guard let failure = firstError.withLock({ $0 }) else { return nil }
        for chunk in 0..<chunkCount where complete[chunk] {
            let lower = chunk * chunkSize
            deinitialize(lower, min(count, lower + chunkSize))
        }
        return .itemFailed(index: failure.index, error: failure.error)
    }

    /// The per-item loop, specialized where `parallelProcess` is inlined.
    @inlinable @inline(__always)
    static func process<Input, Output>(
        _ items: [Input], into output: UnsafeMutablePointer<Output>,
        _ transform: (Input) throws -> Output, job: ParallelJob, lower: Int, upper: Int
    ) -> Int {
        // One buffer borrow per chunk: indexing the captured array per item
        // would retain/release its buffer from every thread at once, and that
        // shared reference count costs more than a cheap transform.
        var i = lower
        items.withUnsafeBufferPointer { buffer in
            do {
                while i < upper {
                    // Poll for cancellation every 64 items: cheap, and a
                    // failure elsewhere stops this chunk within 64 items.
                    if (i &- lower) & 63 == 0, job.isCancelled { break }
                    (output + i).initialize(to: try transform(buffer[i]))
                    i &+= 1
                }
            } catch {
                job.recordFailure(index: i, error: error)
            }
        }
        if i < upper {
            (output + lower).deinitialize(count: i - lower)
            return 0
        }
        return upper - lower
    }
}
