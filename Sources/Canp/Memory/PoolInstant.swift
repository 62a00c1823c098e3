import CCanpCore

/// An instant of the memory pool's clock, such as when a block was handed
/// out (``MemoryBlock/createdAt``).
///
/// The clock is `CLOCK_MONOTONIC`: it never jumps with the wall clock and
/// counts from an unspecified start (the boot, on Linux). It is read
/// coarsely: while a pool exists, a ticker thread (`canp-clock`) stores the
/// clock every 10 ms, so that stamping a block costs the allocation one load.
/// An instant is therefore up to about 10 ms behind the real time (more on a
/// machine so loaded that the ticker waits for a core); instants compare in
/// the order they were taken, to within that resolution.
///
/// Wraps `canp_pool_clock_ns` and `canp_block_t.created_ns`.
public struct PoolInstant: InstantProtocol, CustomStringConvertible {
    /// Nanoseconds since the clock's start.
    public let nanoseconds: UInt64

    /// The instant `nanoseconds` after the clock's start.
    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// Now, on the pool's clock (exact when no pool exists, else up to a tick behind).
    public static var now: PoolInstant { PoolInstant(nanoseconds: canp_pool_clock_ns()) }

    /// The instant `duration` later (earlier, for a negative one), clamped to
    /// the clock's range.
    public func advanced(by duration: Duration) -> PoolInstant {
        let delta = Self.nanoseconds(of: duration)
        if delta >= 0 {
            let (sum, overflow) = nanoseconds.addingReportingOverflow(UInt64(delta))
            return PoolInstant(nanoseconds: overflow ? .max : sum)
        }
        let magnitude = delta.magnitude
        return PoolInstant(nanoseconds: nanoseconds > magnitude ? nanoseconds - magnitude : 0)
    }

    /// The time from this instant to `other` (negative when `other` is earlier).
    public func duration(to other: PoolInstant) -> Duration {
        if other.nanoseconds >= nanoseconds {
            return .nanoseconds(Int64(clamping: other.nanoseconds - nanoseconds))
        }
        return .nanoseconds(-Int64(clamping: nanoseconds - other.nanoseconds))
    }

    public static func < (lhs: PoolInstant, rhs: PoolInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// The instant in seconds since the clock's start, with nanoseconds (for logs).
    public var description: String {
        let fraction = String(nanoseconds % 1_000_000_000)
        return "\(nanoseconds / 1_000_000_000).\(String(repeating: "0", count: 9 - fraction.count))\(fraction) s"
    }

    /// Whole nanoseconds of a duration, clamped to `Int64`.
    private static func nanoseconds(of duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return total
    }
}
