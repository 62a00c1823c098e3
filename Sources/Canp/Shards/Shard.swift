/// One shard of a job, `K/N`: part `K` of `N`, which takes its share of the
/// sorted input list (`canp process --shard K/N`) and writes part `K` of the
/// output layout.
///
/// The share is contiguous: with `F` files in path order, shard `K` takes
/// the files at positions `K*F/N ..< (K+1)*F/N`. Shards therefore never
/// overlap, together take every file once, differ in size by at most one
/// file, and their parts in part order hold the rows in the order of one
/// run over all the files. A shard may be empty (more shards than files):
/// it still writes its part, with no rows, so that every part of the job
/// exists.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// `K`, the part number, in `0..<count`.
    public let index: Int
    /// `N`, the number of shards of the job.
    public let count: Int

    /// The largest number of shards: part numbers have five digits.
    public static let maximumCount = 100_000

    /// A shard.
    ///
    /// - Throws: ``ShardError/invalidShard(text:reason:)`` unless `0 <= index < count <= 100000`.
    public init(index: Int, count: Int) throws(ShardError) {
        let text = "\(index)/\(count)"
        guard count >= 1 else { throw .invalidShard(text: text, reason: "N must be at least 1") }
        guard count <= Self.maximumCount else {
            throw .invalidShard(text: text, reason: "N must be at most \(Self.maximumCount) (part numbers have five digits)")
        }
        guard index >= 0 && index < count else {
            throw .invalidShard(text: text, reason: "K must be in 0..<\(count) (0 to \(count - 1)), not \(index)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `K/N` (decimal digits only).
    ///
    /// - Throws: ``ShardError/invalidShard(text:reason:)``.
    public init(parsing text: String) throws(ShardError) {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, pieces.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let index = Int(pieces[0]), let count = Int(pieces[1]) else {
            throw .invalidShard(text: text, reason: "expected K/N, two decimal numbers such as 3/8 (part K of N, K from 0)")
        }
        try self.init(index: index, count: count)
    }

    /// `K/N`.
    public var description: String { "\(index)/\(count)" }

    /// The positions of this shard's share of `total` items.
    ///
    /// - Complexity: O(1).
    public func range(of total: Int) -> Range<Int> {
        precondition(total >= 0, "Shard.range: a negative count")
        return Self.bound(index, total, count)..<Self.bound(index + 1, total, count)
    }

    /// This shard's share of the items (already in their sorted order).
    public func share<T>(of items: [T]) -> [T] {
        Array(items[range(of: items.count)])
    }

    /// `k * total / count` without overflow for any part and file count.
    private static func bound(_ k: Int, _ total: Int, _ count: Int) -> Int {
        count.dividingFullWidth(k.multipliedFullWidth(by: total)).quotient
    }
}
