#if canImport(Glibc)
import Glibc
#endif

/// A failure of ``FileReader`` or of the pool's file-reading API.
public enum FileReadError: Error, Equatable, CustomStringConvertible {
    /// `canp_file_open` failed (`errno` is positive: `ENOENT`, `EACCES`, `EISDIR`, ...).
    case open(path: String, errno: Int32)
    /// A read operation failed (`errno` is positive).
    case read(path: String, errno: Int32)
    /// The file is shorter than the requested range ended up (it shrank
    /// between `fstat` and the read, or the range lies past its end).
    case truncated(path: String, expected: Int, read: Int)
    /// io_uring was required (``FileReader/Backend/ioUring``) but
    /// `io_uring_setup` failed with this `errno` (`EPERM` under Docker's
    /// default seccomp profile, `ENOSYS` on old kernels).
    case ioUringUnavailable(errno: Int32)
    /// A reader could not be created (`canp_reader_create`), with its `errno`.
    case setup(errno: Int32)
    /// The memory pool refused the destination block.
    case memory(MemoryPoolError)

    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case let (.open(a, x), .open(b, y)), let (.read(a, x), .read(b, y)): a == b && x == y
        case let (.truncated(a, x, u), .truncated(b, y, v)): a == b && x == y && u == v
        case let (.ioUringUnavailable(x), .ioUringUnavailable(y)), let (.setup(x), .setup(y)): x == y
        case (.memory, .memory): true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .open(let path, let code): "cannot open \(path): \(Self.text(code))"
        case .read(let path, let code): "cannot read \(path): \(Self.text(code))"
        case .truncated(let path, let expected, let read):
            "\(path): expected \(expected) bytes, read \(read)"
        case .ioUringUnavailable(let code): "io_uring is unavailable: \(Self.text(code))"
        case .setup(let code): "cannot create a file reader: \(Self.text(code))"
        case .memory(let error): "no memory for the file: \(error)"
        }
    }

    static func text(_ code: Int32) -> String {
        #if canImport(Glibc)
        return String(cString: strerror(code)) + " (errno \(code))"
        #else
        return "errno \(code)"
        #endif
    }
}
