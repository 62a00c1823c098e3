/// The flag bits of one frame, packed in a byte: the three flag bits of
/// `can_id` and the four defined bits of the frame's flags byte.
///
/// The layout is chosen so that decoding is two shifts: bits 0-2 are
/// `can_id >> 29` (ERR, RTR, EFF), bits 3-6 are the flags byte's FDF, BRS,
/// ESI and TX.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    /// The raw byte.
    public var rawValue: UInt8

    /// Creates flags from their packed byte.
    ///
    /// - Parameter rawValue: the packed bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// ERR (`can_id` bit 29): an error frame.
    public static let errorFrame = FrameFlags(rawValue: 1 << 0)
    /// RTR (`can_id` bit 30): a remote transmission request.
    public static let remoteRequest = FrameFlags(rawValue: 1 << 1)
    /// EFF (`can_id` bit 31): a 29-bit extended identifier.
    public static let extended = FrameFlags(rawValue: 1 << 2)
    /// FDF (flags bit 0): a CAN FD frame.
    public static let fd = FrameFlags(rawValue: 1 << 3)
    /// BRS (flags bit 1): bit rate switch.
    public static let bitRateSwitch = FrameFlags(rawValue: 1 << 4)
    /// ESI (flags bit 2): error state indicator.
    public static let errorStateIndicator = FrameFlags(rawValue: 1 << 5)
    /// TX (flags bit 3): sent by the logger.
    public static let transmitted = FrameFlags(rawValue: 1 << 6)

    /// Packs the flag bits of a frame's `can_id` and flags byte (other bits are ignored).
    ///
    /// - Parameters:
    ///   - rawIdentifier: `can_id` as stored, with EFF/RTR/ERR in bits 31-29.
    ///   - flagsByte: byte 12 of the frame.
    /// - Complexity: O(1).
    @inline(__always)
    public init(rawIdentifier: UInt32, flagsByte: UInt8) {
        rawValue = UInt8(truncatingIfNeeded: rawIdentifier >> 29) | ((flagsByte & 0x0F) << 3)
    }
}
