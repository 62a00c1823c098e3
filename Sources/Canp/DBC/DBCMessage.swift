/// One `BO_` statement with its signals: a CAN or CAN FD message.
public struct DBCMessage: Sendable, Hashable {
    /// The 11-bit or 29-bit identifier, without flag bits.
    public var id: UInt32
    /// Whether the identifier is a 29-bit (extended) one: bit 31 of the `BO_`
    /// number, or an id above 0x7FF (with a warning).
    public var isExtended: Bool
    /// The message name (its `SystemMessageLongSymbol` attribute when it has one).
    public var name: String
    /// The payload length in bytes (the `BO_` DLC field; up to 64 for CAN FD).
    public var length: Int
    /// The transmitting node (`Vector__XXX` when none).
    public var transmitter: String
    /// The signals in the order of their `SG_` lines.
    public var signals: [DBCSignal]
    /// The `CM_ BO_` comment.
    public var comment: String?
    /// Whether the message is CAN FD (its `VFrameFormat` attribute names a
    /// `..._FD` format, as cantools determines it).
    public var isFD: Bool
    /// The `GenMsgCycleTime` attribute (or its default) in milliseconds, when non-zero.
    public var cycleTime: Int?
    /// Attributes (`BA_ "..." BO_`) assigned to this message.
    public var attributes: [String: DBCAttributeValue]
    /// The `BO_` number as written (bit 31 set for extended ids).
    public var rawIdentifier: UInt64
    /// The line of the `BO_` statement.
    public var line: Int

    /// Creates a message.
    ///
    /// - Parameters:
    ///   - id: The identifier without flag bits.
    ///   - isExtended: Whether `id` is a 29-bit identifier.
    ///   - name: The message name.
    ///   - length: The payload length in bytes.
    ///   - signals: The signals, in the order they are reported.
    public init(id: UInt32, isExtended: Bool, name: String, length: Int, signals: [DBCSignal]) {
        self.id = id
        self.isExtended = isExtended
        self.name = name
        self.length = length
        self.transmitter = "Vector__XXX"
        self.signals = signals
        self.comment = nil
        self.isFD = false
        self.cycleTime = nil
        self.attributes = [:]
        self.rawIdentifier = UInt64(id) | (isExtended ? 0x8000_0000 : 0)
        self.line = 0
    }

    /// Whether any signal of the message is multiplexed.
    public var isMultiplexed: Bool { signals.contains { $0.multiplexerSignalName != nil } }

    /// The first signal with the given name.
    ///
    /// - Parameter name: The signal name.
    /// - Returns: The signal, or `nil`.
    /// - Complexity: O(*n*) in the number of signals.
    public func signal(named name: String) -> DBCSignal? {
        signals.first { $0.name == name }
    }
}
