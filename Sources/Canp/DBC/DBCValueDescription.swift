/// One entry of a `VAL_` or `VAL_TABLE_` list: a raw value and its text.
public struct DBCValueDescription: Sendable, Hashable {
    /// The raw (unscaled) integer value.
    public var value: Int64
    /// The text for it.
    public var text: String

    /// Creates a value description.
    ///
    /// - Parameters:
    ///   - value: The raw (unscaled) integer value.
    ///   - text: The text for it.
    public init(value: Int64, text: String) {
        self.value = value
        self.text = text
    }
}
