/// How a signal's raw bits are to be read: the kind column of a ``DBCSignalBatch``.
public enum DBCRawKind: UInt8, Sendable, Hashable {
    /// An unsigned integer: the raw bits are the value.
    case unsigned = 0
    /// A two's complement integer: the raw bits are `UInt64(bitPattern: value)`.
    case signed = 1
    /// An IEEE float (16, 32 or 64 bits): the raw bits are `value.bitPattern` of the
    /// float widened to `Double`.
    case float = 2
}

/// A signal's raw value: the integer before scale and offset, exact for
/// 64-bit signals, or for float signals the float value itself.
public enum DBCRawValue: Sendable, Hashable, CustomStringConvertible {
    /// An unsigned integer signal.
    case unsigned(UInt64)
    /// A signed integer signal.
    case signed(Int64)
    /// A float signal (widened to `Double`).
    case float(Double)

    /// Builds the value from a batch's raw bits and kind.
    ///
    /// - Parameters:
    ///   - bits: The raw bits column.
    ///   - kind: The kind column.
    public init(bits: UInt64, kind: DBCRawKind) {
        switch kind {
        case .unsigned: self = .unsigned(bits)
        case .signed: self = .signed(Int64(bitPattern: bits))
        case .float: self = .float(Double(bitPattern: bits))
        }
    }

    /// The value as a `Double` (rounded for integers beyond 2^53).
    public var doubleValue: Double {
        switch self {
        case .unsigned(let v): return Double(v)
        case .signed(let v): return Double(v)
        case .float(let v): return v
        }
    }

    /// The integer key a value table uses for this raw value, if any (see
    /// ``DBCValueDescription/value``): the integer itself, or a float that
    /// has no fraction (as a Python dict lookup with a float key finds an
    /// int key; -0.0 finds 0).
    public var tableKey: Int128? {
        switch self {
        case .unsigned(let v): return Int128(v)
        case .signed(let v): return Int128(v)
        case .float(let v): return v.isFinite && v.rounded(.towardZero) == v ? Int128(exactly: v) : nil
        }
    }

    /// Decimal digits for integers; the shortest text that reads back to the
    /// same `Double` for floats (`nan`, `inf` and `-inf` included).
    public var description: String {
        switch self {
        case .unsigned(let v): return String(v)
        case .signed(let v): return String(v)
        case .float(let v): return v.description
        }
    }
}
