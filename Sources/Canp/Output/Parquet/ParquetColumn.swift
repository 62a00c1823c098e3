import CCanpCore

/// One column of a flat Parquet table: its name, types, nullability and how
/// its values are encoded.
///
/// The encoding is fixed per column for a whole file, so that every page of
/// a column chunk agrees and the workers that encode pages in parallel need
/// no coordination. A dictionary column's dictionary is fixed before the run
/// (``ParquetDictionary``): workers write indices into it, and each row
/// group's dictionary page holds the entries its pages used.
public struct ParquetColumn: Sendable {
    /// The physical types CANP writes.
    public enum PhysicalType: Sendable, Hashable {
        /// One bit per value.
        case boolean
        /// 32-bit signed integers.
        case int32
        /// 64-bit signed integers.
        case int64
        /// IEEE 754 binary64.
        case double
        /// Byte strings of any length (UTF-8 text with the `string` annotation).
        case byteArray

        var formatCode: Int32 {
            switch self {
            case .boolean: Int32(CANP_PARQUET_BOOLEAN)
            case .int32: Int32(CANP_PARQUET_INT32)
            case .int64: Int32(CANP_PARQUET_INT64)
            case .double: Int32(CANP_PARQUET_DOUBLE)
            case .byteArray: Int32(CANP_PARQUET_BYTE_ARRAY)
            }
        }
    }

    /// How readers should interpret the physical values.
    public enum LogicalType: Sendable, Hashable {
        /// None: the physical type as it is.
        case none
        /// UTF-8 text (`STRING`, converted type `UTF8`); needs `byteArray`.
        case string
        /// Microseconds since the Unix epoch, UTC (`TIMESTAMP(isAdjustedToUTC=true, MICROS)`); needs `int64`.
        case timestampMicrosecondsUTC

        var formatCode: Int32 {
            switch self {
            case .none: Int32(CANP_PARQUET_LOGICAL_NONE)
            case .string: Int32(CANP_PARQUET_LOGICAL_STRING)
            case .timestampMicrosecondsUTC: Int32(CANP_PARQUET_LOGICAL_TIMESTAMP_MICROS_UTC)
            }
        }
    }

    /// Whether a row may lack a value.
    public enum Repetition: Sendable, Hashable {
        /// Every row has a value (no definition levels are written).
        case required
        /// A row may be null (definition levels of one bit).
        case optional
    }

    /// How the values of the column's data pages are encoded.
    public enum Encoding: Sendable {
        /// Values back to back (`PLAIN`); every type.
        case plain
        /// Deltas bit-packed in miniblocks (`DELTA_BINARY_PACKED`); `int32` and `int64`.
        /// Pays for sorted or slowly changing integers such as timestamps and block numbers.
        case deltaBinaryPacked
        /// The lengths delta-encoded, then the bytes back to back (`DELTA_LENGTH_BYTE_ARRAY`); `byteArray`.
        /// Saves the 4-byte length in front of every value of PLAIN, which matters for short values.
        case deltaLengthByteArray
        /// The k-th bytes of all values together (`BYTE_STREAM_SPLIT`); `int32`, `int64`, `double`.
        /// Pays before compression for numbers whose high bytes change slowly.
        case byteStreamSplit
        /// Indices into a dictionary fixed before the run (`RLE_DICTIONARY`); the
        /// dictionary's type must be the column's.
        case dictionary(ParquetDictionary)

        var formatCode: Int32 {
            switch self {
            case .plain: Int32(CANP_PARQUET_PLAIN)
            case .deltaBinaryPacked: Int32(CANP_PARQUET_DELTA_BINARY_PACKED)
            case .deltaLengthByteArray: Int32(CANP_PARQUET_DELTA_LENGTH_BYTE_ARRAY)
            case .byteStreamSplit: Int32(CANP_PARQUET_BYTE_STREAM_SPLIT)
            case .dictionary: Int32(CANP_PARQUET_RLE_DICTIONARY)
            }
        }
    }

    /// The column's name (UTF-8).
    public var name: String
    /// The physical type.
    public var physicalType: PhysicalType
    /// The logical annotation.
    public var logicalType: LogicalType
    /// Nullability.
    public var repetition: Repetition
    /// The encoding of the data pages.
    public var encoding: Encoding
    /// Whether row groups carry min/max statistics for the column (null counts are always written).
    public var collectsStatistics: Bool

    /// Creates a column description.
    ///
    /// - Parameters:
    ///   - name: the column name.
    ///   - type: the physical type.
    ///   - logicalType: the annotation (default none).
    ///   - repetition: `.required` (default) or `.optional`.
    ///   - encoding: the data page encoding (default `.plain`).
    ///   - statistics: whether min/max statistics are collected (default true).
    public init(_ name: String, _ type: PhysicalType, logicalType: LogicalType = .none, repetition: Repetition = .required,
                encoding: Encoding = .plain, statistics: Bool = true) {
        self.name = name
        self.physicalType = type
        self.logicalType = logicalType
        self.repetition = repetition
        self.encoding = encoding
        self.collectsStatistics = statistics
    }

    /// The column's dictionary, if it is dictionary-encoded.
    public var dictionary: ParquetDictionary? {
        if case .dictionary(let dictionary) = encoding { return dictionary }
        return nil
    }

    /// Whether rows may be null.
    public var isOptional: Bool { repetition == .optional }

    /// Why the column is not valid, or nil.
    func validationError() -> String? {
        if name.isEmpty { return "a column has an empty name" }
        switch (logicalType, physicalType) {
        case (.string, let type) where type != .byteArray: return "column \(name): STRING needs BYTE_ARRAY"
        case (.timestampMicrosecondsUTC, let type) where type != .int64: return "column \(name): TIMESTAMP needs INT64"
        default: break
        }
        switch (encoding, physicalType) {
        case (.deltaBinaryPacked, let type) where type != .int32 && type != .int64:
            return "column \(name): DELTA_BINARY_PACKED needs INT32 or INT64"
        case (.deltaLengthByteArray, let type) where type != .byteArray:
            return "column \(name): DELTA_LENGTH_BYTE_ARRAY needs BYTE_ARRAY"
        case (.byteStreamSplit, let type) where type != .int32 && type != .int64 && type != .double:
            return "column \(name): BYTE_STREAM_SPLIT needs INT32, INT64 or DOUBLE"
        case (.dictionary(let dictionary), let type) where dictionary.physicalType != type:
            return "column \(name): its dictionary holds \(dictionary.physicalType) values, not \(type)"
        default: return nil
        }
    }
}
