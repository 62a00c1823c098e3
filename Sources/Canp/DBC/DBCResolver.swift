/// Gives a parsed DBC file its meaning by the rules cantools applies, so that
/// CANP decodes what cantools decodes: long names, `VAL_` and `SIG_VALTYPE_`
/// claimed by the first message and signal of that id and name, CAN FD from
/// `VFrameFormat`, cycle times, and multiplexing (simple and `SG_MUL_VAL_`).
struct DBCResolver {
    var file: DBCParsedFile

    /// The `VFrameFormat` choices cantools assumes when the attribute is defined as `INT`.
    static let standardFrameFormats = [
        "StandardCAN", "ExtendedCAN", "reserved", "J1939PG", "reserved", "reserved", "reserved", "reserved",
        "reserved", "reserved", "reserved", "reserved", "reserved", "reserved", "StandardCAN_FD", "ExtendedCAN_FD",
    ]

    mutating func warn(_ kind: DBCWarning.Kind, _ message: String, line: Int) {
        file.warnings.append(DBCWarning(line: line, kind: kind, message: message))
    }

    /// Converts a value as written to the type of its definition (cantools'
    /// `to_int` / `to_float`); without a definition the written form is kept.
    func convert(_ token: DBCParsedFile.AttributeToken, _ definition: DBCAttributeDefinition?) -> DBCAttributeValue {
        guard let definition else {
            if let n = token.number { return n.integer.map { .integer($0) } ?? .float(n.value) }
            return .string(token.string ?? "")
        }
        switch definition.valueType {
        case .integer, .hex, .enumeration:
            if let n = token.number { return .integer(n.integer ?? Int64(exactly: n.value.rounded(.towardZero)) ?? 0) }
            if case .enumeration(let choices) = definition.valueType, let s = token.string, let index = choices.firstIndex(of: s) {
                return .integer(Int64(index))
            }
            if let s = token.string, let v = Double(s) { return .integer(Int64(exactly: v.rounded(.towardZero)) ?? 0) }
            return .string(token.string ?? "")
        case .float:
            if let n = token.number { return .float(n.value) }
            return token.string.flatMap(Double.init).map { .float($0) } ?? .string(token.string ?? "")
        case .string:
            return .string(token.string ?? token.number?.text ?? "")
        }
    }

    typealias Token = DBCParsedFile.AttributeToken
    typealias MultiplexerEntry = (multiplexer: String, signals: [(name: String, ranges: [ClosedRange<Int128>])])

    // The file's statements indexed by message (filled by `index()`); `choices`
    // and `signalTypes` are consumed as signals claim them, so that what is
    // left at the end names no signal.
    private var definitions: [String: DBCAttributeDefinition] = [:]
    private var orderedDefinitions: [DBCAttributeDefinition] = []
    private var undefined: [(String, Int)] = []
    private var messageAttributes: [UInt64: [(name: String, value: Token)]] = [:]
    private var signalAttributes: [UInt64: [String: [(name: String, value: Token)]]] = [:]
    private var choices: [UInt64: [String: (entries: [DBCValueDescription], line: Int)]] = [:]
    private var signalTypes: [UInt64: [String: (type: Int64, line: Int)]] = [:]
    private var multiplexing: [UInt64: [MultiplexerEntry]] = [:]

    init(file: DBCParsedFile) {
        self.file = file
    }

    mutating func resolve() -> DBCDatabase {
        index()
        var messages: [DBCMessage] = []
        var seenIdentifiers: [UInt32: String] = [:]
        for raw in file.messages {
            guard let message = resolveMessage(raw) else { continue }
            let key = message.id | (message.isExtended ? 0x8000_0000 : 0)
            if let previous = seenIdentifiers[key] {
                warn(.duplicateMessageIdentifier,
                     "messages \(previous) and \(message.name) share id 0x\(String(message.id, radix: 16, uppercase: true)); \(message.name) is used for decoding",
                     line: raw.line)
            }
            seenIdentifiers[key] = message.name
            messages.append(message)
        }
        warnAboutLeftovers()
        if messages.isEmpty {
            warn(.noMessages, "the file defines no messages: no frame is decoded with it", line: 1)
        }
        file.warnings.sort { $0.line < $1.line }
        return database(of: messages)
    }

    /// Indexes the attribute definitions and the statements about messages and signals.
    private mutating func index() {
        for var definition in file.attributeDefinitions {
            if let token = file.attributeDefaults[definition.name] {
                definition.defaultValue = convert(token, definition)
            }
            definitions[definition.name] = definition
            orderedDefinitions.append(definition)
        }
        for entry in file.messageAttributes { messageAttributes[entry.id, default: []].append((entry.name, entry.value)) }
        for entry in file.signalAttributes {
            signalAttributes[entry.id, default: [:]][entry.signal, default: []].append((entry.name, entry.value))
        }
        // VAL_: the last list per (message, signal); claimed by the first signal that matches.
        for entry in file.valueDescriptions { choices[entry.id, default: [:]][entry.signal] = (entry.entries, entry.line) }
        for entry in file.signalTypes { signalTypes[entry.id, default: [:]][entry.signal] = (entry.type, entry.line) }
        // SG_MUL_VAL_ per message: multiplexers in order of first appearance, each
        // with its signals' ranges (the last statement for a signal wins).
        for entry in file.multiplexerValues {
            var list = multiplexing[entry.messageIdentifier] ?? []
            let m = list.firstIndex { $0.multiplexer == entry.multiplexer } ?? {
                list.append((entry.multiplexer, []))
                return list.count - 1
            }()
            if let s = list[m].signals.firstIndex(where: { $0.name == entry.signal }) {
                list[m].signals[s].ranges = entry.ranges
            } else {
                list[m].signals.append((entry.signal, entry.ranges))
            }
            multiplexing[entry.messageIdentifier] = list
        }
    }

    /// The attributes of a message, signal or network, converted; names without a definition are noted.
    private mutating func attributeMap(_ entries: [(name: String, value: Token)]) -> [String: DBCAttributeValue] {
        var map: [String: DBCAttributeValue] = [:]
        for (name, token) in entries {
            if definitions[name] == nil { undefined.append((name, token.line)) }
            map[name] = convert(token, definitions[name])
        }
        return map
    }

    /// One message with its signals, or nil for Vector's container of free
    /// signals and for ids that fit in neither 11 nor 29 bits.
    private mutating func resolveMessage(_ raw: DBCParsedFile.Message) -> DBCMessage? {
        // Vector's container of signals that belong to no message.
        if raw.name == "VECTOR__INDEPENDENT_SIG_MSG" { return nil }
        var id = raw.rawIdentifier & 0x7FFF_FFFF
        var isExtended = raw.rawIdentifier & 0x8000_0000 != 0
        if raw.rawIdentifier > 0xFFFF_FFFF || id > 0x1FFF_FFFF {
            warn(.identifierOutOfRange, "message \(raw.name): id \(raw.rawIdentifier) fits in neither 11 nor 29 bits; message skipped",
                 line: raw.line)
            return nil
        }
        if !isExtended && id > 0x7FF {
            warn(.extendedIdWithoutFlag,
                 "message \(raw.name): id 0x\(String(id, radix: 16, uppercase: true)) is above 0x7FF without the extended bit (bit 31); taken as an extended id",
                 line: raw.line)
            isExtended = true
        }
        id &= 0x1FFF_FFFF
        let frameIdDbc = raw.rawIdentifier
        let attributes = attributeMap(messageAttributes[frameIdDbc] ?? [])
        var message = DBCMessage(id: UInt32(id), isExtended: isExtended, name: raw.name, length: raw.length, signals: [])
        message.rawIdentifier = frameIdDbc
        message.line = raw.line
        message.transmitter = raw.transmitter
        message.attributes = attributes
        message.comment = file.messageComments[frameIdDbc]
        if case .string(let long)? = attributes["SystemMessageLongSymbol"] { message.name = long }
        if let isFD = isFD(attributes) { message.isFD = isFD }
        if let cycleTime = definitions["GenMsgCycleTime"] {
            let value = attributes["GenMsgCycleTime"]?.integerValue ?? cycleTime.defaultValue?.integerValue ?? 0
            message.cycleTime = value == 0 ? nil : Int(value)
        }
        if raw.length > 64 {
            warn(.messageTooLong, "message \(message.name) is \(raw.length) bytes long; only 64 bytes can be decoded",
                 line: raw.line)
        }
        let layout = MultiplexLayout(raw: raw, entries: multiplexing[frameIdDbc] ?? [])
        for signal in raw.signals {
            message.signals.append(resolveSignal(signal, of: message, raw: raw, layout: layout))
        }
        for entry in layout.entries {
            for s in entry.signals where !raw.signals.contains(where: { $0.shortName == s.name }) {
                let line = file.multiplexerValues.last { $0.messageIdentifier == frameIdDbc && $0.signal == s.name }?.line ?? raw.line
                warn(.unknownTarget, "SG_MUL_VAL_ for signal \(s.name) that message \(message.name) does not have; ignored", line: line)
            }
        }
        return message
    }

    /// Whether `VFrameFormat` makes a message CAN FD (nil: the attribute is not defined).
    private func isFD(_ attributes: [String: DBCAttributeValue]) -> Bool? {
        guard let frameFormat = definitions["VFrameFormat"] else { return nil }
        let names: [String]
        var fallback: String?
        if case .enumeration(let list) = frameFormat.valueType {
            names = list
            fallback = frameFormat.defaultValue.map { value in
                if case .integer(let i) = value, i >= 0, Int(i) < list.count { return list[Int(i)] }
                return value.description
            }
        } else {
            names = Self.standardFrameFormats
            if let i = frameFormat.defaultValue?.integerValue, i >= 0, Int(i) < names.count { fallback = names[Int(i)] }
        }
        var format = fallback
        if let value = attributes["VFrameFormat"]?.integerValue, value >= 0, Int(value) < names.count {
            format = names[Int(value)]
        }
        return format?.hasSuffix("CAN_FD") ?? false
    }

    /// Multiplexing as cantools resolves it: one `M` signal in the message makes
    /// it the multiplexer of every `m<n>` signal; with several (extended
    /// multiplexing) each signal's multiplexer and values come from SG_MUL_VAL_.
    struct MultiplexLayout {
        let entries: [MultiplexerEntry]
        let messageMultiplexer: String?
        var multiplexerOfSignal: [String: String] = [:]

        init(raw: DBCParsedFile.Message, entries: [MultiplexerEntry]) {
            let markers = raw.signals.filter {
                switch $0.marker {
                case .multiplexer, .multiplexedMultiplexer: return true
                case .unrecognized(let text): return text.hasSuffix("M")
                case .none, .multiplexed: return false
                }
            }
            messageMultiplexer = markers.count == 1 ? markers[0].shortName : nil
            self.entries = entries
            for entry in entries { for s in entry.signals { multiplexerOfSignal[s.name] = entry.multiplexer } }
        }

        func ranges(of signal: String, under multiplexer: String) -> [ClosedRange<Int128>]? {
            entries.first { $0.multiplexer == multiplexer }?.signals.first { $0.name == signal }?.ranges
        }
    }

    /// One signal: its attributes, long name, comment, value table, float type, multiplexing.
    private mutating func resolveSignal(
        _ raw: DBCSignal, of message: DBCMessage, raw rawMessage: DBCParsedFile.Message, layout: MultiplexLayout
    ) -> DBCSignal {
        var signal = raw
        let frameIdDbc = rawMessage.rawIdentifier
        let short = signal.shortName
        let own = attributeMap(signalAttributes[frameIdDbc]?[short] ?? [])
        signal.attributes = own
        if case .string(let long)? = own["SystemSignalLongSymbol"] { signal.name = long }
        signal.comment = file.signalComments[frameIdDbc]?[short]?.text
        if let claimed = choices[frameIdDbc]?.removeValue(forKey: short) {
            signal.valueDescriptions = claimed.entries
        }
        if let type = signalTypes[frameIdDbc]?.removeValue(forKey: short), type.type == 1 || type.type == 2 {
            signal.valueType = .float
            let expected = type.type == 1 ? 32 : 64
            if signal.length != expected {
                warn(.undecodableSignal,
                     "signal \(message.name).\(short): SIG_VALTYPE_ \(type.type) with length \(signal.length); decoded as a \(signal.length)-bit float",
                     line: type.line)
            }
        }
        warnIfNeverDecoded(signal, in: message, length: rawMessage.length)
        resolveMultiplexing(&signal, in: message, layout: layout)
        return signal
    }

    private mutating func warnIfNeverDecoded(_ signal: DBCSignal, in message: DBCMessage, length: Int) {
        let short = signal.shortName
        if signal.length < 1 || signal.length > 64 {
            warn(.undecodableSignal, "signal \(message.name).\(short) has length \(signal.length); never decoded", line: signal.line)
        } else if signal.valueType == .float && ![16, 32, 64].contains(signal.length) {
            warn(.undecodableSignal, "float signal \(message.name).\(short) has length \(signal.length); never decoded",
                 line: signal.line)
        } else if signal.startBit < 0 {
            warn(.signalOutsideMessage,
                 "signal \(message.name).\(short) starts at bit \(signal.startBit) and lies outside message \(message.name): never decoded",
                 line: signal.line)
        } else if signal.requiredByteCount > min(length, 64) {
            let place = signal.requiredByteCount <= length
                ? "lies past the 64 bytes a frame carries"
                : "lies outside message \(message.name) of \(length) bytes"
            warn(.signalOutsideMessage,
                 "signal \(message.name).\(short) needs \(signal.requiredByteCount) byte\(signal.requiredByteCount == 1 ? "" : "s") and \(place): never decoded",
                 line: signal.line)
        }
    }

    private mutating func resolveMultiplexing(_ signal: inout DBCSignal, in message: DBCMessage, layout: MultiplexLayout) {
        let short = signal.shortName
        var hasMarker = true
        var markerValue: Int128?
        switch signal.marker {
        case .none: hasMarker = false
        case .multiplexer: signal.isMultiplexer = true
        case .multiplexed(let v): markerValue = v
        case .multiplexedMultiplexer(let v): signal.isMultiplexer = true; markerValue = v
        case .unrecognized(let text):
            signal.isMultiplexer = text.hasSuffix("M")
            if layout.messageMultiplexer != nil && !signal.isMultiplexer {
                warn(.invalidMultiplexerMarker,
                     "signal \(message.name).\(short): multiplexer marker '\(text)' has no value; the signal is never present",
                     line: signal.line)
            }
        }
        var values: [ClosedRange<Int128>] = []
        let parent: String?
        if let messageMultiplexer = layout.messageMultiplexer {
            if hasMarker, !signal.isMultiplexer, let markerValue { values.append(markerValue...markerValue) }
            parent = hasMarker && short != messageMultiplexer ? messageMultiplexer : nil
            values += layout.ranges(of: short, under: messageMultiplexer) ?? []
        } else {
            let named = layout.multiplexerOfSignal[short]
            parent = hasMarker ? named : nil
            if let named { values += layout.ranges(of: short, under: named) ?? [] }
        }
        signal.multiplexerSignalName = parent
        signal.multiplexerValues = values.isEmpty ? nil : values
    }

    /// Warnings for statements that name nothing: attributes without a
    /// definition, and VAL_, SIG_VALTYPE_ and signal comments of no signal.
    private mutating func warnAboutLeftovers() {
        for (name, line) in undefined {
            warn(.undefinedAttribute, "attribute \(name) has no BA_DEF_; kept as written", line: line)
        }
        for (id, bySignal) in choices {
            for (signal, entry) in bySignal {
                warn(.unknownTarget, "VAL_ \(id) \(signal): no such signal; ignored", line: entry.line)
            }
        }
        for (id, bySignal) in signalTypes {
            for (signal, entry) in bySignal {
                warn(.unknownTarget, "SIG_VALTYPE_ \(id) \(signal): no such signal; ignored", line: entry.line)
            }
        }
        for (id, bySignal) in file.signalComments {
            for (signal, entry) in bySignal
            where !file.messages.contains(where: { $0.rawIdentifier == id && $0.signals.contains { $0.shortName == signal } }) {
                warn(.unknownTarget, "CM_ SG_ \(id) \(signal): no such signal; ignored", line: entry.line)
            }
        }
    }

    private mutating func database(of messages: [DBCMessage]) -> DBCDatabase {
        var database = DBCDatabase(messages: messages)
        database.version = file.version
        database.nodes = file.nodes
        database.comment = file.networkComment
        database.nodeComments = file.nodeComments
        database.valueTables = file.valueTables.map { (name: $0.name, entries: $0.entries) }
        database.attributeDefinitions = orderedDefinitions
        var network: [String: DBCAttributeValue] = [:]
        for (name, token) in file.networkAttributes { network[name] = convert(token, definitions[name]) }
        database.attributes = network
        var nodeAttributes: [String: [String: DBCAttributeValue]] = [:]
        for entry in file.nodeAttributes {
            nodeAttributes[entry.node, default: [:]][entry.name] = convert(entry.value, definitions[entry.name])
        }
        database.nodeAttributes = nodeAttributes
        database.warnings = file.warnings
        return database
    }
}
