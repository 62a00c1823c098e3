/// Errors that stop a pipeline run.
public enum PipelineError: Error, Sendable, CustomStringConvertible {
    /// The configuration is not usable.
    case invalidConfiguration(String)
    /// An input path does not exist or cannot be listed.
    case inputUnavailable(path: String, reason: String)
    /// The inputs name no file to process.
    case noInputFiles(String)
    /// Output could not be written.
    case outputFailed(path: String, reason: String)
    /// Another run holds the output directory.
    case outputInUse(path: String)
    /// In strict mode: the first damaged unit.
    case damagedInput(FormatIssue)
    /// A file could not be read (in strict mode; otherwise it is reported).
    case fileUnreadable(path: String, reason: String)
    /// The thread or memory pool failed.
    case resources(String)
    /// The run was cancelled.
    case cancelled

    public var description: String {
        switch self {
        case .invalidConfiguration(let why): return "invalid pipeline configuration: \(why)"
        case let .inputUnavailable(path, reason): return "\(path): \(reason)"
        case .noInputFiles(let why): return why
        case let .outputFailed(path, reason): return "cannot write \(path): \(reason)"
        case .outputInUse: return outputInUseText

        case .damagedInput(let issue): return "damaged input (strict mode): \(issue)"
        case let .fileUnreadable(path, reason): return "\(path): \(reason)"
        case .resources(let why): return why
        case .cancelled: return "cancelled"
        }
    }

    private var outputInUseText: String {
        guard case .outputInUse(let path) = self else { return "" }
        return OutputError.outputInUse(path: path).description
    }

    /// The pipeline error for a sink's failure.
    ///
    /// - Parameter error: what the sink threw.
    public init(_ error: OutputError) {
        switch error {
        case let .outputFailed(path, reason): self = .outputFailed(path: path, reason: reason)
        case .outputInUse(let path): self = .outputInUse(path: path)
        case .cancelled: self = .cancelled
        }
    }
}
