import CCanpCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads the run's files, in order, into pool memory on IO workers, ahead
/// of the file being decoded while memory allows; recognises each file's
/// format and scans it into units there.
///
/// Driver-side state: used by the pipeline's driving task only. A read is
/// started only when its whole buffer can be had from the pool at once;
/// read-ahead buffers that block the current file's units can be given back
/// (``dropLoaded()``) and are read again when their turn comes.
final class ReadAhead {
    /// A file read and scanned.
    struct Loaded: Sendable {
        var file: SharedBlock
        var formatIndex: Int
        var scan: InputScan
    }

    /// Where an IO task leaves its file: set before the driver is woken
    /// (a task handle's result is published only after its body returns,
    /// too late for the wake-up).
    final class Outcome: Sendable {
        private let value = LockedState<Result<Loaded, PipelineError>?>.make(nil)
        var current: Result<Loaded, PipelineError>? { value.withLock { $0 } }
        func set(_ result: Result<Loaded, PipelineError>) { value.withLock { $0 = result } }
    }

    private enum State {
        case reading(Outcome)
        case failed(String)
        /// Handed to the driver (the entry no longer holds the buffer).
        case taken
    }

    private let files: [InputFiles.File]
    private let formats: [any InputFormat]
    private let forcedFormat: String?
    private let pool: UnifiedMemoryPool
    private let threadPool: PipelineThreadPool
    private let events: RunEvents
    private let limit: Int
    private let ahead: Int
    private var queue: [(index: Int, state: State)] = []
    private var head = 0
    /// The next file not yet started.
    private(set) var nextFile = 0

    init(files: [InputFiles.File], formats: [any InputFormat], forcedFormat: String?, pool: UnifiedMemoryPool,
         threadPool: PipelineThreadPool, events: RunEvents, limit: Int, ahead: Int) {
        self.files = files
        self.formats = formats
        self.forcedFormat = forcedFormat
        self.pool = pool
        self.threadPool = threadPool
        self.events = events
        self.limit = limit
        self.ahead = ahead
    }

    /// Whether a file is started and not yet taken.
    var hasStarted: Bool { head < queue.count }
    /// Whether every file has been taken.
    var isDone: Bool { nextFile == files.count && !hasStarted }
    /// Whether a started read is still running.
    var isReading: Bool {
        queue[head...].contains { entry in
            if case .reading(let outcome) = entry.state { return outcome.current == nil }
            return false
        }
    }

    /// Starts reads while memory allows and fewer than `ahead` files are
    /// started and not taken, or `ahead + 1` when no file is being split
    /// (`hasCurrentFile` false: the next file is then the current one, not
    /// one ahead). Returns whether it started any (or recorded a file that
    /// cannot be read).
    func startReads(hasCurrentFile: Bool) throws(PipelineError) -> Bool {
        var started = false
        let allowed = ahead + (hasCurrentFile ? 0 : 1)
        while nextFile < files.count && queue.count - head < allowed {
            let file = files[nextFile]
            if let reason = file.unreadableReason {
                queue.append((nextFile, .failed(reason)))
            } else if file.size > limit {
                queue.append((nextFile, .failed("\(file.size) bytes is more than the memory limit of \(limit) bytes")))
            } else {
                let block: MemoryBlock
                do {
                    block = try pool.allocateBlock(capacity: max(file.size, 1))
                } catch .limitExceeded {
                    return started
                } catch {
                    throw .resources("\(error)")
                }
                queue.append((nextFile, .reading(try submit(file, into: block))))
            }
            nextFile += 1
            started = true
        }
        return started
    }

    /// The oldest started file, if its read has finished: its index and
    /// what was read, or why it could not be read.
    func takeFinished() -> (index: Int, result: Result<Loaded, PipelineError>)? {
        guard hasStarted else { return nil }
        let entry = queue[head]
        let result: Result<Loaded, PipelineError>
        switch entry.state {
        case .failed(let reason):
            result = .failure(.fileUnreadable(path: files[entry.index].path, reason: reason))
        case .reading(let outcome):
            guard let finished = outcome.current else { return nil }
            result = finished
        case .taken:
            preconditionFailure("ReadAhead: a file was taken twice")
        }
        queue[head].state = .taken
        head += 1
        if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return (entry.index, result)
    }

    /// Gives back the buffers of the files read ahead whose reads have
    /// finished, latest first and up to the first still running; they are
    /// read again when their turn comes. Returns whether it gave any back.
    func dropLoaded() -> Bool {
        var dropped = false
        while queue.count > head, case .reading(let outcome) = queue[queue.count - 1].state, outcome.current != nil {
            nextFile = queue.removeLast().index
            dropped = true
        }
        return dropped
    }

    private func submit(_ file: InputFiles.File, into block: consuming MemoryBlock) throws(PipelineError) -> Outcome {
        let box = BlockBox(block)
        let outcome = Outcome()
        let (path, rawPath, name) = (file.path, file.rawPath, file.name)
        let (formats, forced, events) = (self.formats, self.forcedFormat, self.events)
        do {
            try threadPool.submitFileTask { reader in
                outcome.set(Result { () throws(PipelineError) -> Loaded in
                    var block = box.take()
                    try Self.read(path: path, rawPath: rawPath, into: &block, with: &reader)
                    return try Self.scan(block.freeze(), path: path, name: name, formats: formats, forced: forced)
                })
                events.signal()
            }
        } catch {
            throw .resources("\(error)")
        }
        return outcome
    }

    private static func scan(
        _ shared: SharedBlock, path: String, name: String, formats: [any InputFormat], forced: String?
    ) throws(PipelineError) -> Loaded {
        try shared.withUnsafeBytes { (bytes) throws(PipelineError) -> Loaded in
            guard let index = InputFormats.detect(unsafeFileBytes: bytes, among: formats, forced: forced) else {
                throw PipelineError.fileUnreadable(path: path, reason: "no input format recognises it")
            }
            return Loaded(file: shared, formatIndex: index, scan: formats[index].scan(unsafeFileBytes: bytes, fileName: name))
        }
    }

    private static func read(
        path: String, rawPath: InputPath, into block: inout MemoryBlock, with reader: inout FileReader
    ) throws(PipelineError) {
        var fd: Int32 = -1
        var size: UInt64 = 0
        let rc = rawPath.withCString { canp_file_open($0, &fd, &size) }
        guard rc == 0 else { throw .fileUnreadable(path: path, reason: String(cString: strerror(-rc))) }
        defer { _ = canp_file_close(fd) }
        if size == 0 {
            // Files of /proc and /sys report a size of 0 whatever they hold:
            // reading them as empty would lose their content without a word.
            var byte: UInt8 = 0
            if pread(fd, &byte, 1, 0) == 1 {
                throw .fileUnreadable(path: path, reason: "its size is reported as 0 but it has content (a /proc or /sys file?); copy it to a regular file")
            }
        }
        let wanted = min(Int(size), block.capacity)
        let done: Int
        do {
            done = try reader.read(fileDescriptor: fd, offset: 0, length: wanted, into: &block)
        } catch {
            throw .fileUnreadable(path: path, reason: "\(error)")
        }
        if done < wanted {
            throw .fileUnreadable(path: path, reason: "the file shrank while it was read (\(done) of \(wanted) bytes)")
        }
    }
}

/// Moves a noncopyable block into an escaping closure.
final class BlockBox: @unchecked Sendable {
    // @unchecked: taken exactly once, by the one task it is handed to.
    private var block: MemoryBlock?
    init(_ block: consuming MemoryBlock) { self.block = consume block }
    func take() -> MemoryBlock { block.take()! }
}
