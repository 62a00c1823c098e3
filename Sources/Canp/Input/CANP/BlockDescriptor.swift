/// Where one Record0 (a block) lies in a file: found by `Record0Scanner`
/// from the headers alone, without touching the compressed payload.
///
/// It holds offsets, not pointers, so it is safe to keep and to send to
/// another thread; it describes bytes the caller keeps alive.
public struct BlockDescriptor: Sendable, Hashable {
    /// The block's number in file order, from 0 (the `block` column of the CSVs).
    public var index: Int
    /// The byte offset of the Record0 (its header) in the file.
    public var offset: Int
    /// The header fields.
    public var header: Record0Header

    /// Creates a descriptor.
    ///
    /// - Parameters:
    ///   - index: the block number in file order.
    ///   - offset: the Record0's byte offset in the file.
    ///   - header: its header.
    /// - Complexity: O(1).
    public init(index: Int, offset: Int, header: Record0Header) {
        self.index = index
        self.offset = offset
        self.header = header
    }

    /// The file bytes of the gzip member (Payload0).
    public var payloadRange: Range<Int> {
        (offset + Record0Header.size)..<(offset + Record0Header.size + Int(header.payloadLength))
    }

    /// The offset just past this Record0, where the next one starts.
    public var endOffset: Int { payloadRange.upperBound }
}
