/// One entry of a `VAL_` or `VAL_TABLE_` list: a raw value and its text.
public struct DBCValueDescription: Sendable, Hashable {
    /// The raw (unscaled) integer value. `Int128`, because a DBC may describe
    /// any raw value of a 64-bit signal, signed or unsigned (cantools keeps
    /// Python integers): `VAL_ ... 18446744073709551615 "invalid"` labels the
    /// unsigned raw value 2^64-1, and `-1` the signed one.
    public var value: Int128
    /// The text for it.
    public var text: String

    /// Creates a value description.
    ///
    /// - Parameters:
    ///   - value: The raw (unscaled) integer value.
    ///   - text: The text for it.
    public init(value: Int128, text: String) {
        self.value = value
        self.text = text
    }
}
