#if canImport(Glibc)
import Glibc
#endif

/// A whole file mapped read-only into memory (`mmap`), unmapped when the
/// last reference goes.
public final class MappedFile: Sendable {
    /// The path it was mapped from.
    public let path: String
    /// Size in bytes at the time of mapping.
    public let count: Int
    /// Device, inode, size and modification time at the time of mapping;
    /// the cache remaps when they change.
    let identity: FileIdentity
    nonisolated(unsafe) private let base: UnsafeRawPointer?

    /// Maps the file at `path`.
    ///
    /// - Throws: ``MemoryPoolError/fileUnavailable(path:reason:)`` naming the
    ///   path and the system's reason.
    public init(path: String) throws(MemoryPoolError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .fileUnavailable(path: path, reason: Self.reason(errno)) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw .fileUnavailable(path: path, reason: Self.reason(errno)) }
        if (info.st_mode & S_IFMT) != S_IFREG { throw .fileUnavailable(path: path, reason: "not a regular file") }
        self.path = path
        self.count = Int(info.st_size)
        self.identity = FileIdentity(info)
        if count == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        if mapped == MAP_FAILED { throw .fileUnavailable(path: path, reason: "mmap: " + Self.reason(errno)) }
        base = UnsafeRawPointer(mapped)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// Calls `body` with the file's bytes, without copying.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// What identifies one version of a file: if any of it changes, a cached
/// mapping is stale.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
    }

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(info)
    }
}
