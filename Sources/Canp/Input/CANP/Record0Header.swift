/// The 35-byte header of a Record0 (a block), as `docs/FORMAT.md` lays it out.
///
/// A reader needs only `payloadLength`; the other fields are what the
/// reference writer puts there and are exposed for tools and tests, never
/// checked (real loggers fill them with their own metadata).
public struct Record0Header: Sendable, Hashable {
    /// The size of the header in bytes.
    public static let size = 35
    /// ASCII `CANP` as a big-endian `UInt32`, what the reference writer puts in bytes 0..<4.
    public static let expectedMagic: UInt32 = 0x4341_4E50
    /// The format version the reference writer puts in byte 4.
    public static let currentVersion: UInt8 = 1

    /// Bytes 0..<4, `CANP` in the reference writer.
    public var magic: UInt32
    /// Byte 4, the format version (1).
    public var version: UInt8
    /// Bytes 5..<7, reserved (0).
    public var reserved: UInt16
    /// Bytes 7..<11, the block's sequence number within the file, from 0.
    public var sequenceNumber: UInt32
    /// Bytes 11..<19, the timestamp of the block's first frame in ns.
    public var firstTimestamp: UInt64
    /// Bytes 19..<27, the timestamp of the block's last frame in ns.
    public var lastTimestamp: UInt64
    /// Bytes 27..<31, the inflated size of the payload as the writer saw it.
    public var inflatedSize: UInt32
    /// Bytes 31..<35, `len0`: the number of payload bytes after the header.
    public var payloadLength: UInt32

    /// Creates a header; the defaults are those of the reference writer.
    ///
    /// - Parameters:
    ///   - magic: bytes 0..<4.
    ///   - version: byte 4.
    ///   - reserved: bytes 5..<7.
    ///   - sequenceNumber: the block number within the file.
    ///   - firstTimestamp: ns of the first frame.
    ///   - lastTimestamp: ns of the last frame.
    ///   - inflatedSize: the payload's inflated size.
    ///   - payloadLength: `len0`.
    /// - Complexity: O(1).
    public init(
        magic: UInt32 = Record0Header.expectedMagic, version: UInt8 = Record0Header.currentVersion,
        reserved: UInt16 = 0, sequenceNumber: UInt32, firstTimestamp: UInt64, lastTimestamp: UInt64,
        inflatedSize: UInt32, payloadLength: UInt32
    ) {
        self.magic = magic
        self.version = version
        self.reserved = reserved
        self.sequenceNumber = sequenceNumber
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.inflatedSize = inflatedSize
        self.payloadLength = payloadLength
    }

    /// Reads a header from `base + offset`; the caller guarantees 35 readable bytes.
    @inline(__always)
    init(unsafeAt base: UnsafeRawPointer, offset: Int) {
        let p = base + offset
        magic = UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))
        version = p.load(fromByteOffset: 4, as: UInt8.self)
        reserved = UInt16(bigEndian: p.loadUnaligned(fromByteOffset: 5, as: UInt16.self))
        sequenceNumber = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 7, as: UInt32.self))
        firstTimestamp = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 11, as: UInt64.self))
        lastTimestamp = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 19, as: UInt64.self))
        inflatedSize = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 27, as: UInt32.self))
        payloadLength = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 31, as: UInt32.self))
    }

    /// Whether bytes 0..<4 hold `CANP` (informational only; readers never reject on it).
    public var hasReferenceMagic: Bool { magic == Self.expectedMagic }

    /// Appends the 35 header bytes, big-endian, to `bytes`.
    ///
    /// - Parameter bytes: the buffer to append to.
    /// - Complexity: O(1).
    public func append(to bytes: inout [UInt8]) {
        bytes.appendBigEndian(magic)
        bytes.append(version)
        bytes.appendBigEndian(reserved)
        bytes.appendBigEndian(sequenceNumber)
        bytes.appendBigEndian(firstTimestamp)
        bytes.appendBigEndian(lastTimestamp)
        bytes.appendBigEndian(inflatedSize)
        bytes.appendBigEndian(payloadLength)
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` in big-endian byte order (the CANP format's order).
    @inline(__always)
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var be = value.bigEndian
        Swift.withUnsafeBytes(of: &be) { append(contentsOf: $0) }
    }
}
