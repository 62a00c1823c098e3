#if canImport(Glibc)
import Glibc
#endif

/// An output directory held by one run: created if missing, locked so that
/// two runs never write one output at once, and cleared of the temporary
/// files that interrupted runs left (``AtomicOutputFile/partialSuffix``).
///
/// The lock is an exclusive `flock` on `DIR/.canp.lock`, taken without
/// waiting: a second run fails at once with ``OutputError/outputInUse(path:)``
/// instead of mixing its rows into the first run's files. The kernel
/// releases it when the process ends, however it ends; a run that ends
/// normally also removes the file.
public final class OutputDirectory {
    /// The directory.
    public let path: String
    private let lockDescriptor: Int32

    /// Creates (with parents) and locks the directory, then removes stale
    /// temporary files in it and in its subdirectories (two levels down).
    ///
    /// - Parameter path: the directory.
    /// - Throws: ``OutputError/outputFailed(path:reason:)``, ``OutputError/outputInUse(path:)``.
    public convenience init(path: String) throws(OutputError) {
        try self.init(path: path, lockName: Self.lockName) { _ in true }
    }

    /// Creates (with parents) the directory and takes a lock of one part of
    /// it, so that the parts of a sharded job write into one directory at
    /// once while two runs of the same part never do; then removes the
    /// stale temporary files that are this part's (two levels down).
    ///
    /// - Parameters:
    ///   - path: the directory.
    ///   - lockName: the lock file's name in it, one per part (`.canp-part-00003.lock`).
    ///   - ownsTemporaryFile: whether a temporary file's name (with its leading
    ///     dot and ``AtomicOutputFile/partialSuffix``) is this part's to remove.
    /// - Throws: ``OutputError/outputFailed(path:reason:)``, ``OutputError/outputInUse(path:)``.
    public init(path: String, lockName: String, ownsTemporaryFile: (String) -> Bool) throws(OutputError) {
        self.path = path
        try Self.makeDirectories(path)
        lockPath = path + "/" + lockName
        lockDescriptor = try Self.lock(lockPath, directory: path)
        Self.removeStalePartials(in: path, depth: 3, where: ownsTemporaryFile)
    }

    deinit {
        // Unlinked while still held, so that a finished output holds only its
        // files; a run that opened the old file meanwhile sees, once it has
        // the lock, that the path no longer names it, and tries again.
        unlink(lockPath)
        close(lockDescriptor)
    }

    private let lockPath: String
    /// The lock file's name.
    public static let lockName = ".canp.lock"

    private static func lock(_ lockPath: String, directory: String) throws(OutputError) -> Int32 {
        while true {
            let fd = open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .outputFailed(path: lockPath, reason: String(cString: strerror(errno))) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let busy = errno == EWOULDBLOCK
                let reason = String(cString: strerror(errno))
                close(fd)
                throw busy ? .outputInUse(path: directory) : .outputFailed(path: lockPath, reason: reason)
            }
            var held = stat()
            var named = stat()
            if fstat(fd, &held) == 0 && stat(lockPath, &named) == 0 && held.st_ino == named.st_ino && held.st_dev == named.st_dev {
                return fd
            }
            close(fd)
        }
    }

    /// Creates a subdirectory (with parents) of the output.
    ///
    /// - Parameter relative: the path under the output directory.
    /// - Returns: the full path.
    /// - Throws: ``OutputError/outputFailed(path:reason:)``.
    public func makeSubdirectory(_ relative: String) throws(OutputError) -> String {
        let full = path + "/" + relative
        try Self.makeDirectories(full)
        return full
    }

    /// Creates a directory and its missing parents.
    ///
    /// - Throws: ``OutputError/outputFailed(path:reason:)``, naming the
    ///   component that could not be made.
    public static func makeDirectories(_ path: String) throws(OutputError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .outputFailed(path: prefix, reason: String(cString: strerror(errno)))
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw .outputFailed(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .outputFailed(path: path, reason: "not a directory") }
    }

    /// Removes `*.canp-partial` files (hidden, as ``AtomicOutputFile`` names
    /// them) that `owned` accepts in `directory` and `depth - 1` levels of
    /// subdirectories. Called with the lock held, so no other run is writing them.
    static func removeStalePartials(in directory: String, depth: Int, where owned: (String) -> Bool) {
        guard depth > 0, let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let child = directory + "/" + name
            if name.hasPrefix(".") && name.hasSuffix(AtomicOutputFile.partialSuffix) {
                if owned(name) { unlink(child) }
            } else if entry.pointee.d_type == UInt8(DT_DIR) {
                removeStalePartials(in: child, depth: depth - 1, where: owned)
            }
        }
    }
}
