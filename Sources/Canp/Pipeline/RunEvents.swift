/// Wakes the pipeline's driving task when something it may act on has
/// happened: a piece or a chunk's end in the oldest slot, a file read done.
///
/// A flag and at most one waiting continuation: ``signal()`` before
/// ``wait()`` makes the next wait return at once, so no event is lost
/// between the driver's last look and its wait.
final class RunEvents: Sendable {
    private struct State {
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = LockedState.make(State())

    /// Records an event and wakes the driver if it waits.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter.take() { return waiter }
            state.signalled = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns once an event has been signalled since the last return (at once if one was).
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.signalled {
                        state.signalled = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
    }
}
