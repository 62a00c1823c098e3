import CCanpCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a gzip member could not be inflated or a buffer compressed.
///
/// Each case corresponds to one `-errno` code of the C functions in
/// `canp_inflate.h` (`canp_inflater_gzip`, `canp_deflater_gzip`, ...).
public enum GzipError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not a gzip member (magic, method, reserved flags, header past the end)
    /// or DEFLATE data that is invalid or truncated (`-EBADMSG`).
    case invalidData
    /// The CRC-32 in the trailer does not match the inflated bytes (`-EILSEQ`).
    case checksumMismatch
    /// The ISIZE in the trailer does not match the inflated length (`-ERANGE`).
    case sizeMismatch
    /// The output buffer is smaller than the inflated data (`-ENOBUFS`).
    case outputTooSmall
    /// Bytes follow the member's trailer; a Payload0 is exactly one member (`-EOVERFLOW`).
    case trailingBytes
    /// Memory for the library's state could not be allocated (`-ENOMEM`).
    case outOfMemory
    /// An argument the C layer rejected, such as a compression level outside 0-12 (`-EINVAL`).
    case invalidArgument
    /// Any other `-errno` value.
    case system(errno: Int32)

    /// Maps a negative return code of the C layer; `code` must not be 0.
    init(code: Int32) {
        switch -code {
        case EBADMSG: self = .invalidData
        case EILSEQ: self = .checksumMismatch
        case ERANGE: self = .sizeMismatch
        case ENOBUFS: self = .outputTooSmall
        case EOVERFLOW: self = .trailingBytes
        case ENOMEM: self = .outOfMemory
        case EINVAL: self = .invalidArgument
        default: self = .system(errno: -code)
        }
    }

    /// A short text for people, used in `errors.csv`.
    public var description: String {
        switch self {
        case .invalidData: "gzip: invalid or truncated data"
        case .checksumMismatch: "gzip: CRC-32 mismatch"
        case .sizeMismatch: "gzip: ISIZE does not match the inflated length"
        case .outputTooSmall: "gzip: output buffer too small"
        case .trailingBytes: "gzip: bytes after the end of the member"
        case .outOfMemory: "gzip: out of memory"
        case .invalidArgument: "gzip: invalid argument"
        case .system(let errno): "gzip: error \(errno)"
        }
    }
}
