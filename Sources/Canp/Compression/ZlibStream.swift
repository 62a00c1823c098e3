import CCanpCore
import CCanpInternal

/// A zlib stream (RFC 1950) inflater on libdeflate, for BLF containers; one
/// per worker thread.
///
/// Wraps `canp_inflater_t` (`canp_inflater_zlib`). Noncopyable: it owns the
/// decompressor's memory, released in `deinit`.
public struct ZlibInflater: ~Copyable, @unchecked Sendable {
    // @unchecked: the pointer is owned uniquely by this noncopyable value.
    private let handle: OpaquePointer

    /// Creates an inflater.
    ///
    /// - Throws: `GzipError.outOfMemory` when the decompressor cannot be allocated.
    /// - Complexity: O(1); allocates about 10 KB.
    public init() throws(GzipError) {
        var raw: OpaquePointer?
        let rc = canp_inflater_create(&raw)
        guard rc == 0, let raw else { throw rc == 0 ? GzipError.outOfMemory : GzipError(code: rc) }
        handle = raw
    }

    deinit { canp_inflater_destroy(handle) }

    /// Inflates the zlib stream at the start of `stream` into `output`
    /// (`canp_inflater_zlib`); bytes after the stream are ignored.
    ///
    /// - Parameters:
    ///   - stream: the compressed bytes.
    ///   - output: where the inflated bytes go.
    /// - Returns: the number of bytes written at the start of `output`.
    /// - Throws: `.invalidData` for a bad header, bad or truncated data or an
    ///   Adler-32 mismatch; `.outputTooSmall` when the data is larger than `output`.
    /// - Complexity: O(compressed + inflated bytes).
    public func unsafeInflate(
        stream: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(GzipError) -> Int {
        var written = 0
        let rc = canp_inflater_zlib(handle, stream.baseAddress, stream.count, output.baseAddress, output.count, &written)
        guard rc == 0 else { throw GzipError(code: rc) }
        return written
    }

    /// Inflates only the first `output.count` bytes of a zlib stream, with
    /// zlib's streaming inflate (`_canp_inflate_zlib_prefix`): what is needed
    /// of a container to finish an object that crosses into it.
    ///
    /// - Parameters:
    ///   - stream: the compressed bytes.
    ///   - output: where the first inflated bytes go.
    /// - Returns: the bytes written (fewer than `output.count` only when the stream ends first).
    /// - Throws: `.invalidData` when the stream is bad before that many bytes.
    /// - Complexity: O(output bytes), plus zlib's setup (about 40 KB of state).
    public static func unsafeInflatePrefix(
        stream: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(GzipError) -> Int {
        var written = 0
        let rc = _canp_inflate_zlib_prefix(stream.baseAddress, stream.count, output.baseAddress, output.count, &written)
        guard rc == 0 else { throw GzipError(code: rc) }
        return written
    }
}

/// A zlib stream (RFC 1950) compressor on libdeflate, for the BLF writer and tests.
///
/// Wraps `canp_deflater_t` (`canp_deflater_zlib`). Noncopyable: it owns the
/// compressor's memory, released in `deinit`.
public struct ZlibDeflater: ~Copyable, @unchecked Sendable {
    // @unchecked: the pointer is owned uniquely by this noncopyable value.
    private let handle: OpaquePointer

    /// Creates a compressor.
    ///
    /// - Parameter level: 0 (stored) to 12 (smallest output).
    /// - Throws: `GzipError.invalidArgument` for a level outside 0-12,
    ///   `GzipError.outOfMemory` when allocation fails.
    public init(level: Int = 6) throws(GzipError) {
        guard (0...12).contains(level) else { throw GzipError.invalidArgument }
        var raw: OpaquePointer?
        let rc = canp_deflater_create(Int32(level), &raw)
        guard rc == 0, let raw else { throw rc == 0 ? GzipError.outOfMemory : GzipError(code: rc) }
        handle = raw
    }

    deinit { canp_deflater_destroy(handle) }

    /// Compresses `input` into one zlib stream.
    ///
    /// - Parameter input: the bytes to compress.
    /// - Returns: the stream.
    /// - Throws: `GzipError` if the C layer fails (it does not for valid input).
    /// - Complexity: O(input bytes).
    public func compress(_ input: [UInt8]) throws(GzipError) -> [UInt8] {
        var bound = 0
        var rc = canp_deflater_zlib_bound(handle, input.count, &bound)
        guard rc == 0 else { throw GzipError(code: rc) }
        var written = 0
        let stream = input.withUnsafeBytes { bytes in
            [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
                rc = canp_deflater_zlib(handle, bytes.baseAddress, bytes.count, buffer.baseAddress, bound, &written)
                initialized = rc == 0 ? written : 0
            }
        }
        guard rc == 0 else { throw GzipError(code: rc) }
        return stream
    }
}
