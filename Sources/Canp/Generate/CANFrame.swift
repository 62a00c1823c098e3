/// One CAN or CAN FD frame as the writer lays it out (the payload of a
/// Record3): the 16-byte SocketCAN-like fixed part and the data.
///
/// Every byte is settable, including values a reader must reject, so that
/// tests and the data generator can build damaged frames.
public struct CANFrame: Sendable, Hashable {
    /// Bytes 0..<8: ns since the Unix epoch.
    public var timestamp: UInt64
    /// Bytes 8..<12: `can_id` as stored, identifier plus EFF (31), RTR (30), ERR (29).
    public var rawIdentifier: UInt32
    /// Byte 12: FDF (bit 0), BRS (1), ESI (2), TX (3).
    public var flagsByte: UInt8
    /// Byte 13: the bus channel.
    public var channel: UInt8
    /// The data bytes, written after the fixed part.
    public var data: [UInt8]
    /// Byte 14 when it should differ from `data.count` (a damaged frame); `nil` writes `data.count`.
    public var lengthOverride: UInt8?
    /// Byte 15, reserved (0).
    public var reserved: UInt8

    /// Creates a frame from its raw fields.
    ///
    /// - Parameters:
    ///   - timestamp: ns since the Unix epoch.
    ///   - rawIdentifier: `can_id` with its flag bits.
    ///   - flagsByte: byte 12.
    ///   - channel: byte 13.
    ///   - data: the data bytes (at most 255).
    ///   - lengthOverride: byte 14 when it must lie.
    ///   - reserved: byte 15.
    /// - Complexity: O(1).
    public init(
        timestamp: UInt64, rawIdentifier: UInt32, flagsByte: UInt8, channel: UInt8, data: [UInt8],
        lengthOverride: UInt8? = nil, reserved: UInt8 = 0
    ) {
        precondition(data.count <= 255, "CANFrame: at most 255 data bytes fit the length byte")
        self.timestamp = timestamp
        self.rawIdentifier = rawIdentifier
        self.flagsByte = flagsByte
        self.channel = channel
        self.data = data
        self.lengthOverride = lengthOverride
        self.reserved = reserved
    }

    /// Creates a frame from its meaning.
    ///
    /// - Parameters:
    ///   - timestamp: ns since the Unix epoch.
    ///   - identifier: the 11- or 29-bit identifier (bits above 28 are dropped).
    ///   - flags: EFF/RTR/ERR and FDF/BRS/ESI/TX.
    ///   - channel: the bus channel.
    ///   - data: the data bytes.
    /// - Complexity: O(1).
    public init(timestamp: UInt64, identifier: UInt32, flags: FrameFlags = [], channel: UInt8 = 0, data: [UInt8]) {
        self.init(
            timestamp: timestamp,
            rawIdentifier: (identifier & 0x1FFF_FFFF) | (UInt32(flags.rawValue & 0x07) << 29),
            flagsByte: (flags.rawValue >> 3) & 0x0F, channel: channel, data: data)
    }

    /// The size of the frame in bytes: 16 plus the data.
    public var encodedSize: Int { 16 + data.count }

    /// Appends the frame's bytes (fixed part and data, no `len3`) to `bytes`.
    ///
    /// - Parameter bytes: the buffer to append to.
    /// - Complexity: O(data bytes).
    public func append(to bytes: inout [UInt8]) {
        bytes.appendBigEndian(timestamp)
        bytes.appendBigEndian(rawIdentifier)
        bytes.append(flagsByte)
        bytes.append(channel)
        bytes.append(lengthOverride ?? UInt8(data.count))
        bytes.append(reserved)
        bytes.append(contentsOf: data)
    }
}
