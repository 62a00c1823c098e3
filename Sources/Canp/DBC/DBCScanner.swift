/// A cursor over the bytes of a DBC file that reads one token at a time, on
/// demand of the grammar (a scannerless parser).
///
/// Rejected alternative: a separate tokenizer pass like cantools' regular
/// expressions. Reading tokens in the grammar's context is what makes the
/// leniencies possible: a name may start with a digit where the grammar wants
/// a name (`BO_ 1275 2017_5:`), and a number may lack its leading digit where
/// it wants a number (`(.25,-500)`).
struct DBCScanner {
    let bytes: [UInt8]
    let encoding: DBCTextEncoding
    let fileName: String?
    private(set) var position: Int = 0
    /// The line of `position`, counted from 1.
    private(set) var line: Int = 1
    private var lineStart: Int = 0

    init(bytes: [UInt8], encoding: DBCTextEncoding, fileName: String?) {
        self.bytes = bytes
        self.encoding = encoding
        self.fileName = fileName
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3; lineStart = 3 }   // UTF-8 byte order mark
    }

    var isAtEnd: Bool { position >= bytes.count }

    /// The current byte, or 0 at the end.
    var current: UInt8 { position < bytes.count ? bytes[position] : 0 }

    func byte(at offset: Int) -> UInt8 { position + offset < bytes.count ? bytes[position + offset] : 0 }

    static func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Skips blanks, line ends and `//` comments.
    mutating func skipSpace() {
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x0A {
                position += 1
                line += 1
                lineStart = position
            } else if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0C || b == 0x0B {
                position += 1
            } else if b == 0x2F && byte(at: 1) == 0x2F {
                while position < bytes.count && bytes[position] != 0x0A { position += 1 }
            } else {
                return
            }
        }
    }

    /// Skips blanks but not line ends; returns whether the next token stands on the same line.
    mutating func skipBlanksOnLine() -> Bool {
        while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 || bytes[position] == 0x0D {
            position += 1
        }
        return position < bytes.count && bytes[position] != 0x0A && !(bytes[position] == 0x2F && byte(at: 1) == 0x2F)
    }

    /// The identifier at the cursor without consuming it (after skipping space).
    mutating func peekIdentifier() -> Substring? {
        skipSpace()
        var end = position
        while end < bytes.count && Self.isIdentifierByte(bytes[end]) { end += 1 }
        guard end > position else { return nil }
        return Substring(String(decoding: bytes[position..<end], as: UTF8.self))
    }

    /// Whether the next token is the given punctuation byte.
    mutating func peek(_ punctuation: UInt8) -> Bool {
        skipSpace()
        return current == punctuation
    }

    /// Whether the next token looks like a number (sign, digit or point).
    mutating func peekNumber() -> Bool {
        skipSpace()
        let b = current
        if Self.isDigit(b) { return true }
        if b == 0x2E { return Self.isDigit(byte(at: 1)) }
        if b == 0x2B || b == 0x2D {
            let c = byte(at: 1)
            return Self.isDigit(c) || (c == 0x2E && Self.isDigit(byte(at: 2)))
        }
        return false
    }

    // MARK: - Errors

    /// A short excerpt of what stands at the cursor, for error messages.
    func excerpt() -> String {
        guard position < bytes.count else { return "end of file" }
        var end = position
        while end < bytes.count && end - position < 24 && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
        if end == position { end += 1 }
        return "'" + encoding.decode(bytes[position..<end]) + "'"
    }

    var column: Int { position - lineStart + 1 }

    func error(expected: String) -> DBCError {
        .syntax(file: fileName, line: line, column: column, expected: expected, found: excerpt())
    }

    // MARK: - Tokens

    /// Consumes the given punctuation byte or throws.
    mutating func expect(_ punctuation: UInt8, _ what: String) throws(DBCError) {
        skipSpace()
        guard current == punctuation else { throw error(expected: what) }
        position += 1
    }

    /// Consumes the given punctuation byte when it is next.
    mutating func consume(_ punctuation: UInt8) -> Bool {
        skipSpace()
        guard current == punctuation else { return false }
        position += 1
        return true
    }

    /// Reads `[A-Za-z0-9_]+`.
    ///
    /// - Returns: The identifier and whether it starts with a digit.
    mutating func identifier(_ what: String) throws(DBCError) -> (name: String, startsWithDigit: Bool) {
        skipSpace()
        let start = position
        while position < bytes.count && Self.isIdentifierByte(bytes[position]) { position += 1 }
        guard position > start else { throw error(expected: what) }
        return (String(decoding: bytes[start..<position], as: UTF8.self), Self.isDigit(bytes[start]))
    }

    /// Reads a double-quoted string; `\"` stands for a quote, as in cantools.
    mutating func string(_ what: String) throws(DBCError) -> String {
        skipSpace()
        guard current == 0x22 else { throw error(expected: what) }
        let startLine = line, startColumn = column
        position += 1
        var pieces: [UInt8] = []
        var runStart = position
        var hasEscape = false
        while true {
            guard position < bytes.count else {
                throw DBCError.syntax(file: fileName, line: startLine, column: startColumn,
                                      expected: "the closing '\"' of the string", found: "end of file")
            }
            let b = bytes[position]
            if b == 0x22 { break }
            if b == 0x5C && byte(at: 1) == 0x22 {
                pieces.append(contentsOf: bytes[runStart..<position])
                pieces.append(0x22)
                position += 2
                runStart = position
                hasEscape = true
                continue
            }
            if b == 0x0A { line += 1; lineStart = position + 1 }
            position += 1
        }
        let text: String
        if hasEscape {
            pieces.append(contentsOf: bytes[runStart..<position])
            text = encoding.decode(pieces[...])
        } else {
            text = encoding.decode(bytes[runStart..<position])
        }
        position += 1
        return text
    }

    /// A number as written: its value and whether a digit before the point was missing.
    struct Number {
        var value: Double
        var text: String
        var lacksLeadingDigit: Bool
        /// The value as an integer when the text has no point or exponent.
        var integer: Int64?
        /// The same, for the values of value tables and multiplexers, which
        /// may exceed `Int64` (an unsigned 64-bit signal's 2^64-1); `nil` for
        /// an integer beyond `Int128` too.
        var wideInteger: Int128?
    }

    /// Reads `[+-]? digits [. digits] [e [+-] digits]`; digits before the
    /// point may be missing (the caller warns).
    mutating func number(_ what: String) throws(DBCError) -> Number {
        skipSpace()
        let start = position
        if current == 0x2B || current == 0x2D { position += 1 }
        let intStart = position
        while Self.isDigit(current) && position < bytes.count { position += 1 }
        let intDigits = position - intStart
        var isInteger = true
        var fracDigits = 0
        if current == 0x2E && position < bytes.count {
            isInteger = false
            position += 1
            let fracStart = position
            while Self.isDigit(current) && position < bytes.count { position += 1 }
            fracDigits = position - fracStart
        }
        guard intDigits + fracDigits > 0 else {
            position = start
            throw error(expected: what)
        }
        if current == 0x65 || current == 0x45 {
            let save = position
            position += 1
            if current == 0x2B || current == 0x2D { position += 1 }
            if Self.isDigit(current) {
                while Self.isDigit(current) && position < bytes.count { position += 1 }
                isInteger = false
            } else {
                position = save
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Double(text) else {
            position = start
            throw error(expected: what)
        }
        return Number(value: value, text: text, lacksLeadingDigit: intDigits == 0,
                      integer: isInteger ? Int64(text) : nil, wideInteger: isInteger ? Int128(text) : nil)
    }

    /// Reads an integer (no point, no exponent) that fits in `Int128`, or `nil`
    /// for a larger one.
    mutating func wideInteger(_ what: String) throws(DBCError) -> Int128? {
        skipSpace()
        let start = position
        let n = try number(what)
        guard !n.text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            position = start
            throw error(expected: what)
        }
        return n.wideInteger
    }

    /// Reads an integer (no point, no exponent) that fits in `Int64`.
    mutating func integer(_ what: String) throws(DBCError) -> Int64 {
        skipSpace()
        let start = position
        let n = try number(what)
        guard let v = n.integer else {
            position = start
            throw error(expected: what)
        }
        return v
    }

    /// Skips tokens up to and including the next `;`, stepping over strings.
    mutating func skipStatement() throws(DBCError) {
        while true {
            skipSpace()
            guard position < bytes.count else { throw error(expected: "';'") }
            let b = bytes[position]
            if b == 0x3B { position += 1; return }
            if b == 0x22 { _ = try string("a string"); continue }
            position += 1
        }
    }
}
