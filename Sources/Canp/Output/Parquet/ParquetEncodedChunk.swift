/// Finished pages of consecutive rows, every column of a schema: what a
/// worker's ``ParquetPageEncoder`` makes of its chunk of rows, handed to the
/// single ``ParquetFileWriter`` that appends chunks in order.
///
/// The pages are compressed and framed (page header included); the writer
/// only copies them into the file and adds up their sizes and statistics.
/// All the pages of a chunk share one byte buffer: pool memory under the
/// pipeline's limit when the sink's encoder made it (``EncodedBytes``).
public struct ParquetEncodedChunk: Sendable {
    /// One finished page.
    public struct Page: Sendable {
        /// The column (schema position).
        public var column: Int
        /// Where the page is in ``ParquetEncodedChunk/bytes``.
        public var byteRange: Range<Int>
        /// Rows in the page, nulls included.
        public var rowCount: Int
        /// The page header's size (part of the page's bytes).
        public var headerSize: Int
        /// The body before compression (the header not included).
        public var uncompressedBodySize: Int
        /// The format's encoding number of the values.
        public var encoding: Int32
        /// Null count and, when the column collects them, min/max (not for dictionary columns: see `usedIndices`).
        public var statistics: ParquetStatistics
        /// Dictionary columns: the distinct indices the page uses, ascending.
        public var usedIndices: [UInt32]
        /// Observed dictionaries: the value of each of `usedIndices`.
        public var usedValues: [Double]

        /// The page's size in the file (header and compressed body).
        public var compressedSize: Int { byteRange.count }
    }

    /// The rows of the chunk.
    public let rowCount: Int
    /// The pages, by column, and in row order within a column.
    public let pages: [Page]
    /// The bytes of all pages.
    public let bytes: EncodedBytes

    /// The memory the chunk holds.
    public var byteCount: Int { bytes.count }
}
