/// Decoded frames in columns, reused from batch to batch: the neutral frame
/// model that every input format produces and every sink consumes.
///
/// Every column has one entry per frame, in file order. The data bytes are not
/// copied: `dataOffsets` points into the data buffer of the unit the frame
/// came from (for CANP, the inflated block; for a text format, the buffer its
/// reader decoded the hex digits into), which the caller keeps alive; the
/// frames of one unit (or of one slice of a large unit) are one `Segment`.
/// Skipped units go to `issues` and every unit, frame and issue is counted in
/// `counts`.
///
/// Reuse a batch with `removeAll(keepingCapacity:)`: the columns keep their
/// storage, so decoding does not allocate once the batch has grown.
public struct FrameBatch: Sendable {
    /// The frames of one decoded unit (or of one slice of it).
    public struct Segment: Sendable, Hashable {
        /// The unit's number in its file (for CANP, the block number).
        public var unit: Int
        /// The unit's byte offset in the file.
        public var offset: Int
        /// The rows of these frames in the batch.
        public var frames: Range<Int>
        /// The size of the data buffer that `dataOffsets` of these rows point into.
        public var dataByteCount: Int

        /// Creates a segment.
        ///
        /// - Parameters:
        ///   - unit: the unit's number in its file.
        ///   - offset: the unit's byte offset in the file.
        ///   - frames: the rows.
        ///   - dataByteCount: the size of the rows' data buffer.
        public init(unit: Int, offset: Int, frames: Range<Int>, dataByteCount: Int) {
            self.unit = unit
            self.offset = offset
            self.frames = frames
            self.dataByteCount = dataByteCount
        }
    }

    /// Frame timestamps, ns since the Unix epoch.
    public internal(set) var timestamps: [UInt64] = []
    /// Identifiers without the flag bits (11 or 29 bits).
    public internal(set) var identifiers: [UInt32] = []
    /// EFF/RTR/ERR and FDF/BRS/ESI/TX.
    public internal(set) var flags: [FrameFlags] = []
    /// Bus channels (the `channel` column of the exports; each format says how it numbers them).
    public internal(set) var channels: [Int32] = []
    /// Data lengths (0-64).
    public internal(set) var lengths: [UInt8] = []
    /// Offsets of the data bytes in the frame's data buffer.
    public internal(set) var dataOffsets: [UInt32] = []
    /// Block numbers (the `block` column: a CANP Record0's index, a text file's line number, ...).
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

    /// The data bytes of frame `row`, in the data buffer of its segment.
    ///
    /// - Parameters:
    ///   - row: the frame's row in the batch.
    ///   - inflated: the data buffer of the frame's segment.
    /// - Returns: a view of `lengths[row]` bytes inside `inflated`.
    /// - Complexity: O(1).
    @inline(__always)
    public func unsafeData(ofFrame row: Int, in inflated: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        let start = Int(dataOffsets[row])
        let end = start + Int(lengths[row])
        precondition(end <= inflated.count, "FrameBatch.unsafeData: the data buffer does not match the frame")
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

    /// Appends one frame.
    ///
    /// - Parameters:
    ///   - timestamp: ns since the Unix epoch.
    ///   - identifier: the identifier without flag bits.
    ///   - frameFlags: EFF/RTR/ERR and FDF/BRS/ESI/TX.
    ///   - channel: the bus channel.
    ///   - length: the number of data bytes.
    ///   - dataOffset: where the data bytes start in the segment's data buffer.
    ///   - block: the block number.
    /// - Complexity: amortized O(1).
    @inline(__always)
    public mutating func appendFrame(
        timestamp: UInt64, identifier: UInt32, flags frameFlags: FrameFlags, channel: Int32, length: UInt8,
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

    /// Appends rows `range` of scratch columns, all of block `block`.
    mutating func appendFrames(_ columns: FrameScratch.Columns, rows range: Range<Int>, block: UInt32) {
        guard !range.isEmpty else { return }
        let start = range.lowerBound
        let count = range.count
        timestamps.append(contentsOf: UnsafeBufferPointer(start: columns.timestamps + start, count: count))
        identifiers.append(contentsOf: UnsafeBufferPointer(start: columns.identifiers + start, count: count))
        flags.append(contentsOf: UnsafeBufferPointer(start: columns.flags + start, count: count))
        channels.append(contentsOf: UnsafeBufferPointer(start: columns.channels + start, count: count))
        lengths.append(contentsOf: UnsafeBufferPointer(start: columns.lengths + start, count: count))
        dataOffsets.append(contentsOf: UnsafeBufferPointer(start: columns.dataOffsets + start, count: count))
        blocks.append(contentsOf: repeatElement(block, count: count))
    }

    /// Appends rows `range` of another batch, all of one segment of it, as a
    /// new segment whose data buffer is the same.
    ///
    /// - Parameters:
    ///   - other: the batch to copy rows from.
    ///   - range: rows of `other` that lie in one of its segments.
    ///   - segment: that segment.
    /// - Complexity: O(range.count).
    public mutating func appendRows(of other: FrameBatch, _ range: Range<Int>, segment: Segment) {
        let first = count
        timestamps.append(contentsOf: other.timestamps[range])
        identifiers.append(contentsOf: other.identifiers[range])
        flags.append(contentsOf: other.flags[range])
        channels.append(contentsOf: other.channels[range])
        lengths.append(contentsOf: other.lengths[range])
        dataOffsets.append(contentsOf: other.dataOffsets[range])
        blocks.append(contentsOf: other.blocks[range])
        segments.append(Segment(unit: segment.unit, offset: segment.offset, frames: first..<count,
                                dataByteCount: segment.dataByteCount))
    }

    /// Records a skipped unit (a format's reader calls this; the counts are its own to update).
    ///
    /// - Parameter issue: the skipped unit.
    public mutating func appendIssue(_ issue: FormatIssue) {
        issues.append(issue)
    }

    /// Adds to the counts (a format's reader calls this for what it decoded and skipped).
    ///
    /// - Parameter delta: the counts to add.
    public mutating func addCounts(_ delta: FormatCounts) {
        counts += delta
    }

    /// Drops the issues from index `start` on (a block found damaged after
    /// some of its frame issues were recorded).
    mutating func removeIssues(from start: Int) {
        if start < issues.count { issues.removeSubrange(start...) }
    }

    /// Records that rows of the batch form one segment (a format's reader calls this).
    ///
    /// - Parameter segment: the segment; its rows must be the last rows appended.
    public mutating func appendSegment(_ segment: Segment) {
        segments.append(segment)
    }
}
