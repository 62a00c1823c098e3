/// Turns one Record0 payload into frames: inflate the gzip member, walk
/// levels 1-3 in place, decode the frames into a `FrameBatch`.
///
/// One decoder per worker thread: it owns a `GzipInflater`. It never copies
/// the inflated bytes and never allocates per frame; the batch's columns grow
/// only until they reach the batch's steady size.
///
/// Error rules (`docs/FORMAT.md`): a gzip, ISIZE or level 1-3 error skips the
/// whole Record0 and none of its frames are emitted (frames decoded before a
/// structural error is found are discarded with the block's frame issues); a
/// frame error skips that frame. Every skipped unit becomes a `FormatIssue`
/// in the batch and is counted.
///
/// Never reads outside the buffers it is given, whatever their bytes: every
/// length is checked against what is left of its parent before it is used.
public struct BlockDecoder: ~Copyable, Sendable {
    /// Limits that protect the decoder from absurd headers.
    public struct Configuration: Sendable, Hashable {
        /// The largest inflated block accepted; a member whose ISIZE is larger is a level-0 error.
        /// Default 256 MiB.
        public var maximumInflatedSize: Int

        /// Creates a configuration.
        ///
        /// - Parameter maximumInflatedSize: the largest ISIZE accepted, in bytes.
        public init(maximumInflatedSize: Int = 256 << 20) {
            self.maximumInflatedSize = maximumInflatedSize
        }

        /// 256 MiB blocks at most.
        public static let `default` = Configuration()
    }

    /// What happened to one block.
    public enum Outcome: Sendable, Hashable {
        /// The block was inflated and walked; `frames` went into the batch and
        /// `skippedFrames` were frame errors.
        case decoded(frames: Int, skippedFrames: Int, inflatedBytes: Int)
        /// The whole block was skipped for this reason.
        case skipped(FormatIssue)
    }

    /// DEFLATE cannot expand data by more than 1032 times (258-byte matches in
    /// 2 bits); an ISIZE above that for the member's size is certainly a lie.
    static let maximumDeflateRatio = 1032

    private let inflater: GzipInflater
    private let scratch = FrameScratch()
    /// The limits in force.
    public let configuration: Configuration
    /// Everything this decoder has decoded and skipped since it was created.
    public private(set) var counts = FormatCounts()

    /// Creates a decoder with its own inflater.
    ///
    /// - Parameter configuration: the limits; `.default` allows 256 MiB blocks.
    /// - Throws: `GzipError.outOfMemory` when the inflater cannot be allocated.
    /// - Complexity: O(1).
    public init(configuration: Configuration = .default) throws(GzipError) {
        inflater = try GzipInflater()
        self.configuration = configuration
    }

    /// The output capacity needed to inflate `block`: its ISIZE, after checking
    /// the gzip header and that ISIZE is within the limits.
    ///
    /// - Parameters:
    ///   - block: the block, as the scanner found it in `fileBytes`.
    ///   - fileBytes: the whole file.
    ///   - file: the file name, for the issue.
    /// - Returns: the number of bytes the output buffer must have (0 is possible).
    /// - Throws: a level-0 `FormatIssue`: `.gzip(.invalidData)` when the payload
    ///   is not a gzip member, `.inflatedSizeTooLarge` when ISIZE is above
    ///   `configuration.maximumInflatedSize` or above what DEFLATE can produce
    ///   from the payload's size.
    /// - Complexity: O(1).
    public func requiredCapacity(
        for block: BlockDescriptor, unsafeFileBytes fileBytes: UnsafeRawBufferPointer, file: String
    ) throws(FormatIssue) -> Int {
        try Self.requiredCapacity(for: block, unsafeFileBytes: fileBytes, file: file,
                                  maximumInflatedSize: configuration.maximumInflatedSize)
    }

    /// ``requiredCapacity(for:unsafeFileBytes:file:)`` with the limit given.
    static func requiredCapacity(
        for block: BlockDescriptor, unsafeFileBytes fileBytes: UnsafeRawBufferPointer, file: String,
        maximumInflatedSize: Int
    ) throws(FormatIssue) -> Int {
        let payload = Self.payload(of: block, in: fileBytes)
        let isize: UInt32
        do {
            isize = try GzipInflater.unsafeDeclaredSize(ofMember: payload)
        } catch {
            throw Self.blockIssue(block, file: file, reason: .gzip(error))
        }
        let limit = min(maximumInflatedSize, payload.count * Self.maximumDeflateRatio)
        guard Int(isize) <= limit else {
            throw Self.blockIssue(block, file: file, reason: .inflatedSizeTooLarge(declared: isize, limit: limit))
        }
        return Int(isize)
    }

    /// Inflates and decodes one block into `batch`.
    ///
    /// - Parameters:
    ///   - block: the block, as the scanner found it in `fileBytes`.
    ///   - fileBytes: the whole file.
    ///   - output: where to inflate; at least `requiredCapacity(for:unsafeFileBytes:file:)`
    ///     bytes. The frames' data stays there: keep it alive as long as the batch's rows.
    ///   - file: the file name, for issues.
    ///   - batch: receives the frames, a segment, issues and counts.
    /// - Returns: what happened to the block; a skipped block's issue is also in `batch.issues`.
    /// - Precondition: `output` holds at least ISIZE bytes when ISIZE is within the limits.
    /// - Complexity: O(compressed + inflated bytes).
    public mutating func decode(
        _ block: BlockDescriptor, unsafeFileBytes fileBytes: UnsafeRawBufferPointer,
        unsafeOutput output: UnsafeMutableRawBufferPointer, file: String, into batch: inout FrameBatch
    ) -> Outcome {
        let required: Int
        do {
            required = try requiredCapacity(for: block, unsafeFileBytes: fileBytes, file: file)
        } catch {
            return skip(error, into: &batch)
        }
        precondition(output.count >= required, "BlockDecoder.decode: output smaller than the block's ISIZE")
        let inflatedCount: Int
        do {
            inflatedCount = try inflater.unsafeInflate(member: Self.payload(of: block, in: fileBytes), into: output)
        } catch {
            return skip(Self.blockIssue(block, file: file, reason: .gzip(error)), into: &batch)
        }
        return decodeInflated(
            unsafeBytes: UnsafeRawBufferPointer(rebasing: output[0..<inflatedCount]), block: block, file: file,
            into: &batch)
    }

    /// Walks and decodes a block that is already inflated.
    ///
    /// - Parameters:
    ///   - inflated: the inflated Payload0 (a Stream1), exactly its bytes.
    ///   - block: the block it came from (index and offset are used in reports).
    ///   - file: the file name, for issues.
    ///   - batch: receives the frames, a segment, issues and counts.
    /// - Returns: what happened to the block.
    /// - Precondition: `inflated` holds at most 4 GiB (what a gzip ISIZE can describe).
    /// - Complexity: O(inflated bytes); one pass over the records.
    public mutating func decodeInflated(
        unsafeBytes inflated: UnsafeRawBufferPointer, block: BlockDescriptor, file: String,
        into batch: inout FrameBatch
    ) -> Outcome {
        let end = inflated.count
        let firstRow = batch.count
        let columns = scratch.columns(capacity: end / 20 + 1)
        let walk = Self.walkIntoScratch(inflated, block: block, file: file, columns: columns, into: &batch)
        if let failure = walk.failure {
            return skip(failure, into: &batch)
        }
        let blockNumber = UInt32(truncatingIfNeeded: block.index)
        batch.appendFrames(columns, rows: 0..<walk.decoded, block: blockNumber)
        batch.appendSegment(FrameBatch.Segment(
            unit: block.index, offset: block.offset, frames: firstRow..<batch.count, dataByteCount: end))
        var delta = FormatCounts()
        delta.blocksDecoded = 1
        delta.framesDecoded = walk.decoded
        delta.framesSkipped = walk.skipped
        delta.inflatedBytes = end
        batch.counts += delta
        counts += delta
        return .decoded(frames: walk.decoded, skippedFrames: walk.skipped, inflatedBytes: end)
    }

    /// What one pass over an inflated block found.
    struct ScratchWalk {
        /// Frames decoded into the scratch columns, rows `0..<decoded`.
        var decoded = 0
        /// Frame errors (their issues were appended to the batch).
        var skipped = 0
        /// The structural error that loses the whole block; its frame issues
        /// were then removed from the batch again.
        var failure: FormatIssue?
    }

    /// One pass over an inflated block: every Record1/2/3 header is checked
    /// against its parent before it is used, and each frame is decoded into
    /// raw scratch columns as soon as its record is proven to lie inside the
    /// block. A valid frame record takes at least 20 bytes, so
    /// `inflated.count / 20 + 1` rows always suffice. The frames join a batch
    /// only when the whole structure has proven sound: a structural error
    /// found later discards them and the block's frame issues, so a damaged
    /// Record0 emits nothing.
    ///
    /// - Precondition: `columns` has room for `inflated.count / 20 + 1` rows;
    ///   `inflated` holds at most 4 GiB (what a gzip ISIZE can describe).
    static func walkIntoScratch(
        _ inflated: UnsafeRawBufferPointer, block: BlockDescriptor, file: String, columns: FrameScratch.Columns,
        into batch: inout FrameBatch
    ) -> ScratchWalk {
        let end = inflated.count
        // Swift gives an empty buffer a nil base; any non-nil pointer works for zero reads.
        let base = inflated.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        precondition(end <= Int(UInt32.max), "an inflated block is at most 4 GiB (ISIZE is 32 bits)")
        let firstIssue = batch.issues.count
        var walk = ScratchWalk()
        var failure: (level: FormatIssue.Level, reason: FormatIssue.Reason, offset: Int)?
        var p = 0
        walk: while p < end {
            guard end - p >= 20 else {
                failure = (.record1, .headerRunsPastParent(available: end - p), p)
                break walk
            }
            let length1 = Self.loadBE32(base, p + 16)
            guard Int(length1) <= end - p - 20 else {
                failure = (.record1, .lengthRunsPastParent(declared: length1, available: end - p - 20), p)
                break walk
            }
            let end1 = p + 20 + Int(length1)
            var q = p + 20
            while q < end1 {
                guard end1 - q >= 20 else {
                    failure = (.record2, .headerRunsPastParent(available: end1 - q), q)
                    break walk
                }
                let length2 = Self.loadBE32(base, q + 16)
                guard Int(length2) <= end1 - q - 20 else {
                    failure = (.record2, .lengthRunsPastParent(declared: length2, available: end1 - q - 20), q)
                    break walk
                }
                let end2 = q + 20 + Int(length2)
                var r = q + 20
                while r < end2 {
                    guard end2 - r >= 4 else {
                        failure = (.record3, .headerRunsPastParent(available: end2 - r), r)
                        break walk
                    }
                    let length3 = Self.loadBE32(base, r)
                    guard Int(length3) <= end2 - r - 4 else {
                        failure = (.record3, .lengthRunsPastParent(declared: length3, available: end2 - r - 4), r)
                        break walk
                    }
                    if Self.decodeRecord3(base, at: r, length: length3, block: block, file: file, into: columns,
                                          row: walk.decoded, issues: &batch) {
                        walk.decoded += 1
                    } else {
                        walk.skipped += 1
                    }
                    r += 4 + Int(length3)
                }
                q = end2
            }
            p = end1
        }
        if let failure {
            batch.removeIssues(from: firstIssue)
            walk.failure = FormatIssue(
                file: file, block: block.index, offset: block.offset, level: failure.level, reason: failure.reason,
                inflatedOffset: failure.offset)
            walk.decoded = 0
            walk.skipped = 0
        }
        return walk
    }

    /// Reports a truncated tail found by the scanner: an issue in `batch` and a count.
    ///
    /// - Parameters:
    ///   - tail: what the scanner found.
    ///   - file: the file name.
    ///   - batch: receives the issue and the count.
    /// - Returns: the issue.
    /// - Complexity: O(1).
    @discardableResult
    public mutating func report(
        _ tail: Record0Scanner.TruncatedTail, file: String, into batch: inout FrameBatch
    ) -> FormatIssue {
        let issue = tail.issue(file: file)
        batch.appendIssue(issue)
        batch.counts.truncatedTails += 1
        counts.truncatedTails += 1
        return issue
    }

    /// Decodes a whole file held in memory, keeping each block's inflated bytes.
    ///
    /// A convenience for tools and tests; the pipeline drives the scanner and
    /// `decode` itself with pool memory.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - file: the file name, for issues.
    ///   - batch: receives the frames, segments, issues and counts.
    /// - Returns: the inflated bytes of each segment appended to `batch`, in order.
    /// - Complexity: O(file size + inflated size).
    public mutating func decodeFile(_ bytes: [UInt8], file: String, into batch: inout FrameBatch) -> [[UInt8]] {
        var inflatedBlocks: [[UInt8]] = []
        bytes.withUnsafeBytes { fileBytes in
            var scanner = Record0Scanner()
            while let step = scanner.next(unsafeFileBytes: fileBytes) {
                switch step {
                case .truncatedTail(let tail):
                    report(tail, file: file, into: &batch)
                case .block(let block):
                    let capacity: Int
                    do throws(FormatIssue) {
                        capacity = try requiredCapacity(for: block, unsafeFileBytes: fileBytes, file: file)
                    } catch {
                        _ = skip(error, into: &batch)
                        continue
                    }
                    var inflated = [UInt8](repeating: 0, count: capacity)
                    let outcome = inflated.withUnsafeMutableBytes { output in
                        decode(block, unsafeFileBytes: fileBytes, unsafeOutput: output, file: file, into: &batch)
                    }
                    if case .decoded(_, _, let count) = outcome {
                        inflated.removeLast(inflated.count - count)
                        inflatedBlocks.append(inflated)
                    }
                }
            }
        }
        return inflatedBlocks
    }

    // MARK: - Internals

    mutating func skip(_ issue: FormatIssue, into batch: inout FrameBatch) -> Outcome {
        batch.appendIssue(issue)
        batch.counts.blocksSkipped += 1
        counts.blocksSkipped += 1
        return .skipped(issue)
    }

    static func blockIssue(_ block: BlockDescriptor, file: String, reason: FormatIssue.Reason) -> FormatIssue {
        FormatIssue(file: file, block: block.index, offset: block.offset, level: .record0, reason: reason)
    }

    static func payload(of block: BlockDescriptor, in fileBytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let range = block.payloadRange
        precondition(range.upperBound <= fileBytes.count, "BlockDecoder: the block does not lie in these file bytes")
        return UnsafeRawBufferPointer(rebasing: fileBytes[range])
    }

    @inline(__always)
    static func loadBE32(_ base: UnsafeRawPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    struct Walk {
        var frames = 0
        var failure: (level: FormatIssue.Level, reason: FormatIssue.Reason, offset: Int)?
    }

    /// Checks every Record1/2/3 header and length against its parent and
    /// counts the Record3s, without decoding frames (the `walk` depth, and
    /// the check before a block too large for the scratch columns is decoded
    /// in slices). Reads only header bytes that it has proven to lie inside
    /// `0..<end`.
    static func validate(_ base: UnsafeRawPointer, _ end: Int) -> Walk {
        var walk = Walk()
        var p = 0
        while p < end {
            guard end - p >= 20 else {
                walk.failure = (.record1, .headerRunsPastParent(available: end - p), p)
                return walk
            }
            let length1 = loadBE32(base, p + 16)
            guard Int(length1) <= end - p - 20 else {
                walk.failure = (.record1, .lengthRunsPastParent(declared: length1, available: end - p - 20), p)
                return walk
            }
            let end1 = p + 20 + Int(length1)
            var q = p + 20
            while q < end1 {
                guard end1 - q >= 20 else {
                    walk.failure = (.record2, .headerRunsPastParent(available: end1 - q), q)
                    return walk
                }
                let length2 = loadBE32(base, q + 16)
                guard Int(length2) <= end1 - q - 20 else {
                    walk.failure = (.record2, .lengthRunsPastParent(declared: length2, available: end1 - q - 20), q)
                    return walk
                }
                let end2 = q + 20 + Int(length2)
                var r = q + 20
                while r < end2 {
                    guard end2 - r >= 4 else {
                        walk.failure = (.record3, .headerRunsPastParent(available: end2 - r), r)
                        return walk
                    }
                    let length3 = loadBE32(base, r)
                    guard Int(length3) <= end2 - r - 4 else {
                        walk.failure = (.record3, .lengthRunsPastParent(declared: length3, available: end2 - r - 4), r)
                        return walk
                    }
                    walk.frames += 1
                    r += 4 + Int(length3)
                }
                q = end2
            }
            p = end1
        }
        return walk
    }

    /// Decodes the frame of the Record3 at `r` (its `length` already checked
    /// against its parent) into row `row`, or reports it as a frame error.
    /// Returns whether it was decoded.
    @inline(__always)
    static func decodeRecord3(
        _ base: UnsafeRawPointer, at r: Int, length: UInt32, block: BlockDescriptor, file: String,
        into columns: FrameScratch.Columns, row: Int, issues batch: inout FrameBatch
    ) -> Bool {
        guard let reason = decodeFrame(base, at: r + 4, recordLength: length, into: columns, row: row) else { return true }
        batch.appendIssue(FormatIssue(
            file: file, block: block.index, offset: block.offset, level: .frame, reason: reason, inflatedOffset: r))
        return false
    }

    /// CAN FD lengths above 8 that are allowed, as a bit mask over the length (64 is tested apart).
    static let fdLengthMask: UInt64 = (1 << 12) | (1 << 16) | (1 << 20) | (1 << 24) | (1 << 32) | (1 << 48)

    /// Decodes the frame of `recordLength` bytes at `offset` (inside the block:
    /// the caller proved it) into row `row` of the columns, or returns why it
    /// is skipped.
    /// The checks follow the order of the reference reader so that a frame with
    /// two faults gets the same reason.
    @inline(__always)
    static func decodeFrame(
        _ base: UnsafeRawPointer, at offset: Int, recordLength: UInt32, into columns: FrameScratch.Columns, row: Int
    ) -> FormatIssue.Reason? {
        guard recordLength >= 16 else { return .frameShorterThan16Bytes(recordLength: recordLength) }
        let frame = base + offset
        let length = frame.load(fromByteOffset: 14, as: UInt8.self)
        guard recordLength == 16 + UInt32(length) else {
            return .lengthFieldMismatch(recordLength: recordLength, dataLength: length)
        }
        let flagsByte = frame.load(fromByteOffset: 12, as: UInt8.self)
        if flagsByte & 1 != 0 {
            guard length <= 8 || length == 64 || (length < 64 && (fdLengthMask >> length) & 1 != 0) else {
                return .fdLengthNotAllowed(dataLength: length)
            }
        } else {
            guard length <= 8 else { return .classicFrameTooLong(dataLength: length) }
        }
        let rawIdentifier = UInt32(bigEndian: frame.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let identifier = rawIdentifier & 0x1FFF_FFFF
        guard rawIdentifier & 0x8000_0000 != 0 || identifier <= 0x7FF else {
            return .standardIdentifierTooLarge(identifier: identifier)
        }
        columns.timestamps[row] = UInt64(bigEndian: frame.loadUnaligned(as: UInt64.self))
        columns.identifiers[row] = identifier
        columns.flags[row] = FrameFlags(rawIdentifier: rawIdentifier, flagsByte: flagsByte)
        columns.channels[row] = Int32(frame.load(fromByteOffset: 13, as: UInt8.self))
        columns.lengths[row] = length
        columns.dataOffsets[row] = UInt32(truncatingIfNeeded: offset + 16)
        return nil
    }
}
