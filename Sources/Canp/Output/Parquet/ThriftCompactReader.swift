/// A value of Thrift's compact protocol, decoded without a schema: what a
/// Parquet footer holds, read back for inspection.
public indirect enum ThriftValue: Sendable, Equatable {
    case bool(Bool)
    /// Every integer type (byte, i16, i32, i64).
    case int(Int64)
    case double(Double)
    /// A binary or a string.
    case binary([UInt8])
    /// A list or a set.
    case list([ThriftValue])
    case map([(ThriftValue, ThriftValue)])
    /// A struct's fields by their ids.
    case structure([Int16: ThriftValue])

    public static func == (a: ThriftValue, b: ThriftValue) -> Bool {
        switch (a, b) {
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.double(x), .double(y)): x.bitPattern == y.bitPattern
        case let (.binary(x), .binary(y)): x == y
        case let (.list(x), .list(y)): x == y
        case let (.map(x), .map(y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.structure(x), .structure(y)): x == y
        default: false
        }
    }

    /// A struct's field `id`, if this is a struct that has it.
    public subscript(id: Int16) -> ThriftValue? {
        if case let .structure(fields) = self { fields[id] } else { nil }
    }

    /// The integer, if this is one.
    public var int: Int64? { if case let .int(v) = self { v } else { nil } }
    /// The bytes, if this is a binary.
    public var bytes: [UInt8]? { if case let .binary(v) = self { v } else { nil } }
    /// The bytes as UTF-8 text (invalid sequences replaced), if this is a binary.
    public var string: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    /// The elements, if this is a list or a set.
    public var elements: [ThriftValue]? { if case let .list(v) = self { v } else { nil } }
}

/// Decodes Thrift compact protocol structs from bytes, every read bounds-checked
/// and nesting limited, so that any input ends in a value or an error.
public struct ThriftCompactReader {
    /// Why bytes are not a compact-protocol struct.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The offset where decoding stopped.
        public var offset: Int
        /// What was wrong there.
        public var reason: String
        public var description: String { "at byte \(offset) of the metadata: \(reason)" }
    }

    private let bytes: [UInt8]
    /// The next byte to read.
    public private(set) var offset = 0
    private static let depthLimit = 64

    /// A reader of `bytes` from their start.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Reads one struct (up to and including its stop field).
    public mutating func readStruct() throws(Failure) -> ThriftValue {
        try readStruct(depth: 0)
    }

    private mutating func fail(_ reason: String) -> Failure { Failure(offset: offset, reason: reason) }

    private mutating func byte() throws(Failure) -> UInt8 {
        guard offset < bytes.count else { throw fail("the bytes end inside a value") }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func varint() throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            let b = try byte()
            guard shift < 63 || b <= 1 else { throw fail("a varint longer than 64 bits") }
            result |= UInt64(b & 0x7F) << UInt64(shift)
            if b & 0x80 == 0 { return result }
        }
        throw fail("a varint longer than 64 bits")
    }

    private mutating func zigzag() throws(Failure) -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    private mutating func length() throws(Failure) -> Int {
        let n = try varint()
        guard n <= UInt64(bytes.count - offset) else { throw fail("a length of \(n) runs past the end") }
        return Int(n)
    }

    private mutating func readStruct(depth: Int) throws(Failure) -> ThriftValue {
        guard depth < Self.depthLimit else { throw fail("nested deeper than \(Self.depthLimit)") }
        var fields: [Int16: ThriftValue] = [:]
        var last: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return .structure(fields) }
            let delta = Int16(header >> 4), type = header & 0x0F
            if delta != 0 {
                let (id, overflow) = last.addingReportingOverflow(delta)
                guard !overflow else { throw fail("a field id past 32767") }
                last = id
            } else {
                let id = try zigzag()
                guard let id16 = Int16(exactly: id) else { throw fail("a field id of \(id)") }
                last = id16
            }
            fields[last] = type == 1 ? .bool(true) : type == 2 ? .bool(false) : try value(type: type, depth: depth)
        }
    }

    private mutating func value(type: UInt8, depth: Int) throws(Failure) -> ThriftValue {
        switch type {
        case 1, 2: return .bool(try byte() == 1)  // as a list element: one byte each
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 7:
            guard bytes.count - offset >= 8 else { throw fail("the bytes end inside a double") }
            let bits = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << UInt64(8 * $1) }
            offset += 8
            return .double(Double(bitPattern: bits))
        case 8:
            let n = try length()
            defer { offset += n }
            return .binary(Array(bytes[offset..<(offset + n)]))
        case 9, 10: return try list(depth: depth)
        case 11: return try map(depth: depth)
        case 12: return try readStruct(depth: depth + 1)
        default: throw fail("an unknown type \(type)")
        }
    }

    private mutating func list(depth: Int) throws(Failure) -> ThriftValue {
        guard depth < Self.depthLimit else { throw fail("nested deeper than \(Self.depthLimit)") }
        let header = try byte()
        let count = header >> 4 == 15 ? try length() : Int(header >> 4)
        var elements: [ThriftValue] = []
        for _ in 0..<count { elements.append(try value(type: header & 0x0F, depth: depth + 1)) }
        return .list(elements)
    }

    private mutating func map(depth: Int) throws(Failure) -> ThriftValue {
        guard depth < Self.depthLimit else { throw fail("nested deeper than \(Self.depthLimit)") }
        let count = try length()
        guard count > 0 else { return .map([]) }
        let types = try byte()
        var pairs: [(ThriftValue, ThriftValue)] = []
        for _ in 0..<count {
            let key = try value(type: types >> 4, depth: depth + 1)
            pairs.append((key, try value(type: types & 0x0F, depth: depth + 1)))
        }
        return .map(pairs)
    }
}
