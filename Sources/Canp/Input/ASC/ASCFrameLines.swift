/// The two frame lines of ASC files, as python-can's `ASCReader` reads them.
extension ASCLineParser {
    /// `<time> <channel> <id>[x] Rx|Tx d <dlc> <bytes>` or `... Rx|Tx r [<dlc>]`:
    /// `min(8, length of the DLC)` bytes; a remote frame has none.
    func classicFrame(_ cursor: inout LineCursor, time: Range<Int>, channel: Range<Int>,
                      data: UnsafeMutableRawPointer) -> TextLine {
        guard let timestamp = timestamp(cursor, time) else { return .invalid("time is not exact in ns or too large") }
        guard let channel = channelNumber(cursor, channel) else { return .invalid("channel number above 2^31") }
        guard let (id, extended) = identifier(cursor, cursor.token()) else {
            return .invalid("id is not a number of at most 11 bits (29 with x)")
        }
        let direction = cursor.token()
        var flags: FrameFlags = extended ? [.extended] : []
        if cursor.equals(direction, "tx") { flags.insert(.transmitted) }
        var frame = TextFrame(timestamp: timestamp, identifier: id, flags: flags, channel: channel, length: 0)
        let kind = cursor.token()
        guard !kind.isEmpty else { return .invalid("no d or r after the direction") }
        if LineCursor.lower(cursor.bytes[kind.lowerBound]) == 0x72 {
            frame.flags.insert(.remoteRequest)
            return .frame(frame)
        }
        guard let dlc = cursor.number(cursor.token(), radix: state.decimal ? 10 : 16, limit: 255) else {
            return .invalid("DLC is not a number")
        }
        frame.length = min(8, Self.lengthOfDLC(dlc))
        guard bytes(&cursor, count: frame.length, into: data) else {
            return .invalid("fewer data bytes than the DLC says or a byte is not a number")
        }
        return .frame(frame)
    }

    /// `<time> CANFD <channel> Rx|Tx <id>[x] [<name>] <brs> <esi> <dlc> <length> <bytes> ...`
    /// or `<time> CANFD <channel> Rx|Tx ErrorFrame ...`; a length of 0 is a
    /// remote frame, as python-can reads it.
    func fdFrame(_ cursor: inout LineCursor, time: Range<Int>, data: UnsafeMutableRawPointer) -> TextLine {
        guard let channel = channelNumber(cursor, cursor.token()) else { return .invalid("CAN FD channel is not a number") }
        let direction = cursor.token()
        var look = cursor
        if cursor.hasPrefix(look.token(), "errorframe") { return .busError }
        guard let timestamp = timestamp(cursor, time) else { return .invalid("time is not exact in ns or too large") }
        guard let (id, extended) = identifier(cursor, cursor.token()) else {
            return .invalid("id is not a number of at most 11 bits (29 with x)")
        }
        var brs = cursor.token()
        if !cursor.isDigits(brs) { brs = cursor.token() }
        let esi = cursor.token()
        guard cursor.number(cursor.token(), radix: state.decimal ? 10 : 16, limit: 255) != nil else {
            return .invalid("CAN FD DLC is not a number")
        }
        guard let length = cursor.number(cursor.token(), radix: 10, limit: 64) else {
            return .invalid("CAN FD data length is not 0-64")
        }
        var flags: FrameFlags = extended ? [.extended, .fd] : [.fd]
        if cursor.equals(direction, "tx") { flags.insert(.transmitted) }
        if cursor.equals(brs, "1") { flags.insert(.bitRateSwitch) }
        if cursor.equals(esi, "1") { flags.insert(.errorStateIndicator) }
        if length == 0 { flags.insert(.remoteRequest) }
        guard bytes(&cursor, count: Int(length), into: data) else {
            return .invalid("fewer data bytes than the length says or a byte is not a number")
        }
        return .frame(TextFrame(timestamp: timestamp, identifier: id, flags: flags, channel: channel, length: Int(length)))
    }
}
