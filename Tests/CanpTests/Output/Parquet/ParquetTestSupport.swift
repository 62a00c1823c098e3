import Foundation
@testable import Canp

/// A value of a test table, before encoding.
enum ParquetTestValue: Equatable {
    case boolean(Bool)
    case integer(Int64)
    case double(Double)
    case bytes([UInt8])
    case string(String)

    /// The expected value in the checker's JSON: doubles as their bit pattern, bytes in hex.
    var json: Any {
        switch self {
        case .boolean(let value): return value
        case .integer(let value): return NSNumber(value: value)
        case .double(let value): return "d:" + String(value.bitPattern, radix: 16)
        case .bytes(let value): return "x:" + value.map { String(format: "%02x", $0) }.joined()
        case .string(let value): return value
        }
    }

    static func == (lhs: ParquetTestValue, rhs: ParquetTestValue) -> Bool {
        switch (lhs, rhs) {
        case let (.boolean(a), .boolean(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.double(a), .double(b)): a.bitPattern == b.bitPattern
        case let (.bytes(a), .bytes(b)): a == b
        case let (.string(a), .string(b)): a == b
        default: false
        }
    }
}

/// One column of a test table: its description and its rows (nil: null).
/// Dictionary columns keep their indices too.
struct ParquetTestColumn {
    var column: ParquetColumn
    var rows: [ParquetTestValue?]
    var indices: [UInt32?] = []
}

/// A table written by the tests and read back by the oracles (scripts/parquet_roundtrip.py).
struct ParquetTestTable {
    var name: String
    var columns: [ParquetTestColumn]
    var compression: ParquetCompression = .zstd
    var chunkRows: ClosedRange<Int> = 500...3000
    var rowGroupRowLimit = 1 << 20
    var pageRowLimit = 1 << 20
    var pageByteLimit = 1 << 20
    var seed: UInt64 = 1
    var encodesInParallel = false

    var rowCount: Int { columns.first?.rows.count ?? 0 }

    var schema: ParquetSchema {
        get throws { try ParquetSchema(columns.map(\.column)) }
    }

    /// The chunk boundaries: random sizes in `chunkRows`.
    var chunks: [Range<Int>] {
        var random = SplitMix64(seed: seed ^ 0xC4A1)
        var result: [Range<Int>] = []
        var start = 0
        while start < rowCount {
            let size = chunkRows.lowerBound + Int(random.next() % UInt64(chunkRows.count))
            result.append(start..<min(rowCount, start + size))
            start += size
        }
        return result
    }

    /// Fills buffers with rows `range`.
    func buffers(_ range: Range<Int>, schema: ParquetSchema) -> [ParquetColumnBuffer] {
        var buffers = schema.makeBuffers()
        for (position, test) in columns.enumerated() {
            for row in range {
                if let dictionary = test.column.dictionary {
                    if let index = test.indices[row] {
                        if dictionary.isObserved, case .double(let value)? = test.rows[row] {
                            buffers[position].append(index: index, value: value)
                        } else {
                            buffers[position].append(index: index)
                        }
                    } else {
                        buffers[position].appendNull()
                    }
                    continue
                }
                switch test.rows[row] {
                case nil: buffers[position].appendNull()
                case .boolean(let value)?: buffers[position].append(value)
                case .integer(let value)?:
                    if test.column.physicalType == .int32 { buffers[position].append(Int32(value)) } else { buffers[position].append(value) }
                case .double(let value)?: buffers[position].append(value)
                case .bytes(let value)?: buffers[position].append(bytes: value)
                case .string(let value)?: buffers[position].append(string: value)
                }
            }
        }
        return buffers
    }

    /// Encodes the chunks (in parallel when asked, one encoder per chunk) and writes them in order.
    func write(to destination: any ParquetDestination, budget: ParquetBufferBudget? = nil) throws -> ParquetFileWriter.Summary {
        let schema = try self.schema
        let chunks = self.chunks
        var encoded: [ParquetEncodedChunk?] = Array(repeating: nil, count: chunks.count)
        if encodesInParallel {
            let results = LockedBox<[Int: Result<ParquetEncodedChunk, ParquetError>]>([:])
            DispatchQueue.concurrentPerform(iterations: chunks.count) { index in
                let result = Result { () throws(ParquetError) -> ParquetEncodedChunk in
                    var encoder = try ParquetPageEncoder(compression: compression, pageByteLimit: pageByteLimit, pageRowLimit: pageRowLimit)
                    return try encoder.encode(buffers(chunks[index], schema: schema), schema: schema)
                }
                results.update { $0[index] = result }
            }
            for (index, result) in results.value { encoded[index] = try result.get() }
        } else {
            var encoder = try ParquetPageEncoder(compression: compression, pageByteLimit: pageByteLimit, pageRowLimit: pageRowLimit)
            for (index, range) in chunks.enumerated() {
                encoded[index] = try encoder.encode(buffers(range, schema: schema), schema: schema)
            }
        }
        let writer = try ParquetFileWriter(
            schema: schema, destination: destination,
            options: ParquetWriterOptions(compression: compression, rowGroupRowLimit: rowGroupRowLimit,
                                          keyValueMetadata: [("canp.test", name)]),
            budget: budget)
        for chunk in encoded { try writer.append(chunk!) }
        return try writer.finish()
    }

    /// The checker's description of the table.
    func expectation(file: String, summary: ParquetFileWriter.Summary) -> [String: Any] {
        func typeName(_ type: ParquetColumn.PhysicalType) -> String {
            switch type {
            case .boolean: "BOOLEAN"
            case .int32: "INT32"
            case .int64: "INT64"
            case .double: "DOUBLE"
            case .byteArray: "BYTE_ARRAY"
            }
        }
        func encodingName(_ encoding: ParquetColumn.Encoding) -> String {
            switch encoding {
            case .plain: "PLAIN"
            case .deltaBinaryPacked: "DELTA_BINARY_PACKED"
            case .deltaLengthByteArray: "DELTA_LENGTH_BYTE_ARRAY"
            case .byteStreamSplit: "BYTE_STREAM_SPLIT"
            case .dictionary: "RLE_DICTIONARY"
            }
        }
        let codec = switch compression.codec {
        case .none: "UNCOMPRESSED"
        case .snappy: "SNAPPY"
        case .gzip: "GZIP"
        case .zstd: "ZSTD"
        }
        return [
            "file": file, "rows": rowCount, "row_groups": summary.rowGroupCount, "bytes": summary.byteCount,
            "codec": codec, "key_value": ["canp.test": name],
            "columns": columns.map { test -> [String: Any] in
                let logical = switch test.column.logicalType {
                case .none: "none"
                case .string: "string"
                case .timestampMicrosecondsUTC: "timestamp"
                }
                return [
                    "name": test.column.name, "type": typeName(test.column.physicalType), "logical": logical,
                    "optional": test.column.isOptional, "encoding": encodingName(test.column.encoding),
                    "statistics": test.column.collectsStatistics,
                    "values": test.rows.map { $0?.json ?? NSNull() },
                ]
            },
        ]
    }
}

/// A value behind a lock, for results gathered from concurrent iterations.
final class LockedBox<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func update(_ body: (inout Value) -> Void) { lock.withLock { body(&stored) } }
}

/// Collects a file's bytes in memory.
final class ParquetMemoryDestination: ParquetDestination {
    private(set) var bytes: [UInt8] = []

    func write(_ chunk: UnsafeRawBufferPointer) throws(ParquetError) {
        bytes.append(contentsOf: chunk)
    }
}

/// Builders of test columns with seeded values.
enum ParquetTestColumns {
    /// Null with probability `nulls` (0: never) for an optional column.
    static func maybeNull(_ random: inout SplitMix64, _ nulls: Double) -> Bool {
        nulls > 0 && random.nextUnit() < nulls
    }

    static func make(_ name: String, _ type: ParquetColumn.PhysicalType, logical: ParquetColumn.LogicalType = .none,
                     encoding: ParquetColumn.Encoding = .plain, rows: Int, nulls: Double, seed: UInt64, statistics: Bool = true,
                     value: (inout SplitMix64, Int) -> ParquetTestValue) -> ParquetTestColumn {
        var random = SplitMix64(seed: seed)
        let column = ParquetColumn(name, type, logicalType: logical, repetition: nulls >= 0 ? .optional : .required,
                                   encoding: encoding, statistics: statistics)
        var values: [ParquetTestValue?] = []
        values.reserveCapacity(rows)
        for row in 0..<rows {
            values.append(maybeNull(&random, nulls) ? nil : value(&random, row))
        }
        return ParquetTestColumn(column: column, rows: values)
    }

    /// A dictionary column: each row picks an index by `pick`; the expected value is the entry.
    static func dictionary(_ name: String, _ dictionary: ParquetDictionary, entry: (Int) -> ParquetTestValue, logical: ParquetColumn.LogicalType = .none,
                           rows: Int, nulls: Double, seed: UInt64, pick: (inout SplitMix64, Int) -> Int) -> ParquetTestColumn {
        var random = SplitMix64(seed: seed)
        let column = ParquetColumn(name, dictionary.physicalType, logicalType: logical, repetition: nulls >= 0 ? .optional : .required,
                                   encoding: .dictionary(dictionary))
        var values: [ParquetTestValue?] = []
        var indices: [UInt32?] = []
        for row in 0..<rows {
            if maybeNull(&random, nulls) {
                values.append(nil)
                indices.append(nil)
            } else {
                let index = pick(&random, row)
                values.append(entry(index))
                indices.append(UInt32(index))
            }
        }
        return ParquetTestColumn(column: column, rows: values, indices: indices)
    }

    static let specialDoubles: [Double] = [0.0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.greatestFiniteMagnitude, 1e-300, 3.5]

    /// Every type and encoding, `nulls` the null probability (negative: required columns).
    static func allKinds(rows: Int, nulls: Double, seed: UInt64) -> [ParquetTestColumn] {
        let labels = ["Off", "On", "Error", "Not available", "Off", "", "Zündung ✓"] // a duplicate, an empty label, non-ASCII
        let labelDictionary = ParquetDictionary(strings: labels)
        // Entries observed with the data: a 16-bit raw value as its zigzag index (0, -1, 1, -2, ...),
        // times a scale that is not a power of two.
        let raw16 = ParquetDictionary(observedDoubleCount: 1 << 16)
        let int32Dictionary = ParquetDictionary(int32Values: (0...64).map { Int32($0) })
        let int64Dictionary = ParquetDictionary(int64Values: [0x100, 0x7DF, 0x1FFF_FFFF, -5, Int64.min], indexWidth: .byteAligned)
        let extremes64: [Int64] = [.min, .max, 0, -1, 1]
        let extremes32: [Int32] = [.min, .max, 0, -1, 1]
        var s = seed
        func next() -> UInt64 { s &+= 101; return s }
        var columns: [ParquetTestColumn] = []
        columns.append(make("flag", .boolean, rows: rows, nulls: nulls, seed: next()) { r, row in .boolean(row % 97 < 90 ? row % 2 == 0 : r.next() & 1 == 1) })
        columns.append(make("i32", .int32, rows: rows, nulls: nulls, seed: next()) { r, _ in .integer(Int64(Int32(truncatingIfNeeded: r.next()))) })
        columns.append(make("i64", .int64, rows: rows, nulls: nulls, seed: next()) { r, _ in .integer(Int64(bitPattern: r.next())) })
        columns.append(make("f64", .double, rows: rows, nulls: nulls, seed: next()) { r, row in
            .double(row % 50 == 0 ? specialDoubles[row / 50 % specialDoubles.count] : (r.nextUnit() - 0.5) * 1e6)
        })
        columns.append(make("text", .byteArray, logical: .string, rows: rows, nulls: nulls, seed: next()) { (r: inout SplitMix64, row: Int) -> ParquetTestValue in
            let length = Int(r.next() % 40)
            let padding = String(repeating: "x" as Character, count: length)
            if row % 13 == 0 { return .string("") }
            return .string("row \(row) ∆ \(padding)")
        })
        columns.append(make("blob", .byteArray, rows: rows, nulls: nulls, seed: next(), statistics: false) { r, _ in
            .bytes((0..<Int(r.next() % 65)).map { _ in UInt8(truncatingIfNeeded: r.next()) })
        })
        columns.append(make("payload", .byteArray, encoding: .deltaLengthByteArray, rows: rows, nulls: nulls, seed: next()) { r, row in
            .bytes((0..<(row % 7 == 0 ? 0 : Int(r.next() % 9))).map { _ in UInt8(truncatingIfNeeded: r.next()) })
        })
        columns.append(make("name", .byteArray, logical: .string, encoding: .deltaLengthByteArray, rows: rows, nulls: nulls, seed: next()) { r, row in
            .string(["EngineData", "", "Brake ✓", "x"][Int(r.next() % 4)])
        })
        columns.append(make("time", .int64, logical: .timestampMicrosecondsUTC, encoding: .deltaBinaryPacked, rows: rows, nulls: nulls, seed: next()) { r, row in
            .integer(1_700_000_000_000_000 + Int64(row) * 1000 + Int64(r.next() % 500))
        })
        columns.append(make("i64_delta", .int64, encoding: .deltaBinaryPacked, rows: rows, nulls: nulls, seed: next()) { r, row in
            .integer(row % 31 == 0 ? extremes64[row / 31 % 5] : Int64(row / 3) * 7 - Int64(r.next() % 5))
        })
        columns.append(make("i32_delta", .int32, encoding: .deltaBinaryPacked, rows: rows, nulls: nulls, seed: next()) { r, row in
            .integer(Int64(row % 29 == 0 ? extremes32[row / 29 % 5] : Int32(truncatingIfNeeded: r.next() % 300)))
        })
        columns.append(make("f64_split", .double, encoding: .byteStreamSplit, rows: rows, nulls: nulls, seed: next()) { r, row in
            .double(row % 17 == 0 ? specialDoubles[row / 17 % specialDoubles.count] : Double(Int(r.next() % 4000)) * 0.5)
        })
        columns.append(make("i64_split", .int64, encoding: .byteStreamSplit, rows: rows, nulls: nulls, seed: next()) { r, _ in .integer(Int64(r.next() % 100_000)) })
        columns.append(make("i32_split", .int32, encoding: .byteStreamSplit, rows: rows, nulls: nulls, seed: next()) { r, _ in .integer(Int64(Int32(truncatingIfNeeded: r.next()))) })
        columns.append(dictionary("label", labelDictionary, entry: { .string(labels[$0]) }, logical: .string, rows: rows, nulls: nulls, seed: next()) { r, row in
            row % 40 < 30 ? 1 : Int(r.next() % UInt64(labels.count))
        })
        columns.append(dictionary("raw16", raw16, entry: { index in .double(Double(Int64(index >> 1) ^ -Int64(index & 1)) * 0.01 + 40) },
                   rows: rows, nulls: nulls, seed: next()) { r, row in
            // A walk around raw 0 (small zigzag indices) with rare far values.
            row % 211 == 0 ? 65_535 : Int(r.next() % 300)
        })
        columns.append(dictionary("length", int32Dictionary, entry: { .integer(Int64($0)) }, rows: rows, nulls: nulls, seed: next()) { r, row in
            row % 5 == 0 ? 8 : Int(r.next() % 65)
        })
        columns.append(dictionary("can_id", int64Dictionary, entry: { .integer([Int64(0x100), 0x7DF, 0x1FFF_FFFF, -5, .min][$0]) }, rows: rows, nulls: nulls,
                   seed: next()) { r, _ in Int(r.next() % 5) })
        return columns
    }
}
