/// Why a manifest, a shard or a job's parts cannot be used.
public enum ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The manifest itself cannot be read (missing, not a regular file, too large).
    case manifestUnreadable(manifest: String, reason: String)
    /// A line of the manifest cannot be used: a path that does not exist or
    /// cannot be examined, or a NUL byte.
    case manifestEntry(manifest: String, line: Int, path: String, reason: String)
    /// A `K/N` that is not a shard of `N` parts.
    case invalidShard(text: String, reason: String)
    /// The parts of a job's output are not all there and complete (one
    /// problem per entry: the missing part, the incomplete one, the extra one).
    case partsIncomplete(directory: String, problems: [String])
    /// A part's summary that cannot be read as a summary.
    case summaryUnreadable(path: String, reason: String)
    /// The merged summary cannot be written.
    case outputFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .manifestUnreadable(manifest, reason):
            return "\(manifest): cannot read the list of inputs: \(reason)"
        case let .manifestEntry(manifest, line, path, reason):
            return "\(manifest):\(line): \(path): \(reason)"
        case let .invalidShard(text, reason):
            return "--shard \(text): \(reason)"
        case let .partsIncomplete(directory, problems):
            let shown = problems.prefix(20) + (problems.count > 20 ? ["... and \(problems.count - 20) more"] : [])
            return "\(directory): \(problems.count) problem(s) with the parts:\n  " + shown.joined(separator: "\n  ")
        case let .summaryUnreadable(path, reason):
            return "\(path): not a readable part summary: \(reason)"
        case let .outputFailed(path, reason):
            return "\(path): cannot write: \(reason)"
        }
    }
}
