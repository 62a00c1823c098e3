#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a small input file (a DBC, a frame list, a file to inspect) whole
/// into memory, refusing what could never end or never arrive.
///
/// - Only regular files are read: a FIFO, a socket or a device (`/dev/zero`)
///   is refused with ``Failure/notRegularFile(path:kind:)``, without waiting
///   for a writer and without reading. The path is checked with `stat`
///   before it is opened (opening some devices has effects of its own), then
///   opened with `O_NONBLOCK` and checked again with `fstat`, so that a FIFO
///   put in its place between the two calls cannot block the open either.
/// - At most `limit` bytes are read: a larger file is refused with
///   ``Failure/tooLarge(path:limit:)``. The size `stat` reports is only a
///   hint (files of `/proc` report 0, a file may grow while it is read): the
///   file is read to its end, or until one byte past the limit.
///
/// Rejected alternative: reading with `FileManager.contents(atPath:)` or
/// `Data(contentsOf:)`, which read a device or a FIFO without end (or wait
/// for a writer forever) and report failures as Cocoa error numbers.
public enum SmallFileReader {
    /// Why a file was not read.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// `stat`, `open` or `read` failed.
        ///
        /// - Parameters:
        ///   - path: The path that was given.
        ///   - reason: The operating system's explanation (`strerror`).
        case unreadable(path: String, reason: String)
        /// The path names something other than a regular file.
        ///
        /// - Parameters:
        ///   - path: The path that was given.
        ///   - kind: What it is: "a FIFO", "a character device", "a directory", ...
        case notRegularFile(path: String, kind: String)
        /// The file holds more than `limit` bytes.
        ///
        /// - Parameters:
        ///   - path: The path that was given.
        ///   - limit: The limit in bytes.
        case tooLarge(path: String, limit: Int)

        /// The reason without the path, for messages that name the file themselves.
        public var reason: String {
            switch self {
            case .unreadable(_, let reason): return reason
            case .notRegularFile(_, let kind): return "not a regular file (\(kind))"
            case .tooLarge(_, let limit): return "larger than the \(SmallFileReader.sizeText(limit)) limit"
            }
        }

        /// `path: reason`.
        public var description: String {
            switch self {
            case .unreadable(let path, _), .notRegularFile(let path, _), .tooLarge(let path, _):
                return "\(path): \(reason)"
            }
        }
    }

    /// Reads a whole regular file.
    ///
    /// - Parameters:
    ///   - path: The file path.
    ///   - limit: The largest size accepted, in bytes.
    /// - Returns: The file's bytes.
    /// - Throws: ``Failure``.
    /// - Complexity: O(*n*) in the file size, at most `limit + 1` bytes read.
    public static func read(path: String, limit: Int) throws(Failure) -> [UInt8] {
        precondition(limit >= 0, "negative limit")
        var status = stat()
        guard stat(path, &status) == 0 else { throw .unreadable(path: path, reason: Self.errorText()) }
        if let kind = Self.kindOfNonRegular(status.st_mode) { throw .notRegularFile(path: path, kind: kind) }
        if Int64(status.st_size) > Int64(limit) { throw .tooLarge(path: path, limit: limit) }

        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw .unreadable(path: path, reason: Self.errorText()) }
        defer { close(fd) }
        guard fstat(fd, &status) == 0 else { throw .unreadable(path: path, reason: Self.errorText()) }
        if let kind = Self.kindOfNonRegular(status.st_mode) { throw .notRegularFile(path: path, kind: kind) }

        let expected = max(0, min(Int(clamping: status.st_size), limit))
        var result = [UInt8](repeating: 0, count: expected + 1)
        var count = 0
        while true {
            if count == result.count {
                if count > limit { throw .tooLarge(path: path, limit: limit) }
                // Grown past its reported size (or reported 0, as /proc does): read on, up to the limit.
                result.append(contentsOf: repeatElement(0, count: min(max(count, 4096), limit + 1 - count)))
            }
            let n = result.withUnsafeMutableBytes { buffer in
                readSome(fd, buffer.baseAddress! + count, buffer.count - count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: Self.errorText())
            }
            if n == 0 { break }
            count += n
        }
        if count > limit { throw .tooLarge(path: path, limit: limit) }
        result.removeSubrange(count...)
        return result
    }

    /// What a non-regular file is, or `nil` for a regular file.
    static func kindOfNonRegular(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// `64 MiB`, `1 GiB`, or the number of bytes.
    static func sizeText(_ bytes: Int) -> String {
        if bytes >= 1 << 30 && bytes % (1 << 30) == 0 { return "\(bytes >> 30) GiB" }
        if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
        return "\(bytes) bytes"
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

/// `read(2)`, outside ``SmallFileReader`` whose own `read` would shadow it.
private func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
