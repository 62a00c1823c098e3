/// What one line of a text log is.
enum TextLine {
    /// A frame; its data bytes were written where the parser was told.
    case frame(TextFrame)
    /// An error frame: a bus error event, no row.
    case busError
    /// A record that is not a frame and not damage (a comment, a status
    /// line), counted by kind.
    case ignored(String)
    /// Nothing: a blank line, or structure (a header line) the parser used.
    case nothing
    /// A line that does not parse.
    case invalid(String)
}

/// The fields of one frame line.
struct TextFrame {
    var timestamp: UInt64
    var identifier: UInt32
    var flags: FrameFlags
    var channel: Int32
    var length: Int
}

/// Parses the lines of one text format, one chunk at a time.
protocol TextLineParser {
    /// Prepares for a chunk (its state at the chunk's start is in `unit.tag`).
    mutating func begin(_ unit: InputUnit)
    /// Parses one line (without its line end; trailing `\r` removed).
    ///
    /// - Parameters:
    ///   - line: the line's bytes.
    ///   - data: where a frame's data bytes go; the parser writes at most
    ///     `(line.count + 1) / 2` bytes there (a byte takes at least two
    ///     characters of a line, but the last needs no separator).
    /// - Returns: what the line is.
    mutating func parse(_ line: UnsafeRawBufferPointer, data: UnsafeMutableRawPointer) -> TextLine
}

/// Decodes chunks of lines (``TextChunk``) with a format's line parser:
/// every line is a frame, a bus error event, an ignored record, nothing, or
/// one issue of level `line` with its line number and byte offset.
final class TextLineDecoder<Parser: TextLineParser>: InputUnitDecoder {
    private var parser: Parser
    private var unit = InputUnit(index: 0, offset: 0, length: 0, workspaceBytes: 0, firstBlock: 0)
    private var fileBytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private var fileName = ""
    private var workspace = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private var position = 0
    private var line = 0
    private var used = 0
    private var pending = FormatCounts()

    init(parser: Parser) {
        self.parser = parser
    }

    var exitState: UInt64? { nil }

    func start(
        _ unit: InputUnit, fileBytes: UnsafeRawBufferPointer, fileName: String,
        workspace: UnsafeMutableRawBufferPointer, depth: DecodeDepth, entry: UnitEntry, into frames: inout FrameBatch
    ) -> UnitStart {
        precondition(workspace.count >= unit.length / 2 + 1, "TextLineDecoder: the workspace is smaller than the chunk needs")
        (self.unit, self.fileBytes, self.fileName, self.workspace) = (unit, fileBytes, fileName, workspace)
        (position, line, used) = (unit.offset, unit.firstBlock, 0)
        parser.begin(unit)
        pending = FormatCounts()
        pending.blocksDecoded = 1
        defer { flushCounts(into: &frames) }
        switch depth {
        case .inflate, .inflateWithZlib:
            return UnitStart(hasFrames: false)
        case .walk:
            while position < unit.byteRange.upperBound { nextLine(into: &frames, emit: false) }
            return UnitStart(hasFrames: false)
        case .frames:
            return UnitStart(hasFrames: unit.length > 0)
        }
    }

    func next(into frames: inout FrameBatch, maximumFrames: Int) -> Bool {
        precondition(maximumFrames >= 1, "TextLineDecoder.next: maximumFrames must be positive")
        let first = frames.count
        let end = unit.byteRange.upperBound
        while position < end && frames.count - first < maximumFrames {
            nextLine(into: &frames, emit: true)
        }
        flushCounts(into: &frames)
        if frames.count > first {
            frames.appendSegment(FrameBatch.Segment(unit: unit.index, offset: unit.offset, frames: first..<frames.count,
                                                    dataByteCount: used))
        }
        return position < end
    }

    private func flushCounts(into frames: inout FrameBatch) {
        frames.addCounts(pending)
        pending = FormatCounts()
    }

    /// Parses the line at `position` and records what it is.
    private func nextLine(into frames: inout FrameBatch, emit: Bool) {
        let start = position
        let stop = min(TextLines.lineEnd(in: fileBytes, from: start), unit.byteRange.upperBound)
        var end = stop
        if end > start && fileBytes[end - 1] == 0x0A { end -= 1 }
        if end > start && fileBytes[end - 1] == 0x0D { end -= 1 }
        let number = line
        position = stop
        line += 1
        let text = UnsafeRawBufferPointer(rebasing: fileBytes[start..<end])
        switch parser.parse(text, data: workspace.baseAddress! + used) {
        case .frame(let frame):
            pending.framesDecoded += 1
            if emit {
                precondition(used + frame.length <= workspace.count, "TextLineDecoder: a parser wrote past its room")
                frames.appendFrame(timestamp: frame.timestamp, identifier: frame.identifier, flags: frame.flags,
                                   channel: frame.channel, length: UInt8(frame.length), dataOffset: UInt32(used),
                                   block: UInt32(truncatingIfNeeded: number))
                used += frame.length
            }
        case .busError:
            pending.busErrorEvents += 1
        case .ignored(let kind):
            pending.ignored[kind, default: 0] += 1
        case .nothing:
            break
        case .invalid(let why):
            pending.framesSkipped += 1
            frames.appendIssue(FormatIssue(file: fileName, block: number, offset: start, level: .line,
                                           reason: .lineDoesNotParse(why)))
        }
    }
}
