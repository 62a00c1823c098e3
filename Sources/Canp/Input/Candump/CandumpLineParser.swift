/// Parses candump log lines (`docs/INPUTS.md`, "candump log"):
/// `(<sec>.<fraction>) <iface> <frame>` with an optional ` R` or ` T`.
struct CandumpLineParser: TextLineParser {
    /// CAN_ERR_FLAG in a 29-bit id field: an error frame.
    static let errorFlag: UInt32 = 0x2000_0000

    mutating func begin(_ unit: InputUnit) {}

    mutating func parse(_ line: UnsafeRawBufferPointer, data: UnsafeMutableRawPointer) -> TextLine {
        var cursor = LineCursor(line)
        cursor.skipSpaces()
        if cursor.isAtEnd { return .nothing }
        guard cursor.consume(0x28) else { return .invalid("no (timestamp) at the start") }
        let stampStart = cursor.index
        while !cursor.isAtEnd && cursor.current != 0x29 { cursor.index += 1 }
        guard let timestamp = cursor.seconds(stampStart..<cursor.index) else {
            return .invalid("timestamp is not <seconds>.<fraction> of at most 9 digits")
        }
        guard cursor.consume(0x29), cursor.skipSpaces() > 0 else { return .invalid("no space after the timestamp") }
        let interface = cursor.token()
        guard let channel = cursor.trailingNumber(interface) else { return .invalid("interface number above 2^31-1") }
        let frameToken = cursor.token()
        guard !frameToken.isEmpty else { return .invalid("no frame after the interface") }
        var transmitted = false
        let direction = cursor.token()
        if !direction.isEmpty {
            guard direction.count == 1, let letter = Optional(LineCursor.lower(line[direction.lowerBound])),
                  letter == 0x72 || letter == 0x74 else { return .invalid("unexpected text after the frame") }
            transmitted = letter == 0x74
        }
        guard cursor.token().isEmpty else { return .invalid("unexpected text after the frame") }
        return Self.frame(LineCursor(line, at: frameToken.lowerBound), end: frameToken.upperBound, timestamp: timestamp,
                          channel: channel, transmitted: transmitted, data: data)
    }

    /// Parses `<id>#<data>`, `<id>#R[<len>]` or `<id>##<flags><data>` in `cursor.index..<end`.
    private static func frame(_ start: LineCursor, end: Int, timestamp: UInt64, channel: Int32, transmitted: Bool,
                              data: UnsafeMutableRawPointer) -> TextLine {
        var cursor = start
        let idStart = cursor.index
        while cursor.index < end && cursor.current != 0x23 { cursor.index += 1 }
        let idRange = idStart..<cursor.index
        guard cursor.index < end else { return .invalid("no # in the frame") }
        cursor.index += 1
        guard idRange.count == 3 || idRange.count == 8,
              let raw = cursor.number(idRange, radix: 16, limit: UInt64(UInt32.max)).map(UInt32.init) else {
            return .invalid("id is not 3 or 8 hex digits")
        }
        let extended = idRange.count == 8
        if extended && raw & errorFlag != 0 { return .busError }
        guard extended ? raw <= 0x1FFF_FFFF : raw <= 0x7FF else {
            return .invalid(extended ? "29-bit id has flag bits set" : "11-bit id above 0x7FF")
        }
        var flags: FrameFlags = extended ? [.extended] : []
        if transmitted { flags.insert(.transmitted) }
        var frame = TextFrame(timestamp: timestamp, identifier: raw, flags: flags, channel: channel, length: 0)
        if cursor.index < end && LineCursor.lower(cursor.current) == 0x72 {
            cursor.index += 1
            guard remoteLengthIsValid(cursor, end: end) else { return .invalid("remote frame length is not 0-8") }
            frame.flags.insert(.remoteRequest)
            return .frame(frame)
        }
        var limit = 8
        if cursor.index < end && cursor.current == 0x23 {
            cursor.index += 1
            guard cursor.index < end, let fdFlags = LineCursor.hexValue(cursor.current) else {
                return .invalid("no CAN FD flags digit after ##")
            }
            cursor.index += 1
            frame.flags.insert(.fd)
            if fdFlags & 1 != 0 { frame.flags.insert(.bitRateSwitch) }
            if fdFlags & 2 != 0 { frame.flags.insert(.errorStateIndicator) }
            limit = 64
        }
        return payload(&cursor, end: end, limit: limit, frame: frame, data: data)
    }

    /// Reads the hex data bytes (with optional `.` between bytes) and a
    /// classic frame's optional `_<dlc>`.
    private static func payload(_ cursor: inout LineCursor, end: Int, limit: Int, frame: TextFrame,
                                data: UnsafeMutableRawPointer) -> TextLine {
        var frame = frame
        var count = 0
        while cursor.index < end {
            let byte = cursor.current
            if byte == 0x2E {
                cursor.index += 1
                continue
            }
            if byte == 0x5F { break }
            guard let high = LineCursor.hexValue(byte) else { return .invalid("data is not hex") }
            guard cursor.index + 1 < end, let low = LineCursor.hexValue(cursor.bytes[cursor.index + 1]) else {
                return .invalid(cursor.index + 1 < end && cursor.bytes[cursor.index + 1] != 0x2E
                                    && cursor.bytes[cursor.index + 1] != 0x5F ? "data is not hex" : "odd number of hex digits")
            }
            guard count < limit else {
                return .invalid(limit == 8 ? "classic frame longer than 8 bytes" : "CAN FD frame longer than 64 bytes")
            }
            data.storeBytes(of: high << 4 | low, toByteOffset: count, as: UInt8.self)
            count += 1
            cursor.index += 2
        }
        if cursor.index < end {
            // `_<dlc>`: a classic frame of 8 bytes with a DLC of 9-15 (not exported).
            cursor.index += 1
            guard limit == 8, count == 8, cursor.index + 1 == end, let dlc = LineCursor.hexValue(cursor.current),
                  dlc >= 9 else { return .invalid("_<dlc> is not a DLC of 9-15 after 8 data bytes") }
        }
        frame.length = count
        return .frame(frame)
    }

    /// Whether what follows `R` is empty, a length digit 0-8, or `8_<dlc>`.
    private static func remoteLengthIsValid(_ cursor: LineCursor, end: Int) -> Bool {
        let rest = end - cursor.index
        if rest == 0 { return true }
        guard let length = LineCursor.hexValue(cursor.current), length <= 8 else { return false }
        if rest == 1 { return true }
        guard rest == 3, length == 8, cursor.bytes[cursor.index + 1] == 0x5F,
              let dlc = LineCursor.hexValue(cursor.bytes[cursor.index + 2]) else { return false }
        return dlc >= 9
    }
}
