/// Encodes decoded slices into finished Parquet pages on one CPU worker,
/// for ``ParquetSink``: the parallel half of the Parquet output.
///
/// The rows of a chunk's slices collect in column buffers
/// (``ParquetTableBuffers``); a table's pages are encoded and compressed
/// when it holds ``eagerCells`` values (rows times columns: 65,536 rows of
/// the frames table; while its rows are still in the cache, and so that a
/// dense chunk never piles up), every table when all hold ``bufferCells``,
/// and the rest when the chunk ends. Counting values rather than rows bounds
/// a worker's buffers (about 9 bytes a value) whatever the width of the
/// messages: a DBC with hundreds of signals a message gets shorter pages,
/// not bigger buffers. The pages go out as ``ParquetPiece``s in pool memory,
/// in order.
public final class ParquetSinkEncoder: SinkEncoder {
    public typealias Piece = ParquetPiece

    /// Values (rows times columns) at which a table is encoded before its chunk ends.
    public static let eagerCells = 1 << 20
    /// Values in all tables at which every table is encoded before its chunk ends.
    public static let bufferCells = 1 << 21

    private var buffers: ParquetTableBuffers
    private var encoder: ParquetPageEncoder
    private let decoder: DBCDecoder?

    init(layout: ParquetOutputLayout, decoder: DBCDecoder?, compression: ParquetCompression) throws(ParquetError) {
        buffers = ParquetTableBuffers(layout: layout)
        encoder = try ParquetPageEncoder(compression: compression)
        self.decoder = decoder
    }

    public func encode(_ slice: DecodedSlice, signals: borrowing DBCSignalBatch, to output: some PieceOutput<ParquetPiece>) {
        if let segment = slice.frames.segments.first {
            buffers.appendFrames(slice.frames, rows: segment.frames, data: slice.data, fileIndex: slice.fileIndex, decoder: decoder)
        }
        buffers.appendIssues(slice.frames.issues)
        buffers.appendSignals(signals, frames: slice.frames, fileIndex: slice.fileIndex)
        if buffers.cellCount >= Self.bufferCells {
            emit(minimumCells: 0, to: output)
        } else if buffers.largestTableCellCount >= Self.eagerCells {
            emit(minimumCells: Self.eagerCells, to: output)
        }
    }

    public func finishChunk(to output: some PieceOutput<ParquetPiece>) {
        if buffers.rowCount > 0 { emit(minimumCells: 0, to: output) }
    }

    private func emit(minimumCells: Int, to output: some PieceOutput<ParquetPiece>) {
        do {
            let chunks = try buffers.encode(with: &encoder, minimumRows: 0, minimumCells: minimumCells) {
                output.makeBuffer(capacity: $0)
            }
            output.emit(ParquetPiece(chunks: chunks, failure: nil), bytes: chunks.byteCount)
        } catch {
            output.emit(ParquetPiece(chunks: ParquetTableChunks(), failure: error), bytes: 0)
        }
    }
}
