/// Decodes CANP Record0s for the pipeline, one worker's blocks at a time.
///
/// `start` inflates the gzip member into the workspace (exactly ISIZE
/// bytes: how a damaged member fails, CRC-32 or ISIZE mismatch, depends on
/// the room it has, and the reason must not depend on buffer sizes). A block
/// whose frames fit the scratch columns (the usual case) is then walked and
/// decoded in one pass and `next` hands its rows out; a larger one is first
/// checked as a whole (``BlockDecoder/validate(_:_:)``) and then decoded in
/// slices, so that the frames in memory stay bounded. Either way a block
/// with a structural error emits no frame (`docs/FORMAT.md`).
final class CANPUnitDecoder: InputUnitDecoder {
    /// The most rows a slice of a large block is decoded into at a time.
    static let scratchRows = 1 << 16

    private let inflater: GzipInflater
    private let scratch = FrameScratch()
    private let maximumInflatedSize: Int
    /// Blocks of at most this many frames (`ISIZE / 20 + 1`: a frame record
    /// takes at least 20 bytes) are decoded in one pass into scratch
    /// columns; larger ones in slices (``CANPFormat/onePassFrameLimit``).
    private let onePassFrameLimit: Int

    private enum Pending {
        case none
        /// Rows `next..<end` of the scratch columns are still to be handed out.
        case scratch(next: Int, end: Int)
        /// A large block, structure already checked: frames are decoded from `position` on.
        case slices(SliceWalk)
    }

    private var pending = Pending.none
    private var block = BlockDescriptor(index: 0, offset: 0, header: Record0Header(
        sequenceNumber: 0, firstTimestamp: 0, lastTimestamp: 0, inflatedSize: 0, payloadLength: 0))
    private var fileName = ""
    private var inflated = UnsafeRawBufferPointer(start: nil, count: 0)

    init(maximumInflatedSize: Int, onePassFrameLimit: Int) throws(GzipError) {
        inflater = try GzipInflater()
        self.maximumInflatedSize = maximumInflatedSize
        self.onePassFrameLimit = onePassFrameLimit
    }

    var exitState: UInt64? { nil }

    func start(
        _ unit: InputUnit, fileBytes: UnsafeRawBufferPointer, fileName: String,
        workspace: UnsafeMutableRawBufferPointer, depth: DecodeDepth, entry: UnitEntry, into frames: inout FrameBatch
    ) -> UnitStart {
        pending = .none
        self.fileName = fileName
        block = BlockDescriptor(index: unit.index, offset: unit.offset,
                                header: Record0Header(unsafeAt: fileBytes.baseAddress!, offset: unit.offset))
        let required: Int
        do {
            required = try BlockDecoder.requiredCapacity(
                for: block, unsafeFileBytes: fileBytes, file: fileName, maximumInflatedSize: maximumInflatedSize)
        } catch {
            skip(error, into: &frames)
            return UnitStart(hasFrames: false)
        }
        precondition(workspace.count >= required, "CANPUnitDecoder: the workspace is smaller than the block's ISIZE")
        let payload = BlockDecoder.payload(of: block, in: fileBytes)
        let output = UnsafeMutableRawBufferPointer(rebasing: workspace[0..<required])
        let count: Int
        do {
            count = depth == .inflateWithZlib
                ? try GzipInflater.unsafeInflateWithZlib(member: payload, into: output)
                : try inflater.unsafeInflate(member: payload, into: output)
        } catch {
            skip(BlockDecoder.blockIssue(block, file: fileName, reason: .gzip(error)), into: &frames)
            return UnitStart(hasFrames: false)
        }
        inflated = UnsafeRawBufferPointer(start: workspace.baseAddress, count: count)
        var delta = FormatCounts()
        delta.inflatedBytes = count
        switch depth {
        case .inflate, .inflateWithZlib:
            delta.blocksDecoded = 1
            frames.addCounts(delta)
            return UnitStart(hasFrames: false)
        case .walk:
            let walk = BlockDecoder.validate(inflated.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count)
            if let failure = walk.failure {
                skip(structuralIssue(failure), into: &frames)
                return UnitStart(hasFrames: false)
            }
            delta.blocksDecoded = 1
            delta.framesDecoded = walk.frames
            frames.addCounts(delta)
            return UnitStart(hasFrames: false)
        case .frames:
            break
        }
        if count / 20 + 1 <= onePassFrameLimit {
            let columns = scratch.columns(capacity: count / 20 + 1)
            let walk = BlockDecoder.walkIntoScratch(inflated, block: block, file: fileName, columns: columns, into: &frames)
            if let failure = walk.failure {
                skip(failure, into: &frames)
                return UnitStart(hasFrames: false)
            }
            delta.blocksDecoded = 1
            delta.framesSkipped = walk.skipped
            frames.addCounts(delta)
            pending = .scratch(next: 0, end: walk.decoded)
            return UnitStart(hasFrames: walk.decoded > 0)
        }
        let check = BlockDecoder.validate(inflated.baseAddress!, count)
        if let failure = check.failure {
            skip(structuralIssue(failure), into: &frames)
            return UnitStart(hasFrames: false)
        }
        delta.blocksDecoded = 1
        frames.addCounts(delta)
        pending = .slices(SliceWalk())
        return UnitStart(hasFrames: check.frames > 0)
    }

    func next(into frames: inout FrameBatch, maximumFrames: Int) -> Bool {
        precondition(maximumFrames >= 1, "CANPUnitDecoder.next: maximumFrames must be positive")
        let firstRow = frames.count
        let blockNumber = UInt32(truncatingIfNeeded: block.index)
        var more = false
        switch pending {
        case .none:
            return false
        case .scratch(let next, let end):
            let stop = min(end, next + maximumFrames)
            frames.appendFrames(scratch.columns(capacity: 0), rows: next..<stop, block: blockNumber)
            var delta = FormatCounts()
            delta.framesDecoded = stop - next
            frames.addCounts(delta)
            more = stop < end
            pending = more ? .scratch(next: stop, end: end) : .none
        case .slices(var walk):
            let columns = scratch.columns(capacity: min(maximumFrames, Self.scratchRows))
            let limit = min(maximumFrames, Self.scratchRows)
            let step = walk.decode(inflated, limit: limit, block: block, file: fileName, columns: columns, into: &frames)
            frames.appendFrames(columns, rows: 0..<step.decoded, block: blockNumber)
            var delta = FormatCounts()
            delta.framesDecoded = step.decoded
            delta.framesSkipped = step.skipped
            frames.addCounts(delta)
            more = !walk.isFinished
            pending = more ? .slices(walk) : .none
        }
        if frames.count > firstRow {
            frames.appendSegment(FrameBatch.Segment(
                unit: block.index, offset: block.offset, frames: firstRow..<frames.count, dataByteCount: inflated.count))
        }
        return more
    }

    private func skip(_ issue: FormatIssue, into frames: inout FrameBatch) {
        frames.appendIssue(issue)
        var delta = FormatCounts()
        delta.blocksSkipped = 1
        frames.addCounts(delta)
    }

    private func structuralIssue(_ failure: (level: FormatIssue.Level, reason: FormatIssue.Reason, offset: Int)) -> FormatIssue {
        FormatIssue(file: fileName, block: block.index, offset: block.offset, level: failure.level,
                    reason: failure.reason, inflatedOffset: failure.offset)
    }
}

/// The frame decoding of a large block that has passed the structural check
/// (``BlockDecoder/validate(_:_:)``), resumable between slices: where the
/// walk stands in its Record1, Record2 and Record3 records.
struct SliceWalk {
    private var p = 0, end1 = 0, q = 0, end2 = 0, r = 0
    private var started = false
    private(set) var isFinished = false

    struct Step {
        var decoded = 0
        var skipped = 0
    }

    /// Decodes up to `limit` frames into scratch rows from 0, appending frame
    /// issues to `frames`.
    ///
    /// - Precondition: the block's structure is sound (every length was
    ///   checked against its parent), so no bound check can fail here.
    mutating func decode(
        _ inflated: UnsafeRawBufferPointer, limit: Int, block: BlockDescriptor, file: String,
        columns: FrameScratch.Columns, into frames: inout FrameBatch
    ) -> Step {
        let base = inflated.baseAddress!
        let end = inflated.count
        var step = Step()
        if !started {
            started = true
            enterRecord1(base, at: 0, end: end)
        }
        while !isFinished && step.decoded < limit {
            if r < end2 {
                let length3 = BlockDecoder.loadBE32(base, r)
                if BlockDecoder.decodeRecord3(base, at: r, length: length3, block: block, file: file, into: columns,
                                              row: step.decoded, issues: &frames) {
                    step.decoded += 1
                } else {
                    step.skipped += 1
                }
                r += 4 + Int(length3)
            } else if end2 < end1 {
                enterRecord2(base, at: end2)
            } else {
                enterRecord1(base, at: end1, end: end)
            }
        }
        return step
    }

    private mutating func enterRecord1(_ base: UnsafeRawPointer, at start: Int, end: Int) {
        p = start
        guard p < end else {
            isFinished = true
            return
        }
        end1 = p + 20 + Int(BlockDecoder.loadBE32(base, p + 16))
        enterRecord2(base, at: p + 20)
    }

    private mutating func enterRecord2(_ base: UnsafeRawPointer, at start: Int) {
        q = start
        guard q < end1 else {
            end2 = end1
            r = end1
            return
        }
        end2 = q + 20 + Int(BlockDecoder.loadBE32(base, q + 16))
        r = q + 20
    }
}
