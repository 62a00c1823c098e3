/// The walk over a unit's objects, one step at a time.
extension BLFUnitDecoder {
    /// Inflates or copies the container into the workspace; nil when it is
    /// lost (its issue is in `frames`).
    func load(workspace: UnsafeMutableRawBufferPointer, depth: DecodeDepth, into frames: inout FrameBatch) -> Int? {
        let container = BLFContainer(fileBytes: fileBytes, offset: unit.offset)
        let declared = Int(container.declaredSize)
        precondition(workspace.count >= BLFFormat.workspaceBytes(forData: declared),
                     "BLFUnitDecoder: the workspace is smaller than the container needs")
        let output = UnsafeMutableRawBufferPointer(rebasing: workspace[0..<declared])
        var delta = FormatCounts()
        if container.method == 0 {
            guard container.payload.count == declared else {
                unitIssue(.blfInflatedSizeMismatch(declared: container.declaredSize, actual: container.payload.count),
                          into: &frames)
                return nil
            }
            if declared > 0 { output.copyMemory(from: container.payload) }
        } else {
            let count: Int
            do {
                count = depth == .inflateWithZlib
                    ? try ZlibInflater.unsafeInflatePrefix(stream: container.payload, into: output)
                    : try inflater.unsafeInflate(stream: container.payload, into: output)
            } catch .outputTooSmall {
                unitIssue(.blfInflatedSizeMismatch(declared: container.declaredSize, actual: nil), into: &frames)
                return nil
            } catch {
                unitIssue(.blfZlibInvalid, into: &frames)
                return nil
            }
            guard count == declared else {
                unitIssue(.blfInflatedSizeMismatch(declared: container.declaredSize, actual: count), into: &frames)
                return nil
            }
            delta.inflatedBytes = count
        }
        delta.blocksDecoded = 1
        frames.addCounts(delta)
        return declared
    }

    /// Copies a run of top-level objects into the workspace and starts walking it.
    func startRun(
        workspace: UnsafeMutableRawBufferPointer, start: UInt64, depth: DecodeDepth, entry: UnitEntry,
        into frames: inout FrameBatch
    ) -> UnitStart {
        exitState = entry.isKnown ? entry.state : nil
        dataCount = unit.length
        workspace.baseAddress!.copyMemory(from: fileBytes.baseAddress! + unit.offset, byteCount: unit.length)
        objects = BLFFrameObject(base: workspace.baseAddress!, startNanoseconds: start,
                                 padCursor: unit.length + Self.joinAreaBytes, padEnd: workspace.count)
        var delta = FormatCounts()
        delta.blocksDecoded = 1
        frames.addCounts(delta)
        runIndex = unit.firstBlock
        guard depth == .frames || depth == .walk else { return UnitStart(hasFrames: false) }
        walk = .topLevel(0)
        if countOnly {
            while walk != .finished { _ = step(into: &frames, columns: scratch.columns(capacity: 1), row: 0) }
            return UnitStart(hasFrames: false)
        }
        return UnitStart(hasFrames: true)
    }

    /// One step of the walk; true when it wrote a frame into `row`.
    func step(into frames: inout FrameBatch, columns: FrameScratch.Columns, row: Int) -> Bool {
        let base = UnsafeRawPointer(objects.base)
        switch walk {
        case .finished:
            return false
        case .topLevel(let at):
            let header = BLFObjectHeader(base, at: at)
            let outcome = objects.decode(header, at: at, into: columns, row: row)
            let emitted = count(outcome, at: at, into: &frames)
            let next = at + Int(header.size) + Int(header.size % 4)
            walk = next >= dataCount ? .finished : .topLevel(next)
            runIndex += 1
            return emitted
        case .search(let from):
            if let at = blfFindSignature(base, from: from, limit: from + 8, count: dataCount) {
                walk = .object(at)
            } else if from + 8 > dataCount {
                tail(from: from)
            } else {
                objectIssue(.blfBadSignature, at: from, into: &frames)
                walk = .resync(from + 1)
            }
            return false
        case .resync(let from):
            if let at = blfFindSignature(base, from: from, limit: dataCount, count: dataCount) {
                walk = .object(at)
            } else {
                exitState = BLFEntryState.resync(from: 0)
                walk = .finished
            }
            return false
        case .object(let at):
            return object(at: at, into: &frames, columns: columns, row: row)
        }
    }

    /// The object whose signature is at `at`.
    private func object(at: Int, into frames: inout FrameBatch, columns: FrameScratch.Columns, row: Int) -> Bool {
        let base = UnsafeRawPointer(objects.base)
        guard at + BLFObjectHeader.baseSize <= dataCount else { return crossing(at: at, into: &frames, columns: columns, row: row) }
        let header = BLFObjectHeader(base, at: at)
        guard header.isValid else {
            objectIssue(.blfSizeBelowHeader(size: header.size, header: header.minimumSize), at: at, into: &frames)
            walk = .resync(at + 1)
            return false
        }
        guard at + Int(header.size) <= dataCount else { return crossing(at: at, into: &frames, columns: columns, row: row) }
        walk = .search(at + Int(header.size))
        let outcome = objects.decode(header, at: at, into: columns, row: row)
        return count(outcome, at: at, into: &frames)
    }

    /// Counts what an object was; true for a frame.
    func count(_ outcome: BLFFrameObject.Outcome, at offset: Int, into frames: inout FrameBatch) -> Bool {
        var delta = FormatCounts()
        switch outcome {
        case .frame:
            guard countOnly else { return true }
            delta.framesDecoded = 1
        case .busError:
            delta.busErrorEvents = 1
        case .ignored(let kind):
            delta.ignored[kind] = 1
        case .damaged(let reason):
            objectIssue(reason, at: offset, into: &frames)
            return false
        }
        frames.addCounts(delta)
        return false
    }

    /// The walk reached the end of the data with no `LOBJ` in the last
    /// bytes' window: the end of the container, unless the last bytes are
    /// the start of a signature that the next container completes.
    private func tail(from: Int) {
        walk = .finished
        guard !isRun, dataCount > 0 else { return }
        let base = UnsafeRawPointer(objects.base)
        let signature: [UInt8] = Array("LOBJ".utf8)
        for start in min(max(from, dataCount - 3), dataCount)..<dataCount {
            let length = dataCount - start
            if (0..<length).allSatisfy({ base.load(fromByteOffset: start + $0, as: UInt8.self) == signature[$0] }) {
                walk = .object(start)
                return
            }
        }
    }
}

/// A `LOG_CONTAINER` object's header fields (`<H6xL4x` after the base header).
struct BLFContainer {
    var method: UInt16
    var declaredSize: UInt32
    var payload: UnsafeRawBufferPointer

    /// Reads the container at `offset`; the scan has checked that its 32-byte
    /// header and its size lie in the file.
    init(fileBytes: UnsafeRawBufferPointer, offset: Int) {
        let base = fileBytes.baseAddress!
        let size = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)))
        precondition(size >= 32 && offset + size <= fileBytes.count, "BLFContainer: not a container of these file bytes")
        method = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset + 16, as: UInt16.self))
        declaredSize = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset + 24, as: UInt32.self))
        payload = UnsafeRawBufferPointer(rebasing: fileBytes[(offset + 32)..<(offset + size)])
    }
}
