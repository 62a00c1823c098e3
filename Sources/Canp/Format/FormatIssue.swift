/// One skipped unit of a CANP file: a truncated tail, a damaged block, or a
/// bad frame, with what `spec/FORMAT.md` requires a report to name.
///
/// It is also the error that `BlockDecoder` throws where a call can fail as a
/// whole (an absurd ISIZE), so that the pipeline can forward it unchanged.
public struct FormatIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the damage was found.
    public enum Level: Sendable, Hashable, CustomStringConvertible {
        /// The Record0: a truncated tail, a gzip failure, an absurd ISIZE.
        case record0
        /// A Record1 header or length.
        case record1
        /// A Record2 header or length.
        case record2
        /// A Record3 header or length.
        case record3
        /// One frame (the payload of a Record3); only that frame is skipped.
        case frame

        /// The `level` column of `errors.csv`: `0`-`3` or `frame`.
        public var description: String {
            switch self {
            case .record0: "0"
            case .record1: "1"
            case .record2: "2"
            case .record3: "3"
            case .frame: "frame"
            }
        }

        /// Whether the whole Record0 (or the rest of the file) is lost, rather than one frame.
        public var isStructural: Bool { self != .frame }
    }

    /// What is wrong; the text (`description`) is for people.
    public enum Reason: Sendable, Hashable, CustomStringConvertible {
        /// Fewer than 35 bytes are left for a Record0 header; the rest of the file is lost.
        case truncatedHeader(available: Int)
        /// `len0` runs past the end of the file; the rest of the file is lost.
        case truncatedPayload(declared: UInt32, available: Int)
        /// The gzip member's ISIZE is above the configured limit or impossible for its size.
        case inflatedSizeTooLarge(declared: UInt32, limit: Int)
        /// The gzip member does not inflate, or its CRC-32 or ISIZE does not match.
        case gzip(GzipError)
        /// A Record1/2/3 header does not fit in what is left of its parent.
        case headerRunsPastParent(available: Int)
        /// A Record1/2/3 length runs past the end of its parent.
        case lengthRunsPastParent(declared: UInt32, available: Int)
        /// A Record3 too short to hold the 16-byte fixed part of a frame.
        case frameShorterThan16Bytes(recordLength: UInt32)
        /// `len3` is not `16 + length`.
        case lengthFieldMismatch(recordLength: UInt32, dataLength: UInt8)
        /// A classic (non-FD) frame with more than 8 data bytes.
        case classicFrameTooLong(dataLength: UInt8)
        /// A CAN FD frame whose length is not 0-8, 12, 16, 20, 24, 32, 48 or 64.
        case fdLengthNotAllowed(dataLength: UInt8)
        /// An 11-bit (EFF clear) identifier above 0x7FF.
        case standardIdentifierTooLarge(identifier: UInt32)

        /// The `reason` column of `errors.csv`.
        public var description: String {
            switch self {
            case .truncatedHeader(let available):
                "truncated header: \(available) bytes left, a Record0 header needs 35"
            case .truncatedPayload(let declared, let available):
                "truncated payload: len0 is \(declared) but \(available) bytes are left"
            case .inflatedSizeTooLarge(let declared, let limit):
                "gzip ISIZE \(declared) is above the limit of \(limit) bytes for this member"
            case .gzip(let error):
                error.description
            case .headerRunsPastParent(let available):
                "header runs past its parent (\(available) bytes left)"
            case .lengthRunsPastParent(let declared, let available):
                "length \(declared) runs past its parent (\(available) bytes left)"
            case .frameShorterThan16Bytes(let length):
                "frame shorter than 16 bytes (\(length))"
            case .lengthFieldMismatch(let recordLength, let dataLength):
                "len3 \(recordLength) is not 16 + length \(dataLength)"
            case .classicFrameTooLong(let dataLength):
                "classic frame longer than 8 bytes (\(dataLength))"
            case .fdLengthNotAllowed(let dataLength):
                "CAN FD length \(dataLength) not allowed"
            case .standardIdentifierTooLarge(let identifier):
                "11-bit id 0x\(String(identifier, radix: 16, uppercase: true)) above 0x7FF"
            }
        }
    }

    /// The file name (without directory, as in the CSVs).
    public var file: String
    /// The block number in file order, from 0.
    public var block: Int
    /// The byte offset of the Record0 in the file.
    public var offset: Int
    /// Where the damage was found.
    public var level: Level
    /// What is wrong.
    public var reason: Reason
    /// For levels 1-3 and frames: the byte offset in the inflated block of the
    /// record whose header or frame is wrong; `nil` for level 0.
    public var inflatedOffset: Int?

    /// Creates an issue.
    ///
    /// - Parameters:
    ///   - file: the file name.
    ///   - block: the block number in file order.
    ///   - offset: the Record0's byte offset in the file.
    ///   - level: where the damage was found.
    ///   - reason: what is wrong.
    ///   - inflatedOffset: the offset in the inflated block, for levels 1-3 and frames.
    /// - Complexity: O(1).
    public init(file: String, block: Int, offset: Int, level: Level, reason: Reason, inflatedOffset: Int? = nil) {
        self.file = file
        self.block = block
        self.offset = offset
        self.level = level
        self.reason = reason
        self.inflatedOffset = inflatedOffset
    }

    /// A one-line summary: file, block, offset, level and reason.
    public var description: String {
        let at = inflatedOffset.map { " (inflated offset \($0))" } ?? ""
        return "\(file) block \(block) at offset \(offset), level \(level): \(reason)\(at)"
    }
}
