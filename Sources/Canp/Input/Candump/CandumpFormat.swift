/// candump log files of Linux SocketCAN's can-utils (`candump -l`/`-L`),
/// one frame a line (`docs/INPUTS.md`, "candump log"). Units are chunks of
/// whole lines, decoded in parallel; `block` is the 0-based line number.
public struct CandumpFormat: InputFormat {
    /// The size a chunk of lines reaches before it ends at the next line end.
    public var chunkBytes: Int

    /// Creates the format.
    ///
    /// - Parameter chunkBytes: the target size of a unit (default 64 KiB).
    public init(chunkBytes: Int = 65_536) {
        self.chunkBytes = max(1, chunkBytes)
    }

    public var name: String { "candump" }
    public var directoryExtensions: [String] { ["log"] }
    public var unitLevel: FormatIssue.Level { .lineChunk }

    /// Whether the first non-blank line looks like a candump line:
    /// `(<digits>.<digits>) <iface> <token with #>`.
    public func matches(prefix: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        while start < prefix.count {
            let end = TextLines.lineEnd(in: prefix, from: start)
            var cursor = LineCursor(UnsafeRawBufferPointer(rebasing: prefix[start..<end]))
            cursor.skipSpaces()
            let first = cursor.current
            if first == 0x0A || first == 0x0D || cursor.isAtEnd {
                start = end
                continue
            }
            return Self.looksLikeFrameLine(cursor)
        }
        return false
    }

    private static func looksLikeFrameLine(_ start: LineCursor) -> Bool {
        var cursor = start
        guard cursor.consume(0x28) else { return false }
        let stamp = cursor.index
        while !cursor.isAtEnd && cursor.current != 0x29 { cursor.index += 1 }
        guard cursor.seconds(stamp..<cursor.index) != nil, cursor.consume(0x29), cursor.skipSpaces() > 0,
              !cursor.token().isEmpty else { return false }
        let frame = cursor.token()
        return frame.contains { cursor.bytes[$0] == 0x23 }
    }

    /// Chunks of whole lines, found by counting line ends eight bytes at a time.
    public func scan(unsafeFileBytes bytes: UnsafeRawBufferPointer, fileName: String) -> InputScan {
        let chunks = TextLines.chunks(of: bytes, from: 0, firstLine: 0, targetBytes: chunkBytes)
        return InputScan(entries: chunks.enumerated().map { index, chunk in
            .unit(InputUnit(index: index, offset: chunk.offset, length: chunk.length,
                            workspaceBytes: chunk.length / 2 + 1, firstBlock: chunk.firstLine))
        })
    }

    public func makeUnitDecoder() throws(InputError) -> any InputUnitDecoder {
        TextLineDecoder(parser: CandumpLineParser())
    }
}
