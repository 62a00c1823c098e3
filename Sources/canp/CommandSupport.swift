import ArgumentParser
import Canp
import Foundation

/// What the commands share: messages on standard error, exit codes, sizes, DBC loading.
enum CommandSupport {
    static let fatal = ExitCode(1)
    static let damaged = ExitCode(2)
    static let unreadable = ExitCode(3)

    static func error(_ command: String, _ message: String) {
        FileHandle.standardError.write(Data("canp \(command): error: \(message)\n".utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Loads and compiles a DBC, printing its warnings; exits 1 with file, line and column on failure.
    static func loadDecoder(_ path: String, command: String, quiet: Bool = false) throws -> DBCDecoder {
        let database: DBCDatabase
        do {
            database = try DBCDatabase(contentsOfFile: path)
        } catch {
            Self.error(command, "\(error)")
            throw fatal
        }
        if !quiet && !database.warnings.isEmpty {
            note("canp \(command): \(path): \(database.warnings.count) DBC warning(s), see `canp dbc check \(path)`; first: line \(database.warnings[0].line): \(database.warnings[0].message)")
        }
        return database.compile()
    }

    /// Parses sizes like `15MB`, `512KiB`, `2G`, `1000`.
    static func parseSize(_ text: String) -> Int? {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [
            ("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824), ("kb", 1e3), ("mb", 1e6), ("gb", 1e9),
            ("k", 1e3), ("m", 1e6), ("g", 1e9), ("b", 1),
        ]
        for (suffix, factor) in units where lower.hasSuffix(suffix) {
            guard let number = Double(lower.dropLast(suffix.count)), number >= 0 else { return nil }
            return Int(number * factor)
        }
        return Int(lower)
    }

    /// Exits 3 when some inputs could not be read, naming each on standard
    /// error (the report may have gone to standard output).
    static func failIfUnreadable(_ report: PipelineReport, command: String) throws {
        guard !report.unreadableFiles.isEmpty else { return }
        for (path, reason) in report.unreadableFiles { error(command, "\(path): cannot be read: \(reason)") }
        throw unreadable
    }

    static func exitCode(for error: PipelineError) -> ExitCode {
        if case .damagedInput = error { return damaged }
        if case .fileUnreadable = error { return unreadable }
        return fatal
    }
}

/// A size argument (`15MB`, `1GiB`, `4096`).
struct ByteSize: ExpressibleByArgument {
    var bytes: Int
    init?(argument: String) {
        guard let bytes = CommandSupport.parseSize(argument) else { return nil }
        self.bytes = bytes
    }
    init(bytes: Int) { self.bytes = bytes }
    var defaultValueDescription: String { "\(bytes)" }
}

/// The options of every command that runs the pipeline.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: "CPU worker threads (default: the number of cores).")
    var threads: Int?

    @Option(name: .long, help: "Memory limit of the pipeline's pool, e.g. 1GiB (default 1GiB).")
    var memoryLimit: ByteSize?

    @Flag(name: .long, help: "Stop at the first damaged unit (exit code 2) instead of skipping and reporting it.")
    var strict = false

    @Flag(name: .long, help: "Read with pread instead of io_uring.")
    var pread = false

    func configuration() -> PipelineConfiguration {
        var configuration = PipelineConfiguration()
        if let threads { configuration.cpuThreads = threads }
        if let memoryLimit { configuration.memoryLimit = memoryLimit.bytes }
        configuration.strict = strict
        configuration.forcesPread = pread
        return configuration
    }
}
