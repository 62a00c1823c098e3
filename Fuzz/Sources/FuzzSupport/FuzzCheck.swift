#if canImport(Glibc)
import Glibc
#endif

/// Stops the fuzz run when an invariant does not hold.
///
/// `abort()` rather than `fatalError`: libFuzzer's deadly-signal handler
/// saves the input as `crash-<sha1>` either way, and the message printed
/// first says which invariant broke.
///
/// - Parameters:
///   - condition: what must hold.
///   - message: what broke, evaluated only on failure.
@inline(__always)
public func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        let text = "fuzz invariant violated: \(message())\n"
        _ = text.withCString { write(2, $0, strlen($0)) }
        abort()
    }
}

/// A heap buffer of exactly `count` bytes, so that AddressSanitizer reports
/// a read or write one byte past its end (an `Array`'s storage may have
/// spare capacity that hides such a read).
public final class ExactBuffer {
    /// The bytes (`count` of them; the base is never nil, even for 0 bytes).
    public let bytes: UnsafeMutableRawBufferPointer

    /// Allocates `count` bytes with `malloc`.
    ///
    /// - Parameter count: the size; 0 gives a zero-size allocation that ASan still guards.
    public init(count: Int) {
        let base = malloc(count)!
        bytes = UnsafeMutableRawBufferPointer(start: base, count: count)
    }

    /// Copies `source` into a new exact buffer.
    public convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(count: source.count)
        if source.count > 0 { bytes.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: source.count) }
    }

    deinit { free(bytes.baseAddress) }

    /// The bytes, read-only.
    public var readOnly: UnsafeRawBufferPointer { UnsafeRawBufferPointer(bytes) }
}
