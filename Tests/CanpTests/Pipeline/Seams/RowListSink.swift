@testable import Canp

/// A test-only sink, to show that a sink is added without touching the
/// pipeline: one text file of `file,block,timestamp,id,data` rows and
/// `error,file,block,level,reason` rows, encoded on the workers (a piece is
/// the text of one slice) and written in order through ``AtomicOutputFile``.
final class RowListSink: OutputSink, @unchecked Sendable {
    // @unchecked: open, write, finish and discard run on the driving task, one at a time.
    typealias Encoder = RowListEncoder
    let path: String
    private var file: AtomicOutputFile?
    private var rows = 0

    init(path: String) { self.path = path }

    var retainsUnitData: Bool { false }

    func open(_ run: SinkRun) throws(OutputError) {
        file = try AtomicOutputFile(finalPath: path)
    }

    func makeEncoder() throws(OutputError) -> RowListEncoder { RowListEncoder() }

    func write(_ piece: RowListEncoder.Piece) async throws(OutputError) {
        try piece.text.withUnsafeBytes { (bytes) throws(OutputError) in try file!.write(bytes) }
        rows += piece.rows
    }

    func finish(_ report: PipelineReport) async throws(OutputError) -> SinkOutcome {
        try file!.commit()
        return SinkOutcome(files: [path], bytesWritten: file!.bytesWritten, rowsWritten: ["rows": rows])
    }

    func discard() { file?.discard() }
}

final class RowListEncoder: SinkEncoder {
    struct Piece: Sendable {
        var text: EncodedBytes
        var rows: Int
    }

    func encode(_ slice: DecodedSlice, signals: borrowing DBCSignalBatch, to output: some PieceOutput<Piece>) {
        var lines = ""
        let frames = slice.frames
        for issue in frames.issues {
            lines += "error,\(issue.file),\(issue.block),\(issue.level),\(issue.reason)\n"
        }
        for row in 0..<frames.count {
            let data = frames.unsafeData(ofFrame: row, in: slice.data)
            let hex = data.map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined()
            lines += "\(slice.fileName),\(frames.blocks[row]),\(frames.timestamps[row]),\(frames.identifiers[row]),\(hex)\n"
        }
        guard !lines.isEmpty else { return }
        let bytes = Array(lines.utf8)
        let buffer = output.makeBuffer(capacity: bytes.count)
        bytes.withUnsafeBytes { buffer.append(unsafeBytes: $0) }
        output.emit(Piece(text: buffer, rows: frames.count + frames.issues.count), bytes: bytes.count)
    }

    func finishChunk(to output: some PieceOutput<Piece>) {}
}
