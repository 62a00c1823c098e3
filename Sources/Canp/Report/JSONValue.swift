/// A parsed JSON value (RFC 8259), for reading back the summaries CANP
/// writes (``RunSummary``) without Foundation.
///
/// Integers without fraction or exponent that fit in `Int` are kept exact
/// (``integer(_:)``); other numbers are `Double`. Object members keep their
/// order; a repeated key keeps its last value in ``subscript(_:)``.
public enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits in `Int`, exact.
    case integer(Int)
    /// Any other number.
    case number(Double)
    /// A string, escapes resolved.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object's members, in their order.
    case object([(key: String, value: JSONValue)])

    /// Why a text is not JSON: the byte offset and what was expected there.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The byte offset of the problem.
        public var offset: Int
        /// What is wrong.
        public var reason: String
        public var description: String { "byte \(offset): \(reason)" }
    }

    /// The deepest nesting accepted (a guard against stack exhaustion).
    public static let maximumDepth = 64

    /// Parses one JSON text (surrounding whitespace allowed, nothing after it).
    ///
    /// - Throws: ``ParseError``.
    /// - Complexity: O(n) in the text's bytes.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
        var reader = JSONReader(bytes: bytes)
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.position == bytes.count else { throw reader.failure("text after the JSON value") }
        return value
    }

    /// The member `key` of an object (its last value), or nil.
    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    /// The value as an `Int`, if it is an integer.
    public var intValue: Int? { if case .integer(let v) = self { v } else { nil } }
    /// The value as a `Double`, if it is a number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let v): Double(v)
        case .number(let v): v
        default: nil
        }
    }
    /// The value as a string, if it is one.
    public var stringValue: String? { if case .string(let v) = self { v } else { nil } }
    /// The elements, if it is an array.
    public var arrayValue: [JSONValue]? { if case .array(let v) = self { v } else { nil } }
    /// The members, if it is an object.
    public var objectValue: [(key: String, value: JSONValue)]? { if case .object(let v) = self { v } else { nil } }

    /// Equal values; objects compare member by member, in order.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case let (.bool(x), .bool(y)): x == y
        case let (.integer(x), .integer(y)): x == y
        case let (.number(x), .number(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}

/// The recursive-descent reader behind ``JSONValue/parse(_:)``.
private struct JSONReader {
    let bytes: [UInt8]
    var position = 0

    func failure(_ reason: String) -> JSONValue.ParseError { JSONValue.ParseError(offset: position, reason: reason) }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    mutating func value(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        guard depth < JSONValue.maximumDepth else { throw failure("nested deeper than \(JSONValue.maximumDepth) levels") }
        skipSpace()
        guard position < bytes.count else { throw failure("a value expected, the text ended") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    mutating func literal(_ word: String) throws(JSONValue.ParseError) {
        let expected = Array(word.utf8)
        guard bytes.count - position >= expected.count, bytes[position..<(position + expected.count)].elementsEqual(expected) else {
            throw failure("not a JSON value")
        }
        position += expected.count
    }

    mutating func expect(_ byte: UInt8) throws(JSONValue.ParseError) {
        skipSpace()
        guard position < bytes.count, bytes[position] == byte else { throw failure("'\(Character(Unicode.Scalar(byte)))' expected") }
        position += 1
    }

    /// Whether the next byte (after whitespace) is `byte`; consumes it if so.
    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func object(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        if take(UInt8(ascii: "}")) { return .object(members) }
        repeat {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("a member name expected") }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            members.append((key, try value(depth: depth + 1)))
        } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
        return .object(members)
    }

    mutating func array(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        position += 1
        var elements: [JSONValue] = []
        if take(UInt8(ascii: "]")) { return .array(elements) }
        repeat { elements.append(try value(depth: depth + 1)) } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
        return .array(elements)
    }

    mutating func number() throws(JSONValue.ParseError) -> JSONValue {
        let start = position
        var integral = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") || byte == UInt8(ascii: "-") {
                position += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") {
                integral = false
                position += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard !text.isEmpty, Self.isJSONNumber(Array(text.utf8)) else {
            position = start
            throw failure(text.isEmpty ? "not a JSON value" : "not a JSON number: \(text)")
        }
        if integral, let value = Int(text) { return .integer(value) }
        guard let value = Double(text) else { throw failure("not a JSON number: \(text)") }
        return .number(value)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    static func isJSONNumber(_ t: [UInt8]) -> Bool {
        var i = 0
        func digits() -> Int { let s = i; while i < t.count, t[i] >= 0x30 && t[i] <= 0x39 { i += 1 }; return i - s }
        if i < t.count && t[i] == UInt8(ascii: "-") { i += 1 }
        let start = i
        let whole = digits()
        guard whole > 0, !(whole > 1 && t[start] == 0x30) else { return false }
        if i < t.count && t[i] == UInt8(ascii: ".") { i += 1; guard digits() > 0 else { return false } }
        if i < t.count && (t[i] == UInt8(ascii: "e") || t[i] == UInt8(ascii: "E")) {
            i += 1
            if i < t.count && (t[i] == UInt8(ascii: "+") || t[i] == UInt8(ascii: "-")) { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == t.count
    }

    mutating func string() throws(JSONValue.ParseError) -> String {
        position += 1
        var out: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw failure("a string that is not UTF-8") }
                return text
            case UInt8(ascii: "\\"): try escape(into: &out)
            case 0..<0x20: position -= 1; throw failure("a control character in a string")
            default: out.append(byte)
            }
        }
        throw failure("a string without its closing quote")
    }

    mutating func escape(into out: inout [UInt8]) throws(JSONValue.ParseError) {
        guard position < bytes.count else { throw failure("an escape without its character") }
        let byte = bytes[position]
        position += 1
        let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]
        if let replacement = simple[byte] { out.append(replacement); return }
        guard byte == UInt8(ascii: "u") else { throw failure("an unknown escape \\\(Character(Unicode.Scalar(byte)))") }
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard bytes.count - position >= 6, bytes[position] == 0x5C, bytes[position + 1] == UInt8(ascii: "u") else {
                throw failure("a high surrogate without its low surrogate")
            }
            position += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("a high surrogate without its low surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let value = Unicode.Scalar(scalar) else { throw failure("a lone surrogate \\u\(String(scalar, radix: 16))") }
        out.append(contentsOf: Array(String(Character(value)).utf8))
    }

    mutating func hex4() throws(JSONValue.ParseError) -> UInt32 {
        guard bytes.count - position >= 4 else { throw failure("\\u needs four hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            guard let digit = UInt32(String(Character(Unicode.Scalar(byte))), radix: 16) else { throw failure("\\u needs four hex digits") }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
