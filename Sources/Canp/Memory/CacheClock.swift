import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The time source of the caches' TTL: a monotonic time in seconds.
public protocol CacheClock: Sendable {
    /// Seconds since an arbitrary fixed point, never decreasing.
    func now() -> Double
}

/// The system's monotonic clock (`CLOCK_MONOTONIC`).
public struct SystemCacheClock: CacheClock {
    public init() {}

    public func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// A clock that moves only when told to, for tests of expiry.
public final class ManualCacheClock: CacheClock {
    private let seconds = LockedState<Double>.make(0)

    /// Starts at `start` seconds.
    public init(start: Double = 0) { seconds.withLock { $0 = start } }

    public func now() -> Double { seconds.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(by duration: Duration) {
        let (whole, atto) = duration.components
        seconds.withLock { $0 += Double(whole) + Double(atto) / 1e18 }
    }
}

extension Duration {
    var seconds: Double {
        let (whole, atto) = components
        return Double(whole) + Double(atto) / 1e18
    }
}
