/// A `BA_DEF_` (or `BA_DEF_REL_`) statement: the name, object kind, type and
/// default (`BA_DEF_DEF_`) of an attribute.
public struct DBCAttributeDefinition: Sendable, Hashable {
    /// The objects an attribute applies to.
    public enum ObjectKind: String, Sendable, Hashable {
        /// The database as a whole (no object keyword).
        case network
        /// `BU_`.
        case node
        /// `BO_`.
        case message
        /// `SG_`.
        case signal
        /// `EV_`.
        case environmentVariable
        /// `BU_SG_REL_`, `BU_BO_REL_` or `BU_EV_REL_` (from `BA_DEF_REL_`).
        case relation
    }

    /// The value type and its range or choices.
    public enum ValueType: Sendable, Hashable {
        /// `INT min max`.
        case integer(minimum: Int64, maximum: Int64)
        /// `HEX min max`.
        case hex(minimum: Int64, maximum: Int64)
        /// `FLOAT min max`.
        case float(minimum: Double, maximum: Double)
        /// `STRING`.
        case string
        /// `ENUM "a","b",...`.
        case enumeration([String])
    }

    /// The attribute name.
    public var name: String
    /// The objects it applies to.
    public var objectKind: ObjectKind
    /// The value type.
    public var valueType: ValueType
    /// The `BA_DEF_DEF_` default, converted to the value type.
    public var defaultValue: DBCAttributeValue?
    /// The line of the `BA_DEF_` statement.
    public var line: Int

    /// Creates a definition.
    ///
    /// - Parameters:
    ///   - name: The attribute name.
    ///   - objectKind: The objects it applies to.
    ///   - valueType: The value type.
    ///   - defaultValue: The default.
    ///   - line: The line of the statement.
    public init(name: String, objectKind: ObjectKind, valueType: ValueType,
                defaultValue: DBCAttributeValue? = nil, line: Int = 0) {
        self.name = name
        self.objectKind = objectKind
        self.valueType = valueType
        self.defaultValue = defaultValue
        self.line = line
    }
}
