/// A path given to a run, kept as its exact bytes: Linux file names are
/// bytes, and a name that is not valid UTF-8 cannot be held in a `String`
/// without losing what opens it.
public struct InputPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The path's bytes (no terminating NUL).
    public let bytes: [UInt8]

    /// A path from text (its UTF-8 bytes).
    ///
    /// - Parameter path: the path.
    public init(_ path: String) {
        bytes = Array(path.utf8)
    }

    /// A path from its exact bytes.
    ///
    /// - Parameter bytes: the path's bytes, without a NUL.
    public init(bytes: [UInt8]) {
        precondition(!bytes.contains(0), "InputPath: a path holds no NUL byte")
        self.bytes = bytes
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The path as text, each byte that is not valid UTF-8 shown as U+FFFD.
    public var description: String { String(decoding: bytes, as: UTF8.self) }

    /// Whether the bytes are valid UTF-8 (so ``description`` is exact).
    public var isValidUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// The last path component (the file name), as bytes.
    var lastComponent: [UInt8] {
        let trimmed = bytes.last == UInt8(ascii: "/") ? Array(bytes.dropLast()) : bytes
        guard let slash = trimmed.lastIndex(of: UInt8(ascii: "/")) else { return trimmed }
        return Array(trimmed[(slash + 1)...])
    }

    /// `self` and a child name joined with one slash.
    func appending(_ name: [UInt8]) -> InputPath {
        InputPath(bytes: bytes.last == UInt8(ascii: "/") ? bytes + name : bytes + [UInt8(ascii: "/")] + name)
    }

    /// Calls `body` with the path as a NUL-terminated C string.
    func withCString<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try (bytes + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}
