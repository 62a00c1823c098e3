import CCanpCore

/// A gzip compressor on libdeflate, used by `CANPFileWriter` and tests.
///
/// Wraps `canp_deflater_t` (`canp_deflater_create`, `canp_deflater_gzip`).
/// Noncopyable: it owns the compressor's memory, released in `deinit`.
public struct GzipDeflater: ~Copyable, @unchecked Sendable {
    // @unchecked: the pointer is owned uniquely by this noncopyable value.
    private let handle: OpaquePointer

    /// The compression level, 0 (stored) to 12 (smallest output).
    public let level: Int

    /// Creates a compressor.
    ///
    /// - Parameter level: 0 to 12; 6 is what `gzip` and Python use by default.
    /// - Throws: `GzipError.invalidArgument` for a level outside 0-12,
    ///   `GzipError.outOfMemory` when allocation fails.
    /// - Complexity: O(1); allocates up to about 1 MB for the high levels.
    public init(level: Int = 6) throws(GzipError) {
        guard (0...12).contains(level) else { throw GzipError.invalidArgument }
        var raw: OpaquePointer?
        let rc = canp_deflater_create(Int32(level), &raw)
        guard rc == 0, let raw else { throw rc == 0 ? GzipError.outOfMemory : GzipError(code: rc) }
        handle = raw
        self.level = level
    }

    deinit { canp_deflater_destroy(handle) }

    /// Compresses `input` into one gzip member (MTIME 0, no file name).
    ///
    /// - Parameter input: the bytes to compress.
    /// - Returns: the gzip member.
    /// - Throws: `GzipError` if the C layer fails (it does not for valid input).
    /// - Complexity: O(input bytes).
    public func compress(unsafeBytes input: UnsafeRawBufferPointer) throws(GzipError) -> [UInt8] {
        var bound = 0
        var rc = canp_deflater_gzip_bound(handle, input.count, &bound)
        guard rc == 0 else { throw GzipError(code: rc) }
        var written = 0
        let member = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            rc = canp_deflater_gzip(handle, input.baseAddress, input.count, buffer.baseAddress, bound, &written)
            initialized = rc == 0 ? written : 0
        }
        guard rc == 0 else { throw GzipError(code: rc) }
        return member
    }

    /// Compresses an array into one gzip member.
    ///
    /// - Parameter input: the bytes to compress.
    /// - Returns: the gzip member.
    /// - Throws: `GzipError` if the C layer fails.
    /// - Complexity: O(input bytes).
    public func compress(_ input: [UInt8]) throws(GzipError) -> [UInt8] {
        // Array.withUnsafeBytes rethrows untyped errors; carry the typed one out in a Result.
        let result = input.withUnsafeBytes { bytes in
            Result { () throws(GzipError) in try compress(unsafeBytes: bytes) }
        }
        return try result.get()
    }
}
