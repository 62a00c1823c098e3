/// A set of dictionary indices as a bitmap: which entries the pages of a
/// row group used.
struct ParquetIndexSet: Sendable, Equatable {
    private(set) var words: [UInt64] = []
    /// The largest index in the set, or -1.
    private(set) var last = -1

    init() {}

    /// The set of the indices in `sorted` (ascending, distinct).
    init(sortedIndices sorted: [UInt32]) {
        for index in sorted { insert(Int(index)) }
    }

    var isEmpty: Bool { last < 0 }

    mutating func insert(_ index: Int) {
        let word = index >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
        words[word] |= 1 << UInt64(index & 63)
        if index > last { last = index }
    }

    func contains(_ index: Int) -> Bool {
        let word = index >> 6
        return word < words.count && words[word] & (1 << UInt64(index & 63)) != 0
    }

    mutating func formUnion(_ other: ParquetIndexSet) {
        if other.words.count > words.count { words.append(contentsOf: repeatElement(0, count: other.words.count - words.count)) }
        for index in other.words.indices { words[index] |= other.words[index] }
        last = max(last, other.last)
    }

    /// The indices in ascending order.
    var indices: [Int] {
        var result: [Int] = []
        for (position, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                result.append(position << 6 | bits.trailingZeroBitCount)
                bits &= bits - 1
            }
        }
        return result
    }
}
