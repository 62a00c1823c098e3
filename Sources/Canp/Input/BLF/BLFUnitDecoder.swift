import CCanpCore

/// Decodes BLF units for the pipeline, one worker's units at a time.
///
/// `start` inflates (or copies) a container into the workspace and sets
/// where its first object starts: from the entry state its predecessor left
/// (``BLFEntryState``), or, when that is not known, from a guess (the first
/// valid `LOBJ` header) that the pipeline checks. `next` walks the objects
/// and hands the frames out in slices. An object that runs past the end of
/// the container is joined here: the start of the next container is
/// inflated (only as many bytes as the object needs), the object is decoded
/// in the workspace's join area, and the exit state says where the next
/// container's first object starts. No pass over the data is serial.
final class BLFUnitDecoder: InputUnitDecoder {
    /// The bytes after a unit's data where an object split across two
    /// containers is joined (every frame type's fields and data fit).
    static let joinAreaBytes = 256
    /// How much of the next container is inflated at first to join an object.
    static let firstJoinBytes = 320
    /// The most of the next container inflated to find where its first
    /// object starts after a split one (larger remainders are not inflated
    /// here: the memory stays bounded whatever a file declares).
    static let maximumPrefixBytes = 64 * 1024
    /// The most rows a slice is decoded into at a time.
    static let scratchRows = 4096

    let inflater: ZlibInflater
    let scratch = FrameScratch()
    var prefix = [UInt8](repeating: 0, count: BLFUnitDecoder.firstJoinBytes)

    var unit = InputUnit(index: 0, offset: 0, length: 0, workspaceBytes: 0, firstBlock: 0)
    var fileName = ""
    var fileBytes = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The decoded data: a container's inflated bytes, or a run's copied objects.
    var dataCount = 0
    var objects = BLFFrameObject(base: UnsafeMutableRawPointer(bitPattern: 16)!, startNanoseconds: 0, padCursor: 0, padEnd: 0)
    var walk = BLFWalk.finished
    var isRun = false
    var runIndex = 0
    var countOnly = false
    var exitState: UInt64?

    init() throws(GzipError) {
        inflater = try ZlibInflater()
    }

    func start(
        _ unit: InputUnit, fileBytes: UnsafeRawBufferPointer, fileName: String,
        workspace: UnsafeMutableRawBufferPointer, depth: DecodeDepth, entry: UnitEntry, into frames: inout FrameBatch
    ) -> UnitStart {
        (self.unit, self.fileName, self.fileBytes) = (unit, fileName, fileBytes)
        walk = .finished
        exitState = nil
        countOnly = depth == .walk
        let start = BLFFileHeader(unsafeFileBytes: fileBytes)?.startNanoseconds ?? 0
        isRun = unit.tag & BLFFormat.runTag != 0
        if isRun {
            return startRun(workspace: workspace, start: start, depth: depth, entry: entry, into: &frames)
        }
        guard let count = load(workspace: workspace, depth: depth, into: &frames) else {
            exitState = BLFEntryState.resync(from: 0)
            return UnitStart(hasFrames: false)
        }
        dataCount = count
        objects = BLFFrameObject(base: workspace.baseAddress!, startNanoseconds: start,
                                 padCursor: count + Self.joinAreaBytes, padEnd: workspace.count)
        if depth == .inflate || depth == .inflateWithZlib {
            return UnitStart(hasFrames: false)
        }
        var assumed: UInt64?
        if entry.isKnown {
            walk = BLFEntryState.walk(for: entry.state)
        } else {
            assumed = BLFEntryState.guess(UnsafeRawPointer(workspace.baseAddress!), count: count)
            walk = BLFEntryState.walk(for: assumed)
        }
        if countOnly {
            while walk != .finished { _ = step(into: &frames, columns: scratch.columns(capacity: 1), row: 0) }
            return UnitStart(hasFrames: false, assumedEntry: assumed)
        }
        return UnitStart(hasFrames: true, assumedEntry: assumed)
    }

    func next(into frames: inout FrameBatch, maximumFrames: Int) -> Bool {
        precondition(maximumFrames >= 1, "BLFUnitDecoder.next: maximumFrames must be positive")
        let limit = min(maximumFrames, Self.scratchRows)
        let columns = scratch.columns(capacity: limit)
        var rows = 0
        var blocks: [UInt32] = []
        while rows < limit && walk != .finished {
            rows = wholeFrames(columns: columns, rows: rows, limit: limit)
            guard rows < limit && walk != .finished else { break }
            let block = isRun ? runIndex : unit.index
            if step(into: &frames, columns: columns, row: rows) {
                rows += 1
                if isRun { blocks.append(UInt32(truncatingIfNeeded: block)) }
            }
        }
        let first = frames.count
        if isRun {
            for row in 0..<rows { frames.appendFrames(columns, rows: row..<(row + 1), block: blocks[row]) }
        } else {
            frames.appendFrames(columns, rows: 0..<rows, block: UInt32(truncatingIfNeeded: unit.index))
        }
        var delta = FormatCounts()
        delta.framesDecoded = rows
        frames.addCounts(delta)
        if rows > 0 {
            frames.appendSegment(FrameBatch.Segment(unit: unit.index, offset: unit.offset, frames: first..<frames.count,
                                                    dataByteCount: objects.padEnd))
        }
        return walk != .finished
    }

    /// The common case in a tight loop: frame objects that lie whole in a
    /// container's data, one after the other, decoded by the C kernel
    /// (`canp_blf_decode_frames`, which mirrors ``BLFFrameObject``'s
    /// decoding). Stops at anything else (an object of another type, damage,
    /// data to zero-pad, the end of the data), which
    /// ``step(into:columns:row:)`` then handles.
    private func wholeFrames(columns: FrameScratch.Columns, rows start: Int, limit: Int) -> Int {
        guard !isRun && !countOnly, case .search(let from) = walk else { return start }
        var kernelColumns = canp_blf_columns(
            timestamps: columns.timestamps, identifiers: columns.identifiers,
            flags: UnsafeMutableRawPointer(columns.flags).assumingMemoryBound(to: UInt8.self),
            channels: columns.channels, lengths: columns.lengths, data_offsets: columns.dataOffsets)
        var position = from
        let rows = canp_blf_decode_frames(UnsafeRawPointer(objects.base).assumingMemoryBound(to: UInt8.self), dataCount,
                                          &position, objects.startNanoseconds, &kernelColumns, start, limit)
        walk = .search(position)
        return rows
    }

    /// Records a damaged object of the unit (level 1) and counts it.
    func objectIssue(_ reason: FormatIssue.Reason, at offset: Int, into frames: inout FrameBatch) {
        let block = isRun ? runIndex : unit.index
        frames.appendIssue(FormatIssue(file: fileName, block: block, offset: unit.offset, level: .blfObject,
                                       reason: reason, inflatedOffset: offset))
        var delta = FormatCounts()
        delta.framesSkipped = 1
        frames.addCounts(delta)
    }

    /// Records the unit as skipped (level 0) and counts it.
    func unitIssue(_ reason: FormatIssue.Reason, into frames: inout FrameBatch) {
        frames.appendIssue(FormatIssue(file: fileName, block: unit.index, offset: unit.offset, level: .blfContainer,
                                       reason: reason))
        var delta = FormatCounts()
        delta.blocksSkipped = 1
        frames.addCounts(delta)
    }
}

/// Where the walk over a unit's objects stands.
enum BLFWalk: Equatable {
    /// The next object starts at the first `LOBJ` in `from..<from + 8`.
    case search(Int)
    /// After damage: the next object starts at the next `LOBJ` from `from` on.
    case resync(Int)
    /// A signature was found here.
    case object(Int)
    /// A run of top-level objects: the next starts exactly here.
    case topLevel(Int)
    case finished
}

/// The entry state of a BLF container (``UnitEntry/state``): nil, the next
/// object starts at the first `LOBJ` in the first 8 bytes; a value below
/// 2^32, at the first `LOBJ` in the 8 bytes from that offset (the end of
/// an object that started in the container before); bit 32 set, at the
/// next `LOBJ` from that offset on (after damage). Decoders normalise the
/// states they leave, so that equal states mean the same walk and a
/// guessed state can be checked by equality.
enum BLFEntryState {
    static let resyncFlag: UInt64 = 1 << 32

    static func resync(from offset: Int) -> UInt64 { resyncFlag | UInt64(offset) }

    /// The walk an entry state starts.
    static func walk(for state: UInt64?) -> BLFWalk {
        guard let state else { return .search(0) }
        if state & resyncFlag != 0 { return .resync(Int(state & 0xFFFF_FFFF)) }
        return .search(Int(state))
    }

    /// The entry state assumed when none is known: where the first `LOBJ`
    /// with a valid header stands (nil when that is the first `LOBJ` of the
    /// first 8 bytes, or when there is none).
    static func guess(_ base: UnsafeRawPointer, count: Int) -> UInt64? {
        var from = 0
        while let at = blfFindSignature(base, from: from, limit: count, count: count) {
            if at + BLFObjectHeader.baseSize <= count && BLFObjectHeader(base, at: at).isValid {
                return normalised(objectAt: at, base, count: count)
            }
            from = at + 1
        }
        return nil
    }

    /// The state for an object known to start at `offset` of a container's data.
    static func normalised(objectAt offset: Int, _ base: UnsafeRawPointer, count: Int) -> UInt64? {
        if offset < 8 && blfFindSignature(base, from: 0, limit: 8, count: count) == offset { return nil }
        return UInt64(offset)
    }
}
