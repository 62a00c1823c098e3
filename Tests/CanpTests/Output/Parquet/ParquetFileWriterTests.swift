import Testing
@testable import Canp

/// The ordered writer's row group cutting, budget, refusals and file framing.
@Suite("ParquetFileWriter")
struct ParquetFileWriterTests {
    static let schema = try! ParquetSchema([
        ParquetColumn("n", .int64, encoding: .deltaBinaryPacked),
        ParquetColumn("name", .byteArray, logicalType: .string, repetition: .optional,
                      encoding: .dictionary(ParquetDictionary(strings: ["a", "b", "c"]))),
    ])

    /// A chunk of `rows` rows starting at `start`.
    static func chunk(_ rows: Int, start: Int = 0, encoder: inout ParquetPageEncoder) throws -> ParquetEncodedChunk {
        var buffers = schema.makeBuffers()
        for row in start..<(start + rows) {
            buffers[0].append(Int64(row))
            if row % 3 == 0 { buffers[1].appendNull() } else { buffers[1].append(index: UInt32(row % 3)) }
        }
        return try encoder.encode(buffers, schema: schema)
    }

    @Test func rowGroupsAreCutBeforeTheRowLimitWithoutSplittingChunks() throws {
        var encoder = try ParquetPageEncoder()
        let destination = ParquetMemoryDestination()
        let writer = try ParquetFileWriter(schema: Self.schema, destination: destination,
                                           options: ParquetWriterOptions(rowGroupRowLimit: 1000))
        for index in 0..<10 { try writer.append(Self.chunk(300, start: index * 300, encoder: &encoder)) }
        let summary = try writer.finish()
        // 300-row chunks under a limit of 1000: groups of 900, 900, 900 and 300.
        #expect(summary == ParquetFileWriter.Summary(rowCount: 3000, rowGroupCount: 4, byteCount: destination.bytes.count))
        #expect(Array(destination.bytes.prefix(4)) == Array("PAR1".utf8))
        #expect(Array(destination.bytes.suffix(4)) == Array("PAR1".utf8))
        let footerLength = destination.bytes.suffix(8).prefix(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(footerLength > 0 && footerLength < destination.bytes.count - 12)
    }

    @Test func aRowGroupIsWrittenBeforeItPassesTheByteLimit() throws {
        var encoder = try ParquetPageEncoder()
        let first = try Self.chunk(2000, encoder: &encoder)
        let writer = try ParquetFileWriter(schema: Self.schema, destination: ParquetMemoryDestination(),
                                           options: ParquetWriterOptions(rowGroupByteLimit: first.byteCount + 1))
        try writer.append(first)
        #expect(writer.bufferedByteCount == first.byteCount)
        try writer.append(Self.chunk(2000, start: 2000, encoder: &encoder))
        #expect(writer.rowCount == 2000, "the first chunk's row group was written")
        #expect(try writer.finish().rowGroupCount == 2)
    }

    @Test func aSharedBudgetWritesTheFullestWriter() throws {
        var encoder = try ParquetPageEncoder()
        let big = try Self.chunk(5000, encoder: &encoder)
        let small = try Self.chunk(100, encoder: &encoder)
        let budget = ParquetBufferBudget(limit: big.byteCount + small.byteCount / 2)
        let a = try ParquetFileWriter(schema: Self.schema, destination: ParquetMemoryDestination(), budget: budget)
        let b = try ParquetFileWriter(schema: Self.schema, destination: ParquetMemoryDestination(), budget: budget)
        try a.append(big)
        #expect(a.rowCount == 0 && budget.bufferedBytes == big.byteCount)
        try b.append(small) // over the limit: a holds more and writes its row group
        #expect(a.rowCount == 5000 && a.bufferedByteCount == 0)
        #expect(b.rowCount == 0 && b.bufferedByteCount == small.byteCount)
        #expect(budget.bufferedBytes == small.byteCount)
        #expect(budget.peakBytes == big.byteCount + small.byteCount)
        _ = try a.finish()
        _ = try b.finish()
        #expect(budget.bufferedBytes == 0)
    }

    @Test func anEmptyTableIsAFileWithoutRowGroups() throws {
        var encoder = try ParquetPageEncoder()
        let destination = ParquetMemoryDestination()
        let writer = try ParquetFileWriter(schema: Self.schema, destination: destination)
        try writer.append(Self.chunk(0, encoder: &encoder))
        let summary = try writer.finish()
        #expect(summary.rowCount == 0 && summary.rowGroupCount == 0 && summary.byteCount == destination.bytes.count)
    }

    @Test func buffersThatDoNotFitTheirColumnAreRefused() throws {
        var encoder = try ParquetPageEncoder()
        var buffers = Self.schema.makeBuffers()
        buffers[0].append(Int64(1))
        buffers[1].append(index: 3) // the dictionary has 3 entries
        #expect(throws: ParquetError.invalidValues(column: "name", reason: "an index outside the dictionary of 3 entries")) {
            try encoder.encode(buffers, schema: Self.schema)
        }
        var short = Self.schema.makeBuffers()
        short[0].append(Int64(1))
        #expect(throws: ParquetError.invalidValues(column: "name", reason: "0 rows, the chunk has 1")) {
            try encoder.encode(short, schema: Self.schema)
        }
        var wrong = Self.schema.makeBuffers()
        wrong[1] = ParquetColumnBuffer(physicalType: .byteArray, kind: .values, isOptional: true)
        #expect(throws: ParquetError.invalidValues(column: "name", reason: "the buffer was made for another column")) {
            try encoder.encode(wrong, schema: Self.schema)
        }
    }

    @Test(.enabled(if: _isDebugAssertConfiguration(), "release builds skip this check"))
    func anObservedIndexWithTwoValuesIsRefusedInDebugBuilds() throws {
        let schema = try ParquetSchema([ParquetColumn("v", .double, encoding: .dictionary(ParquetDictionary(observedDoubleCount: 4)))])
        var buffers = schema.makeBuffers()
        buffers[0].append(index: 1, value: 0.5)
        buffers[0].append(index: 1, value: 0.25)
        var encoder = try ParquetPageEncoder()
        #expect(throws: ParquetError.invalidValues(column: "v", reason: "one dictionary index came with two different values")) {
            try encoder.encode(buffers, schema: schema)
        }
    }

    @Test func schemasRefuseWhatTheFormatCannotHold() {
        #expect(throws: ParquetError.invalidSchema("two columns are named a")) {
            try ParquetSchema([ParquetColumn("a", .int64), ParquetColumn("a", .double)])
        }
        #expect(throws: ParquetError.invalidSchema("column d: DELTA_BINARY_PACKED needs INT32 or INT64")) {
            try ParquetSchema([ParquetColumn("d", .double, encoding: .deltaBinaryPacked)])
        }
        #expect(throws: ParquetError.invalidSchema("column t: TIMESTAMP needs INT64")) {
            try ParquetSchema([ParquetColumn("t", .int32, logicalType: .timestampMicrosecondsUTC)])
        }
        #expect(throws: ParquetError.invalidSchema("column s: STRING needs BYTE_ARRAY")) {
            try ParquetSchema([ParquetColumn("s", .int64, logicalType: .string)])
        }
        #expect(throws: ParquetError.invalidSchema("column x: its dictionary holds byteArray values, not int64")) {
            try ParquetSchema([ParquetColumn("x", .int64, encoding: .dictionary(ParquetDictionary(strings: ["a"])))])
        }
        #expect(throws: ParquetError.invalidSchema("a column has an empty name")) {
            try ParquetSchema([ParquetColumn("", .int64)])
        }
        #expect(throws: ParquetError.invalidSchema("no level 40 for zstd")) {
            _ = try ParquetPageEncoder(compression: ParquetCompression(.zstd, level: 40))
        }
    }
}
