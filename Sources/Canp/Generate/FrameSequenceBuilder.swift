/// Builds one Record2 (a frame sequence on one channel): a 20-byte header
/// and a payload of Record3s.
///
/// Lengths and counts are computed; each can be overridden to build the
/// structural damage of `docs/FORMAT.md` (a Record3 or Record2 that overruns
/// its parent, children that do not end at the parent's end).
public struct FrameSequenceBuilder: Sendable, Hashable {
    /// The size of a Record2 header.
    public static let headerSize = 20

    /// Byte 12 of the header: the bus channel of the sequence.
    public var channel: UInt8
    /// Bytes 0..<8 of the header; `nil` uses the first frame's timestamp (0 without frames).
    public var firstTimestamp: UInt64?
    /// The Record3s (and any raw bytes) of the payload.
    public private(set) var payload: [UInt8] = []
    /// The number of Record3s appended (bytes 8..<12 of the header).
    public private(set) var recordCount = 0
    /// The smallest and largest frame timestamps appended, for the Record0 header.
    public private(set) var timestampRange: ClosedRange<UInt64>?
    private var firstFrameTimestamp: UInt64?

    /// Creates an empty sequence.
    ///
    /// - Parameters:
    ///   - channel: the bus channel.
    ///   - firstTimestamp: the header timestamp; `nil` takes the first frame's.
    /// - Complexity: O(1).
    public init(channel: UInt8 = 0, firstTimestamp: UInt64? = nil) {
        self.channel = channel
        self.firstTimestamp = firstTimestamp
    }

    /// Appends a frame as a Record3.
    ///
    /// - Parameters:
    ///   - frame: the frame.
    ///   - recordLength: `len3` when it must differ from the frame's size (damage).
    /// - Complexity: O(frame size).
    public mutating func append(_ frame: CANFrame, recordLength: UInt32? = nil) {
        payload.appendBigEndian(recordLength ?? UInt32(frame.encodedSize))
        frame.append(to: &payload)
        recordCount += 1
        if firstFrameTimestamp == nil { firstFrameTimestamp = frame.timestamp }
        if let range = timestampRange {
            timestampRange = min(range.lowerBound, frame.timestamp)...max(range.upperBound, frame.timestamp)
        } else {
            timestampRange = frame.timestamp...frame.timestamp
        }
    }

    /// Appends a Record3 whose payload is arbitrary bytes (a frame shorter than 16 bytes, say).
    ///
    /// - Parameters:
    ///   - bytes: the Record3 payload.
    ///   - recordLength: `len3`; `nil` writes `bytes.count`.
    /// - Complexity: O(bytes).
    public mutating func appendRecord3(payload bytes: [UInt8], recordLength: UInt32? = nil) {
        payload.appendBigEndian(recordLength ?? UInt32(bytes.count))
        payload.append(contentsOf: bytes)
        recordCount += 1
    }

    /// Appends bytes that are not a Record3 (children that do not end at the parent's end).
    ///
    /// - Parameter bytes: the bytes.
    /// - Complexity: O(bytes).
    public mutating func appendRawBytes(_ bytes: [UInt8]) {
        payload.append(contentsOf: bytes)
    }

    /// Appends the Record2 (header and payload) to `bytes`.
    ///
    /// - Parameters:
    ///   - bytes: the buffer to append to.
    ///   - declaredLength: `len2` when it must differ from the payload's size (damage).
    /// - Complexity: O(payload bytes).
    public func append(to bytes: inout [UInt8], declaredLength: UInt32? = nil) {
        bytes.appendBigEndian(firstTimestamp ?? firstFrameTimestamp ?? 0)
        bytes.appendBigEndian(UInt32(truncatingIfNeeded: recordCount))
        bytes.append(channel)
        bytes.append(contentsOf: [0, 0, 0])
        bytes.appendBigEndian(declaredLength ?? UInt32(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// The Record2's size in bytes, header included.
    public var encodedSize: Int { Self.headerSize + payload.count }
}
