#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock, for durations (`CLOCK_MONOTONIC`).
enum MonotonicClock {
    static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The process's own memory figures, from `/proc/self/status`.
enum ProcessMemory {
    /// `VmHWM` (the peak resident set), in bytes, if the kernel reports it.
    static func peakResidentBytes() -> Int? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("VmHWM:") {
                let digits = text.filter { $0.isNumber }
                return Int(digits).map { $0 * 1024 }
            }
        }
        return nil
    }
}
