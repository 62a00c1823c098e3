import CCanpCore
#if canImport(Glibc)
import Glibc
#endif

/// Assembles one Parquet file from the finished pages of consecutive chunks
/// of rows, in order: the single, ordered half of CANP's Parquet writing.
///
/// Workers encode and compress the pages of their chunks in parallel
/// (``ParquetPageEncoder``); this writer, on the driving task, appends the
/// chunks in row order (``append(_:)``), holds their pages until a row group
/// is complete, then writes the row group column by column: for a dictionary
/// column first the row group's dictionary page (the entries its pages
/// used), then every chunk's pages of that column. Statistics and sizes of
/// the pages are added up into the column chunk's metadata; nothing is
/// decoded or recompressed here. ``finish()`` writes the footer.
///
/// A row group is written before it would pass `rowGroupRowLimit` rows or
/// `rowGroupByteLimit` bytes, and earlier when a shared
/// ``ParquetBufferBudget`` says the writers of the output hold too much.
///
/// Not thread-safe: one task drives it.
public final class ParquetFileWriter {
    /// What was written.
    public struct Summary: Sendable, Equatable {
        /// Rows in the file.
        public var rowCount: Int
        /// Row groups in the file.
        public var rowGroupCount: Int
        /// The file's size in bytes.
        public var byteCount: Int
    }

    struct ColumnChunkRecord {
        var totalUncompressed = 0
        var totalCompressed = 0
        var dataPageOffset = -1
        var dictionaryPageOffset = -1
        var encodingCounts: [(pageType: Int32, encoding: Int32, count: Int32)] = []
        var statistics: ParquetStatistics?

        mutating func count(pageType: Int32, encoding: Int32) {
            if let at = encodingCounts.firstIndex(where: { $0.pageType == pageType && $0.encoding == encoding }) {
                encodingCounts[at].count += 1
            } else {
                encodingCounts.append((pageType, encoding, 1))
            }
        }
    }

    struct RowGroupRecord {
        var columns: [ColumnChunkRecord]
        var rowCount: Int
        var fileOffset: Int
    }

    /// The table's schema.
    public let schema: ParquetSchema
    /// Row group limits, codec and labels.
    public let options: ParquetWriterOptions
    private let destination: any ParquetDestination
    private let budget: ParquetBufferBudget?
    private var dictionaryEncoder: ParquetPageEncoder?
    private var pending: [ParquetEncodedChunk] = []
    private var pendingRows = 0
    /// Page bytes held for the row group not yet written.
    public private(set) var bufferedByteCount = 0
    /// Rows written in complete row groups.
    public private(set) var rowCount = 0
    private var rowGroups: [RowGroupRecord] = []
    private var offset = 0
    private var staging: [UInt8] = []
    private var isFinished = false
    /// Small pages are gathered into writes of up to this many bytes; larger ones are written as they are.
    private static let stagingLimit = 256 << 10

    /// Starts a file: writes the leading magic.
    ///
    /// - Parameters:
    ///   - schema: the table's columns.
    ///   - destination: where the bytes go.
    ///   - options: row group limits, codec, footer labels.
    ///   - budget: a budget shared with the other writers of an output, or nil.
    /// - Throws: ``ParquetError/outOfMemory``, ``ParquetError/invalidSchema(_:)`` for a codec level that does not exist.
    public init(schema: ParquetSchema, destination: any ParquetDestination, options: ParquetWriterOptions = ParquetWriterOptions(),
                budget: ParquetBufferBudget? = nil) throws(ParquetError) {
        self.schema = schema
        self.destination = destination
        self.options = options
        self.budget = budget
        // Fail now rather than at the first row group when the codec level does not exist.
        if schema.columns.contains(where: { $0.dictionary != nil }) {
            _ = try ParquetPageEncoder(compression: options.compression)
        }
        staging.append(contentsOf: Array(CANP_PARQUET_MAGIC.utf8))
        offset = 4
        budget?.register(self)
    }

    deinit {
        budget?.unregister(self, releasing: bufferedByteCount)
    }

    /// Appends the next chunk of rows.
    ///
    /// Writes the buffered row group first when this chunk would take it
    /// past a limit; may write other writers' row groups through the budget.
    ///
    /// - Parameter chunk: pages of every column of the schema, encoded by a ``ParquetPageEncoder``.
    /// - Throws: ``ParquetError/writeFailed(path:reason:)`` and what a row group write throws.
    /// - Complexity: O(1) amortized, plus a row group write when one is due.
    public func append(_ chunk: ParquetEncodedChunk) throws(ParquetError) {
        precondition(!isFinished, "ParquetFileWriter.append after finish")
        guard chunk.rowCount > 0 else { return }
        if pendingRows > 0 && (pendingRows + chunk.rowCount > options.rowGroupRowLimit
            || bufferedByteCount + chunk.byteCount > options.rowGroupByteLimit) {
            try flushRowGroup()
        }
        pending.append(chunk)
        pendingRows += chunk.rowCount
        bufferedByteCount += chunk.byteCount
        try budget?.charge(chunk.byteCount)
    }

    /// Writes the buffered chunks as one row group (nothing when none is buffered).
    ///
    /// - Throws: ``ParquetError/writeFailed(path:reason:)``, ``ParquetError/outOfMemory``.
    /// - Complexity: O(pages + dictionary entries used).
    public func flushRowGroup() throws(ParquetError) {
        guard pendingRows > 0 else { return }
        let fileOffset = offset
        var columns: [ColumnChunkRecord] = []
        columns.reserveCapacity(schema.columns.count)
        // Each chunk's pages are in column order: one cursor per chunk walks them once.
        var cursors = [Int](repeating: 0, count: pending.count)
        for (position, column) in schema.columns.enumerated() {
            var record = ColumnChunkRecord()
            if let dictionary = column.dictionary {
                try writeDictionaryPage(dictionary, column: column, position: position, cursors: cursors, into: &record)
            }
            var statistics: ParquetStatistics?
            for (chunkIndex, chunk) in pending.enumerated() {
                var at = cursors[chunkIndex]
                while at < chunk.pages.count && chunk.pages[at].column == position {
                    let page = chunk.pages[at]
                    if record.dataPageOffset < 0 { record.dataPageOffset = offset }
                    try chunk.bytes.withUnsafeBytes { (all) throws(ParquetError) in
                        try emit(UnsafeRawBufferPointer(rebasing: all[page.byteRange]))
                    }
                    record.totalCompressed += page.compressedSize
                    record.totalUncompressed += page.headerSize + page.uncompressedBodySize
                    record.count(pageType: Int32(CANP_PARQUET_DATA_PAGE), encoding: page.encoding)
                    if column.dictionary == nil {
                        if statistics == nil { statistics = page.statistics } else { statistics!.merge(page.statistics) }
                    } else {
                        record.statistics!.nullCount += page.statistics.nullCount
                    }
                    at += 1
                }
                cursors[chunkIndex] = at
            }
            if column.dictionary == nil { record.statistics = statistics }
            columns.append(record)
        }
        // A file with many open tables keeps one zstd context and staging buffer per table only
        // while it writes a row group.
        dictionaryEncoder = nil
        try flushStaging()
        staging = []
        rowGroups.append(RowGroupRecord(columns: columns, rowCount: pendingRows, fileOffset: fileOffset))
        rowCount += pendingRows
        budget?.released(bufferedByteCount)
        pending.removeAll()
        pendingRows = 0
        bufferedByteCount = 0
    }

    /// The row group's dictionary page of a column: the entries that its pages used.
    private func writeDictionaryPage(_ dictionary: ParquetDictionary, column: ParquetColumn, position: Int, cursors: [Int],
                                     into record: inout ColumnChunkRecord) throws(ParquetError) {
        var used = ParquetIndexSet()
        var observed: [Double] = []
        for (chunkIndex, chunk) in pending.enumerated() {
            var at = cursors[chunkIndex]
            while at < chunk.pages.count && chunk.pages[at].column == position {
                let page = chunk.pages[at]
                for index in page.usedIndices { used.insert(Int(index)) }
                if dictionary.isObserved, let last = page.usedIndices.last {
                    if observed.count <= Int(last) { observed.append(contentsOf: repeatElement(0, count: Int(last) + 1 - observed.count)) }
                    for (index, value) in zip(page.usedIndices, page.usedValues) { observed[Int(index)] = value }
                }
                at += 1
            }
        }
        // A column of nulls only still gets a dictionary (of one filler), for readers that expect one.
        if observed.isEmpty { observed = [0] }
        let values = dictionary.pageValues(used: used, through: max(used.last, 0), observed: observed)
        if dictionaryEncoder == nil { dictionaryEncoder = try ParquetPageEncoder(compression: options.compression) }
        let page = try dictionaryEncoder!.encodeDictionaryPage(values, column: column)
        record.dictionaryPageOffset = offset
        try emit(page.bytes, page.bytes.indices)
        record.totalCompressed += page.bytes.count
        record.totalUncompressed += page.headerSize + page.uncompressedBodySize
        record.count(pageType: Int32(CANP_PARQUET_DICTIONARY_PAGE), encoding: Int32(CANP_PARQUET_PLAIN))
        var statistics = ParquetStatistics(nullCount: 0)
        if column.collectsStatistics, let bounds = dictionary.bounds(used: used, observed: observed) {
            statistics.minimum = bounds.minimum
            statistics.maximum = bounds.maximum
        }
        if column.physicalType == .double && column.collectsStatistics {
            statistics.nanCount = dictionary.usesNaN(used: used, observed: observed) ? nil : 0
        }
        record.statistics = statistics
    }

    /// Writes the last row group and the footer. The destination then holds the whole file.
    ///
    /// - Returns: rows, row groups and bytes of the file.
    /// - Throws: ``ParquetError/writeFailed(path:reason:)``, ``ParquetError/encodingFailed(column:code:)``.
    public func finish() throws(ParquetError) -> Summary {
        precondition(!isFinished, "ParquetFileWriter.finish called twice")
        try flushRowGroup()
        isFinished = true
        let footer = try encodeFooter()
        try emit(footer, footer.indices)
        var trailer = withUnsafeBytes(of: UInt32(footer.count).littleEndian, Array.init)
        trailer.append(contentsOf: Array(CANP_PARQUET_MAGIC.utf8))
        try emit(trailer, trailer.indices)
        try flushStaging()
        budget?.unregister(self, releasing: 0)
        return Summary(rowCount: rowCount, rowGroupCount: rowGroups.count, byteCount: offset)
    }

    // MARK: Bytes out

    private func emit(_ array: [UInt8], _ range: Range<Int>) throws(ParquetError) {
        try array.withUnsafeBufferPointer { (all) throws(ParquetError) in
            try emit(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(all)[range]))
        }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        offset += bytes.count
        if staging.count + bytes.count <= Self.stagingLimit {
            staging.append(contentsOf: bytes)
            return
        }
        try flushStaging()
        if bytes.count >= Self.stagingLimit / 2 {
            try destination.write(bytes)
        } else {
            staging.append(contentsOf: bytes)
        }
    }

    private func flushStaging() throws(ParquetError) {
        guard !staging.isEmpty else { return }
        try staging.withUnsafeBufferPointer { (bytes) throws(ParquetError) in try destination.write(UnsafeRawBufferPointer(bytes)) }
        staging.removeAll(keepingCapacity: true)
        if staging.capacity > Self.stagingLimit * 2 { staging = [] }
    }

    // MARK: Footer

    /// Where the footer's strings and statistics lie in one byte arena, so
    /// that the C structs can point into memory that stays put for the call.
    private struct FooterBytes {
        typealias Placement = (offset: Int, count: Int)
        struct Statistics { var min: Placement; var max: Placement }

        var arena: [UInt8] = []
        var names: [Placement] = []
        /// Per row group, per column: the min/max bytes, when the column has both.
        var statistics: [[Statistics?]] = []
        var encodingCounts: [canp_parquet_encoding_count_t] = []
        /// Per row group, per column: the first of its entries in `encodingCounts`.
        var encodingStarts: [[Int]] = []
        var keyValues: [(key: Placement, value: Placement)] = []

        mutating func place(_ bytes: some Collection<UInt8>) -> Placement {
            let start = arena.count
            arena.append(contentsOf: bytes)
            return (start, bytes.count)
        }
    }

    /// Encodes the FileMetaData through `canp_parquet_file_metadata_encode`.
    private func encodeFooter() throws(ParquetError) -> [UInt8] {
        var bytes = placeFooterBytes()
        if bytes.arena.isEmpty { bytes.arena.append(0) }
        let footer = bytes
        return try footer.arena.withUnsafeBufferPointer { (arenaBuffer) throws(ParquetError) -> [UInt8] in
            let base = arenaBuffer.baseAddress!
            return try footer.encodingCounts.withUnsafeBufferPointer { (counts) throws(ParquetError) -> [UInt8] in
                let chunks = columnChunks(footer, base: base, counts: counts)
                return try chunks.withUnsafeBufferPointer { (chunkBuffer) throws(ParquetError) -> [UInt8] in
                    try encodeMetadata(footer, base: base, chunks: chunkBuffer)
                }
            }
        }
    }

    /// The arena of the footer's names, statistics, encoding counts and key/value pairs.
    private func placeFooterBytes() -> FooterBytes {
        var bytes = FooterBytes()
        bytes.names = schema.columns.map { bytes.place($0.name.utf8) }
        for group in rowGroups {
            var placements: [FooterBytes.Statistics?] = []
            var starts: [Int] = []
            for (position, record) in group.columns.enumerated() {
                let type = schema.columns[position].physicalType
                if let statistics = record.statistics?.normalizedForFooter, let low = statistics.minimum, let high = statistics.maximum {
                    placements.append(FooterBytes.Statistics(min: bytes.place(low.plainBytes(as: type)),
                                                             max: bytes.place(high.plainBytes(as: type))))
                } else {
                    placements.append(nil)
                }
                starts.append(bytes.encodingCounts.count)
                for entry in record.encodingCounts {
                    bytes.encodingCounts.append(canp_parquet_encoding_count_t(page_type: entry.pageType, encoding: entry.encoding,
                                                                              count: entry.count))
                }
            }
            bytes.statistics.append(placements)
            bytes.encodingStarts.append(starts)
        }
        bytes.keyValues = options.keyValueMetadata.map { (bytes.place($0.key.utf8), bytes.place($0.value.utf8)) }
        return bytes
    }

    /// One C column chunk per row group and column, in that order, pointing into the arena at `base`.
    private func columnChunks(_ footer: FooterBytes, base: UnsafePointer<UInt8>,
                              counts: UnsafeBufferPointer<canp_parquet_encoding_count_t>) -> [canp_parquet_column_chunk_t] {
        let codec = options.compression.formatCode
        var chunks: [canp_parquet_column_chunk_t] = []
        chunks.reserveCapacity(rowGroups.count * schema.columns.count)
        for (groupIndex, group) in rowGroups.enumerated() {
            for (position, record) in group.columns.enumerated() {
                var statistics = canp_parquet_statistics_t()
                if let recorded = record.statistics {
                    statistics.null_count = Int64(recorded.nullCount)
                    if let placement = footer.statistics[groupIndex][position] {
                        statistics.has_min_max = true
                        statistics.min_value = base + placement.min.offset
                        statistics.min_len = placement.min.count
                        statistics.max_value = base + placement.max.offset
                        statistics.max_len = placement.max.count
                    }
                    if let nans = recorded.nanCount {
                        statistics.has_nan_count = true
                        statistics.nan_count = Int64(nans)
                    }
                }
                chunks.append(canp_parquet_column_chunk_t(
                    codec: codec, num_values: Int64(group.rowCount),
                    total_uncompressed_size: Int64(record.totalUncompressed),
                    total_compressed_size: Int64(record.totalCompressed),
                    data_page_offset: Int64(record.dataPageOffset),
                    dictionary_page_offset: Int64(record.dictionaryPageOffset),
                    encoding_counts: counts.baseAddress.map { $0 + footer.encodingStarts[groupIndex][position] },
                    encoding_count_count: record.encodingCounts.count,
                    has_statistics: record.statistics != nil, statistics: statistics))
            }
        }
        return chunks
    }

    /// The FileMetaData around the column chunks: schema, row groups, key/value pairs, `created_by`.
    private func encodeMetadata(_ footer: FooterBytes, base: UnsafePointer<UInt8>,
                                chunks: UnsafeBufferPointer<canp_parquet_column_chunk_t>) throws(ParquetError) -> [UInt8] {
        func text(_ placement: FooterBytes.Placement) -> UnsafePointer<CChar> {
            UnsafeRawPointer(base + placement.offset).assumingMemoryBound(to: CChar.self)
        }
        let schemaColumns = schema.columns.enumerated().map { position, column in
            canp_parquet_column_schema_t(
                name: text(footer.names[position]), name_len: footer.names[position].count,
                physical_type: column.physicalType.formatCode, optional: column.isOptional,
                logical_type: column.logicalType.formatCode)
        }
        let groups = rowGroups.enumerated().map { groupIndex, group in
            canp_parquet_row_group_t(
                columns: chunks.baseAddress.map { $0 + groupIndex * schema.columns.count },
                num_rows: Int64(group.rowCount), total_byte_size: Int64(group.columns.reduce(0) { $0 + $1.totalUncompressed }),
                total_compressed_size: Int64(group.columns.reduce(0) { $0 + $1.totalCompressed }),
                file_offset: Int64(group.fileOffset))
        }
        let pairs = footer.keyValues.map { key, value in
            canp_parquet_key_value_t(key: text(key), key_len: key.count, value: text(value), value_len: value.count)
        }
        return try schemaColumns.withUnsafeBufferPointer { (columnBuffer) throws(ParquetError) -> [UInt8] in
            try groups.withUnsafeBufferPointer { (groupBuffer) throws(ParquetError) -> [UInt8] in
                try pairs.withUnsafeBufferPointer { (pairBuffer) throws(ParquetError) -> [UInt8] in
                    try Array(options.createdBy.utf8CString).withUnsafeBufferPointer { (createdBy) throws(ParquetError) -> [UInt8] in
                        var metadata = canp_parquet_file_metadata_t(
                            columns: columnBuffer.baseAddress, column_count: columnBuffer.count,
                            row_groups: groupBuffer.baseAddress, row_group_count: groupBuffer.count,
                            num_rows: Int64(rowCount), key_values: pairBuffer.baseAddress,
                            key_value_count: pairBuffer.count, created_by: createdBy.baseAddress)
                        return try Self.encode(&metadata)
                    }
                }
            }
        }
    }

    private static func encode(_ metadata: inout canp_parquet_file_metadata_t) throws(ParquetError) -> [UInt8] {
        var capacity = 4096
        while true {
            var needed = 0
            var bytes = [UInt8](repeating: 0, count: capacity)
            let rc = bytes.withUnsafeMutableBufferPointer { canp_parquet_file_metadata_encode(&metadata, $0.baseAddress, $0.count, &needed) }
            if rc == 0 {
                bytes.removeLast(capacity - needed)
                return bytes
            }
            guard rc == -ENOBUFS, needed > capacity else { throw .encodingFailed(column: "footer", code: rc) }
            capacity = needed
        }
    }
}
