/// The encoded pages of one chunk for every table that has rows in it.
public struct ParquetTableChunks: Sendable {
    /// The frames table's pages.
    public var frames: ParquetEncodedChunk?
    /// The errors table's pages.
    public var errors: ParquetEncodedChunk?
    /// The message tables' pages, by message position, in first-seen order.
    public var signals: [(message: Int, chunk: ParquetEncodedChunk)] = []

    /// The memory the pages hold.
    public var byteCount: Int {
        (frames?.byteCount ?? 0) + (errors?.byteCount ?? 0) + signals.reduce(0) { $0 + $1.chunk.byteCount }
    }
}
