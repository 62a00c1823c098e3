/// The value of a DBC attribute (`BA_`, `BA_DEF_DEF_`).
///
/// `INT`, `HEX` and `ENUM` attributes hold integers (an `ENUM` value is the
/// index into its definition's choices), `FLOAT` attributes doubles, `STRING`
/// attributes strings. A value whose definition is missing keeps the form it
/// was written in.
public enum DBCAttributeValue: Sendable, Hashable, CustomStringConvertible {
    /// An `INT`, `HEX` or `ENUM` value.
    case integer(Int64)
    /// A `FLOAT` value.
    case float(Double)
    /// A `STRING` value (or an `ENUM` default written as its name).
    case string(String)

    /// The value as an integer, when it is one or a float without fraction.
    public var integerValue: Int64? {
        switch self {
        case .integer(let v): return v
        case .float(let v): return v.rounded(.towardZero) == v && abs(v) < 9.2e18 ? Int64(v) : nil
        case .string(let s): return Int64(s)
        }
    }

    /// The value as written in a DBC file, without quotes.
    public var description: String {
        switch self {
        case .integer(let v): return String(v)
        case .float(let v): return String(v)
        case .string(let s): return s
        }
    }
}
