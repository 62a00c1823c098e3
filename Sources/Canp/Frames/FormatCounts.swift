/// What a reader decoded and what it skipped, so that nothing disappears silently.
///
/// A "block" is a format's unit of damage (a CANP Record0, a BLF container,
/// a text line's chunk): `blocksDecoded + blocksSkipped` accounts for every
/// unit of every file. Counts add up across units, batches, workers and
/// files with `+=`.
public struct FormatCounts: Sendable, Hashable, CustomStringConvertible {
    /// Units decoded without a structural error (CANP: Record0s inflated and walked).
    public var blocksDecoded = 0
    /// Units skipped for a structural error (CANP: a gzip, ISIZE or level 1-3 error).
    public var blocksSkipped = 0
    /// Truncated tails (at most one per file); the rest of that file is lost.
    public var truncatedTails = 0
    /// Frames emitted into a `FrameBatch`.
    public var framesDecoded = 0
    /// Frames (or lines) skipped for a frame error (frames inside skipped
    /// units are not counted: they are unknowable).
    public var framesSkipped = 0
    /// Bytes produced by inflating the decoded units (0 for uncompressed formats).
    public var inflatedBytes = 0
    /// Bus error events: error frames or error objects that a format logs
    /// as events rather than frames (BLF `CAN_ERROR`, candump error frames).
    public var busErrorEvents = 0
    /// Records that are not frames and are skipped without being damage,
    /// by kind (for example a BLF object type by number, an ASC status line).
    public var ignored: [String: Int] = [:]

    /// Creates zero counts.
    public init() {}

    /// All the skipped units: blocks, tails and frames (the rows of `errors.csv`).
    public var issueCount: Int { blocksSkipped + truncatedTails + framesSkipped }

    /// Adds `rhs` to `lhs`, field by field.
    ///
    /// - Parameters:
    ///   - lhs: the running total.
    ///   - rhs: the counts to add.
    /// - Complexity: O(1), plus O(kinds) when `rhs` ignored records.
    public static func += (lhs: inout FormatCounts, rhs: FormatCounts) {
        lhs.blocksDecoded += rhs.blocksDecoded
        lhs.blocksSkipped += rhs.blocksSkipped
        lhs.truncatedTails += rhs.truncatedTails
        lhs.framesDecoded += rhs.framesDecoded
        lhs.framesSkipped += rhs.framesSkipped
        lhs.inflatedBytes += rhs.inflatedBytes
        lhs.busErrorEvents += rhs.busErrorEvents
        if !rhs.ignored.isEmpty {
            for (kind, count) in rhs.ignored { lhs.ignored[kind, default: 0] += count }
        }
    }

    /// A one-line summary for logs and the CLI.
    public var description: String {
        var text = "blocks decoded \(blocksDecoded), skipped \(blocksSkipped), truncated tails \(truncatedTails); "
            + "frames decoded \(framesDecoded), skipped \(framesSkipped)"
        if busErrorEvents > 0 { text += "; bus error events \(busErrorEvents)" }
        if !ignored.isEmpty { text += "; ignored \(ignored.values.reduce(0, +))" }
        return text
    }
}
