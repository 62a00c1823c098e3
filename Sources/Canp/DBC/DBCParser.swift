/// Reads the text of a DBC file into a ``DBCDatabase``.
///
/// The grammar is the one cantools accepts, read by a recursive-descent parser
/// over bytes. Where cantools refuses a file whose intent is clear the parser
/// goes on and records a ``DBCWarning`` (see ``DBCWarning/Kind``); a real
/// syntax error throws ``DBCError/syntax(file:line:column:expected:found:)``.
///
/// Meaning (which `VAL_` belongs to which signal, multiplexing, long names,
/// CAN FD) is resolved after parsing by the same rules as cantools
/// (`DBCResolver`).
public enum DBCParser {
    /// Parses the bytes of a DBC file.
    ///
    /// - Parameters:
    ///   - bytes: The file contents: UTF-8, or Windows-1252 when not valid UTF-8
    ///     (with a warning). CRLF line ends are accepted.
    ///   - fileName: A name used in error messages.
    /// - Returns: The database, with its warnings.
    /// - Throws: ``DBCError/syntax(file:line:column:expected:found:)``.
    /// - Complexity: O(*n*) in the file size.
    public static func parse(bytes: [UInt8], fileName: String? = nil) throws(DBCError) -> DBCDatabase {
        var warnings: [DBCWarning] = []
        let encoding: DBCTextEncoding
        if let bad = DBCTextEncoding.firstInvalidUTF8Offset(bytes) {
            encoding = .windows1252
            let line = bytes[..<bad].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            warnings.append(DBCWarning(line: line, kind: .legacyEncoding,
                                       message: "bytes that are not valid UTF-8; the file is read as Windows-1252"))
        } else {
            encoding = .utf8
        }
        if let cr = bytes.firstIndex(of: 0x0D), cr + 1 < bytes.count, bytes[cr + 1] == 0x0A {
            let line = bytes[..<cr].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            warnings.append(DBCWarning(line: line, kind: .crlfLineEnds, message: "CRLF line ends"))
        }
        var grammar = DBCGrammar(scanner: DBCScanner(bytes: bytes, encoding: encoding, fileName: fileName))
        grammar.file.warnings = warnings
        try grammar.parseFile()
        var resolver = DBCResolver(file: grammar.file)
        var database = resolver.resolve()
        database.isWindows1252 = encoding == .windows1252
        return database
    }
}

/// Everything a DBC file says, as written, before cantools' rules give it meaning.
struct DBCParsedFile {
    struct Message {
        var rawIdentifier: UInt64
        var name: String
        var length: Int
        var transmitter: String
        var signals: [DBCSignal] = []
        var line: Int
    }

    /// An attribute value as written, converted once its definition is known.
    struct AttributeToken {
        var number: DBCScanner.Number?
        var string: String?
        var line: Int
    }

    struct MultiplexerValues {
        var messageIdentifier: UInt64
        var signal: String
        var multiplexer: String
        var ranges: [ClosedRange<Int128>]
        var line: Int
    }

    var version = ""
    var nodes: [String] = []
    var messages: [Message] = []
    var networkComment: String?
    var nodeComments: [String: String] = [:]
    var messageComments: [UInt64: String] = [:]
    var signalComments: [UInt64: [String: (text: String, line: Int)]] = [:]
    var attributeDefinitions: [DBCAttributeDefinition] = []
    var attributeDefaults: [String: AttributeToken] = [:]
    var networkAttributes: [(name: String, value: AttributeToken)] = []
    var nodeAttributes: [(node: String, name: String, value: AttributeToken)] = []
    var messageAttributes: [(id: UInt64, name: String, value: AttributeToken)] = []
    var signalAttributes: [(id: UInt64, signal: String, name: String, value: AttributeToken)] = []
    var valueTables: [(name: String, entries: [DBCValueDescription])] = []
    /// `VAL_` lists in file order.
    var valueDescriptions: [(id: UInt64, signal: String, entries: [DBCValueDescription], line: Int)] = []
    /// `SIG_VALTYPE_` in file order.
    var signalTypes: [(id: UInt64, signal: String, type: Int64, line: Int)] = []
    var multiplexerValues: [MultiplexerValues] = []
    var warnings: [DBCWarning] = []
}

/// The statements of the DBC grammar.
struct DBCGrammar {
    var scanner: DBCScanner
    var file = DBCParsedFile()

    /// Statement keywords; a keyword on a new line ends a statement whose `;` is missing.
    static let keywords: Set<Substring> = [
        "VERSION", "NS_", "BS_", "BU_", "BO_", "SG_", "CM_", "BA_DEF_", "BA_DEF_DEF_", "BA_", "BA_REL_",
        "BA_DEF_REL_", "BA_DEF_DEF_REL_", "VAL_TABLE_", "VAL_", "SIG_VALTYPE_", "SG_MUL_VAL_", "BO_TX_BU_",
        "SIG_GROUP_", "EV_", "ENVVAR_DATA_", "EV_DATA_", "CAT_DEF_", "CAT_", "FILTER", "SGTYPE_", "SGTYPE_VAL_",
        "BA_DEF_SGTYPE_", "BA_SGTYPE_", "SIG_TYPE_REF_", "SIGTYPE_VALTYPE_", "NS_DESC_", "BU_SG_REL_",
        "BU_EV_REL_", "BU_BO_REL_",
    ]
    /// Keywords cantools accepts but whose content CANP does not keep: skipped silently.
    static let ignoredKeywords: Set<Substring> = [
        "BA_REL_", "BA_DEF_REL_", "BA_DEF_DEF_REL_", "BO_TX_BU_", "SIG_GROUP_", "EV_", "ENVVAR_DATA_",
    ]

    mutating func warn(_ kind: DBCWarning.Kind, _ message: String, line: Int? = nil) {
        file.warnings.append(DBCWarning(line: line ?? scanner.line, kind: kind, message: message))
    }

    mutating func parseFile() throws(DBCError) {
        while true {
            scanner.skipSpace()
            if scanner.isAtEnd { return }
            guard let keyword = scanner.peekIdentifier(), Self.keywords.contains(keyword), keyword != "SG_" else {
                throw scanner.error(expected: "a statement keyword (BO_, CM_, BA_, VAL_, ...)")
            }
            let line = scanner.line
            _ = try scanner.identifier("a keyword")
            switch keyword {
            case "VERSION": file.version = try scanner.string("the version string")
            case "NS_": try parseNewSymbols()
            case "BS_": try parseBitTiming()
            case "BU_": try parseNodes()
            case "BO_": try parseMessage(line: line)
            case "CM_": try parseComment(line: line)
            case "BA_DEF_": try parseAttributeDefinition(line: line)
            case "BA_DEF_DEF_": try parseAttributeDefault(line: line)
            case "BA_": try parseAttribute(line: line)
            case "VAL_TABLE_": try parseValueTable(line: line)
            case "VAL_": try parseValueDescriptions(line: line)
            case "SIG_VALTYPE_": try parseSignalType(line: line)
            case "SG_MUL_VAL_": try parseMultiplexerValues(line: line)
            default:
                if !Self.ignoredKeywords.contains(keyword) {
                    warn(.unsupportedStatement, "\(keyword) statement is not supported; skipped", line: line)
                }
                try scanner.skipStatement()
            }
        }
    }

    /// Consumes the `;` that ends a statement; a keyword on a later line instead
    /// of it is accepted with a warning.
    mutating func endStatement(_ statement: String, line: Int) throws(DBCError) {
        if scanner.consume(0x3B) { return }
        if scanner.isAtEnd {
            warn(.missingSemicolon, "\(statement) statement without its ';' at the end of the file", line: line)
            return
        }
        if scanner.line > line, let next = scanner.peekIdentifier(), Self.keywords.contains(next) {
            warn(.missingSemicolon, "\(statement) statement without its ';'", line: line)
            return
        }
        throw scanner.error(expected: "';'")
    }

    mutating func number(_ what: String) throws(DBCError) -> DBCScanner.Number {
        let line = scanner.line
        let n = try scanner.number(what)
        if n.lacksLeadingDigit {
            warn(.numberWithoutLeadingDigit, "number '\(n.text)' has no digit before its point", line: line)
        }
        return n
    }

    /// A message or signal name; a leading digit is accepted with a warning.
    mutating func definedName(_ what: String) throws(DBCError) -> String {
        let line = scanner.line
        let (name, startsWithDigit) = try scanner.identifier(what)
        if startsWithDigit { warn(.nameStartsWithDigit, "name '\(name)' starts with a digit", line: line) }
        return name
    }

    mutating func messageIdentifier() throws(DBCError) -> UInt64 {
        let value = try scanner.integer("a message id")
        guard value >= 0 else { throw scanner.error(expected: "a non-negative message id") }
        return UInt64(value)
    }

    // MARK: Statements

    mutating func parseNewSymbols() throws(DBCError) {
        try scanner.expect(0x3A, "':' after NS_")
        // The list ends at the first name followed by ':' (normally `BS_:`).
        while let word = scanner.peekIdentifier() {
            var probe = scanner
            _ = try probe.identifier("a name")
            if probe.peek(0x3A) { return }
            _ = try scanner.identifier(String(word))
        }
    }

    mutating func parseBitTiming() throws(DBCError) {
        try scanner.expect(0x3A, "':' after BS_")
        if scanner.peekNumber() {
            _ = try scanner.integer("the baud rate")
            try scanner.expect(0x3A, "':'")
            _ = try scanner.integer("BTR1")
            try scanner.expect(0x2C, "','")
            _ = try scanner.integer("BTR2")
        }
    }

    mutating func parseNodes() throws(DBCError) {
        try scanner.expect(0x3A, "':' after BU_")
        while let word = scanner.peekIdentifier(), !Self.keywords.contains(word) {
            file.nodes.append(try scanner.identifier("a node name").name)
        }
    }

    mutating func parseMessage(line: Int) throws(DBCError) {
        let id = try messageIdentifier()
        let name = try definedName("a message name")
        try scanner.expect(0x3A, "':' after the message name")
        let length = try scanner.integer("the message length")
        guard length >= 0 else { throw scanner.error(expected: "a non-negative message length") }
        var transmitter = "Vector__XXX"
        if scanner.skipBlanksOnLine(), let word = scanner.peekIdentifier(), !Self.keywords.contains(word) {
            transmitter = try scanner.identifier("the transmitter").name
        }
        var message = DBCParsedFile.Message(rawIdentifier: id, name: name, length: Int(length),
                                            transmitter: transmitter, line: line)
        while scanner.peekIdentifier() == "SG_" {
            let signalLine = scanner.line
            _ = try scanner.identifier("SG_")
            message.signals.append(try parseSignal(line: signalLine))
        }
        file.messages.append(message)
    }

    mutating func parseSignal(line: Int) throws(DBCError) -> DBCSignal {
        let name = try definedName("a signal name")
        var marker = DBCSignal.MultiplexerMarker.none
        if !scanner.peek(0x3A) {
            let (text, _) = try scanner.identifier("':' or a multiplexer marker (M, m<n>, m<n>M)")
            marker = Self.marker(text) ?? .unrecognized(text)
        }
        try scanner.expect(0x3A, "':' after the signal name")
        let start = try scanner.integer("the start bit")
        try scanner.expect(0x7C, "'|'")
        let length = try scanner.integer("the signal length")
        try scanner.expect(0x40, "'@'")
        scanner.skipSpace()
        let order = scanner.current
        guard order == 0x30 || order == 0x31 else { throw scanner.error(expected: "byte order 0 or 1") }
        _ = try scanner.integer("byte order 0 or 1")
        scanner.skipSpace()
        let sign = scanner.current
        guard sign == 0x2B || sign == 0x2D else { throw scanner.error(expected: "'+' or '-'") }
        _ = scanner.consume(sign)
        try scanner.expect(0x28, "'('")
        let scale = try number("the scale")
        try scanner.expect(0x2C, "','")
        let offset = try number("the offset")
        try scanner.expect(0x29, "')'")
        try scanner.expect(0x5B, "'['")
        let minimum = try number("the minimum")
        try scanner.expect(0x7C, "'|'")
        let maximum = try number("the maximum")
        try scanner.expect(0x5D, "']'")
        let unit = try scanner.string("the unit string")
        var receivers: [String] = []
        // Receivers: a comma-separated list; names separated by blanks on the same line are accepted too.
        while scanner.skipBlanksOnLine(), let word = scanner.peekIdentifier(), !Self.keywords.contains(word) {
            receivers.append(try scanner.identifier("a receiver").name)
            if !scanner.skipBlanksOnLine() { break }
            _ = scanner.current == 0x2C ? scanner.consume(0x2C) : false
        }
        if receivers == ["Vector__XXX"] { receivers = [] }

        var signal = DBCSignal(name: name, startBit: Int(start), length: Int(length),
                               byteOrder: order == 0x30 ? .bigEndian : .littleEndian, isSigned: sign == 0x2D,
                               valueType: .integer, scale: scale.value, offset: offset.value)
        if !(minimum.text == "0" && maximum.text == "0") {
            signal.minimum = minimum.value
            signal.maximum = maximum.value
        }
        signal.unit = unit
        signal.receivers = receivers
        signal.marker = marker
        signal.line = line
        return signal
    }

    static func marker(_ text: String) -> DBCSignal.MultiplexerMarker? {
        if text == "M" { return .multiplexer }
        guard text.first == "m" else { return nil }
        var digits = text.dropFirst()
        let isMultiplexer = digits.last == "M"
        if isMultiplexer { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Int128(digits) else { return nil }
        return isMultiplexer ? .multiplexedMultiplexer(value) : .multiplexed(value)
    }

    mutating func parseComment(line: Int) throws(DBCError) {
        if scanner.peek(0x22) {
            let text = try scanner.string("the comment")
            file.networkComment = (file.networkComment ?? "") + text
        } else if scanner.peekNumber() {
            let id = try messageIdentifier()
            let text = try scanner.string("the comment")
            warn(.commentWithoutTarget, "CM_ \(id) without BO_; taken as the comment of message \(id)", line: line)
            file.messageComments[id] = text
        } else {
            let (kind, _) = try scanner.identifier("SG_, BO_, BU_, EV_ or a string")
            switch kind {
            case "SG_":
                let id = try messageIdentifier()
                if scanner.peek(0x22) {
                    let text = try scanner.string("the comment")
                    warn(.commentWithoutTarget,
                         "CM_ SG_ \(id) without a signal name; taken as the comment of message \(id)", line: line)
                    file.messageComments[id] = text
                } else {
                    let (signal, _) = try scanner.identifier("a signal name")
                    file.signalComments[id, default: [:]][signal] = (try scanner.string("the comment"), line)
                }
            case "BO_":
                let id = try messageIdentifier()
                file.messageComments[id] = try scanner.string("the comment")
            case "BU_":
                let (node, _) = try scanner.identifier("a node name")
                file.nodeComments[node] = try scanner.string("the comment")
            case "EV_":
                _ = try scanner.identifier("an environment variable name")
                _ = try scanner.string("the comment")
            default:
                throw DBCError.syntax(file: scanner.fileName, line: scanner.line, column: scanner.column - kind.utf8.count,
                                      expected: "SG_, BO_, BU_, EV_ or a string", found: "'\(kind)'")
            }
        }
        try endStatement("CM_", line: line)
    }

    mutating func parseAttributeDefinition(line: Int) throws(DBCError) {
        var kind = DBCAttributeDefinition.ObjectKind.network
        if let word = scanner.peekIdentifier() {
            switch word {
            case "BU_": kind = .node
            case "BO_": kind = .message
            case "SG_": kind = .signal
            case "EV_": kind = .environmentVariable
            default: throw scanner.error(expected: "BU_, BO_, SG_, EV_ or the attribute name")
            }
            _ = try scanner.identifier("the object kind")
        }
        let name = try scanner.string("the attribute name")
        let (typeName, _) = try scanner.identifier("the attribute type (INT, HEX, FLOAT, STRING, ENUM)")
        var numbers: [DBCScanner.Number] = []
        var strings: [String] = []
        while true {
            if scanner.peekNumber() {
                numbers.append(try number("a number"))
            } else if scanner.peek(0x22) {
                strings.append(try scanner.string("an enumeration value"))
                _ = scanner.consume(0x2C)
            } else {
                break
            }
        }
        let low = numbers.first, high = numbers.count > 1 ? numbers[1] : nil
        let type: DBCAttributeDefinition.ValueType
        switch typeName {
        case "INT": type = .integer(minimum: Int64(exactly: low?.value.rounded() ?? 0) ?? 0,
                                    maximum: Int64(exactly: high?.value.rounded() ?? 0) ?? 0)
        case "HEX": type = .hex(minimum: Int64(exactly: low?.value.rounded() ?? 0) ?? 0,
                                maximum: Int64(exactly: high?.value.rounded() ?? 0) ?? 0)
        case "FLOAT": type = .float(minimum: low?.value ?? 0, maximum: high?.value ?? 0)
        case "STRING": type = .string
        case "ENUM": type = .enumeration(strings)
        default:
            throw DBCError.syntax(file: scanner.fileName, line: line, column: 1,
                                  expected: "the attribute type (INT, HEX, FLOAT, STRING, ENUM)", found: "'\(typeName)'")
        }
        file.attributeDefinitions.append(DBCAttributeDefinition(name: name, objectKind: kind, valueType: type, line: line))
        try endStatement("BA_DEF_", line: line)
    }

    mutating func attributeValue(line: Int) throws(DBCError) -> DBCParsedFile.AttributeToken {
        if scanner.peek(0x22) {
            return .init(number: nil, string: try scanner.string("the attribute value"), line: line)
        }
        return .init(number: try number("the attribute value"), string: nil, line: line)
    }

    mutating func parseAttributeDefault(line: Int) throws(DBCError) {
        let name = try scanner.string("the attribute name")
        file.attributeDefaults[name] = try attributeValue(line: line)
        try endStatement("BA_DEF_DEF_", line: line)
    }

    mutating func parseAttribute(line: Int) throws(DBCError) {
        let name = try scanner.string("the attribute name")
        if !scanner.peekNumber(), let word = scanner.peekIdentifier() {
            _ = try scanner.identifier("the object kind")
            switch word {
            case "BU_":
                let (node, _) = try scanner.identifier("a node name")
                file.nodeAttributes.append((node, name, try attributeValue(line: line)))
            case "BO_":
                let id = try messageIdentifier()
                file.messageAttributes.append((id, name, try attributeValue(line: line)))
            case "SG_":
                let id = try messageIdentifier()
                let (signal, _) = try scanner.identifier("a signal name")
                file.signalAttributes.append((id, signal, name, try attributeValue(line: line)))
            case "EV_":
                _ = try scanner.identifier("an environment variable name")
                _ = try attributeValue(line: line)
            default:
                throw DBCError.syntax(file: scanner.fileName, line: scanner.line, column: scanner.column - word.utf8.count,
                                      expected: "BU_, BO_, SG_, EV_ or the attribute value", found: "'\(word)'")
            }
        } else {
            file.networkAttributes.append((name, try attributeValue(line: line)))
        }
        try endStatement("BA_", line: line)
    }

    /// `(number "text")*`; non-integer numbers, and integers beyond `Int128`
    /// (which no raw value of at most 64 bits equals), are dropped with a warning.
    mutating func valueDescriptionList(_ statement: String) throws(DBCError) -> [DBCValueDescription] {
        var entries: [DBCValueDescription] = []
        while scanner.peekNumber() {
            let line = scanner.line
            let n = try number("a value")
            let text = try scanner.string("the value's text")
            if let v = n.wideInteger ?? (n.value.rounded() == n.value ? Int128(exactly: n.value) : nil) {
                entries.append(DBCValueDescription(value: v, text: text))
            } else if n.value.rounded() == n.value {
                warn(.unknownTarget, "\(statement) value '\(n.text)' is beyond -2^127...2^127-1; ignored", line: line)
            } else {
                warn(.unknownTarget, "\(statement) value '\(n.text)' is not an integer; ignored", line: line)
            }
        }
        return entries
    }

    mutating func parseValueTable(line: Int) throws(DBCError) {
        let (name, _) = try scanner.identifier("the value table name")
        let entries = try valueDescriptionList("VAL_TABLE_")
        file.valueTables.append((name, entries))
        try endStatement("VAL_TABLE_", line: line)
    }

    mutating func parseValueDescriptions(line: Int) throws(DBCError) {
        var id: UInt64?
        if scanner.peekNumber() { id = try messageIdentifier() }
        let (signal, _) = try scanner.identifier("a signal name")
        let entries = try valueDescriptionList("VAL_")
        try endStatement("VAL_", line: line)
        // A VAL_ without a message id describes an environment variable; an empty one describes nothing.
        if let id, !entries.isEmpty { file.valueDescriptions.append((id, signal, entries, line)) }
    }

    mutating func parseSignalType(line: Int) throws(DBCError) {
        let id = try messageIdentifier()
        let (signal, _) = try scanner.identifier("a signal name")
        _ = scanner.consume(0x3A)
        let type = try scanner.integer("the signal type (0, 1 or 2)")
        try endStatement("SIG_VALTYPE_", line: line)
        file.signalTypes.append((id, signal, type, line))
    }

    mutating func parseMultiplexerValues(line: Int) throws(DBCError) {
        let id = try messageIdentifier()
        let (signal, _) = try scanner.identifier("a signal name")
        let (multiplexer, _) = try scanner.identifier("the multiplexer signal name")
        var ranges: [ClosedRange<Int128>] = []
        repeat {
            let rangeLine = scanner.line
            let low = try scanner.wideInteger("the low end of a range")
            try scanner.expect(0x2D, "'-' in a range")
            let high = try scanner.wideInteger("the high end of a range")
            if let low, let high {
                // cantools expands an empty range (high < low) to nothing.
                if low <= high { ranges.append(low...high) }
            } else {
                warn(.unknownTarget, "SG_MUL_VAL_ \(id) \(signal): a range beyond -2^127...2^127-1; ignored", line: rangeLine)
            }
        } while scanner.consume(0x2C)
        try endStatement("SG_MUL_VAL_", line: line)
        file.multiplexerValues.append(.init(messageIdentifier: id, signal: signal, multiplexer: multiplexer,
                                            ranges: ranges, line: line))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
