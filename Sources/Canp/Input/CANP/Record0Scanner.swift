/// Finds the Record0s (blocks) of a CANP file from their headers alone.
///
/// The scanner reads 35 header bytes per block and jumps over the payload, so
/// scanning a 15 MB file costs microseconds; the payloads are inflated later,
/// on any thread, from the `BlockDescriptor`s. It keeps only an offset and a
/// block number, never a pointer: the caller passes the same file bytes to
/// every `next(unsafeFileBytes:)` call.
///
/// A file ends either exactly at the end of a Record0, or with a truncated
/// tail (fewer than 35 bytes left, or `len0` running past the end), which is
/// reported once and ends the scan.
public struct Record0Scanner: Sendable {
    /// What the scanner found next.
    public enum Step: Sendable, Hashable {
        /// A complete Record0.
        case block(BlockDescriptor)
        /// The rest of the file from this point cannot be a complete Record0.
        case truncatedTail(TruncatedTail)
    }

    /// The end of a file that is not a complete Record0.
    public struct TruncatedTail: Sendable, Hashable {
        /// The number the block would have had.
        public var blockIndex: Int
        /// Where the incomplete Record0 starts.
        public var offset: Int
        /// How many bytes are left from `offset` to the end of the file.
        public var availableBytes: Int
        /// `len0`, when the header was complete.
        public var declaredPayloadLength: UInt32?

        /// Creates a tail description.
        ///
        /// - Parameters:
        ///   - blockIndex: the would-be block number.
        ///   - offset: where it starts.
        ///   - availableBytes: the bytes left.
        ///   - declaredPayloadLength: `len0` when the header was complete.
        /// - Complexity: O(1).
        public init(blockIndex: Int, offset: Int, availableBytes: Int, declaredPayloadLength: UInt32?) {
            self.blockIndex = blockIndex
            self.offset = offset
            self.availableBytes = availableBytes
            self.declaredPayloadLength = declaredPayloadLength
        }

        /// The level-0 report of this tail.
        ///
        /// - Parameter file: the file name for the report.
        /// - Returns: the issue, with reason `truncatedHeader` or `truncatedPayload`.
        /// - Complexity: O(1).
        public func issue(file: String) -> FormatIssue {
            let reason: FormatIssue.Reason
            if let declared = declaredPayloadLength {
                reason = .truncatedPayload(declared: declared, available: availableBytes - Record0Header.size)
            } else {
                reason = .truncatedHeader(available: availableBytes)
            }
            return FormatIssue(file: file, block: blockIndex, offset: offset, level: .record0, reason: reason)
        }
    }

    /// All the Record0s of a file and how it ends.
    public struct Result: Sendable, Hashable {
        /// The complete Record0s in file order.
        public var blocks: [BlockDescriptor]
        /// The truncated tail, if the file does not end at the end of a Record0.
        public var truncatedTail: TruncatedTail?
    }

    /// The offset of the next Record0 to read.
    public private(set) var offset = 0
    /// The number the next Record0 will get.
    public private(set) var blockIndex = 0
    /// Whether the end of the file (or a truncated tail) has been reached.
    public private(set) var isFinished = false

    /// Creates a scanner positioned at the start of a file.
    public init() {}

    /// Reads the next Record0 header.
    ///
    /// - Parameter bytes: the whole file; the same bytes on every call.
    /// - Returns: the next block, a truncated tail, or `nil` at the end of the file.
    /// - Complexity: O(1); reads 35 bytes.
    public mutating func next(unsafeFileBytes bytes: UnsafeRawBufferPointer) -> Step? {
        guard !isFinished else { return nil }
        let left = bytes.count - offset
        guard left > 0, let base = bytes.baseAddress else {
            isFinished = true
            return nil
        }
        if left < Record0Header.size {
            isFinished = true
            return .truncatedTail(TruncatedTail(
                blockIndex: blockIndex, offset: offset, availableBytes: left, declaredPayloadLength: nil))
        }
        let header = Record0Header(unsafeAt: base, offset: offset)
        if Int(header.payloadLength) > left - Record0Header.size {
            isFinished = true
            return .truncatedTail(TruncatedTail(
                blockIndex: blockIndex, offset: offset, availableBytes: left,
                declaredPayloadLength: header.payloadLength))
        }
        let block = BlockDescriptor(index: blockIndex, offset: offset, header: header)
        offset = block.endOffset
        blockIndex += 1
        return .block(block)
    }

    /// Scans a whole file.
    ///
    /// - Parameter bytes: the whole file.
    /// - Returns: every complete Record0 and the truncated tail, if any.
    /// - Complexity: O(number of blocks).
    public static func scan(unsafeFileBytes bytes: UnsafeRawBufferPointer) -> Result {
        var scanner = Record0Scanner()
        var result = Result(blocks: [], truncatedTail: nil)
        while let step = scanner.next(unsafeFileBytes: bytes) {
            switch step {
            case .block(let block): result.blocks.append(block)
            case .truncatedTail(let tail): result.truncatedTail = tail
            }
        }
        return result
    }

    /// Scans a whole file held in an array.
    ///
    /// - Parameter bytes: the whole file.
    /// - Returns: every complete Record0 and the truncated tail, if any.
    /// - Complexity: O(number of blocks).
    public static func scan(_ bytes: [UInt8]) -> Result {
        bytes.withUnsafeBytes { scan(unsafeFileBytes: $0) }
    }
}
