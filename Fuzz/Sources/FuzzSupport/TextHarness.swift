import Canp

/// Drives the candump and ASC readers over one input the way the pipeline
/// does (scan, then each unit decoded in slices into an exactly sized
/// workspace) and checks what `docs/INPUTS.md` promises:
///
/// - the scan tiles the file with chunks that end at line ends, and each
///   chunk's first line number is the number of line ends before it;
/// - every line issue names the line that starts at its offset, and every
///   frame's block is a line inside its chunk, in order;
/// - every frame's data lies inside the bytes written to its workspace;
/// - issues and counts agree (`issues == framesSkipped`);
/// - the frames, issues and counts do not depend on the chunk size or on the
///   slice size (the file decoded as one chunk gives the same);
/// - nothing reads outside its buffer (exactly sized buffers under ASan).
public final class TextHarness {
    /// One decoded run: rows, issues and counts, comparable across chunkings.
    struct Outcome: Equatable {
        var rows: [String] = []
        var issues: [String] = []
        var counts = FormatCounts()
    }

    public init() {}

    /// Checks `file` with both text formats, at a chunk size drawn from its first byte.
    ///
    /// - Parameter file: the input (exactly sized).
    public func check(_ file: UnsafeRawBufferPointer) {
        let chunk = file.isEmpty ? 64 : 1 + Int(file[0]) % 97
        let lineStarts = Self.lineStarts(file)
        let formats: [(any InputFormat, any InputFormat)] = [
            (CandumpFormat(chunkBytes: chunk), CandumpFormat(chunkBytes: 1 << 30)),
            (ASCFormat(chunkBytes: chunk), ASCFormat(chunkBytes: 1 << 30)),
        ]
        for (small, whole) in formats {
            let chunked = run(small, file, lineStarts: lineStarts, slice: 1 + chunk % 5)
            let single = run(whole, file, lineStarts: lineStarts, slice: 1 << 15)
            fuzzCheck(chunked == single, "\(small.name): chunks of \(chunk) bytes decode differently from one chunk")
        }
    }

    static func lineStarts(_ file: UnsafeRawBufferPointer) -> [Int] {
        var starts = [0]
        for index in 0..<file.count where file[index] == 0x0A && index + 1 < file.count { starts.append(index + 1) }
        return starts
    }

    private func run(_ format: any InputFormat, _ file: UnsafeRawBufferPointer, lineStarts: [Int], slice: Int) -> Outcome {
        let scan = format.scan(unsafeFileBytes: file, fileName: "fuzz.txt")
        guard let decoder = try? format.makeUnitDecoder() else {
            fuzzCheck(false, "\(format.name): no decoder")
            return Outcome()
        }
        var outcome = Outcome()
        var expectedOffset = 0
        var batch = FrameBatch(capacity: 64)
        for entry in scan.entries {
            guard case .unit(let unit) = entry else {
                fuzzCheck(false, "\(format.name): the scan skipped a unit")
                continue
            }
            fuzzCheck(unit.offset == expectedOffset && unit.length > 0, "\(format.name): unit at \(unit.offset), expected \(expectedOffset)")
            let line = lineStarts.firstIndex(of: unit.offset)
            fuzzCheck(line == unit.firstBlock, "\(format.name): unit at \(unit.offset) says line \(unit.firstBlock), is \(line ?? -1)")
            expectedOffset = unit.offset + unit.length
            fuzzCheck(expectedOffset == file.count || file[expectedOffset - 1] == 0x0A, "\(format.name): a unit ends inside a line")
            decode(unit, decoder, file, lineStarts: lineStarts, slice: slice, batch: &batch, into: &outcome)
        }
        fuzzCheck(expectedOffset == file.count, "\(format.name): the units end at \(expectedOffset) of \(file.count)")
        fuzzCheck(outcome.issues.count == outcome.counts.framesSkipped, "\(format.name): issues and framesSkipped differ")
        fuzzCheck(outcome.rows.count == outcome.counts.framesDecoded, "\(format.name): rows and framesDecoded differ")
        outcome.counts.blocksDecoded = 0
        return outcome
    }

    private func decode(_ unit: InputUnit, _ decoder: any InputUnitDecoder, _ file: UnsafeRawBufferPointer,
                        lineStarts: [Int], slice: Int, batch: inout FrameBatch, into outcome: inout Outcome) {
        let workspace = ExactBuffer(count: unit.workspaceBytes + InputUnit.padding)
        let room = UnsafeMutableRawBufferPointer(rebasing: workspace.bytes[0..<unit.workspaceBytes])
        let lines = (lineStarts.firstIndex(of: unit.offset) ?? 0)..<(lineStarts.firstIndex { $0 >= unit.offset + unit.length } ?? lineStarts.count)
        batch.removeAll()
        var more = decoder.start(unit, fileBytes: file, fileName: "fuzz.txt", workspace: room, depth: .frames,
                                 entry: .known(nil), into: &batch).hasFrames
        var lastBlock = -1
        repeat {
            if more { more = decoder.next(into: &batch, maximumFrames: slice) }
            fuzzCheck(batch.count <= slice, "a slice of \(batch.count) frames, limit \(slice)")
            for row in 0..<batch.count {
                let block = Int(batch.blocks[row])
                fuzzCheck(lines.contains(block) && block > lastBlock, "frame of line \(block) outside \(lines) or out of order")
                lastBlock = block
                let data = batch.unsafeData(ofFrame: row, in: UnsafeRawBufferPointer(room))
                fuzzCheck(batch.segments.allSatisfy { Int(batch.dataOffsets[row]) + data.count <= $0.dataByteCount || !$0.frames.contains(row) },
                          "frame data past its segment's bytes")
                outcome.rows.append("\(block) \(batch.timestamps[row]) \(batch.channels[row]) \(batch.identifiers[row]) \(batch.flags[row].rawValue) \(Array(data))")
            }
            for issue in batch.issues {
                fuzzCheck(lineStarts.indices.contains(issue.block) && lineStarts[issue.block] == issue.offset,
                          "issue at line \(issue.block) offset \(issue.offset) is not that line's start")
                fuzzCheck(lines.contains(issue.block), "issue of line \(issue.block) outside its unit's lines \(lines)")
                outcome.issues.append("\(issue.block) \(issue.offset) \(issue.level) \(issue.reason)")
            }
            outcome.counts += batch.counts
            batch.removeAll()
        } while more
    }
}
