/// Decoded frames in columns, reused from batch to batch.
///
/// Every column has one entry per frame, in file order. The data bytes are not
/// copied: `dataOffsets` points into the inflated block the frame came from,
/// which the caller keeps alive (the pipeline's decompression block); each
/// decoded block is one `Segment`. Skipped units go to `issues` and every
/// block, frame and issue is counted in `counts`.
///
/// Reuse a batch with `removeAll(keepingCapacity:)`: the columns keep their
/// storage, so decoding does not allocate once the batch has grown.
public struct FrameBatch: Sendable {
    /// The frames of one decoded block.
    public struct Segment: Sendable, Hashable {
        /// The block number in file order.
        public var block: Int
        /// The Record0's byte offset in the file.
        public var offset: Int
        /// The rows of this block's frames in the batch.
        public var frames: Range<Int>
        /// The size of the inflated block that `dataOffsets` of these rows point into.
        public var inflatedByteCount: Int
    }

    /// Frame timestamps, ns since the Unix epoch.
    public internal(set) var timestamps: [UInt64] = []
    /// Identifiers without the flag bits (11 or 29 bits).
    public internal(set) var identifiers: [UInt32] = []
    /// EFF/RTR/ERR and FDF/BRS/ESI/TX.
    public internal(set) var flags: [FrameFlags] = []
    /// Bus channels.
    public internal(set) var channels: [UInt8] = []
    /// Data lengths (0-64).
    public internal(set) var lengths: [UInt8] = []
    /// Offsets of the data bytes in the frame's inflated block.
    public internal(set) var dataOffsets: [UInt32] = []
    /// Block numbers in file order.
    public internal(set) var blocks: [UInt32] = []
    /// One entry per decoded block, in order.
    public internal(set) var segments: [Segment] = []
    /// Skipped units, in the order found.
    public internal(set) var issues: [FormatIssue] = []
    /// Blocks and frames decoded and skipped into this batch since it was last emptied.
    public internal(set) var counts = FormatCounts()

    /// Creates an empty batch.
    ///
    /// - Parameter capacity: frames to reserve room for.
    /// - Complexity: O(capacity).
    public init(capacity: Int = 0) {
        if capacity > 0 { reserveCapacity(capacity) }
    }

    /// The number of frames.
    public var count: Int { timestamps.count }

    /// Whether the batch holds no frames.
    public var isEmpty: Bool { timestamps.isEmpty }

    /// Reserves room for `capacity` frames in every column.
    ///
    /// - Parameter capacity: the total number of frames to make room for.
    /// - Complexity: O(capacity) when the columns grow.
    public mutating func reserveCapacity(_ capacity: Int) {
        timestamps.reserveCapacity(capacity)
        identifiers.reserveCapacity(capacity)
        flags.reserveCapacity(capacity)
        channels.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        dataOffsets.reserveCapacity(capacity)
        blocks.reserveCapacity(capacity)
    }

    /// Empties the batch: frames, segments, issues and counts.
    ///
    /// - Parameter keepingCapacity: whether the columns keep their storage (the default).
    /// - Complexity: O(1) for trivial columns; O(issues) to release the issues.
    public mutating func removeAll(keepingCapacity: Bool = true) {
        timestamps.removeAll(keepingCapacity: keepingCapacity)
        identifiers.removeAll(keepingCapacity: keepingCapacity)
        flags.removeAll(keepingCapacity: keepingCapacity)
        channels.removeAll(keepingCapacity: keepingCapacity)
        lengths.removeAll(keepingCapacity: keepingCapacity)
        dataOffsets.removeAll(keepingCapacity: keepingCapacity)
        blocks.removeAll(keepingCapacity: keepingCapacity)
        segments.removeAll(keepingCapacity: keepingCapacity)
        issues.removeAll(keepingCapacity: keepingCapacity)
        counts = FormatCounts()
    }

    /// The data bytes of frame `row`, in the inflated block it came from.
    ///
    /// - Parameters:
    ///   - row: the frame's row in the batch.
    ///   - inflated: the inflated block of the frame's segment.
    /// - Returns: a view of `lengths[row]` bytes inside `inflated`.
    /// - Complexity: O(1).
    @inline(__always)
    public func unsafeData(ofFrame row: Int, in inflated: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let start = Int(dataOffsets[row])
        let end = start + Int(lengths[row])
        precondition(end <= inflated.count, "FrameBatch.unsafeData: the inflated block does not match the frame")
        return UnsafeRawBufferPointer(rebasing: inflated[start..<end])
    }

    /// The frame's `can_id` as stored in the file: identifier plus EFF/RTR/ERR bits.
    ///
    /// - Parameter row: the frame's row.
    /// - Returns: the raw identifier.
    /// - Complexity: O(1).
    public func rawIdentifier(ofFrame row: Int) -> UInt32 {
        identifiers[row] | (UInt32(flags[row].rawValue & 0x07) << 29)
    }

    @inline(__always)
    mutating func appendFrame(
        timestamp: UInt64, identifier: UInt32, flags frameFlags: FrameFlags, channel: UInt8, length: UInt8,
        dataOffset: UInt32, block: UInt32
    ) {
        timestamps.append(timestamp)
        identifiers.append(identifier)
        flags.append(frameFlags)
        channels.append(channel)
        lengths.append(length)
        dataOffsets.append(dataOffset)
        blocks.append(block)
    }

    /// Appends the first `count` rows of scratch columns, all of block `block`.
    mutating func appendFrames(_ columns: FrameScratch.Columns, count: Int, block: UInt32) {
        guard count > 0 else { return }
        timestamps.append(contentsOf: UnsafeBufferPointer(start: columns.timestamps, count: count))
        identifiers.append(contentsOf: UnsafeBufferPointer(start: columns.identifiers, count: count))
        flags.append(contentsOf: UnsafeBufferPointer(start: columns.flags, count: count))
        channels.append(contentsOf: UnsafeBufferPointer(start: columns.channels, count: count))
        lengths.append(contentsOf: UnsafeBufferPointer(start: columns.lengths, count: count))
        dataOffsets.append(contentsOf: UnsafeBufferPointer(start: columns.dataOffsets, count: count))
        blocks.append(contentsOf: repeatElement(block, count: count))
    }

    mutating func appendIssue(_ issue: FormatIssue) {
        issues.append(issue)
    }

    /// Drops the issues from index `start` on (a block found damaged after
    /// some of its frame issues were recorded).
    mutating func removeIssues(from start: Int) {
        if start < issues.count { issues.removeSubrange(start...) }
    }

    mutating func appendSegment(_ segment: Segment) {
        segments.append(segment)
    }
}
