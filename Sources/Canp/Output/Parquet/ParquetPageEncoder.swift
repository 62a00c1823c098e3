import CCanpCore
#if canImport(Glibc)
import Glibc
#endif

/// Encodes columns into finished Parquet pages: definition levels, the
/// values in the column's encoding, compression, the page header, and the
/// page's statistics. One per CPU worker (it owns a compressor context and
/// scratch memory, reused from chunk to chunk).
///
/// Wraps `canp_parquet_encoder_t` (`canp_parquet_encoder_create`,
/// `canp_parquet_page_encode`). Noncopyable: it owns the C encoder, freed in
/// `deinit`; move it to the thread that uses it.
public struct ParquetPageEncoder: ~Copyable, @unchecked Sendable {
    // @unchecked: the C encoder is owned by this noncopyable value alone.
    private let handle: OpaquePointer
    /// The codec of the pages.
    public let compression: ParquetCompression
    /// The most bytes of encoded values a data page holds before the column continues in a new page.
    public let pageByteLimit: Int
    /// The most rows in a data page.
    public let pageRowLimit: Int
    private var scratch: UnsafeMutableRawPointer
    private var scratchCapacity: Int
    private var usedBits: [UInt64] = []
    private var observedScratch: [Double] = []

    /// Creates an encoder.
    ///
    /// - Parameters:
    ///   - compression: the codec and level of every page.
    ///   - pageByteLimit: bytes of values per data page, about (default 1 MiB, as pyarrow).
    ///   - pageRowLimit: rows per data page at most (default 1,048,576).
    /// - Throws: ``ParquetError/invalidSchema(_:)`` for a level the codec does not have,
    ///   ``ParquetError/outOfMemory``.
    public init(compression: ParquetCompression = .zstd, pageByteLimit: Int = 1 << 20,
                pageRowLimit: Int = 1 << 20) throws(ParquetError) {
        precondition(pageByteLimit > 0 && pageRowLimit > 0, "ParquetPageEncoder: page limits must be positive")
        var raw: OpaquePointer?
        let rc = canp_parquet_encoder_create(compression.formatCode, Int32(clamping: compression.level), &raw)
        guard rc == 0, let raw else {
            throw rc == -ENOMEM || rc == 0 ? .outOfMemory : .invalidSchema("no level \(compression.level) for \(compression.codec)")
        }
        handle = raw
        self.compression = compression
        self.pageByteLimit = pageByteLimit
        self.pageRowLimit = pageRowLimit
        scratchCapacity = 1 << 16
        scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
    }

    deinit {
        canp_parquet_encoder_destroy(handle)
        scratch.deallocate()
    }

    /// Encodes the rows of one chunk: one buffer per column of `schema`, all
    /// with the same row count.
    ///
    /// - Parameters:
    ///   - columns: the buffers, in schema order.
    ///   - schema: the table's schema.
    /// - Returns: the chunk's pages, ready for ``ParquetFileWriter/append(_:)``.
    /// - Throws: ``ParquetError/invalidValues(column:reason:)`` when a buffer does not
    ///   fit its column, ``ParquetError/outOfMemory``.
    /// - Complexity: O(rows × columns), plus compression.
    public mutating func encode(_ columns: [ParquetColumnBuffer], schema: ParquetSchema) throws(ParquetError) -> ParquetEncodedChunk {
        try encode(columns, schema: schema) { EncodedBytes(heapCapacity: $0) }
    }

    /// ``encode(_:schema:)`` with the chunk's bytes in memory from `makeBuffer` (a
    /// sink's ``PieceOutput/makeBuffer(capacity:)``: pool memory under the pipeline's limit).
    ///
    /// - Parameters:
    ///   - columns: the buffers, in schema order.
    ///   - schema: the table's schema.
    ///   - makeBuffer: memory of at least the capacity asked, for the finished pages.
    /// - Returns: the chunk's pages.
    /// - Throws: as ``encode(_:schema:)``.
    public mutating func encode(_ columns: [ParquetColumnBuffer], schema: ParquetSchema,
                                makeBuffer: (Int) -> EncodedBytes) throws(ParquetError) -> ParquetEncodedChunk {
        guard columns.count == schema.columns.count else {
            throw .invalidValues(column: "*", reason: "\(columns.count) buffers for \(schema.columns.count) columns")
        }
        let rows = columns.first?.rowCount ?? 0
        var pages: [ParquetEncodedChunk.Page] = []
        var used = 0
        for (position, column) in schema.columns.enumerated() {
            let buffer = columns[position]
            try Self.check(buffer, against: column, rows: rows)
            if rows > 0 { try encodePages(of: buffer, column: column, position: position, into: &pages, used: &used) }
        }
        // The pages are built in the encoder's scratch (its bound is only known page by page), then
        // copied into memory of their exact size: a copy of the compressed bytes, a fraction of the work.
        let bytes = makeBuffer(used)
        bytes.append(unsafeBytes: UnsafeRawBufferPointer(start: scratch, count: used))
        return ParquetEncodedChunk(rowCount: rows, pages: pages, bytes: bytes)
    }

    private static func check(_ buffer: ParquetColumnBuffer, against column: ParquetColumn, rows: Int) throws(ParquetError) {
        if buffer.rowCount != rows {
            throw .invalidValues(column: column.name, reason: "\(buffer.rowCount) rows, the chunk has \(rows)")
        }
        if buffer.physicalType != column.physicalType || buffer.isOptional != column.isOptional
            || (buffer.kind == .indices) != (column.dictionary != nil) {
            throw .invalidValues(column: column.name, reason: "the buffer was made for another column")
        }
    }

    /// The value width for cutting pages (bytes per value, about).
    private static func valueWidth(_ column: ParquetColumn) -> Int {
        if column.dictionary != nil { return 2 }
        switch column.physicalType {
        case .boolean: return 1
        case .int32: return 4
        case .int64, .double: return 8
        case .byteArray: return 0
        }
    }

    private mutating func encodePages(of buffer: ParquetColumnBuffer, column: ParquetColumn, position: Int,
                                      into pages: inout [ParquetEncodedChunk.Page], used: inout Int) throws(ParquetError) {
        var row = 0, value = 0
        let width = Self.valueWidth(column)
        repeat {
            // Cut the page: by rows, and by the bytes of its values.
            var end = min(buffer.rowCount, row + pageRowLimit)
            if width > 0 {
                end = min(end, row + max(1, pageByteLimit / width))
            }
            var values = buffer.isOptional ? 0 : end - row
            if buffer.isOptional {
                for index in row..<end where buffer.definitions[index] != 0 { values += 1 }
            }
            if width == 0 && column.physicalType == .byteArray && buffer.kind == .values {
                // Byte values: stop where the bytes pass the limit.
                let start = Int(buffer.byteOffsets[value])
                var take = 0, at = row
                while at < end {
                    let isValue = !buffer.isOptional || buffer.definitions[at] != 0
                    if isValue {
                        if take > 0 && Int(buffer.byteOffsets[value + take + 1]) - start + 4 * (take + 1) > pageByteLimit { break }
                        take += 1
                    }
                    at += 1
                }
                end = at
                values = take
            }
            try encodePage(buffer, column: column, position: position, rows: row..<end, values: value..<(value + values),
                           into: &pages, used: &used)
            row = end
            value += values
        } while row < buffer.rowCount
    }

    private mutating func reserveScratch(_ needed: Int) {
        guard needed > scratchCapacity else { return }
        var capacity = scratchCapacity
        while capacity < needed { capacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        grown.copyMemory(from: scratch, byteCount: scratchCapacity)
        scratch.deallocate()
        scratch = grown
        scratchCapacity = capacity
    }

    /// The distinct indices of `indices`, ascending (through a bitmap the size
    /// of the dictionary), and for an observed dictionary the value of each.
    /// `inRange` is false when an index is outside the dictionary (nothing is
    /// then returned). Debug builds also check that every occurrence of an
    /// index comes with the same value (`consistent`); the producers make the
    /// index from the raw value that the value is computed from, so release
    /// builds take the first.
    private mutating func distinct(_ indices: UnsafeBufferPointer<UInt32>, values: UnsafeBufferPointer<Double>?,
                                   dictionaryCount: Int) -> (indices: [UInt32], values: [Double], inRange: Bool, consistent: Bool) {
        let words = (dictionaryCount + 63) >> 6
        if usedBits.count < words { usedBits.append(contentsOf: repeatElement(0, count: words - usedBits.count)) }
        if values != nil && observedScratch.count < dictionaryCount {
            observedScratch.append(contentsOf: repeatElement(0, count: dictionaryCount - observedScratch.count))
        }
        guard !indices.isEmpty else { return ([], [], true, true) }
        let limit = UInt32(clamping: dictionaryCount)
        var largest: UInt32 = 0
        for index in indices { largest = max(largest, index) }
        guard largest < limit else { return ([], [], false, true) }
        if values == nil {
            // Entry dictionaries: a page of one index (the file column of a one-file page) needs no set.
            // Otherwise the exact set: the dictionary page's entries and the chunk's min/max statistics
            // follow from it (every index up to the largest made the file column's minimum the run's
            // first file in every row group, so no reader could skip row groups by file).
            var smallest = UInt32.max
            for index in indices { smallest = min(smallest, index) }
            if smallest == largest { return ([largest], [], true, true) }
        }
        var result: [UInt32] = []
        var resultValues: [Double] = []
        var consistent = true
        let checks = _isDebugAssertConfiguration()
        usedBits.withUnsafeMutableBufferPointer { bits in
            observedScratch.withUnsafeMutableBufferPointer { seen in
                if let values {
                    for (row, index) in indices.enumerated() {
                        let word = Int(index >> 6), bit: UInt64 = 1 << UInt64(index & 63)
                        if bits[word] & bit == 0 {
                            bits[word] |= bit
                            seen[Int(index)] = values[row]
                        } else if checks && seen[Int(index)].bitPattern != values[row].bitPattern {
                            consistent = false
                        }
                    }
                } else {
                    for index in indices { bits[Int(index >> 6)] |= 1 << UInt64(index & 63) }
                }
                for word in 0...(Int(largest) >> 6) where bits[word] != 0 {
                    var set = bits[word]
                    while set != 0 {
                        let index = word << 6 | set.trailingZeroBitCount
                        result.append(UInt32(index))
                        if values != nil { resultValues.append(seen[index]) }
                        set &= set - 1
                    }
                    bits[word] = 0
                }
            }
        }
        return (result, resultValues, true, consistent)
    }

    private mutating func encodePage(_ buffer: ParquetColumnBuffer, column: ParquetColumn, position: Int, rows: Range<Int>,
                                     values: Range<Int>, into pages: inout [ParquetEncodedChunk.Page],
                                     used: inout Int) throws(ParquetError) {
        var usedIndices: [UInt32] = []
        var usedValues: [Double] = []
        var bitWidth: UInt32 = 0
        if let dictionary = column.dictionary {
            if dictionary.isObserved && buffer.doubleValues.count != buffer.indexValues.count {
                throw .invalidValues(column: column.name, reason: "an observed dictionary needs a value with every index")
            }
            let found = buffer.indexValues.withUnsafeBufferPointer { indices in
                buffer.doubleValues.withUnsafeBufferPointer { observed in
                    distinct(UnsafeBufferPointer(rebasing: indices[values]),
                             values: dictionary.isObserved ? UnsafeBufferPointer(rebasing: observed[values]) : nil,
                             dictionaryCount: dictionary.count)
                }
            }
            guard found.inRange else {
                throw .invalidValues(column: column.name, reason: "an index outside the dictionary of \(dictionary.count) entries")
            }
            guard found.consistent else {
                throw .invalidValues(column: column.name, reason: "one dictionary index came with two different values")
            }
            usedIndices = found.indices
            usedValues = found.values
            bitWidth = dictionary.bitWidth(forMaximumIndex: usedIndices.last ?? 0)
        }
        var options = canp_parquet_page_options_t(
            physical_type: column.physicalType.formatCode, encoding: column.encoding.formatCode,
            index_bit_width: bitWidth, dictionary_page: false,
            statistics: column.collectsStatistics && column.dictionary == nil)
        var result = canp_parquet_page_result_t()
        try Self.withValues(buffer, rows: rows, values: values) { (input) throws(ParquetError) in
            var input = input
            let bound = canp_parquet_page_bound(handle, &options, &input)
            guard bound > 0 else { throw .encodingFailed(column: column.name, code: -EINVAL) }
            reserveScratch(used + bound)
            let rc = canp_parquet_page_encode(handle, &options, &input, scratch + used, bound, &result)
            guard rc == 0 else { throw rc == -ENOMEM ? .outOfMemory : .encodingFailed(column: column.name, code: rc) }
        }
        var statistics = ParquetStatistics(nullCount: Int(result.null_count))
        if column.physicalType == .double && column.dictionary == nil && column.collectsStatistics {
            statistics.nanCount = Int(result.nan_count)
        }
        if result.has_min_max {
            switch column.physicalType {
            case .boolean:
                statistics.minimum = .boolean(result.min_int != 0)
                statistics.maximum = .boolean(result.max_int != 0)
            case .int32, .int64:
                statistics.minimum = .integer(result.min_int)
                statistics.maximum = .integer(result.max_int)
            case .double:
                statistics.minimum = .double(result.min_double)
                statistics.maximum = .double(result.max_double)
            case .byteArray:
                let base = values.lowerBound
                func value(_ index: UInt32) -> [UInt8] {
                    let at = base + Int(index)
                    return Array(buffer.byteData[Int(buffer.byteOffsets[at])..<Int(buffer.byteOffsets[at + 1])])
                }
                statistics.minimum = .bytes(value(result.min_index))
                statistics.maximum = .bytes(value(result.max_index))
            }
        }
        pages.append(ParquetEncodedChunk.Page(
            column: position, byteRange: used..<(used + result.page_size), rowCount: rows.count,
            headerSize: result.header_size, uncompressedBodySize: result.body_size, encoding: options.encoding,
            statistics: statistics, usedIndices: usedIndices, usedValues: usedValues))
        used += result.page_size
    }

    /// Encodes a dictionary page of `values` (a required value buffer of the dictionary's type).
    mutating func encodeDictionaryPage(_ values: ParquetColumnBuffer, column: ParquetColumn) throws(ParquetError) -> (bytes: [UInt8], headerSize: Int, uncompressedBodySize: Int) {
        var options = canp_parquet_page_options_t(
            physical_type: column.physicalType.formatCode, encoding: Int32(CANP_PARQUET_PLAIN), index_bit_width: 0,
            dictionary_page: true, statistics: false)
        var result = canp_parquet_page_result_t()
        try Self.withValues(values, rows: 0..<values.rowCount, values: 0..<values.valueCount) { (input) throws(ParquetError) in
            var input = input
            let bound = canp_parquet_page_bound(handle, &options, &input)
            guard bound > 0 else { throw .encodingFailed(column: column.name, code: -EINVAL) }
            reserveScratch(bound)
            let rc = canp_parquet_page_encode(handle, &options, &input, scratch, bound, &result)
            guard rc == 0 else { throw rc == -ENOMEM ? .outOfMemory : .encodingFailed(column: column.name, code: rc) }
        }
        let bytes = Array(UnsafeRawBufferPointer(start: scratch, count: result.page_size))
        return (bytes, result.header_size, result.body_size)
    }

    /// Calls `body` with the C view of rows `rows` (values `values`) of a buffer.
    private static func withValues<R>(
        _ buffer: ParquetColumnBuffer, rows: Range<Int>, values: Range<Int>,
        _ body: (canp_parquet_values_t) throws(ParquetError) -> R
    ) throws(ParquetError) -> R {
        func run(_ pointer: UnsafeRawPointer?, offsets: UnsafePointer<UInt32>?) throws(ParquetError) -> R {
            let view = { (defined: UnsafePointer<UInt8>?) in
                canp_parquet_values_t(num_rows: UInt32(rows.count), num_values: UInt32(values.count), defined: defined,
                                      values: pointer, offsets: offsets)
            }
            if buffer.isOptional {
                return try buffer.definitions.withUnsafeBufferPointer { (definitions) throws(ParquetError) -> R in
                    try body(view(definitions.baseAddress! + rows.lowerBound))
                }
            }
            return try body(view(nil))
        }
        func typed<T>(_ array: [T]) throws(ParquetError) -> R {
            try array.withUnsafeBufferPointer { (all) throws(ParquetError) -> R in
                try run(all.baseAddress.map { UnsafeRawPointer($0 + values.lowerBound) }, offsets: nil)
            }
        }
        if buffer.kind == .indices { return try typed(buffer.indexValues) }
        switch buffer.physicalType {
        case .boolean: return try typed(buffer.booleanValues)
        case .int32: return try typed(buffer.int32Values)
        case .int64: return try typed(buffer.int64Values)
        case .double: return try typed(buffer.doubleValues)
        case .byteArray:
            return try buffer.byteData.withUnsafeBufferPointer { (data) throws(ParquetError) -> R in
                try buffer.byteOffsets.withUnsafeBufferPointer { (offsets) throws(ParquetError) -> R in
                    // Offsets stay absolute: the C side reads `values + offsets[i]`, so the data pointer is the array's start.
                    try run(data.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(offsets.baseAddress!),
                            offsets: offsets.baseAddress! + values.lowerBound)
                }
            }
        }
    }
}
