/// A Parquet file's footer, read back: its schema, row groups and column
/// chunks with their codecs, encodings, sizes and statistics (what
/// `canp inspect` shows of a file). Reads any Parquet file's metadata, not
/// only CANP's; values of the pages are not read.
public struct ParquetFileInspection: Sendable {
    /// Why a file's footer could not be read.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What is wrong, with the place.
        public var reason: String
        public var description: String { reason }
    }

    /// A leaf or group of the schema.
    public struct SchemaElement: Sendable {
        public var name: String
        /// The physical type's name (BOOLEAN, INT32, ..., BYTE_ARRAY), nil for a group.
        public var physicalType: String?
        /// REQUIRED, OPTIONAL or REPEATED (nil for the root).
        public var repetition: String?
        /// The logical type's name (STRING, TIMESTAMP, INTEGER...), if any.
        public var logicalType: String?
        /// Children of a group.
        public var childCount: Int
    }

    /// One column's chunk in one row group.
    public struct ColumnChunk: Sendable {
        /// The column's path, dot-separated.
        public var path: String
        public var physicalType: String
        public var codec: String
        public var encodings: [String]
        public var valueCount: Int64
        public var compressedBytes: Int64
        public var uncompressedBytes: Int64
        /// Null values, when the statistics hold them.
        public var nullCount: Int64?
        /// Minimum and maximum, decoded for the physical type, when the statistics hold them.
        public var minimum: String?
        public var maximum: String?
    }

    /// One row group.
    public struct RowGroup: Sendable {
        public var rowCount: Int64
        /// Uncompressed bytes of its columns, as the file says.
        public var totalBytes: Int64
        public var columns: [ColumnChunk]
    }

    /// The file's size in bytes.
    public var fileSize: Int
    /// The footer's size in bytes.
    public var footerSize: Int
    public var version: Int64
    public var rowCount: Int64
    public var createdBy: String?
    /// The key-value metadata, in file order.
    public var keyValues: [(key: String, value: String)]
    /// The schema in depth-first order, the root first.
    public var schema: [SchemaElement]
    public var rowGroups: [RowGroup]

    private static let physicalTypes = ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"]
    private static let codecs = ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"]
    private static let encodingNames = [0: "PLAIN", 2: "PLAIN_DICTIONARY", 3: "RLE", 4: "BIT_PACKED", 5: "DELTA_BINARY_PACKED",
                                        6: "DELTA_LENGTH_BYTE_ARRAY", 7: "DELTA_BYTE_ARRAY", 8: "RLE_DICTIONARY", 9: "BYTE_STREAM_SPLIT"]
    private static let repetitions = ["REQUIRED", "OPTIONAL", "REPEATED"]
    // LogicalType's union members by field id.
    private static let logicalTypes: [Int16: String] = [1: "STRING", 2: "MAP", 3: "LIST", 4: "ENUM", 5: "DECIMAL", 6: "DATE", 7: "TIME",
                                                        8: "TIMESTAMP", 10: "INTEGER", 11: "NULL", 12: "JSON", 13: "BSON", 14: "UUID",
                                                        15: "FLOAT16"]

    /// Reads the footer of a whole Parquet file.
    ///
    /// - Parameter bytes: the file.
    /// - Throws: ``Failure`` naming what is wrong (magic, footer length, metadata).
    /// - Complexity: O(footer size).
    public init(_ bytes: [UInt8]) throws(Failure) {
        let magic = Array("PAR1".utf8)
        guard bytes.count >= 12, bytes.starts(with: magic), Array(bytes.suffix(4)) == magic else {
            throw Failure(reason: "not a Parquet file: it does not start and end with PAR1 (\(bytes.count) bytes)")
        }
        let footerSize = (0..<4).reduce(0) { $0 | Int(bytes[bytes.count - 8 + $1]) << (8 * $1) }
        guard footerSize > 0, footerSize <= bytes.count - 12 else {
            throw Failure(reason: "the footer length \(footerSize) does not fit the file's \(bytes.count) bytes")
        }
        var reader = ThriftCompactReader(Array(bytes[(bytes.count - 8 - footerSize)..<(bytes.count - 8)]))
        let metadata: ThriftValue
        do {
            metadata = try reader.readStruct()
        } catch {
            throw Failure(reason: "the footer (\(footerSize) bytes at offset \(bytes.count - 8 - footerSize)) does not decode \(error)")
        }
        fileSize = bytes.count
        self.footerSize = footerSize
        version = metadata[1]?.int ?? 0
        rowCount = metadata[3]?.int ?? 0
        createdBy = metadata[6]?.string
        keyValues = (metadata[5]?.elements ?? []).map { (key: $0[1]?.string ?? "", value: $0[2]?.string ?? "") }
        schema = (metadata[2]?.elements ?? []).map(Self.schemaElement)
        let leafTypes = schema.compactMap(\.physicalType)
        rowGroups = (metadata[4]?.elements ?? []).map { group in
            RowGroup(rowCount: group[3]?.int ?? 0, totalBytes: group[2]?.int ?? 0,
                     columns: (group[1]?.elements ?? []).map { Self.columnChunk($0[3] ?? .structure([:])) })
        }
        for group in rowGroups where group.columns.count != leafTypes.count {
            throw Failure(reason: "a row group has \(group.columns.count) column chunks for \(leafTypes.count) leaf columns")
        }
    }

    private static func name(_ table: [String], _ value: ThriftValue?) -> String? {
        guard let v = value?.int else { return nil }
        return v >= 0 && v < table.count ? table[Int(v)] : "unknown(\(v))"
    }

    private static func schemaElement(_ value: ThriftValue) -> SchemaElement {
        var logical: String?
        if case let .structure(fields)? = value[10], let id = fields.keys.first {
            logical = logicalTypes[id] ?? "unknown(\(id))"
            if id == 8, let unit = fields[id]?[2], case let .structure(units) = unit, let u = units.keys.first {
                logical! += ["", "(MILLIS)", "(MICROS)", "(NANOS)"][Int(max(0, min(u, 3)))]
            }
        }
        return SchemaElement(name: value[4]?.string ?? "", physicalType: name(physicalTypes, value[1]),
                             repetition: name(repetitions, value[3]), logicalType: logical, childCount: Int(value[5]?.int ?? 0))
    }

    private static func columnChunk(_ meta: ThriftValue) -> ColumnChunk {
        let type = name(physicalTypes, meta[1]) ?? "?"
        let statistics = meta[12]
        return ColumnChunk(
            path: (meta[3]?.elements ?? []).compactMap(\.string).joined(separator: "."), physicalType: type,
            codec: name(codecs, meta[4]) ?? "?",
            encodings: (meta[2]?.elements ?? []).compactMap(\.int).map { encodingNames[Int($0)] ?? "unknown(\($0))" },
            valueCount: meta[5]?.int ?? 0, compressedBytes: meta[7]?.int ?? 0, uncompressedBytes: meta[6]?.int ?? 0,
            nullCount: statistics?[3]?.int,
            minimum: (statistics?[6]?.bytes).map { render($0, type: type) },
            maximum: (statistics?[5]?.bytes).map { render($0, type: type) })
    }

    /// A statistics value as text: the number for numeric types, the text (at most 40 characters) for byte arrays.
    static func render(_ bytes: [UInt8], type: String) -> String {
        func integer(_ width: Int) -> UInt64 { (0..<width).reduce(0) { $0 | UInt64(bytes[$1]) << UInt64(8 * $1) } }
        switch (type, bytes.count) {
        case ("BOOLEAN", 1): return bytes[0] != 0 ? "true" : "false"
        case ("INT32", 4): return String(Int32(truncatingIfNeeded: integer(4)))
        case ("INT64", 8): return String(Int64(bitPattern: integer(8)))
        case ("FLOAT", 4): return String(Float(bitPattern: UInt32(integer(4))))
        case ("DOUBLE", 8): return String(Double(bitPattern: integer(8)))
        default:
            let text = String(decoding: bytes.prefix(40), as: UTF8.self)
            return "\"" + text + (bytes.count > 40 ? "...\"" : "\"")
        }
    }
}
