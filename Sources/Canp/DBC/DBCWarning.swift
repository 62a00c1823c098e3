/// A problem in a DBC file that the parser worked around.
///
/// The parser is lenient where the intent of the file is clear (where cantools
/// refuses the whole file); every such case leaves a warning in
/// ``DBCDatabase/warnings`` so that nothing is silently reinterpreted.
public struct DBCWarning: Sendable, Hashable, CustomStringConvertible {
    /// What kind of leniency was applied.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Bytes that are not valid UTF-8; the whole file was read as Windows-1252.
        case legacyEncoding
        /// The file uses CRLF line ends.
        case crlfLineEnds
        /// A `BO_` id above 0x7FF without bit 31; the message was taken as extended.
        case extendedIdWithoutFlag
        /// A `BO_` id that fits in neither 11 nor 29 bits; the message was skipped.
        case identifierOutOfRange
        /// Two messages with the same identifier; the later one is used for decoding.
        case duplicateMessageIdentifier
        /// A number written without a digit before the point (`.25`, `-.5`).
        case numberWithoutLeadingDigit
        /// A message or signal name that starts with a digit.
        case nameStartsWithDigit
        /// `CM_ SG_ <id> "..."` without a signal name, or `CM_ <id> "..."` without `BO_`;
        /// kept as the message's comment.
        case commentWithoutTarget
        /// A statement whose `;` is missing before the next keyword.
        case missingSemicolon
        /// A `VAL_`, `SIG_VALTYPE_`, `SG_MUL_VAL_`, `CM_` or `BA_` for a message or
        /// signal that does not exist; ignored.
        case unknownTarget
        /// A `BA_` for an attribute that has no `BA_DEF_`; kept untyped.
        case undefinedAttribute
        /// A keyword the parser knows but does not keep (`SIG_GROUP_`, `CAT_`, ...); skipped.
        case unsupportedStatement
        /// A signal that cannot be decoded (length 0 or above 64, float length
        /// other than 16/32/64, bad multiplexing); kept but never decoded.
        case undecodableSignal
        /// A multiplexer marker that is neither `M`, `m<n>` nor `m<n>M`.
        case invalidMultiplexerMarker
        /// A message longer than 64 bytes; bytes after the 64th are never decoded.
        case messageTooLong
        /// A signal that does not lie within its message's bytes (nor within the
        /// 64 bytes a frame carries); kept but never decoded (cantools decodes
        /// a message's signals from its first `length` bytes only).
        case signalOutsideMessage
        /// A file without a message: no frame is decoded with it.
        case noMessages
    }

    /// The line the warning refers to, counted from 1.
    public var line: Int
    /// What kind of leniency was applied.
    public var kind: Kind
    /// A sentence describing the problem and what the parser did.
    public var message: String

    /// Creates a warning.
    ///
    /// - Parameters:
    ///   - line: The line the warning refers to, counted from 1.
    ///   - kind: What kind of leniency was applied.
    ///   - message: A sentence describing the problem and what the parser did.
    public init(line: Int, kind: Kind, message: String) {
        self.line = line
        self.kind = kind
        self.message = message
    }

    /// `line N: message`.
    public var description: String { "line \(line): \(message)" }
}
