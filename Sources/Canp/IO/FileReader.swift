import BasicContainers
import CCanpCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads whole files or ranges into pool memory, in batches, through io_uring
/// (`canp_reader_*` in the C core), or through `pread` where io_uring is
/// unavailable.
///
/// A reader owns one io_uring instance. It is noncopyable and not shared: one
/// thread uses it at a time (it may be moved to another thread between calls).
/// ``PipelineThreadPool`` gives each IO worker its own.
///
/// The backend is chosen when the reader is created:
/// ``Backend/automatic`` takes io_uring unless the environment variable
/// `CANP_IO_BACKEND` is `pread` or `io_uring_setup` fails (Docker's default
/// seccomp profile refuses it with `EPERM`); ``backend`` and
/// ``ioUringSetupError`` say what happened.
///
/// ```swift
/// var reader = try FileReader()
/// let block = try reader.readFile(atPath: "/data/log-0001.bin", into: memoryPool)
/// block.withUnsafeBytes { bytes in ... }
/// ```
public struct FileReader: ~Copyable, @unchecked Sendable {
    // @unchecked: the C reader is owned exclusively by this value; moving the
    // value moves the ownership, and `~Copyable` forbids sharing it.

    /// The mechanism that moves the bytes.
    public enum Backend: Sendable, Equatable, CustomStringConvertible {
        /// io_uring when available, else pread (also pread when the
        /// environment variable `CANP_IO_BACKEND` is `pread`).
        case automatic
        /// io_uring; creating the reader fails if it is unavailable.
        case ioUring
        /// A pread loop on the calling thread.
        case pread

        public var description: String {
            switch self {
            case .automatic: "automatic"
            case .ioUring: "io_uring"
            case .pread: "pread"
            }
        }

        var cValue: canp_io_backend_t {
            switch self {
            case .automatic: CANP_IO_BACKEND_AUTO
            case .ioUring: CANP_IO_BACKEND_URING
            case .pread: CANP_IO_BACKEND_PREAD
            }
        }
    }

    /// Reader settings.
    public struct Configuration: Sendable, Equatable {
        /// Which backend to use. Default: ``Backend/automatic``.
        public var backend: Backend
        /// Read operations in flight (io_uring), 1...4096. Default: 64.
        public var queueDepth: Int
        /// Largest single read operation in bytes, at least 4096. Larger
        /// ranges are cut into operations of this size that run in parallel.
        /// Default: 1 MiB.
        public var maxOperationBytes: Int
        /// io_uring: operations of at least this many bytes are handed
        /// straight to the kernel's worker threads (`IOSQE_ASYNC`), so the
        /// operations of a batch are copied on several cores at once; smaller
        /// ones are first tried inline, on the calling thread, while they are
        /// submitted. 0 never offloads (every read is then copied by the
        /// calling thread when the data is in the page cache, as with pread).
        /// Ignored by the pread backend. Default: 256 KiB.
        public var offloadMinimumBytes: Int

        /// Creates a configuration.
        public init(
            backend: Backend = .automatic, queueDepth: Int = 64, maxOperationBytes: Int = 1 << 20,
            offloadMinimumBytes: Int = 256 << 10
        ) {
            self.backend = backend
            self.queueDepth = queueDepth
            self.maxOperationBytes = maxOperationBytes
            self.offloadMinimumBytes = offloadMinimumBytes
        }
    }

    /// Cumulative counters of one reader (`canp_reader_stats_t`).
    public struct Statistics: Sendable, Equatable {
        /// Batches read.
        public var batches: Int = 0
        /// Ranges finished, successful or not.
        public var requests: Int = 0
        /// Ranges that failed.
        public var failedRequests: Int = 0
        /// Bytes written into destination memory.
        public var bytesRead: Int = 0
        /// Read operations issued (SQEs, or pread calls).
        public var operations: Int = 0
        /// `io_uring_enter` calls (0 on pread).
        public var submissions: Int = 0
        /// Short reads requeued for the rest of their range.
        public var shortReads: Int = 0
        /// `EAGAIN`/`EINTR` results requeued.
        public var retries: Int = 0
        /// Operations handed to the kernel's worker threads (`IOSQE_ASYNC`).
        public var offloaded: Int = 0

        /// Creates zeroed statistics.
        public init() {}

        init(_ c: canp_reader_stats_t) {
            batches = Int(c.batches)
            requests = Int(c.requests)
            failedRequests = Int(c.failed_requests)
            bytesRead = Int(c.bytes_read)
            operations = Int(c.operations)
            submissions = Int(c.submissions)
            shortReads = Int(c.short_reads)
            retries = Int(c.retries)
            offloaded = Int(c.offloaded)
        }

        /// The counters of `self` minus those of `earlier`.
        public func subtracting(_ earlier: Statistics) -> Statistics {
            var d = Statistics()
            d.batches = batches - earlier.batches
            d.requests = requests - earlier.requests
            d.failedRequests = failedRequests - earlier.failedRequests
            d.bytesRead = bytesRead - earlier.bytesRead
            d.operations = operations - earlier.operations
            d.submissions = submissions - earlier.submissions
            d.shortReads = shortReads - earlier.shortReads
            d.retries = retries - earlier.retries
            d.offloaded = offloaded - earlier.offloaded
            return d
        }
    }

    /// Files opened per C batch by ``readFiles(atPaths:into:)``: bounds the
    /// open descriptors (the default soft limit is 1024).
    static let filesPerBatch = 256

    private let reader: OpaquePointer

    /// Creates a reader (`canp_reader_create`).
    ///
    /// - Parameter configuration: Backend and limits.
    /// - Throws: ``FileReadError/ioUringUnavailable(errno:)`` when
    ///   ``Backend/ioUring`` was required and the kernel refused it;
    ///   ``FileReadError/setup(errno:)`` for invalid limits or no memory.
    public init(configuration: Configuration = Configuration()) throws(FileReadError) {
        guard (1...4096).contains(configuration.queueDepth),
            configuration.maxOperationBytes >= 4096, configuration.maxOperationBytes <= Int(UInt32.max),
            configuration.offloadMinimumBytes >= 0, configuration.offloadMinimumBytes <= Int(UInt32.max)
        else { throw .setup(errno: EINVAL) }
        var c = canp_reader_config_t()
        canp_reader_config_init(&c)
        c.backend = configuration.backend.cValue
        c.queue_depth = UInt32(configuration.queueDepth)
        c.max_op_bytes = UInt32(configuration.maxOperationBytes)
        c.offload_min_bytes = UInt32(configuration.offloadMinimumBytes)
        var out: OpaquePointer?
        let rc = canp_reader_create(&c, &out)
        if rc != 0 {
            if configuration.backend == .ioUring, rc != -EINVAL, rc != -ENOMEM {
                throw .ioUringUnavailable(errno: -rc)
            }
            throw .setup(errno: -rc)
        }
        reader = out!
    }

    deinit { canp_reader_destroy(reader) }

    private var info: canp_reader_info_t {
        var info = canp_reader_info_t()
        canp_reader_get_info(reader, &info)
        return info
    }

    /// The backend in use: ``Backend/ioUring`` or ``Backend/pread``, never
    /// ``Backend/automatic``.
    public var backend: Backend { info.backend == CANP_IO_BACKEND_URING ? .ioUring : .pread }

    /// When ``Backend/automatic`` fell back to pread because `io_uring_setup`
    /// failed: that `errno` (`EPERM`, `ENOSYS`, ...). `nil` otherwise.
    public var ioUringSetupError: Int32? {
        let e = info.setup_error
        return e == 0 ? nil : -e
    }

    /// Whether `CANP_IO_BACKEND=pread` chose the fallback.
    public var fallbackForcedByEnvironment: Bool { info.forced_by_env }

    /// The reader's cumulative counters.
    public var statistics: Statistics {
        var s = canp_reader_stats_t()
        canp_reader_get_stats(reader, &s)
        return Statistics(s)
    }

    /// `nil` when io_uring can be set up in this process, else the `errno`
    /// of `io_uring_setup` (probed once per process: `canp_io_uring_probe`).
    public static var ioUringSetupError: Int32? {
        let rc = canp_io_uring_probe()
        return rc == 0 ? nil : -rc
    }

    /// Whether io_uring can be set up in this process.
    public static var isIOUringAvailable: Bool { ioUringSetupError == nil }

    /// Reads a whole file into a new block from `memoryPool`.
    ///
    /// The block's `count` is the file's size (a zero-byte file gives an empty
    /// block).
    ///
    /// - Parameters:
    ///   - path: The file to read.
    ///   - memoryPool: Where the destination block comes from.
    /// - Returns: A block holding the file's bytes.
    /// - Throws: ``FileReadError`` when the file cannot be opened or read,
    ///   shrank while being read, or the pool has no memory.
    /// - Complexity: O(size), one batch.
    public mutating func readFile(atPath path: String, into memoryPool: UnifiedMemoryPool)
        throws(FileReadError) -> MemoryBlock
    {
        try readRange(atPath: path, offset: 0, length: nil, into: memoryPool)
    }

    /// Reads `length` bytes starting at `offset` of a file (to its end when
    /// `length` is `nil`) into a new block from `memoryPool`.
    ///
    /// - Parameters:
    ///   - path: The file to read.
    ///   - offset: The first byte; must not be negative.
    ///   - length: Bytes wanted; `nil` for the rest of the file. A range that
    ///     runs past the end of the file is cut at the end.
    ///   - memoryPool: Where the destination block comes from.
    /// - Returns: A block holding the bytes read.
    /// - Throws: ``FileReadError``.
    /// - Complexity: O(length), one batch.
    public mutating func readRange(
        atPath path: String, offset: Int, length: Int?, into memoryPool: UnifiedMemoryPool
    ) throws(FileReadError) -> MemoryBlock {
        precondition(offset >= 0, "negative file offset")
        precondition(length.map { $0 >= 0 } ?? true, "negative length")
        var fd: Int32 = -1
        var size: UInt64 = 0
        let rc = canp_file_open(path, &fd, &size)
        guard rc == 0 else { throw .open(path: path, errno: -rc) }
        defer { _ = canp_file_close(fd) }
        let available = max(0, Int(size) - offset)
        let wanted = min(length ?? available, available)
        var block: MemoryBlock
        do {
            block = try memoryPool.allocateBlock(capacity: max(wanted, 1))
        } catch {
            throw .memory(error)
        }
        let done = try read(fileDescriptor: fd, offset: offset, length: wanted, into: &block, path: path)
        guard done == wanted else { throw .truncated(path: path, expected: wanted, read: done) }
        return block
    }

    /// Reads many whole files in batches: up to 256 files are opened and read
    /// together, so io_uring overlaps them.
    ///
    /// - Parameters:
    ///   - paths: The files, in order.
    ///   - memoryPool: Where the destination blocks come from.
    /// - Returns: One result per path, in order: the file's bytes, or why it
    ///   could not be read. One failure does not stop the others.
    /// - Complexity: O(total size); ceil(n / 256) batches.
    public mutating func readFiles(atPaths paths: [String], into memoryPool: UnifiedMemoryPool)
        -> UniqueArray<Result<MemoryBlock, FileReadError>>
    {
        var results = UniqueArray<Result<MemoryBlock, FileReadError>>(minimumCapacity: paths.count)
        var start = 0
        while start < paths.count {
            let end = min(paths.count, start + Self.filesPerBatch)
            readFileGroup(paths[start..<end], into: memoryPool, appendingTo: &results)
            start = end
        }
        return results
    }

    private mutating func readFileGroup(
        _ paths: ArraySlice<String>, into memoryPool: UnifiedMemoryPool,
        appendingTo results: inout UniqueArray<Result<MemoryBlock, FileReadError>>
    ) {
        // Open everything first, then read all ranges in one C batch; each
        // path gets its result slot up front, so the order is the input's.
        let base = results.count
        var requests = [canp_read_req_t]()
        var requestSlot = [Int]()
        var fds = [Int32]()
        requests.reserveCapacity(paths.count)
        defer { for fd in fds { _ = canp_file_close(fd) } }
        for (slot, path) in paths.enumerated() {
            var fd: Int32 = -1
            var size: UInt64 = 0
            let rc = canp_file_open(path, &fd, &size)
            guard rc == 0 else {
                results.append(.failure(.open(path: path, errno: -rc)))
                continue
            }
            fds.append(fd)
            var block: MemoryBlock
            do {
                block = try memoryPool.allocateBlock(capacity: max(Int(size), 1))
            } catch {
                results.append(.failure(.memory(error)))
                continue
            }
            // The block's memory does not move when the block value moves,
            // so this address stays valid until the block is released, after
            // this batch.
            let address = block.unsafeBaseAddress
            var request = canp_read_req_t()
            request.fd = fd
            request.offset = 0
            request.buf = address
            request.len = Int(size)
            requests.append(request)
            requestSlot.append(slot)
            results.append(.success(block))
        }
        requests.withUnsafeMutableBufferPointer { buffer in
            _ = canp_reader_read_batch(reader, buffer.baseAddress, buffer.count)
        }
        for (i, request) in requests.enumerated() {
            let slot = requestSlot[i]
            let path = paths[paths.startIndex + slot]
            if request.result < 0 {
                results[base + slot] = .failure(.read(path: path, errno: -request.result))
            } else if request.done != request.len {
                results[base + slot] = .failure(
                    .truncated(path: path, expected: request.len, read: request.done))
            } else {
                var outcome = Result<MemoryBlock, FileReadError>.failure(.setup(errno: 0))
                swap(&outcome, &results[base + slot])
                switch consume outcome {
                case .success(var block):
                    block.withUnsafeUninitializedCapacity { _, count in count = request.done }
                    results[base + slot] = .success(block)
                case .failure(let error):
                    results[base + slot] = .failure(error)
                }
            }
        }
    }

    /// Reads up to `length` bytes at `offset` of an open file, appending them
    /// to `block` (after its `count` bytes).
    ///
    /// - Parameters:
    ///   - fileDescriptor: A file open for reading.
    ///   - offset: File offset of the first byte.
    ///   - length: Bytes wanted; at most the block's free capacity.
    ///   - block: The destination; its `count` grows by the bytes read.
    /// - Returns: The bytes read: fewer than `length` only at end of file.
    /// - Throws: ``FileReadError/read(path:errno:)`` (the path is
    ///   `fd:<n>`).
    /// - Complexity: O(length).
    public mutating func read(fileDescriptor: Int32, offset: Int, length: Int, into block: inout MemoryBlock)
        throws(FileReadError) -> Int
    {
        try read(fileDescriptor: fileDescriptor, offset: offset, length: length, into: &block,
                 path: "fd:\(fileDescriptor)")
    }

    private mutating func read(
        fileDescriptor: Int32, offset: Int, length: Int, into block: inout MemoryBlock, path: String
    ) throws(FileReadError) -> Int {
        precondition(offset >= 0 && length >= 0, "negative offset or length")
        precondition(length <= block.capacity - block.count, "the block is too small for the range")
        let reader = self.reader
        let result = block.withUnsafeUninitializedCapacity { buffer, count -> canp_read_req_t in
            var request = canp_read_req_t()
            request.fd = fileDescriptor
            request.offset = UInt64(offset)
            request.buf = buffer.baseAddress.map { $0 + count }
            request.len = length
            _ = canp_reader_read_batch(reader, &request, 1)
            count += request.done
            return request
        }
        if result.result < 0 { throw .read(path: path, errno: -result.result) }
        return result.done
    }

    /// Reads a batch of ranges into caller memory (`canp_reader_read_batch`).
    ///
    /// Each request's `done` and `result` are set. The buffers must stay valid
    /// until the call returns; the reader keeps no reference to them.
    ///
    /// - Parameter requests: The ranges; `fd`, `offset`, `buf`, `len` set.
    /// - Throws: ``FileReadError/read(path:errno:)`` only when the ring itself
    ///   failed; individual failures are in each request's `result`.
    /// - Complexity: O(total length).
    public mutating func unsafeReadBatch(_ requests: UnsafeMutableBufferPointer<canp_read_req_t>)
        throws(FileReadError)
    {
        let rc = canp_reader_read_batch(reader, requests.baseAddress, requests.count)
        if rc < 0 { throw .read(path: "<batch>", errno: -rc) }
    }
}
