#if canImport(Glibc)
import Glibc
#endif

/// Writing a whole buffer to a file descriptor, through short writes and
/// interrupted calls.
enum FileDescriptorWriting {
    /// Writes every byte of `bytes` to `descriptor`.
    ///
    /// - Parameters:
    ///   - bytes: what to write.
    ///   - descriptor: a descriptor open for writing.
    /// - Returns: nil when all was written, else why not (the system's message, or that a write made no progress).
    /// - Complexity: O(bytes).
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> String? {
        guard var pointer = bytes.baseAddress else { return nil }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(descriptor, pointer, left)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? "no progress writing" : String(cString: strerror(errno)) }
            pointer += n
            left -= n
        }
        return nil
    }
}
