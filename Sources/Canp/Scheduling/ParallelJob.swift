import Dispatch
import Synchronization

/// The shared state of one `parallelProcess` call: the input, the output
/// buffer, and a chunk counter that the caller and the helper tasks claim
/// chunks from.
///
/// Chunks are claimed dynamically (one atomic add each) rather than assigned
/// up front, so a slow item delays only its own chunk. Each chunk initializes
/// its output range in order; a failure or cancellation leaves a chunk partly
/// initialized, which it deinitializes itself before reporting, so that at the
/// end exactly the chunks marked complete hold initialized outputs.
final class ParallelJob<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    // @unchecked: `output` and `complete` are written at disjoint indices by
    // the thread that claimed the chunk, and read by the waiter only after the
    // last chunk's finish (acquire/release on `finishedChunks`).
    let items: [Input]
    let transform: @Sendable (Input) throws -> Output
    let output: UnsafeMutablePointer<Output>
    let chunkSize: Int
    let chunkCount: Int
    private let complete: UnsafeMutablePointer<Bool>
    private let nextChunk = Atomic<Int>(0)
    private let finishedChunks = Atomic<Int>(0)
    private let cancelled = Atomic<Bool>(false)
    private let firstError = Mutex<(index: Int, error: any Error)?>(nil)
    private let done = DispatchSemaphore(value: 0)
    /// (waiter, all chunks finished): whichever of the waiter and the last
    /// chunk comes second resumes the waiter.
    private let rendezvous = Mutex<(UnsafeContinuation<Void, Never>?, Bool)>((nil, false))
    private let usesContinuation: Bool

    init(items: [Input], output: UnsafeMutablePointer<Output>, participants: Int, usesContinuation: Bool,
         transform: @escaping @Sendable (Input) throws -> Output)
    {
        self.items = items
        self.output = output
        self.transform = transform
        self.usesContinuation = usesContinuation
        let n = items.count
        chunkSize = max(1, min(16_384, n / max(1, participants * 8)))
        chunkCount = (n + chunkSize - 1) / chunkSize
        complete = .allocate(capacity: max(chunkCount, 1))
        complete.initialize(repeating: false, count: max(chunkCount, 1))
    }

    deinit { complete.deallocate() }

    /// Claims and runs chunks until none is left.
    func work() {
        while true {
            let chunk = nextChunk.wrappingAdd(1, ordering: .relaxed).oldValue
            if chunk >= chunkCount { return }
            run(chunk: chunk)
            if finishedChunks.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == chunkCount {
                if usesContinuation {
                    let waiter = rendezvous.withLock { state -> UnsafeContinuation<Void, Never>? in
                        state.1 = true
                        return state.0.take()
                    }
                    waiter?.resume()
                } else {
                    done.signal()
                }
            }
        }
    }

    private func run(chunk: Int) {
        let lower = chunk * chunkSize
        let upper = min(items.count, lower + chunkSize)
        var i = lower
        do {
            while i < upper {
                if cancelled.load(ordering: .relaxed) { break }
                (output + i).initialize(to: try transform(items[i]))
                i += 1
            }
        } catch {
            firstError.withLock { first in
                if first == nil { first = (i, error) }
            }
            cancelled.store(true, ordering: .relaxed)
        }
        if i == upper {
            complete[chunk] = true
        } else {
            (output + lower).deinitialize(count: i - lower)
        }
    }

    /// Blocks until every chunk has finished.
    func waitBlocking() {
        done.wait()
        _ = finishedChunks.load(ordering: .acquiring)
    }

    /// Suspends until every chunk has finished.
    func wait() async {
        await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
            let finished = rendezvous.withLock { state -> Bool in
                if state.1 { return true }
                state.0 = c
                return false
            }
            if finished { c.resume() }
        }
        _ = finishedChunks.load(ordering: .acquiring)
    }

    /// After the wait: the first failure, having deinitialized every output
    /// (nil when every output is initialized).
    func failureCleaningUp() -> ThreadPoolError? {
        guard let failure = firstError.withLock({ $0 }) else { return nil }
        for chunk in 0..<chunkCount where complete[chunk] {
            let lower = chunk * chunkSize
            (output + lower).deinitialize(count: min(items.count, lower + chunkSize) - lower)
        }
        return .itemFailed(index: failure.index, error: failure.error)
    }
}
