/// An error raised while loading a DBC file.
///
/// Syntax errors name the line and column (both counted from 1; the column
/// counts bytes) where parsing stopped, what the parser expected there, and
/// what it found instead.
public enum DBCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not a DBC file the parser can read.
    ///
    /// - Parameters:
    ///   - file: The file name when the database was loaded from a path.
    ///   - line: The line of the offending token, counted from 1.
    ///   - column: The byte column of the offending token, counted from 1.
    ///   - expected: What the grammar allows at this point.
    ///   - found: A short excerpt of what stands there instead.
    case syntax(file: String?, line: Int, column: Int, expected: String, found: String)

    /// The file could not be opened or read.
    ///
    /// - Parameters:
    ///   - path: The path that was given.
    ///   - reason: The operating system's explanation (`strerror`).
    case unreadableFile(path: String, reason: String)

    /// A human-readable description naming file, line and column.
    public var description: String {
        switch self {
        case let .syntax(file, line, column, expected, found):
            let place = file.map { "\($0):" } ?? ""
            return "\(place)\(line):\(column): syntax error: expected \(expected), found \(found)"
        case let .unreadableFile(path, reason):
            return "\(path): cannot read DBC file: \(reason)"
        }
    }
}
