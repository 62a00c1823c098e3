import Glibc

/// Builds CANP files in memory: Record0 headers filled as the reference
/// writer fills them, payloads gzip-compressed with libdeflate.
///
/// Used by the data generator and by tests. Besides valid blocks it can
/// produce every kind of damage the spec lists: level-0 damage through
/// `Damage`, level 1-3 and frame damage through the builders' overrides, a
/// truncated tail through `truncate(removingLast:)`.
///
/// Noncopyable because it owns a `GzipDeflater`.
public struct CANPFileWriter: ~Copyable, Sendable {
    /// Damage to a Record0 and its gzip member.
    public enum Damage: Sendable, Hashable {
        /// XOR one byte in the middle of the DEFLATE stream with `mask` (as the reference generator does).
        case flipDeflateByte(mask: UInt8)
        /// Change the CRC-32 in the gzip trailer.
        case corruptChecksum
        /// Add `delta` (wrapping) to the ISIZE in the gzip trailer.
        case corruptInflatedSize(delta: UInt32)
        /// Append bytes after the gzip member, inside Payload0 (len0 counts them).
        case trailingBytes([UInt8])
        /// Write `len0` as this value instead of the payload's size.
        case payloadLength(UInt32)
    }

    /// Why a file could not be written.
    public enum WriteFailure: Error, Sendable, Hashable {
        /// `open`, `write` or `close` failed with this errno.
        case io(path: String, errno: Int32)
    }

    private let deflater: GzipDeflater
    /// The file built so far.
    public private(set) var bytes: [UInt8] = []
    /// The Record0s appended so far; the next block gets this sequence number.
    public private(set) var blockCount = 0

    /// Creates an empty file.
    ///
    /// - Parameter compressionLevel: libdeflate level 0-12 (6 by default, as the reference).
    /// - Throws: `GzipError` when the compressor cannot be created.
    /// - Complexity: O(1).
    public init(compressionLevel: Int = 6) throws(GzipError) {
        deflater = try GzipDeflater(level: compressionLevel)
    }

    /// Compresses a block payload and appends it as a Record0.
    ///
    /// The header's timestamps are the smallest and largest frame timestamps
    /// of the payload (0 without frames); its sequence number is `blockCount`.
    ///
    /// - Parameters:
    ///   - payload: the inflated payload.
    ///   - damage: damage to apply, if any.
    /// - Returns: the block as a reader's scanner will find it (unless the damage changes len0).
    /// - Throws: `GzipError` when compression fails.
    /// - Complexity: O(payload bytes).
    @discardableResult
    public mutating func appendBlock(_ payload: BlockPayloadBuilder, damage: Damage? = nil) throws(GzipError) -> BlockDescriptor {
        let range = payload.timestampRange
        return try appendBlock(
            inflated: payload.bytes, firstTimestamp: range?.lowerBound ?? 0, lastTimestamp: range?.upperBound ?? 0,
            damage: damage)
    }

    /// Compresses inflated bytes and appends them as a Record0.
    ///
    /// - Parameters:
    ///   - inflated: the inflated payload (a Stream1, or anything for damage tests).
    ///   - firstTimestamp: header bytes 11..<19.
    ///   - lastTimestamp: header bytes 19..<27.
    ///   - damage: damage to apply, if any.
    /// - Returns: the block as a reader's scanner will find it (unless the damage changes len0).
    /// - Throws: `GzipError` when compression fails.
    /// - Complexity: O(payload bytes).
    @discardableResult
    public mutating func appendBlock(
        inflated: [UInt8], firstTimestamp: UInt64, lastTimestamp: UInt64, damage: Damage? = nil
    ) throws(GzipError) -> BlockDescriptor {
        var member = try deflater.compress(inflated)
        var declaredLength: UInt32?
        switch damage {
        case nil:
            break
        case .flipDeflateByte(let mask):
            member[10 + (member.count - 10) / 2] ^= mask
        case .corruptChecksum:
            member[member.count - 8] ^= 0xFF
        case .corruptInflatedSize(let delta):
            let at = member.count - 4
            var isize = UInt32(member[at]) | UInt32(member[at + 1]) << 8 | UInt32(member[at + 2]) << 16
                | UInt32(member[at + 3]) << 24
            isize &+= delta
            for k in 0..<4 { member[at + k] = UInt8(truncatingIfNeeded: isize >> (8 * k)) }
        case .trailingBytes(let extra):
            member.append(contentsOf: extra)
        case .payloadLength(let length):
            declaredLength = length
        }
        let header = Record0Header(
            sequenceNumber: UInt32(truncatingIfNeeded: blockCount), firstTimestamp: firstTimestamp,
            lastTimestamp: lastTimestamp, inflatedSize: UInt32(truncatingIfNeeded: inflated.count),
            payloadLength: declaredLength ?? UInt32(member.count))
        return appendRecord0(header: header, payload: member)
    }

    /// Appends a Record0 exactly as given: the header's bytes, then `payload`.
    ///
    /// - Parameters:
    ///   - header: the header, written as is (its `payloadLength` may lie).
    ///   - payload: the Payload0 bytes.
    /// - Returns: the block described by the header at its offset.
    /// - Complexity: O(payload bytes).
    @discardableResult
    public mutating func appendRecord0(header: Record0Header, payload: [UInt8]) -> BlockDescriptor {
        let block = BlockDescriptor(index: blockCount, offset: bytes.count, header: header)
        header.append(to: &bytes)
        bytes.append(contentsOf: payload)
        blockCount += 1
        return block
    }

    /// Appends bytes outside any Record0 (garbage, or a deliberately short tail).
    ///
    /// - Parameter raw: the bytes.
    /// - Complexity: O(bytes).
    public mutating func appendRawBytes(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Cuts the file short, as an interrupted upload does.
    ///
    /// - Parameter count: how many bytes to remove from the end (at most all of them).
    /// - Complexity: O(1).
    public mutating func truncate(removingLast count: Int) {
        bytes.removeLast(min(count, bytes.count))
    }

    /// Writes the file (created or replaced, mode 0644).
    ///
    /// - Parameter path: where to write.
    /// - Throws: `WriteFailure.io` with the failing call's errno.
    /// - Complexity: O(file size).
    public func write(toPath path: String) throws(WriteFailure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteFailure.io(path: path, errno: errno) }
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += n
            }
        }
        if close(fd) != 0 && failure == 0 { failure = errno }
        if failure != 0 { throw WriteFailure.io(path: path, errno: failure) }
    }
}
