/// A position in one line of text, for the line parsers: whitespace-separated
/// tokens, digits and hex digits, without allocating.
struct LineCursor {
    let bytes: UnsafeRawBufferPointer
    var index: Int

    init(_ bytes: UnsafeRawBufferPointer, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    /// Whether the cursor is at the end of the line.
    @inline(__always) var isAtEnd: Bool { index >= bytes.count }

    /// The byte at the cursor (0 at the end).
    @inline(__always) var current: UInt8 { index < bytes.count ? bytes[index] : 0 }

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// Skips spaces and tabs; returns how many.
    @discardableResult @inline(__always)
    mutating func skipSpaces() -> Int {
        let start = index
        while index < bytes.count && Self.isSpace(bytes[index]) { index += 1 }
        return index - start
    }

    /// The next token (a run of bytes other than spaces and tabs), after any
    /// spaces; empty at the end of the line.
    @inline(__always)
    mutating func token() -> Range<Int> {
        skipSpaces()
        let start = index
        while index < bytes.count && !Self.isSpace(bytes[index]) { index += 1 }
        return start..<index
    }

    /// Consumes `byte` if it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count && bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Whether `range` of the line equals `word`, ignoring ASCII case.
    func equals(_ range: Range<Int>, _ word: StaticString, ignoringCase: Bool = true) -> Bool {
        range.count == word.utf8CodeUnitCount && hasPrefix(range, word, ignoringCase: ignoringCase)
    }

    /// Whether `range` of the line starts with `word`, ignoring ASCII case.
    func hasPrefix(_ range: Range<Int>, _ word: StaticString, ignoringCase: Bool = true) -> Bool {
        let count = word.utf8CodeUnitCount
        guard range.count >= count else { return false }
        let text = word.utf8Start
        for offset in 0..<count {
            let a = bytes[range.lowerBound + offset], b = text[offset]
            if a != b && !(ignoringCase && Self.lower(a) == Self.lower(b)) { return false }
        }
        return true
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// The value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x37
        case 0x61...0x66: byte - 0x57
        default: nil
        }
    }

    /// Whether every byte of `range` is a decimal digit (and it is not empty).
    func isDigits(_ range: Range<Int>) -> Bool {
        !range.isEmpty && range.allSatisfy { bytes[$0] >= 0x30 && bytes[$0] <= 0x39 }
    }

    /// The value of `range` read in `radix` (10 or 16), or nil when it is
    /// empty, holds another character, or exceeds `limit`.
    func number(_ range: Range<Int>, radix: UInt64, limit: UInt64) -> UInt64? {
        guard !range.isEmpty else { return nil }
        var value: UInt64 = 0
        for position in range {
            guard let digit = Self.hexValue(bytes[position]), UInt64(digit) < radix else { return nil }
            value = value * radix + UInt64(digit)
            if value > limit { return nil }
        }
        return value
    }

    /// An exact time `<seconds>.<fraction>` in `range` (up to 9 fraction
    /// digits) as ns, or nil.
    func seconds(_ range: Range<Int>) -> UInt64? {
        guard let dot = range.first(where: { bytes[$0] == 0x2E }) else { return nil }
        let whole = range.lowerBound..<dot, fraction = (dot + 1)..<range.upperBound
        guard !whole.isEmpty, !fraction.isEmpty, fraction.count <= 9,
              let seconds = number(whole, radix: 10, limit: UInt64.max / 1_000_000_000 - 1),
              let digits = number(fraction, radix: 10, limit: 999_999_999) else { return nil }
        var scale: UInt64 = 1
        for _ in fraction.count..<9 { scale *= 10 }
        return seconds * 1_000_000_000 + digits * scale
    }

    /// The number formed by the decimal digits that end `range` (`can12` →
    /// 12, 0 when there are none), or nil when it exceeds `Int32.max`.
    func trailingNumber(_ range: Range<Int>) -> Int32? {
        var start = range.upperBound
        while start > range.lowerBound && bytes[start - 1] >= 0x30 && bytes[start - 1] <= 0x39 { start -= 1 }
        if start == range.upperBound { return 0 }
        return number(start..<range.upperBound, radix: 10, limit: UInt64(Int32.max)).map { Int32($0) }
    }
}
