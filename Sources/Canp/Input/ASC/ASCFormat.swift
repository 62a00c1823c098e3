/// Vector ASC logs (text), read as python-can's `ASCReader` reads them
/// (`docs/INPUTS.md`, "Vector ASC"). Units are chunks of whole lines,
/// decoded in parallel; `block` is the 0-based line number. The scan visits
/// every line: it reads the header (`date`, `base`) and finds the `Begin
/// Triggerblock` dates, so that each chunk starts with its time base and
/// number base (``ASCLineParser/State``, in the unit's tag).
public struct ASCFormat: InputFormat {
    /// The size a chunk of lines reaches before it ends at the next line end.
    public var chunkBytes: Int

    /// Creates the format.
    ///
    /// - Parameter chunkBytes: the target size of a unit (default 64 KiB).
    public init(chunkBytes: Int = 65_536) {
        self.chunkBytes = max(1, chunkBytes)
    }

    public var name: String { "asc" }
    public var directoryExtensions: [String] { ["asc"] }
    public var unitLevel: FormatIssue.Level { .lineChunk }

    /// Whether the first line that is neither blank nor a `//` comment is an
    /// ASC header line: `date ...`, `base ...` or `Begin Triggerblock ...`.
    public func matches(prefix: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        while start < prefix.count {
            let end = TextLines.lineEnd(in: prefix, from: start)
            switch ASCLineParser.structure(Self.withoutLineEnd(prefix, start..<end)) {
            case .blank, .comment: start = end
            case .date, .base, .triggerblock: return true
            case .other: return false
            }
        }
        return false
    }

    public func scan(unsafeFileBytes bytes: UnsafeRawBufferPointer, fileName: String) -> InputScan {
        var scan = InputScan()
        var state = Self.header(bytes)
        var chunkState = state
        var cutter = TextChunkCutter(start: 0, firstLine: 0, targetBytes: chunkBytes)
        var start = 0
        while start < bytes.count {
            let end = TextLines.lineEnd(in: bytes, from: start)
            var first = start
            while first < end && (bytes[first] == 0x20 || bytes[first] == 0x09) { first += 1 }
            if first < end && (bytes[first] == 0x42 || bytes[first] == 0x62),
               case .triggerblock(let date?) = ASCLineParser.structure(Self.withoutLineEnd(bytes, start..<end)) {
                state.baseMicroseconds = date
            }
            if let chunk = cutter.addLine(endingAt: end, fileEnd: bytes.count) {
                scan.entries.append(.unit(InputUnit(
                    index: scan.entries.count, offset: chunk.offset, length: chunk.length,
                    workspaceBytes: chunk.length / 2 + 1, firstBlock: chunk.firstLine, tag: chunkState.tag)))
                chunkState = state
            }
            start = end
        }
        return scan
    }

    /// The state the header gives the whole file: its `date` and `base`
    /// lines, read (as python-can reads them) until the first line that is
    /// not one of them or a `//` comment.
    static func header(_ bytes: UnsafeRawBufferPointer) -> ASCLineParser.State {
        var state = ASCLineParser.State()
        var start = 0
        while start < bytes.count {
            let end = TextLines.lineEnd(in: bytes, from: start)
            switch ASCLineParser.structure(withoutLineEnd(bytes, start..<end)) {
            case .date(let date): if let date { state.baseMicroseconds = date }
            case .base(let decimal): state.decimal = decimal
            case .comment: break
            case .blank, .other, .triggerblock: return state
            }
            start = end
        }
        return state
    }

    /// The line without its `\n` and one `\r` before it, as the decoder sees it.
    static func withoutLineEnd(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> UnsafeRawBufferPointer {
        var end = range.upperBound
        if end > range.lowerBound && bytes[end - 1] == 0x0A { end -= 1 }
        if end > range.lowerBound && bytes[end - 1] == 0x0D { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[range.lowerBound..<end])
    }

    public func makeUnitDecoder() throws(InputError) -> any InputUnitDecoder {
        TextLineDecoder(parser: ASCLineParser())
    }
}
