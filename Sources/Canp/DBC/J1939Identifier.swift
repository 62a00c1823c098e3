/// The fields of a 29-bit SAE J1939 identifier.
///
/// ```
/// bits 28-26  priority
/// bit  25     extended data page (EDP)
/// bit  24     data page (DP)
/// bits 23-16  PDU format (PF)
/// bits 15-8   PDU specific (PS): the destination address when PF < 240 (PDU1),
///             the group extension otherwise (PDU2)
/// bits 7-0    source address
/// ```
///
/// In a J1939 database a frame matches a message by its parameter group
/// number (`spec/DECODING.md`): priority, source address and a PDU1 frame's
/// destination address are not part of it.
public struct J1939Identifier: Sendable, Hashable {
    /// The 29-bit identifier (higher bits are ignored).
    public var rawValue: UInt32

    /// Wraps a 29-bit identifier.
    ///
    /// - Parameter rawValue: The identifier without flag bits.
    @inline(__always)
    public init(_ rawValue: UInt32) {
        self.rawValue = rawValue & 0x1FFF_FFFF
    }

    /// Bits 26-28: 0 (highest) to 7.
    public var priority: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 26) & 7 }
    /// Bits 16-23.
    public var pduFormat: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 16) }
    /// Bits 8-15: a destination address (PDU1) or a group extension (PDU2).
    public var pduSpecific: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 8) }
    /// Bits 0-7.
    public var sourceAddress: UInt8 { UInt8(truncatingIfNeeded: rawValue) }
    /// Whether the frame is addressed (PDU1: PDU format below 240).
    public var isAddressed: Bool { pduFormat < 240 }
    /// The destination address of an addressed (PDU1) frame.
    public var destinationAddress: UInt8? { isAddressed ? pduSpecific : nil }

    /// The parameter group number: `(id >> 8) & 0x3FFFF`, without the PDU
    /// specific byte when the frame is addressed (PDU1).
    @inline(__always)
    public var parameterGroupNumber: UInt32 {
        let group = (rawValue >> 8) & 0x3FFFF
        return rawValue & 0x00F0_0000 == 0x00F0_0000 ? group : group & 0x3FF00
    }
}
