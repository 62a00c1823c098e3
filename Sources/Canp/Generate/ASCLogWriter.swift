/// Writes frames as a Vector ASC log that python-can's `ASCReader` reads
/// (`docs/INPUTS.md`, "Vector ASC"): a header whose `date` and `Begin
/// Triggerblock` are the first frame's time to the millisecond (UTC), then
/// one line a frame with its time relative to that date (6 fraction digits,
/// 9 when needed), channel + 1, classic lines `<id>[x] Rx|Tx d <dlc>
/// <bytes>` (remote: `r 0`), CAN FD lines (one of length 0 reads back as a
/// remote frame, as python-can reads it), error frames as `ErrorFrame`.
public struct ASCLogWriter: Sendable {
    /// The text written so far (``finish()`` adds the last line).
    public private(set) var bytes: [UInt8] = []
    /// The number of lines written.
    public private(set) var lineCount = 0
    private var lastLineStart = 0
    private var base: UInt64?

    /// Creates an empty log.
    public init() {}

    /// Appends one frame (the first also writes the header).
    ///
    /// - Parameter frame: the frame; its timestamp must not be before the first frame's millisecond.
    public mutating func append(_ frame: CANFrame) {
        if base == nil { writeHeader(at: frame.timestamp) }
        lastLineStart = bytes.count
        let flags = FrameFlags(rawIdentifier: frame.rawIdentifier, flagsByte: frame.flagsByte)
        var line: [UInt8] = Array("   ".utf8)
        TextWriting.appendTime(frame.timestamp - min(frame.timestamp, base!), to: &line)
        let channel = String(UInt32(frame.channel) + 1)
        var id: [UInt8] = []
        TextWriting.appendHex(frame.rawIdentifier & 0x1FFF_FFFF, to: &id)
        if flags.contains(.extended) { id.append(0x78) }
        let direction = flags.contains(.transmitted) ? "Tx" : "Rx"
        if flags.contains(.errorFrame) {
            line.append(contentsOf: " \(channel)  ErrorFrame".utf8)
        } else if flags.contains(.fd) && !flags.contains(.remoteRequest) {
            let brs = flags.contains(.bitRateSwitch) ? "1" : "0", esi = flags.contains(.errorStateIndicator) ? "1" : "0"
            line.append(contentsOf: " CANFD \(channel) \(direction) ".utf8)
            line.append(contentsOf: id)
            line.append(contentsOf: " \(brs) \(esi) \(String(Self.dlc(of: frame.data.count), radix: 16)) \(frame.data.count) ".utf8)
            TextWriting.appendHex(frame.data, separator: 0x20, to: &line)
            line.append(contentsOf: " 0 0 \(String(0x1000 | (brs == "1" ? 0x2000 : 0) | (esi == "1" ? 0x4000 : 0), radix: 16, uppercase: true)) 0 0 0 0 0".utf8)
        } else {
            line.append(contentsOf: " \(channel)  ".utf8)
            line.append(contentsOf: id)
            if flags.contains(.remoteRequest) {
                line.append(contentsOf: " \(direction) r 0".utf8)
            } else {
                line.append(contentsOf: " \(direction) d \(String(frame.data.count, radix: 16)) ".utf8)
                TextWriting.appendHex(frame.data, separator: 0x20, to: &line)
            }
        }
        bytes.append(contentsOf: line)
        bytes.append(0x0A)
        lineCount += 1
    }

    /// Damages the last line written so that it no longer parses: its
    /// time gets four more fraction digits (10 in all, more than ns).
    mutating func damageLastLine() {
        TextWriting.lengthenFraction(in: &bytes, lineStart: lastLineStart)
    }

    /// Ends the trigger block (call once, after the last frame).
    public mutating func finish() {
        if base != nil {
            bytes.append(contentsOf: "End TriggerBlock\n".utf8)
            lineCount += 1
        }
    }

    private mutating func writeHeader(at timestamp: UInt64) {
        let milliseconds = timestamp / 1_000_000
        base = milliseconds * 1_000_000
        let date = Self.date(milliseconds: milliseconds)
        bytes.append(contentsOf: "date \(date)\nbase hex  timestamps absolute\ninternal events logged\n".utf8)
        bytes.append(contentsOf: "Begin Triggerblock \(date)\n   0.000000 Start of measurement\n".utf8)
        lineCount += 5
    }

    static func dlc(of length: Int) -> Int {
        let lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]
        return lengths.firstIndex { $0 >= length } ?? 15
    }

    /// `Wed Dec 02 06:08:39.447 2026` (UTC).
    static func date(milliseconds: UInt64) -> String {
        let days = Int(milliseconds / 86_400_000)
        let inDay = Int(milliseconds % 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = inDay % 1_000
        let clock = "\(two(inDay / 3_600_000)):\(two(inDay / 60_000 % 60)):\(two(inDay / 1_000 % 60))."
            + (millis < 10 ? "00" : millis < 100 ? "0" : "") + "\(millis)"
        return "\(weekdays[days % 7]) \(months[month - 1]) \(two(day)) \(clock) \(year)"
    }

    /// The proleptic Gregorian date of days since 1970-01-01 (days ≥ 0).
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
