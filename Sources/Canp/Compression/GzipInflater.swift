import CCanpCore
import CCanpInternal

/// A gzip member inflater on libdeflate; one per worker thread.
///
/// Wraps `canp_inflater_t` (`canp_inflater_create`, `canp_inflater_destroy`).
/// It is noncopyable because it owns the decompressor's memory, released in
/// `deinit`; move it to the thread that uses it.
public struct GzipInflater: ~Copyable, @unchecked Sendable {
    // @unchecked: the pointer is owned uniquely by this noncopyable value, so
    // moving it to another thread moves the only handle.
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

    /// The inflated size a gzip member declares in its ISIZE trailer (`canp_gzip_member_isize`).
    ///
    /// Checks the fixed 10-byte header only; the member may still fail to inflate.
    ///
    /// - Parameter member: the bytes of exactly one gzip member.
    /// - Returns: the ISIZE field (the inflated length modulo 2^32).
    /// - Throws: `GzipError.invalidData` when the bytes cannot be a gzip member.
    /// - Complexity: O(1).
    public static func unsafeDeclaredSize(ofMember member: UnsafeRawBufferPointer) throws(GzipError) -> UInt32 {
        var isize: UInt32 = 0
        let rc = canp_gzip_member_isize(member.baseAddress, member.count, &isize)
        guard rc == 0 else { throw GzipError(code: rc) }
        return isize
    }

    /// Inflates exactly one gzip member into `output` (`canp_inflater_gzip`).
    ///
    /// The header, the CRC-32 and the ISIZE are checked, and no byte may follow
    /// the trailer. Nothing outside the two buffers is read or written.
    ///
    /// - Parameters:
    ///   - member: the bytes of one gzip member.
    ///   - output: where the inflated bytes go; `unsafeDeclaredSize(ofMember:)` bytes suffice.
    /// - Returns: the number of bytes written at the start of `output`.
    /// - Throws: a `GzipError` naming what is wrong with the member, or
    ///   `.outputTooSmall` when `output` is smaller than the data.
    /// - Complexity: O(compressed + inflated bytes).
    public func unsafeInflate(
        member: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(GzipError) -> Int {
        var written = 0
        let rc = canp_inflater_gzip(handle, member.baseAddress, member.count, output.baseAddress, output.count, &written)
        guard rc == 0 else { throw GzipError(code: rc) }
        return written
    }

    /// Inflates one gzip member with zlib instead of libdeflate (`_canp_inflate_gzip_zlib`).
    ///
    /// The same contract as `unsafeInflate(member:into:)`; the benchmarks' peer.
    ///
    /// - Parameters:
    ///   - member: the bytes of one gzip member.
    ///   - output: where the inflated bytes go.
    /// - Returns: the number of bytes written at the start of `output`.
    /// - Throws: a `GzipError` as `unsafeInflate(member:into:)` does.
    /// - Complexity: O(compressed + inflated bytes); allocates zlib's state per call.
    public static func unsafeInflateWithZlib(
        member: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer
    ) throws(GzipError) -> Int {
        var written = 0
        let rc = _canp_inflate_gzip_zlib(member.baseAddress, member.count, output.baseAddress, output.count, &written)
        guard rc == 0 else { throw GzipError(code: rc) }
        return written
    }

    /// Inflates one gzip member held in an array (a convenience for tests and tools).
    ///
    /// - Parameters:
    ///   - member: the bytes of one gzip member.
    ///   - limit: the largest ISIZE accepted, so that a damaged trailer cannot make
    ///     this allocate gigabytes (default 1 GiB).
    /// - Returns: the inflated bytes.
    /// - Throws: a `GzipError` as `unsafeInflate(member:into:)` does, and
    ///   `.outputTooSmall` when ISIZE is above `limit`.
    /// - Complexity: O(compressed + inflated bytes); allocates ISIZE bytes.
    public func inflate(_ member: [UInt8], limit: Int = 1 << 30) throws(GzipError) -> [UInt8] {
        // Array.withUnsafeBytes rethrows untyped errors; carry the typed one out in a Result.
        let declared = try member.withUnsafeBytes { bytes in
            Result { () throws(GzipError) in try Self.unsafeDeclaredSize(ofMember: bytes) }
        }.get()
        guard Int(declared) <= limit else { throw GzipError.outputTooSmall }
        var out = [UInt8](repeating: 0, count: Int(declared))
        let written = try member.withUnsafeBytes { input in
            out.withUnsafeMutableBytes { output in
                Result { () throws(GzipError) in try unsafeInflate(member: input, into: output) }
            }
        }.get()
        out.removeLast(out.count - written)
        return out
    }
}
