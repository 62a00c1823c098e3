/// A memory budget shared by the ``ParquetFileWriter``s of one output (the
/// frames, errors and every message table): the pages they hold for row
/// groups not yet written count against it, and when an append takes the
/// total past the limit, the writer holding the most writes its row group,
/// until the total is back under the limit. So memory stays bounded however
/// many tables are open, and the large tables get the large row groups.
///
/// Not thread-safe: the writers that share a budget are driven from one
/// task (the pipeline's ordered writer side).
public final class ParquetBufferBudget {
    /// The most bytes of buffered pages, all writers together.
    public let limit: Int
    /// The bytes buffered now.
    public private(set) var bufferedBytes = 0
    /// The largest total seen.
    public private(set) var peakBytes = 0
    private var writers: [ObjectIdentifier: Weak] = [:]

    private struct Weak {
        weak var writer: ParquetFileWriter?
    }

    /// Creates a budget.
    ///
    /// - Parameter limit: bytes of buffered pages at most (positive).
    public init(limit: Int) {
        precondition(limit > 0, "ParquetBufferBudget: the limit must be positive")
        self.limit = limit
    }

    func register(_ writer: ParquetFileWriter) {
        writers[ObjectIdentifier(writer)] = Weak(writer: writer)
    }

    func unregister(_ writer: ParquetFileWriter, releasing bytes: Int) {
        writers[ObjectIdentifier(writer)] = nil
        bufferedBytes -= bytes
    }

    func released(_ bytes: Int) {
        bufferedBytes -= bytes
    }

    /// Adds `bytes` and writes row groups of the fullest writers until under the limit.
    func charge(_ bytes: Int) throws(ParquetError) {
        bufferedBytes += bytes
        peakBytes = max(peakBytes, bufferedBytes)
        while bufferedBytes > limit {
            var fullest: ParquetFileWriter?
            for entry in writers.values {
                if let writer = entry.writer, writer.bufferedByteCount > (fullest?.bufferedByteCount ?? 0) { fullest = writer }
            }
            guard let fullest else { return }
            try fullest.flushRowGroup()
        }
    }
}
