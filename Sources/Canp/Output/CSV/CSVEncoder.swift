/// Formats the rows of `frames.csv`, `signals.csv` and `errors.csv` on a
/// CPU worker, for ``CSVSink``.
///
/// Rows go into reusable writers; when the frames and signals rows pass
/// ``pieceBytes``, they are copied into a piece buffer (pool memory, under
/// the pipeline's limit) and emitted, so that the rows of a chunk never
/// pile up in memory however much a chunk decodes to.
public final class CSVEncoder: SinkEncoder {
    public typealias Piece = CSVPiece

    /// The bytes of rows that make one piece.
    public static let pieceBytes = 1 << 20

    private let inputs: [SinkRun.Input]
    private let table: SignalCSVTable?
    private var frames = CSVByteWriter(capacity: pieceBytes + (1 << 12))
    private var signals = CSVByteWriter(capacity: pieceBytes + (1 << 12))
    private var errors = CSVByteWriter(capacity: 1 << 12)
    private var rows = (frames: 0, signals: 0, errors: 0)
    private var cache = DoubleTextCache()
    private var encodedNames: (index: Int, name: [UInt8]) = (-1, [])

    init(inputs: [SinkRun.Input], table: SignalCSVTable?) {
        self.inputs = inputs
        self.table = table
    }

    public func encode(_ slice: DecodedSlice, signals batch: borrowing DBCSignalBatch, to output: some PieceOutput<CSVPiece>) {
        if encodedNames.index != slice.fileIndex {
            encodedNames = (slice.fileIndex, CSVByteWriter.encodedField(slice.fileName))
        }
        let name = encodedNames.name
        let batchFrames = slice.frames
        for issue in batchFrames.issues { CanonicalCSV.appendErrorRow(issue, to: &errors) }
        rows.errors += batchFrames.issues.count
        // Rows are formatted a run at a time, each run followed by a check
        // for a full piece, so that a dense slice (thousands of frames of 64
        // signals each) never holds its whole text in the writers.
        if let segment = batchFrames.segments.first {
            for run in Self.runs(of: segment.frames) {
                CanonicalCSV.appendFrameRows(of: batchFrames, segment: segment, rows: run, encodedFileName: name,
                                             unsafeInflatedBlock: slice.data, to: &frames)
                rows.frames += run.count
                if frames.count + signals.count >= Self.pieceBytes { emit(to: output) }
            }
        }
        if let table, !batch.isEmpty {
            for run in Self.runs(of: 0..<batch.count) {
                table.appendRows(run, of: batch, frames: batchFrames, encodedFileName: name, cache: &cache, to: &signals)
                rows.signals += run.count
                if frames.count + signals.count >= Self.pieceBytes { emit(to: output) }
            }
        }
    }

    /// `range` in runs of at most 4,096 rows (under 400 KB of CSV text).
    private static func runs(of range: Range<Int>) -> [Range<Int>] {
        stride(from: range.lowerBound, to: range.upperBound, by: 4096).map { $0..<min($0 + 4096, range.upperBound) }
    }

    public func finishChunk(to output: some PieceOutput<CSVPiece>) {
        if frames.count + signals.count + errors.count > 0 { emit(to: output) }
    }

    private func emit(to output: some PieceOutput<CSVPiece>) {
        let piece = CSVPiece(frames: copy(frames, to: output), signals: copy(signals, to: output),
                             errors: copy(errors, to: output), rows: rows)
        let bytes = frames.count + signals.count + errors.count
        frames.removeAll()
        signals.removeAll()
        errors.removeAll()
        rows = (0, 0, 0)
        output.emit(piece, bytes: bytes)
    }

    private func copy(_ writer: borrowing CSVByteWriter, to output: some PieceOutput<CSVPiece>) -> EncodedBytes? {
        guard writer.count > 0 else { return nil }
        let buffer = output.makeBuffer(capacity: writer.count)
        writer.withUnsafeBytes { buffer.append(unsafeBytes: $0) }
        return buffer
    }
}

/// Rows of the three CSV files, in order, for ``CSVSink/write(_:)``.
public struct CSVPiece: Sendable {
    /// `frames.csv` rows.
    public var frames: EncodedBytes?
    /// `signals.csv` rows.
    public var signals: EncodedBytes?
    /// `errors.csv` rows.
    public var errors: EncodedBytes?
    /// How many rows each holds.
    public var rows: (frames: Int, signals: Int, errors: Int)
}
