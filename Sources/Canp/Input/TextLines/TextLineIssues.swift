/// The levels of the text formats (`docs/INPUTS.md`): one line, or a whole
/// chunk of lines that the pipeline had to skip.
extension FormatIssue.Level {
    /// One line that does not parse; only that line is skipped.
    public static let line = FormatIssue.Level(name: "line", isStructural: false)
    /// A whole chunk of lines (skipped by the pipeline, for example when it
    /// cannot fit the memory limit).
    public static let lineChunk = FormatIssue.Level(name: "chunk", isStructural: true)
}

/// The reasons the text readers give (the `reason` column of `errors.csv`).
extension FormatIssue.Reason {
    /// A line that does not parse, and why (a fixed text, so that issues
    /// count by kind).
    public static func lineDoesNotParse(_ why: String) -> Self {
        Self("line does not parse: \(why)")
    }
}
