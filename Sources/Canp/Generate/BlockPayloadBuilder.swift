/// Builds the inflated payload of one Record0 (a Stream1): a sequence of
/// Record1s, each holding Record2s built with `FrameSequenceBuilder`.
///
/// Hand it to `CANPFileWriter.appendBlock(_:damage:)`, which compresses it
/// and fills the Record0 header.
public struct BlockPayloadBuilder: Sendable, Hashable {
    /// The size of a Record1 header.
    public static let record1HeaderSize = 20
    /// ASCII `SEQS`, bytes 0..<4 of a Record1 header in the reference writer.
    public static let record1Magic: UInt32 = 0x5345_5153

    /// The inflated bytes built so far.
    public private(set) var bytes: [UInt8] = []
    /// The number of Record1s appended.
    public private(set) var record1Count = 0
    /// The smallest and largest frame timestamps of the block, for the Record0 header.
    public private(set) var timestampRange: ClosedRange<UInt64>?

    /// Creates an empty payload.
    public init() {}

    /// Appends one Record1 holding `sequences`.
    ///
    /// - Parameters:
    ///   - sequences: its Record2s, in order.
    ///   - declaredLength: `len1` when it must differ from the payload's size (damage).
    ///   - record2LengthOverrides: `len2` of the sequence at an index, when it must lie (damage).
    /// - Complexity: O(bytes of the sequences).
    public mutating func appendRecord1(
        _ sequences: [FrameSequenceBuilder], declaredLength: UInt32? = nil,
        record2LengthOverrides: [Int: UInt32] = [:]
    ) {
        var body: [UInt8] = []
        body.reserveCapacity(sequences.reduce(0) { $0 + $1.encodedSize })
        for (index, sequence) in sequences.enumerated() {
            sequence.append(to: &body, declaredLength: record2LengthOverrides[index])
            if let range = sequence.timestampRange { widen(range) }
        }
        bytes.appendBigEndian(Self.record1Magic)
        bytes.appendBigEndian(UInt32(truncatingIfNeeded: sequences.count))
        bytes.append(contentsOf: [UInt8](repeating: 0, count: 8))
        bytes.appendBigEndian(declaredLength ?? UInt32(body.count))
        bytes.append(contentsOf: body)
        record1Count += 1
    }

    /// Appends bytes that are not a Record1 (a block whose children do not end at its end).
    ///
    /// - Parameter raw: the bytes.
    /// - Complexity: O(bytes).
    public mutating func appendRawBytes(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    private mutating func widen(_ range: ClosedRange<UInt64>) {
        if let current = timestampRange {
            timestampRange = min(current.lowerBound, range.lowerBound)...max(current.upperBound, range.upperBound)
        } else {
            timestampRange = range
        }
    }
}
