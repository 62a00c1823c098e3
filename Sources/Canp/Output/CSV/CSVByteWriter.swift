import Glibc

/// Writes CSV as UTF-8 bytes into a growing buffer, fast: integers, hex and
/// doubles are formatted straight into the buffer, without a `String` per
/// field.
///
/// Quoting follows RFC 4180 as `docs/FORMAT.md` requires: a field holding a
/// comma, a double quote, a CR or a LF is enclosed in double quotes with its
/// double quotes doubled; rows end with `\n`. The writer does not track
/// fields: call `appendComma()` between fields and `appendNewline()` after
/// the last one (or `appendRow(_:)`).
///
/// Noncopyable because it owns its buffer (released in `deinit`); one per
/// output file and thread. Used for `frames.csv` and `errors.csv`
/// (`CanonicalCSV`) and for `signals.csv`.
public struct CSVByteWriter: ~Copyable, @unchecked Sendable {
    // @unchecked: the buffer is owned uniquely by this noncopyable value.
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The number of bytes written.
    public private(set) var count = 0

    /// Why the buffer could not be flushed.
    public enum FlushFailure: Error, Sendable, Hashable {
        /// `write(2)` failed with this errno.
        case io(errno: Int32)
    }

    /// Creates an empty writer.
    ///
    /// - Parameter capacity: initial buffer size in bytes (it grows by doubling).
    /// - Complexity: O(1).
    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 256)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    /// Whether nothing has been written.
    public var isEmpty: Bool { count == 0 }

    /// Makes room for `extra` more bytes.
    ///
    /// - Parameter extra: bytes about to be written.
    /// - Complexity: amortized O(1); O(count) when the buffer grows.
    @inline(__always)
    public mutating func reserveCapacity(_ extra: Int) {
        if capacity - count < extra { grow(to: count + extra) }
    }

    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.update(from: storage, count: count)
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
    }

    // MARK: - Fields

    /// Appends text as one field, quoted if it holds a comma, a double quote or a line break.
    ///
    /// - Parameter text: the field.
    /// - Complexity: O(text's UTF-8 length).
    public mutating func appendField(_ text: String) {
        var text = text
        text.withUTF8 { appendField(unsafeUTF8: UnsafeRawBufferPointer($0)) }
    }

    /// Appends UTF-8 bytes as one field, quoted if needed.
    ///
    /// - Parameter bytes: the field's UTF-8 bytes.
    /// - Complexity: O(bytes).
    public mutating func appendField(unsafeUTF8 bytes: UnsafeRawBufferPointer) {
        guard Self.needsQuoting(bytes) else {
            appendRaw(unsafeBytes: bytes)
            return
        }
        reserveCapacity(2 * bytes.count + 2)
        storage[count] = UInt8(ascii: "\"")
        count += 1
        for byte in bytes {
            storage[count] = byte
            count += 1
            if byte == UInt8(ascii: "\"") {
                storage[count] = byte
                count += 1
            }
        }
        storage[count] = UInt8(ascii: "\"")
        count += 1
    }

    /// The bytes of `text` as a CSV field: quoted and escaped if needed.
    ///
    /// Encode a value that repeats on every row (a file name) once, then
    /// append it with `appendRaw(_:)`.
    ///
    /// - Parameter text: the field.
    /// - Returns: its bytes as they appear in CSV.
    /// - Complexity: O(text's UTF-8 length).
    public static func encodedField(_ text: String) -> [UInt8] {
        var writer = CSVByteWriter(capacity: text.utf8.count * 2 + 2)
        writer.appendField(text)
        return writer.bytes
    }

    /// Whether a field must be quoted: it holds a comma, a double quote, CR or LF.
    ///
    /// - Parameter bytes: the field's UTF-8 bytes.
    /// - Returns: `true` when RFC 4180 requires quotes.
    /// - Complexity: O(bytes).
    public static func needsQuoting(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r"): return true
            default: continue
            }
        }
        return false
    }

    /// Appends bytes as they are, without quoting (separators, headers, pre-encoded fields).
    ///
    /// - Parameter bytes: the bytes.
    /// - Complexity: O(bytes).
    public mutating func appendRaw(unsafeBytes bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserveCapacity(bytes.count)
        UnsafeMutableRawPointer(storage + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends bytes as they are, without quoting.
    ///
    /// - Parameter bytes: the bytes.
    /// - Complexity: O(bytes).
    public mutating func appendRaw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { appendRaw(unsafeBytes: $0) }
    }

    /// Appends the UTF-8 of `text` as it is, without quoting (a header row, say).
    ///
    /// - Parameter text: the text.
    /// - Complexity: O(text's UTF-8 length).
    public mutating func appendRaw(_ text: String) {
        var text = text
        text.withUTF8 { appendRaw(unsafeBytes: UnsafeRawBufferPointer($0)) }
    }

    /// Appends a field separator.
    @inline(__always)
    public mutating func appendComma() {
        reserveCapacity(1)
        unsafeAppendUnchecked(UInt8(ascii: ","))
    }

    /// Ends the row with `\n`.
    @inline(__always)
    public mutating func appendNewline() {
        reserveCapacity(1)
        unsafeAppendUnchecked(UInt8(ascii: "\n"))
    }

    /// Appends a whole row of text fields, quoting each as needed, and `\n`.
    ///
    /// - Parameter fields: the fields.
    /// - Complexity: O(total length).
    public mutating func appendRow(_ fields: [String]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { appendComma() }
            appendField(field)
        }
        appendNewline()
    }

    /// Appends an unsigned integer in decimal.
    ///
    /// - Parameter value: the integer.
    /// - Complexity: O(digits).
    @inline(__always)
    public mutating func appendDecimal(_ value: UInt64) {
        reserveCapacity(20)
        unsafeAppendDecimalUnchecked(value)
    }

    /// Appends a signed integer in decimal.
    ///
    /// - Parameter value: the integer.
    /// - Complexity: O(digits).
    @inline(__always)
    public mutating func appendDecimal(_ value: Int64) {
        reserveCapacity(21)
        if value < 0 { unsafeAppendUnchecked(UInt8(ascii: "-")) }
        unsafeAppendDecimalUnchecked(value.magnitude)
    }

    /// Appends an `Int` in decimal.
    ///
    /// - Parameter value: the integer.
    /// - Complexity: O(digits).
    @inline(__always)
    public mutating func appendDecimal(_ value: Int) {
        appendDecimal(Int64(value))
    }

    /// Appends `0` or `1`.
    ///
    /// - Parameter flag: the value.
    @inline(__always)
    public mutating func appendFlag(_ flag: Bool) {
        reserveCapacity(1)
        unsafeAppendUnchecked(flag ? UInt8(ascii: "1") : UInt8(ascii: "0"))
    }

    /// Appends `0x` and `value` in upper-case hex without leading zeros (`0x18FEF1FE`, `0x0`).
    ///
    /// - Parameter value: the value.
    /// - Complexity: O(digits).
    @inline(__always)
    public mutating func appendHexadecimal(_ value: UInt64) {
        reserveCapacity(18)
        unsafeAppendHexUnchecked(value)
    }

    /// Appends bytes in upper-case hex, two digits each, no separators (empty for no bytes).
    ///
    /// - Parameter bytes: the bytes.
    /// - Complexity: O(bytes).
    public mutating func appendHexBytes(unsafeBytes bytes: UnsafeRawBufferPointer) {
        reserveCapacity(2 * bytes.count)
        unsafeAppendHexBytesUnchecked(bytes)
    }

    /// Appends a double in the shortest form that reads back to the same value
    /// (`0.1`, `100.0`, `1e-05`, `inf`, `nan`), as Python's `repr` does.
    ///
    /// - Parameter value: the double.
    /// - Complexity: O(1).
    public mutating func appendDouble(_ value: Double) {
        // Swift's description is the shortest round-trip form (SwiftDtoa). Up to 15
        // characters it lives in the small-string buffer and does not allocate;
        // longer forms (17 significant digits) allocate once. Writing our own
        // shortest-digit algorithm was rejected: risk for a gain not yet measured.
        var text = value.description
        text.withUTF8 { appendRaw(unsafeBytes: UnsafeRawBufferPointer($0)) }
    }

    // MARK: - Output

    /// Calls `body` with the bytes written so far.
    ///
    /// - Parameter body: receives the bytes; they are valid only during the call.
    /// - Returns: what `body` returns.
    /// - Throws: what `body` throws.
    /// - Complexity: O(1) plus `body`.
    public func withUnsafeBytes<Result: ~Copyable, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// A copy of the bytes written so far.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage, count: count)) }

    /// The bytes written so far as a string (for tests and small outputs).
    public var text: String { String(decoding: UnsafeBufferPointer(start: storage, count: count), as: UTF8.self) }

    /// Forgets the bytes written, keeping the buffer.
    ///
    /// - Complexity: O(1).
    public mutating func removeAll() {
        count = 0
    }

    /// Writes all bytes to a file descriptor and empties the buffer.
    ///
    /// - Parameter descriptor: an open file descriptor.
    /// - Throws: `FlushFailure.io` when `write(2)` fails (the bytes stay in the buffer).
    /// - Complexity: O(count).
    public mutating func flush(toFileDescriptor descriptor: Int32) throws(FlushFailure) {
        var done = 0
        while done < count {
            let n = Glibc.write(descriptor, storage + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                let failure = errno
                if done > 0 {
                    memmove(storage, storage + done, count - done)
                    count -= done
                }
                throw FlushFailure.io(errno: failure)
            }
            done += n
        }
        count = 0
    }

    // MARK: - Unchecked appends for row formatters (the caller reserved the room)

    @inline(__always)
    mutating func unsafeAppendUnchecked(_ byte: UInt8) {
        storage[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func unsafeAppendUnchecked(unsafeBytes bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        UnsafeMutableRawPointer(storage + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func unsafeAppendDecimalUnchecked(_ value: UInt64) {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        var v = value
        var at = count + digits - 1
        repeat {
            let (q, r) = v.quotientAndRemainder(dividingBy: 10)
            storage[at] = UInt8(truncatingIfNeeded: r) &+ UInt8(ascii: "0")
            at -= 1
            v = q
        } while v != 0
        count += digits
    }

    @inline(__always)
    mutating func unsafeAppendHexUnchecked(_ value: UInt64) {
        storage[count] = UInt8(ascii: "0")
        storage[count + 1] = UInt8(ascii: "x")
        count += 2
        let digits = value == 0 ? 1 : (64 - value.leadingZeroBitCount + 3) / 4
        var at = count + digits - 1
        var v = value
        for _ in 0..<digits {
            storage[at] = Self.hexDigit(UInt8(truncatingIfNeeded: v & 0xF))
            at -= 1
            v >>= 4
        }
        count += digits
    }

    @inline(__always)
    mutating func unsafeAppendHexBytesUnchecked(_ bytes: UnsafeRawBufferPointer) {
        var at = count
        for byte in bytes {
            storage[at] = Self.hexDigit(byte >> 4)
            storage[at + 1] = Self.hexDigit(byte & 0xF)
            at += 2
        }
        count = at
    }

    @inline(__always)
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? nibble &+ UInt8(ascii: "0") : nibble &+ (UInt8(ascii: "A") &- 10)
    }
}
