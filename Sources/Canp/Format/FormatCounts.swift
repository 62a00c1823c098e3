/// What a reader decoded and what it skipped, so that nothing disappears silently.
///
/// Counts add up across blocks, batches, workers and files with `+=`.
public struct FormatCounts: Sendable, Hashable, CustomStringConvertible {
    /// Record0s inflated and walked without a structural error.
    public var blocksDecoded = 0
    /// Record0s skipped for a gzip, ISIZE or level 1-3 error.
    public var blocksSkipped = 0
    /// Truncated tails (at most one per file); the rest of that file is lost.
    public var truncatedTails = 0
    /// Frames emitted into a `FrameBatch`.
    public var framesDecoded = 0
    /// Frames skipped for a frame error (frames inside skipped blocks are not counted: they are unknowable).
    public var framesSkipped = 0
    /// Bytes produced by inflating the decoded blocks.
    public var inflatedBytes = 0

    /// Creates zero counts.
    public init() {}

    /// All the skipped units: blocks, tails and frames (the rows of `errors.csv`).
    public var issueCount: Int { blocksSkipped + truncatedTails + framesSkipped }

    /// Adds `rhs` to `lhs`, field by field.
    ///
    /// - Parameters:
    ///   - lhs: the running total.
    ///   - rhs: the counts to add.
    /// - Complexity: O(1).
    public static func += (lhs: inout FormatCounts, rhs: FormatCounts) {
        lhs.blocksDecoded += rhs.blocksDecoded
        lhs.blocksSkipped += rhs.blocksSkipped
        lhs.truncatedTails += rhs.truncatedTails
        lhs.framesDecoded += rhs.framesDecoded
        lhs.framesSkipped += rhs.framesSkipped
        lhs.inflatedBytes += rhs.inflatedBytes
    }

    /// A one-line summary for logs and the CLI.
    public var description: String {
        "blocks decoded \(blocksDecoded), skipped \(blocksSkipped), truncated tails \(truncatedTails); "
            + "frames decoded \(framesDecoded), skipped \(framesSkipped)"
    }
}
