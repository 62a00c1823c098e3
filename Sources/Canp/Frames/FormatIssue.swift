/// One skipped unit of an input file: a damaged block or container, a cut
/// file, a line that does not parse, a bad frame. It names what
/// `docs/FORMAT.md` ("Errors and what is lost") requires a report to name:
/// the file, the block, the byte offset, the level and the reason.
///
/// The vocabulary is each format's own: its levels (CANP's `0`-`3` and
/// `frame`, a text format's `line`) and its reasons are values that the
/// format defines as static members in its folder (`Input/CANP/`), so that
/// this type stays neutral.
///
/// It is also the error that a reader throws where a call can fail as a
/// whole, so that the pipeline can forward it unchanged.
public struct FormatIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the damage was found: the `level` column of `errors.csv`.
    public struct Level: Sendable, Hashable, CustomStringConvertible {
        /// The text of the `level` column (`0`, `frame`, `line`, ...).
        public let name: String
        /// Whether a whole unit (a block, a container, the rest of a file)
        /// is lost, rather than one frame or line.
        public let isStructural: Bool

        /// Creates a level.
        ///
        /// - Parameters:
        ///   - name: the `level` column's text.
        ///   - isStructural: whether a whole unit is lost.
        public init(name: String, isStructural: Bool) {
            self.name = name
            self.isStructural = isStructural
        }

        /// The `level` column of `errors.csv`.
        public var description: String { name }
    }

    /// What is wrong, for people: the `reason` column of `errors.csv`.
    ///
    /// Formats build their reasons with static functions in their own
    /// folder (for CANP, `.gzip(.checksumMismatch)` or
    /// `.truncatedPayload(declared:available:)`); two reasons are equal
    /// when their texts are.
    public struct Reason: Sendable, Hashable, CustomStringConvertible {
        /// The text.
        public let description: String

        /// Creates a reason from its text.
        ///
        /// - Parameter description: the `reason` column's text.
        public init(_ description: String) {
            self.description = description
        }
    }

    /// The file name (without directory, as in the CSVs).
    public var file: String
    /// The block number (the `block` column: a CANP Record0's index, a
    /// text file's line number; each format says).
    public var block: Int
    /// The byte offset in the file of the unit that holds the damage.
    public var offset: Int
    /// Where the damage was found.
    public var level: Level
    /// What is wrong.
    public var reason: Reason
    /// Where in the decoded unit the damage lies (for CANP, the offset in the
    /// inflated block of the record whose header or frame is wrong); `nil`
    /// when the unit itself is at fault.
    public var inflatedOffset: Int?

    /// Creates an issue.
    ///
    /// - Parameters:
    ///   - file: the file name.
    ///   - block: the block number.
    ///   - offset: the unit's byte offset in the file.
    ///   - level: where the damage was found.
    ///   - reason: what is wrong.
    ///   - inflatedOffset: the offset inside the decoded unit, when known.
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

    /// The kind of this issue for counting skipped units by reason: the
    /// level and the reason with its free numbers replaced by `N` and its
    /// parenthesised details dropped (`CRC-32` and `11-bit` stay as they are).
    ///
    /// - Complexity: O(length of the reason).
    public var kind: String {
        var text = ""
        var depth = 0
        for character in reason.description {
            if character == "(" {
                depth += 1
            } else if character == ")" {
                depth = max(0, depth - 1)
            } else if depth == 0 {
                text.append(character)
            }
        }
        let words = text.split(separator: " ").map { word -> Substring in
            let isNumber = word.allSatisfy(\.isNumber) || (word.hasPrefix("0x") && word.dropFirst(2).allSatisfy(\.isHexDigit))
            return isNumber ? "N" : word
        }
        return "level \(level): " + words.joined(separator: " ")
    }
}
