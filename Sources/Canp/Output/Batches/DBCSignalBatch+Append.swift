extension DBCSignalBatch {
    /// Appends every row of `other`, adding `frameOffset` to each row's frame index.
    ///
    /// - Parameters:
    ///   - other: the rows to copy.
    ///   - frameOffset: added (with wrap-around) to the frame indices.
    /// - Complexity: O(other.count).
    mutating func append(_ other: borrowing DBCSignalBatch, frameOffset: UInt32) {
        guard !other.isEmpty else { return }
        reserve(additional: other.count)
        let first = count
        let n = other.count
        (signalIndexColumn + first).update(from: other.signalIndexColumn, count: n)
        (rawBitsColumn + first).update(from: other.rawBitsColumn, count: n)
        (kindColumn + first).update(from: other.kindColumn, count: n)
        (valueColumn + first).update(from: other.valueColumn, count: n)
        for row in 0..<n { frameIndexColumn[first + row] = other.frameIndexColumn[row] &+ frameOffset }
        count = first + n
    }
}
