/// One `SG_` line of a DBC file: where a signal lies in its message and how its
/// raw bits become a physical value.
public struct DBCSignal: Sendable, Hashable {
    /// The bit numbering of a signal.
    public enum ByteOrder: Sendable, Hashable {
        /// Intel, `@1`: `startBit` is the least significant bit, counted from bit 0 of byte 0.
        case littleEndian
        /// Motorola, `@0`: `startBit` is the most significant bit, in the DBC's
        /// sawtooth numbering (bit 7 of byte 0 is bit 7, bit 0 of byte 1 is bit 8).
        case bigEndian
    }

    /// How the raw bits are interpreted (`SIG_VALTYPE_`).
    public enum ValueType: Sendable, Hashable {
        /// A two's complement or unsigned integer (no `SIG_VALTYPE_`, or type 0).
        case integer
        /// An IEEE 754 float whose width is the signal length (16, 32 or 64 bits);
        /// `SIG_VALTYPE_` 1 or 2.
        case float
    }

    /// The multiplexer marker written on the `SG_` line.
    public enum MultiplexerMarker: Sendable, Hashable {
        /// No marker.
        case none
        /// `M`: this signal selects which multiplexed signals are present.
        case multiplexer
        /// `m<n>`: present when the multiplexer's raw value is `n` (which may
        /// exceed `Int64.max`: a 64-bit unsigned multiplexer).
        case multiplexed(Int128)
        /// `m<n>M`: present when its multiplexer is `n`, and itself a multiplexer.
        case multiplexedMultiplexer(Int128)
        /// Another word between the name and `:` (`m` without a number, for
        /// example). As in cantools, it makes the signal a multiplexer when it
        /// ends with `M`; it has no multiplexer value (a warning says so when
        /// the message's multiplexing needs one).
        case unrecognized(String)
    }

    /// The signal name (its `SystemSignalLongSymbol` attribute when it has one,
    /// as cantools does).
    public var name: String
    /// The name as written on the `SG_` line.
    public var shortName: String
    /// The start bit as written (see ``ByteOrder``).
    public var startBit: Int
    /// The length in bits.
    public var length: Int
    /// Intel or Motorola.
    public var byteOrder: ByteOrder
    /// `-` on the `SG_` line: the raw value is two's complement.
    public var isSigned: Bool
    /// Integer or IEEE float.
    public var valueType: ValueType
    /// `physical = raw * scale + offset`.
    public var scale: Double
    /// `physical = raw * scale + offset`.
    public var offset: Double
    /// The minimum as written (`[min|max]`), or `nil` when both are 0.
    public var minimum: Double?
    /// The maximum as written (`[min|max]`), or `nil` when both are 0.
    public var maximum: Double?
    /// The unit string.
    public var unit: String
    /// The receiving nodes (`Vector__XXX` alone means none).
    public var receivers: [String]
    /// The `CM_ SG_` comment.
    public var comment: String?
    /// The `VAL_` table of this signal, in file order.
    public var valueDescriptions: [DBCValueDescription]
    /// The marker as written on the `SG_` line.
    public var marker: MultiplexerMarker
    /// Whether this signal selects other signals (cantools' `is_multiplexer`).
    public var isMultiplexer: Bool
    /// The multiplexer this signal depends on, resolved as cantools does (from
    /// the message's only `M` signal or from `SG_MUL_VAL_`); `nil` when the
    /// signal is always present.
    public var multiplexerSignalName: String?
    /// The multiplexer raw values for which this signal is present; `nil` when
    /// it has none (a signal with a multiplexer but no values is never present).
    /// `Int128`, so that both a signed multiplexer's negative values and an
    /// unsigned 64-bit multiplexer's values above `Int64.max` can be written.
    public var multiplexerValues: [ClosedRange<Int128>]?
    /// Attributes (`BA_ "..." SG_`) assigned to this signal.
    public var attributes: [String: DBCAttributeValue]
    /// The line of the `SG_` statement.
    public var line: Int

    /// Creates a signal with the given layout; the other properties take
    /// neutral defaults (scale 1, offset 0, no unit, no multiplexing).
    ///
    /// - Parameters:
    ///   - name: The signal name.
    ///   - startBit: The start bit in the DBC numbering of `byteOrder`.
    ///   - length: The length in bits (1 to 64 to be decodable).
    ///   - byteOrder: Intel or Motorola.
    ///   - isSigned: Whether the raw value is two's complement.
    ///   - valueType: Integer or float.
    ///   - scale: The factor of the linear conversion.
    ///   - offset: The offset of the linear conversion.
    public init(name: String, startBit: Int, length: Int, byteOrder: ByteOrder, isSigned: Bool = false,
                valueType: ValueType = .integer, scale: Double = 1, offset: Double = 0) {
        self.name = name
        self.shortName = name
        self.startBit = startBit
        self.length = length
        self.byteOrder = byteOrder
        self.isSigned = isSigned
        self.valueType = valueType
        self.scale = scale
        self.offset = offset
        self.minimum = nil
        self.maximum = nil
        self.unit = ""
        self.receivers = []
        self.comment = nil
        self.valueDescriptions = []
        self.marker = .none
        self.isMultiplexer = false
        self.multiplexerSignalName = nil
        self.multiplexerValues = nil
        self.attributes = [:]
        self.line = 0
    }

    /// The number of payload bytes the signal needs: it can be decoded from a
    /// frame only when the frame and the message both have at least this many.
    public var requiredByteCount: Int {
        // Clamped, so that absurd start bits or lengths from a damaged DBC
        // give an impossible size instead of an arithmetic overflow.
        let start = min(max(startBit, -(1 << 40)), 1 << 40)
        let bits = min(max(length, 0), 1 << 20)
        let endBit: Int
        switch byteOrder {
        case .littleEndian: endBit = start + bits
        case .bigEndian: endBit = (start / 8) * 8 + (7 - start % 8) + bits
        }
        return (endBit + 7) / 8
    }

    /// The label of a raw value in ``valueDescriptions``, if any.
    ///
    /// - Parameter raw: The integer raw value.
    /// - Returns: The `VAL_` text, the last one when a value is listed twice.
    /// - Complexity: O(*n*) in the number of value descriptions.
    public func label(forRawValue raw: Int128) -> String? {
        valueDescriptions.last(where: { $0.value == raw })?.text
    }
}
