import CCanpCore

/// The statistics of a page or a column chunk: null count, and the smallest
/// and largest value in the column's order (signed for integers and
/// timestamps, numeric for doubles with NaN left out, unsigned bytes for
/// strings, false before true).
public struct ParquetStatistics: Sendable, Equatable {
    /// A minimum or maximum.
    public enum Bound: Sendable, Hashable, Comparable {
        /// A boolean (false < true).
        case boolean(Bool)
        /// An INT32 or INT64 value.
        case integer(Int64)
        /// A DOUBLE value (never NaN).
        case double(Double)
        /// A BYTE_ARRAY value.
        case bytes([UInt8])

        public static func < (lhs: Bound, rhs: Bound) -> Bool {
            switch (lhs, rhs) {
            case let (.boolean(a), .boolean(b)): !a && b
            case let (.integer(a), .integer(b)): a < b
            case let (.double(a), .double(b)): a < b
            case let (.bytes(a), .bytes(b)): a.lexicographicallyPrecedes(b)
            default: preconditionFailure("ParquetStatistics.Bound: bounds of different types compared")
            }
        }

        /// The PLAIN bytes of the value for the footer (no length prefix for bytes).
        func plainBytes(as type: ParquetColumn.PhysicalType) -> [UInt8] {
            switch self {
            case .boolean(let value): return [value ? 1 : 0]
            case .integer(let value):
                return type == .int32 ? withUnsafeBytes(of: Int32(truncatingIfNeeded: value).littleEndian, Array.init)
                    : withUnsafeBytes(of: value.littleEndian, Array.init)
            case .double(let value): return withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init)
            case .bytes(let value): return value
            }
        }
    }

    /// Rows without a value.
    public var nullCount: Int
    /// The smallest value, if known.
    public var minimum: Bound?
    /// The largest value, if known.
    public var maximum: Bound?
    /// NaN values (DOUBLE columns; nil when unknown or not a double column).
    public var nanCount: Int?

    /// Creates statistics.
    public init(nullCount: Int = 0, minimum: Bound? = nil, maximum: Bound? = nil, nanCount: Int? = nil) {
        self.nullCount = nullCount
        self.minimum = minimum
        self.maximum = maximum
        self.nanCount = nanCount
    }

    /// Adds the statistics of the next page or chunk of the same column.
    ///
    /// - Parameter other: statistics of other rows of the same column.
    public mutating func merge(_ other: ParquetStatistics) {
        nullCount += other.nullCount
        if let low = other.minimum { minimum = minimum.map { Swift.min($0, low) } ?? low }
        if let high = other.maximum { maximum = maximum.map { Swift.max($0, high) } ?? high }
        nanCount = nanCount.flatMap { mine in other.nanCount.map { mine + $0 } }
    }

    /// The format's zero rules: a zero minimum is written as -0.0, a zero maximum as +0.0.
    var normalizedForFooter: ParquetStatistics {
        var copy = self
        if case .double(let low) = minimum, low == 0 { copy.minimum = .double(-0.0) }
        if case .double(let high) = maximum, high == 0 { copy.maximum = .double(0.0) }
        return copy
    }
}
