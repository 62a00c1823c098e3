/// Writes frames as a candump log (`candump -l` lines, `docs/INPUTS.md`):
/// `(<sec>.<usec>) can<channel> <id>#<data>` with ` R` or ` T`, CAN FD
/// frames as `<id>##<flags><data>`, remote frames as `<id>#R`, error frames
/// (ERR set) as `20000080#` plus their data. The fraction has 6 digits, or
/// 9 when the timestamp is not a whole µs.
public struct CandumpLogWriter: Sendable {
    /// The text written so far.
    public private(set) var bytes: [UInt8] = []
    /// The number of lines written.
    public private(set) var lineCount = 0
    private var lastLineStart = 0

    /// Creates an empty log.
    public init() {}

    /// Appends one frame as a line.
    ///
    /// - Parameter frame: the frame (its channel names the interface, `can<channel>`).
    /// - Complexity: O(data bytes).
    public mutating func append(_ frame: CANFrame) {
        lastLineStart = bytes.count
        let flags = FrameFlags(rawIdentifier: frame.rawIdentifier, flagsByte: frame.flagsByte)
        bytes.append(0x28)
        TextWriting.appendTime(frame.timestamp, to: &bytes)
        bytes.append(contentsOf: ") can".utf8)
        TextWriting.appendDecimal(UInt64(frame.channel), to: &bytes)
        bytes.append(0x20)
        let identifier = frame.rawIdentifier & 0x1FFF_FFFF
        if flags.contains(.errorFrame) {
            bytes.append(contentsOf: "20000080#".utf8)
            TextWriting.appendHex(frame.data, separator: nil, to: &bytes)
            bytes.append(0x0A)
            lineCount += 1
            return
        }
        TextWriting.appendHex(identifier, digits: flags.contains(.extended) ? 8 : 3, to: &bytes)
        bytes.append(0x23)
        if flags.contains(.remoteRequest) {
            bytes.append(0x52)
        } else {
            if flags.contains(.fd) {
                bytes.append(0x23)
                let fdFlags = (flags.contains(.bitRateSwitch) ? 1 : 0) | (flags.contains(.errorStateIndicator) ? 2 : 0) | 4
                TextWriting.appendHex(UInt32(fdFlags), digits: 1, to: &bytes)
            }
            TextWriting.appendHex(frame.data, separator: nil, to: &bytes)
        }
        bytes.append(contentsOf: (flags.contains(.transmitted) ? " T\n" : " R\n").utf8)
        lineCount += 1
    }

    /// Damages the last line written so that it no longer parses: its
    /// time gets four more fraction digits (10 in all, more than ns).
    mutating func damageLastLine() {
        TextWriting.lengthenFraction(in: &bytes, lineStart: lastLineStart)
    }
}

/// Number and hex formatting for the text log writers.
enum TextWriting {
    /// Inserts `0000` after the fraction digits of the first time in the line at `lineStart`.
    static func lengthenFraction(in bytes: inout [UInt8], lineStart: Int) {
        guard var index = bytes[lineStart...].firstIndex(of: 0x2E) else { return }
        index += 1
        while index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 { index += 1 }
        bytes.insert(contentsOf: Array("0000".utf8), at: index)
    }

    private static let digits = Array("0123456789ABCDEF".utf8)

    static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `<seconds>.<fraction>` of ns: 6 fraction digits, 9 when needed.
    static func appendTime(_ ns: UInt64, to bytes: inout [UInt8]) {
        appendDecimal(ns / 1_000_000_000, to: &bytes)
        bytes.append(0x2E)
        let fraction = ns % 1_000_000_000
        let text = fraction % 1_000 == 0 ? String(fraction / 1_000) : String(fraction)
        let width = fraction % 1_000 == 0 ? 6 : 9
        bytes.append(contentsOf: repeatElement(0x30, count: width - text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    static func appendHex(_ value: UInt32, digits count: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (count - 1) * 4, through: 0, by: -4) {
            bytes.append(digits[Int((value >> UInt32(shift)) & 0xF)])
        }
    }

    /// Upper-case hex digits of `data`, with `separator` between bytes if given.
    static func appendHex(_ data: [UInt8], separator: UInt8?, to bytes: inout [UInt8]) {
        for (index, byte) in data.enumerated() {
            if index > 0, let separator { bytes.append(separator) }
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0xF)])
        }
    }

    /// An upper-case hex number without leading zeros.
    static func appendHex(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(value, radix: 16, uppercase: true).utf8)
    }
}
