import Testing
@testable import Canp

/// Reading a footer back: what `canp inspect` shows of a Parquet file.
@Suite("ParquetFileInspection")
struct ParquetFileInspectionTests {
    typealias Case = ParquetFileWriterTests

    /// 3,000 rows of `n` (0...2999) and `name` (null every third row) in row groups of at most 1,000 rows.
    static func file(compression: ParquetCompression = .zstd) throws -> [UInt8] {
        var encoder = try ParquetPageEncoder(compression: compression)
        let destination = ParquetMemoryDestination()
        let options = ParquetWriterOptions(compression: compression, rowGroupRowLimit: 1000,
                                           keyValueMetadata: [(key: "canp.table", value: "test")])
        let writer = try ParquetFileWriter(schema: Case.schema, destination: destination, options: options)
        for index in 0..<10 { try writer.append(Case.chunk(300, start: index * 300, encoder: &encoder)) }
        _ = try writer.finish()
        return destination.bytes
    }

    @Test func theFooterReadsBackAsWritten() throws {
        let raw = try Self.file()
        let file = try ParquetFileInspection(raw)
        #expect(file.rowCount == 3000)
        #expect(file.rowGroups.map(\.rowCount) == [900, 900, 900, 300])
        #expect(file.keyValues.map(\.key) == ["canp.table"] && file.keyValues.first?.value == "test")
        #expect(file.schema.map(\.name).dropFirst() == ["n", "name"])
        #expect(file.schema[1].physicalType == "INT64" && file.schema[1].repetition == "REQUIRED")
        #expect(file.schema[2].physicalType == "BYTE_ARRAY" && file.schema[2].repetition == "OPTIONAL" && file.schema[2].logicalType == "STRING")
        let first = file.rowGroups[0].columns
        #expect(first.map(\.path) == ["n", "name"] && first.allSatisfy { $0.codec == "ZSTD" })
        #expect(first[0].encodings.contains("DELTA_BINARY_PACKED") && first[1].encodings.contains("RLE_DICTIONARY"))
        #expect(first[0].minimum == "0" && first[0].maximum == "899" && first[0].nullCount == 0)
        #expect(file.rowGroups[3].columns[0].minimum == "2700" && file.rowGroups[3].columns[0].maximum == "2999")
        // Rows 0, 3, 6, ... are null: 300 of the first 900; the others are "b" (row % 3 == 1) and "c".
        #expect(first[1].nullCount == 300 && first[1].valueCount == 900)
        #expect(first[1].minimum == "\"b\"" && first[1].maximum == "\"c\"", "\(first[1])")
        #expect(file.rowGroups.allSatisfy { $0.columns.allSatisfy { $0.compressedBytes > 0 && $0.uncompressedBytes > 0 } })
    }

    @Test(arguments: [ParquetCompression(.none), ParquetCompression(.snappy), ParquetCompression(.gzip)])
    func everyCodecIsNamed(compression: ParquetCompression) throws {
        let names: [ParquetCompression.Codec: String] = [.none: "UNCOMPRESSED", .snappy: "SNAPPY", .gzip: "GZIP"]
        let file = try ParquetFileInspection(Self.file(compression: compression))
        #expect(file.rowGroups.allSatisfy { $0.columns.allSatisfy { $0.codec == names[compression.codec] } })
    }

    @Test func whatIsNotAParquetFileIsAnError() throws {
        let bytes = try Self.file()
        #expect(throws: ParquetFileInspection.Failure.self) { try ParquetFileInspection(Array(bytes.dropLast())) }
        #expect(throws: ParquetFileInspection.Failure.self) { try ParquetFileInspection(Array("PAR1PAR1".utf8)) }
        var huge = bytes
        huge[huge.count - 5] = 0x7F // footer length far past the file
        #expect(throws: ParquetFileInspection.Failure.self) { try ParquetFileInspection(huge) }
    }

    /// Flipped, cut and random footers end in an inspection or an error, never a crash or a read past the bytes.
    @Test func damagedFootersNeverCrash() throws {
        let bytes = try Self.file()
        let footer = (0..<4).reduce(0) { $0 | Int(bytes[bytes.count - 8 + $1]) << (8 * $1) }
        var random = SplitMix64(seed: 7)
        var failures = 0
        for round in 0..<3000 {
            var damaged = bytes
            let start = bytes.count - 8 - footer
            switch round % 3 {
            case 0:
                for _ in 0..<(1 + Int(random.next() % 8)) {
                    damaged[start + Int(random.next() % UInt64(footer))] ^= UInt8(1 << (random.next() % 8))
                }
            case 1:
                // A shorter footer: the metadata ends early.
                let cut = 1 + Int(random.next() % UInt64(footer - 1))
                damaged.removeSubrange(start..<(start + cut))
                let length = footer - cut
                for k in 0..<4 { damaged[damaged.count - 8 + k] = UInt8(truncatingIfNeeded: length >> (8 * k)) }
            default:
                for k in 0..<min(64, footer) { damaged[start + (k * 7) % footer] = UInt8(truncatingIfNeeded: random.next()) }
            }
            do { _ = try ParquetFileInspection(damaged) } catch { failures += 1 }
        }
        #expect(failures > 0, "damage was noticed at least sometimes")
    }

    @Test func thriftValuesOfEveryKindDecode() throws {
        // struct { 1: i32 -3, 2: true, 3: binary "ab", 4: list<i64> [1, -1], 5: struct { 1: double 1.5 },
        //          20 (long form): i16 7, 21: map<binary, bool> {"k": false} }
        var bytes: [UInt8] = [0x15, 0x05, 0x11, 0x18, 0x02, 0x61, 0x62, 0x19, 0x26, 0x02, 0x01, 0x1C, 0x17]
        bytes += [0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x00]        // 1.5, then the inner struct's stop
        bytes += [0x04, 0x28, 0x0E]                           // field 20 in long form, i16 7
        bytes += [0x1B, 0x01, 0x81, 0x01, 0x6B, 0x02, 0x00]   // field 21: a map of one entry; the stop
        var reader = ThriftCompactReader(bytes)
        let value = try reader.readStruct()
        #expect(value[1] == .int(-3) && value[2] == .bool(true) && value[3]?.string == "ab")
        #expect(value[4] == .list([.int(1), .int(-1)]) && value[5]?[1] == .double(1.5) && value[20] == .int(7))
        #expect(value[21] == .map([(.binary([0x6B]), .bool(false))]))
        #expect(reader.offset == bytes.count)
    }
}
