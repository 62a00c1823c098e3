#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An output file that appears under its final name only when it is
/// complete: written under a unique temporary name beside it, synced, and
/// renamed into place (`docs/ARCHITECTURE.md`, "Outputs are atomic").
///
/// The temporary file is created exclusively (`O_CREAT | O_EXCL`) and never
/// through a symbolic link (`O_NOFOLLOW`), so a link planted at a predictable
/// name cannot redirect the output; its name holds the process id and a
/// counter, so two writers never share one. Its name ends in
/// ``partialSuffix``: ``OutputDirectory`` removes such leftovers of earlier
/// runs, and the CLI removes this process's own on SIGINT and SIGTERM
/// (``installSignalCleanup()``). An object that is neither committed nor
/// discarded removes its temporary file when it goes away.
public final class AtomicOutputFile {
    /// The suffix of every temporary output file.
    public static let partialSuffix = ".canp-partial"

    /// The path the file gets when committed.
    public let finalPath: String
    /// The temporary path while it is written.
    public let partialPath: String
    private var descriptor: Int32
    private var cleanupSlot: Int
    /// Bytes written so far.
    public private(set) var bytesWritten = 0

    private static let counter = Atomic<Int>(0)

    /// Creates the temporary file.
    ///
    /// - Parameter finalPath: where the file goes when complete; its directory must exist.
    /// - Throws: ``OutputError/outputFailed(path:reason:)``.
    public init(finalPath: String) throws(OutputError) {
        self.finalPath = finalPath
        let slash = finalPath.lastIndex(of: "/")
        let directory = slash.map { String(finalPath[..<$0]) } ?? "."
        let name = slash.map { String(finalPath[finalPath.index(after: $0)...]) } ?? finalPath
        let number = Self.counter.wrappingAdd(1, ordering: .relaxed).oldValue
        partialPath = directory + "/." + name + ".\(getpid()).\(number)" + Self.partialSuffix
        descriptor = open(partialPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .outputFailed(path: partialPath, reason: String(cString: strerror(errno)))
        }
        cleanupSlot = SignalCleanup.register(partialPath)
    }

    deinit { discard() }

    /// Appends bytes.
    ///
    /// - Parameter bytes: what to write.
    /// - Throws: ``OutputError/outputFailed(path:reason:)`` (a full disk, an I/O error).
    /// - Complexity: O(bytes).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        precondition(descriptor >= 0, "AtomicOutputFile.write after commit or discard")
        if let reason = FileDescriptorWriting.writeAll(bytes, to: descriptor) { throw .outputFailed(path: partialPath, reason: reason) }
        bytesWritten += bytes.count
    }

    /// Appends bytes held in an array.
    public func write(_ bytes: [UInt8]) throws(OutputError) {
        let result: Result<Void, OutputError> = bytes.withUnsafeBytes { raw in Result { () throws(OutputError) in try write(raw) } }
        try result.get()
    }

    /// Syncs the data and closes the temporary file; ``commit()`` then
    /// renames it. Split from it so that several files of one output can all
    /// be synced before any is renamed.
    ///
    /// - Throws: ``OutputError/outputFailed(path:reason:)``.
    public func sync() throws(OutputError) {
        guard descriptor >= 0 else { return }
        let synced = fsync(descriptor) == 0
        let reason = synced ? "" : String(cString: strerror(errno))
        let closed = close(descriptor) == 0
        descriptor = -1
        guard synced else { throw .outputFailed(path: partialPath, reason: reason) }
        guard closed else { throw .outputFailed(path: partialPath, reason: String(cString: strerror(errno))) }
    }

    /// Syncs (if not done) and renames the file into place, then syncs its
    /// directory so that the rename survives a crash.
    ///
    /// - Throws: ``OutputError/outputFailed(path:reason:)``.
    public func commit() throws(OutputError) {
        try sync()
        guard cleanupSlot >= 0 else { return }
        if rename(partialPath, finalPath) != 0 {
            throw .outputFailed(path: finalPath, reason: String(cString: strerror(errno)))
        }
        SignalCleanup.unregister(cleanupSlot)
        cleanupSlot = -1
        Self.syncDirectory(of: finalPath)
    }

    /// Closes and removes the temporary file (a failed run). Does nothing after ``commit()``.
    public func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        if cleanupSlot >= 0 {
            unlink(partialPath)
            SignalCleanup.unregister(cleanupSlot)
            cleanupSlot = -1
        }
    }

    /// Makes SIGINT and SIGTERM remove every temporary output file of this
    /// process before the process ends with the signal's default action.
    /// For programs (the `canp` tool); a library should not take signals
    /// away from its host, so nothing installs this implicitly.
    public static func installSignalCleanup() {
        SignalCleanup.install()
    }

    static func syncDirectory(of path: String) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}

/// The temporary files of this process, for a signal handler to remove.
///
/// A fixed table of slots, each holding the address of a C string that
/// `register` copied, swapped in and out atomically: the handler only loads
/// slots and calls `unlink`, which are async-signal-safe. (A table that
/// grows, or a lock, could not be touched from a handler.) When every slot
/// is taken, further files are simply not covered; the next run's cleanup
/// of stale temporary files removes them.
enum SignalCleanup {
    static let slotCount = 4096
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<Atomic<Int>> = {
        let slots = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: slotCount)
        for index in 0..<slotCount { (slots + index).initialize(to: Atomic(0)) }
        return slots
    }()
    private static let installed = Atomic<Bool>(false)

    /// Copies `path` into a free slot; returns the slot, or `Int.max` when none is free.
    static func register(_ path: String) -> Int {
        let copy = strdup(path)!
        let address = Int(bitPattern: copy)
        for index in 0..<slotCount where slots[index].load(ordering: .relaxed) == 0 {
            if slots[index].compareExchange(expected: 0, desired: address, ordering: .acquiringAndReleasing).exchanged {
                return index
            }
        }
        free(copy)
        return Int.max
    }

    static func unregister(_ slot: Int) {
        guard slot >= 0 && slot < slotCount else { return }
        let address = slots[slot].exchange(0, ordering: .acquiringAndReleasing)
        free(UnsafeMutableRawPointer(bitPattern: address))
    }

    static func install() {
        guard !installed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = slots
        let handler: @convention(c) (Int32) -> Void = { signal in
            for index in 0..<SignalCleanup.slotCount {
                let address = SignalCleanup.slots[index].load(ordering: .acquiring)
                if address != 0, let path = UnsafePointer<CChar>(bitPattern: address) { unlink(path) }
            }
            Glibc.signal(signal, SIG_DFL)
            raise(signal)
        }
        for number in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = handler
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(number, &action, nil)
        }
    }
}
