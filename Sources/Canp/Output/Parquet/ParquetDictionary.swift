/// The entries of a dictionary-encoded column, fixed before the run.
///
/// CANP knows the values of its string columns before it decodes a frame
/// (the run's input file names, the DBC's message names, each signal's value
/// table, the error levels), and the physical value of an integer signal is
/// a function of its raw value. So the dictionary is fixed up front and
/// every worker encodes its pages as indices into it, in parallel, with no
/// shared state. Each row group's dictionary page then holds the entries its
/// pages used, at their fixed positions: entries 0 to the largest index used,
/// with an empty filler (an empty string, a zero) in the unused positions,
/// which compresses to almost nothing. (Renumbering the used entries per row
/// group would need the pages to be re-encoded after the row group is known,
/// on one thread; the fillers cost a few bytes per unused entry instead.)
///
/// A double dictionary may instead leave its entries to the data
/// (``init(observedDoubleCount:indexWidth:)``): a producer maps each value
/// to a fixed index (the raw value of an integer signal) and appends both;
/// the pages carry the values of the indices they used, so that the
/// dictionary page holds exactly the values the decoder computed.
///
/// Entries need not be distinct; an index names an entry, not a value.
public final class ParquetDictionary: Sendable {
    /// The bit width of the indices in a data page.
    public enum IndexWidth: Sendable, Hashable {
        /// The fewest bits that the page's largest index needs.
        case minimal
        /// That, rounded up to whole bytes: byte-oriented compressors (zstd,
        /// gzip, snappy) find the patterns of slowly changing values in
        /// aligned indices that packing across byte boundaries hides.
        case byteAligned
    }

    enum Storage: Sendable {
        case bytes(data: [UInt8], offsets: [UInt32])
        case int32([Int32])
        case int64([Int64])
        case observedDoubles
    }

    /// The number of entries (valid indices are `0..<count`).
    public let count: Int
    /// The physical type of the entries (and of the column).
    public let physicalType: ParquetColumn.PhysicalType
    /// The bit width of indices in data pages.
    public let indexWidth: IndexWidth
    let storage: Storage
    private let stringIndex: [String: Int]

    /// A dictionary of UTF-8 strings (or byte strings).
    ///
    /// - Parameters:
    ///   - strings: the entries, in index order.
    ///   - indexWidth: the index width in data pages (default `.minimal`).
    /// - Complexity: O(total bytes).
    public init(strings: [String], indexWidth: IndexWidth = .minimal) {
        var data: [UInt8] = []
        var offsets: [UInt32] = [0]
        offsets.reserveCapacity(strings.count + 1)
        var index: [String: Int] = [:]
        for (position, string) in strings.enumerated() {
            data.append(contentsOf: string.utf8)
            offsets.append(UInt32(data.count))
            if index[string] == nil { index[string] = position }
        }
        count = strings.count
        physicalType = .byteArray
        self.indexWidth = indexWidth
        storage = .bytes(data: data, offsets: offsets)
        stringIndex = index
    }

    /// A dictionary of 32-bit integers.
    ///
    /// - Parameters:
    ///   - int32Values: the entries, in index order.
    ///   - indexWidth: the index width in data pages (default `.minimal`).
    public init(int32Values: [Int32], indexWidth: IndexWidth = .minimal) {
        count = int32Values.count
        physicalType = .int32
        self.indexWidth = indexWidth
        storage = .int32(int32Values)
        stringIndex = [:]
    }

    /// A dictionary of 64-bit integers.
    ///
    /// - Parameters:
    ///   - int64Values: the entries, in index order.
    ///   - indexWidth: the index width in data pages (default `.minimal`).
    public init(int64Values: [Int64], indexWidth: IndexWidth = .minimal) {
        count = int64Values.count
        physicalType = .int64
        self.indexWidth = indexWidth
        storage = .int64(int64Values)
        stringIndex = [:]
    }

    /// A dictionary of doubles whose entries come with the data, for large
    /// domains such as every raw value of a 16-bit signal, of which a row
    /// group uses a few: buffers take an index and its value
    /// (``ParquetColumnBuffer/append(index:value:)``), and an index must
    /// always come with the same value (bit for bit; the page encoder checks).
    ///
    /// - Parameters:
    ///   - observedDoubleCount: the number of entries (valid indices).
    ///   - indexWidth: the index width in data pages (default `.byteAligned`).
    public init(observedDoubleCount: Int, indexWidth: IndexWidth = .byteAligned) {
        precondition(observedDoubleCount >= 0, "ParquetDictionary: negative entry count")
        count = observedDoubleCount
        physicalType = .double
        self.indexWidth = indexWidth
        storage = .observedDoubles
        stringIndex = [:]
    }

    /// Whether the entries come with the data.
    public var isObserved: Bool {
        if case .observedDoubles = storage { return true }
        return false
    }

    /// The index of the first entry equal to `string` (string dictionaries only).
    ///
    /// - Complexity: O(1) on average.
    public func index(of string: String) -> Int? { stringIndex[string] }

    /// The index bit width for a page whose largest index is `maximum`.
    func bitWidth(forMaximumIndex maximum: UInt32) -> UInt32 {
        let needed = max(1, UInt32(32 - maximum.leadingZeroBitCount))
        return indexWidth == .byteAligned ? (needed + 7) / 8 * 8 : needed
    }

    /// The dictionary page's values for a row group that used the entries
    /// set in `used`, up to index `last`: the used entries, fillers elsewhere.
    /// `observed` holds the values of an observed dictionary (index `i` at `i`).
    func pageValues(used: ParquetIndexSet, through last: Int, observed: [Double]) -> ParquetColumnBuffer {
        var buffer = ParquetColumnBuffer(physicalType: physicalType, kind: .values, isOptional: false)
        let entries = last + 1
        switch storage {
        case let .bytes(data, offsets):
            buffer.reserveBytes(count: entries, byteCount: 0)
            for index in 0..<entries {
                if used.contains(index) {
                    data.withUnsafeBufferPointer { all in
                        buffer.append(bytes: UnsafeBufferPointer(rebasing: all[Int(offsets[index])..<Int(offsets[index + 1])]))
                    }
                } else {
                    buffer.append(bytes: UnsafeBufferPointer(start: nil, count: 0))
                }
            }
        case .int32(let values):
            for index in 0..<entries { buffer.append(used.contains(index) ? values[index] : 0) }
        case .int64(let values):
            for index in 0..<entries { buffer.append(used.contains(index) ? values[index] : 0) }
        case .observedDoubles:
            for index in 0..<entries { buffer.append(used.contains(index) ? observed[index] : 0) }
        }
        return buffer
    }

    /// The smallest and largest used entry, in the column's order, or nil when none is used
    /// (or every used double is NaN).
    func bounds(used: ParquetIndexSet, observed: [Double]) -> (minimum: ParquetStatistics.Bound, maximum: ParquetStatistics.Bound)? {
        var minimum: ParquetStatistics.Bound?
        var maximum: ParquetStatistics.Bound?
        func take(_ bound: ParquetStatistics.Bound) {
            if minimum.map({ bound < $0 }) ?? true { minimum = bound }
            if maximum.map({ bound > $0 }) ?? true { maximum = bound }
        }
        for index in used.indices {
            switch storage {
            case let .bytes(data, offsets): take(.bytes(Array(data[Int(offsets[index])..<Int(offsets[index + 1])])))
            case .int32(let values): take(.integer(Int64(values[index])))
            case .int64(let values): take(.integer(values[index]))
            case .observedDoubles:
                if !observed[index].isNaN { take(.double(observed[index])) }
            }
        }
        guard let minimum, let maximum else { return nil }
        return (minimum, maximum)
    }

    /// Whether a used entry is NaN (double dictionaries): the chunk's NaN
    /// count is then unknown (indices are not counted per entry) and is not written.
    func usesNaN(used: ParquetIndexSet, observed: [Double]) -> Bool {
        guard case .observedDoubles = storage else { return false }
        return used.indices.contains { observed[$0].isNaN }
    }
}
