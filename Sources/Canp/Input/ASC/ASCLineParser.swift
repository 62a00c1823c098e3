/// Parses Vector ASC lines (`docs/INPUTS.md`, "Vector ASC") as python-can's
/// `ASCReader` reads them: classic frame lines
/// `<time> <channel> <id>[x] Rx|Tx d <dlc> <bytes>` (or `r [dlc]`), CAN FD
/// lines `<time> CANFD <channel> Rx|Tx <id>[x] [<name>] <brs> <esi> <dlc>
/// <length> <bytes> ...`, error frames, `Begin Triggerblock` dates; other
/// lines are counted as comments or events.
struct ASCLineParser: TextLineParser {
    /// The chunk state at a unit's start, packed in ``InputUnit/tag``.
    struct State: Hashable {
        /// Whether ids and bytes are decimal (`base dec`).
        var decimal = false
        /// The time base in µs since the Unix epoch (a date line's).
        var baseMicroseconds: Int64 = 0

        init(decimal: Bool = false, baseMicroseconds: Int64 = 0) {
            self.decimal = decimal
            self.baseMicroseconds = baseMicroseconds
        }

        init(tag: UInt64) {
            decimal = tag >> 63 != 0
            baseMicroseconds = Int64(tag & ((1 << 62) - 1))
        }

        /// Dates have 4-digit years, so the µs fit 62 bits.
        var tag: UInt64 { (decimal ? 1 << 63 : 0) | UInt64(baseMicroseconds) }
    }

    private(set) var state = State()

    mutating func begin(_ unit: InputUnit) {
        state = State(tag: unit.tag)
    }

    /// What a non-frame line is, for the scan and the decoder.
    enum Structure {
        case blank
        case comment
        case date(Int64?)
        case triggerblock(Int64?)
        case base(decimal: Bool)
        case other
    }

    /// Classifies a line that is not a frame line by its first words.
    static func structure(_ line: UnsafeRawBufferPointer) -> Structure {
        var cursor = LineCursor(line)
        let first = cursor.token()
        if first.isEmpty { return .blank }
        if cursor.hasPrefix(first, "//") { return .comment }
        if cursor.equals(first, "date") { return .date(ASCDate.microseconds(cursor)) }
        if cursor.equals(first, "begin") {
            let second = cursor.token()
            if cursor.equals(second, "triggerblock") { return .triggerblock(ASCDate.microseconds(cursor)) }
            return .other
        }
        if cursor.equals(first, "base") {
            let second = cursor.token()
            if cursor.equals(second, "hex") || cursor.equals(second, "dec") {
                return .base(decimal: cursor.equals(second, "dec"))
            }
        }
        return .other
    }

    mutating func parse(_ line: UnsafeRawBufferPointer, data: UnsafeMutableRawPointer) -> TextLine {
        var cursor = LineCursor(line)
        let time = cursor.token()
        if time.isEmpty { return .nothing }
        let second = cursor.token()
        if Self.isTime(cursor, time) {
            if cursor.equals(second, "CANFD", ignoringCase: false) {
                return fdFrame(&cursor, time: time, data: data)
            }
            if cursor.isDigits(second) {
                var look = cursor
                let third = look.token()
                if cursor.hasPrefix(third, "errorframe") { return channelNumber(cursor, second) == nil ? .invalid("channel number above 2^31") : .busError }
                let fourth = look.token()
                if third.allSatisfy({ Self.isWordByte(line[$0]) }) && (cursor.equals(fourth, "rx") || cursor.equals(fourth, "tx")) {
                    return classicFrame(&cursor, time: time, channel: second, data: data)
                }
            }
            return .ignored("event")
        }
        return structureLine(line)
    }

    private mutating func structureLine(_ line: UnsafeRawBufferPointer) -> TextLine {
        switch Self.structure(line) {
        case .blank: return .nothing
        case .comment: return .ignored("comment")
        case .date(let date): return date == nil ? .invalid("date does not parse") : .nothing
        case .triggerblock(let date):
            guard let date else { return .invalid("Begin Triggerblock date does not parse") }
            state.baseMicroseconds = date
            return .nothing
        case .base: return .nothing
        case .other:
            var cursor = LineCursor(line)
            let first = cursor.token()
            if cursor.equals(first, "end") && cursor.equals(cursor.token(), "triggerblock") { return .nothing }
            return Self.isInternalEventsLine(line) ? .nothing : .ignored("event")
        }
    }

    static func isInternalEventsLine(_ line: UnsafeRawBufferPointer) -> Bool {
        var cursor = LineCursor(line)
        var word = cursor.token()
        if cursor.equals(word, "no") { word = cursor.token() }
        return cursor.equals(word, "internal") && cursor.equals(cursor.token(), "events")
            && cursor.equals(cursor.token(), "logged")
    }

    /// `\d+\.\d+`.
    static func isTime(_ cursor: LineCursor, _ token: Range<Int>) -> Bool {
        guard let dot = token.first(where: { cursor.bytes[$0] == 0x2E }) else { return false }
        return cursor.isDigits(token.lowerBound..<dot) && cursor.isDigits((dot + 1)..<token.upperBound)
    }

    @inline(__always) static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }

    func channelNumber(_ cursor: LineCursor, _ token: Range<Int>) -> Int32? {
        cursor.number(token, radix: 10, limit: UInt64(Int32.max)).map { Int32($0) - 1 }
    }

    func timestamp(_ cursor: LineCursor, _ token: Range<Int>) -> UInt64? {
        guard let offset = cursor.seconds(token) else { return nil }
        let (base, overflow) = UInt64(state.baseMicroseconds).multipliedReportingOverflow(by: 1_000)
        guard !overflow else { return nil }
        let (sum, carry) = base.addingReportingOverflow(offset)
        return carry ? nil : sum
    }

    /// `<id>[x]`: the identifier and whether it is extended.
    func identifier(_ cursor: LineCursor, _ token: Range<Int>) -> (UInt32, Bool)? {
        guard !token.isEmpty else { return nil }
        let extended = LineCursor.lower(cursor.bytes[token.upperBound - 1]) == 0x78
        let digits = extended ? token.lowerBound..<(token.upperBound - 1) : token
        guard let value = cursor.number(digits, radix: state.decimal ? 10 : 16, limit: extended ? 0x1FFF_FFFF : 0x7FF) else {
            return nil
        }
        return (UInt32(value), extended)
    }

    /// Reads `count` byte tokens into `data`.
    func bytes(_ cursor: inout LineCursor, count: Int, into data: UnsafeMutableRawPointer) -> Bool {
        let radix: UInt64 = state.decimal ? 10 : 16
        for index in 0..<count {
            let token = cursor.token()
            guard token.count <= (state.decimal ? 3 : 2), let value = cursor.number(token, radix: radix, limit: 255) else {
                return false
            }
            data.storeBytes(of: UInt8(value), toByteOffset: index, as: UInt8.self)
        }
        return true
    }

    static func lengthOfDLC(_ dlc: UInt64) -> Int {
        let lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]
        return dlc < 16 ? lengths[Int(dlc)] : 64
    }
}
