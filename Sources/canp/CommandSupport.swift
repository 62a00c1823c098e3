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

    /// Loads a DBC, printing the number of its warnings and the first one
    /// (unless `quiet`); exits 1 with file, line and column on failure.
    static func loadDatabase(_ path: String, command: String, quiet: Bool = false) throws -> DBCDatabase {
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
        return database
    }

    /// Loads and compiles one DBC (serving every channel), printing its warnings; exits 1 on failure.
    static func loadDecoder(_ path: String, command: String, quiet: Bool = false) throws -> DBCDecoder {
        try loadDatabase(path, command: command, quiet: quiet).compile()
    }

    /// Parses sizes like `15MB`, `512KiB`, `2G`, `1000`: a finite,
    /// non-negative number with an optional unit, at most `Int.max` bytes.
    static func parseSize(_ text: String) -> Int? {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [
            ("kib", 1024), ("mib", 1_048_576), ("gib", 1_073_741_824), ("kb", 1e3), ("mb", 1e6), ("gb", 1e9),
            ("k", 1e3), ("m", 1e6), ("g", 1e9), ("b", 1),
        ]
        var digits = lower
        var factor = 1.0
        if let (suffix, unit) = units.first(where: { lower.hasSuffix($0.0) }) {
            digits = String(lower.dropLast(suffix.count))
            factor = unit
        }
        // Only plain decimal numbers: "inf", "nan", hex floats and exponents are not sizes.
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let number = Double(digits) else { return nil }
        let bytes = (number * factor).rounded(.down)
        guard bytes.isFinite, bytes >= 0, bytes < 9.2e18 else { return nil }
        return Int(bytes)
    }

    /// Exits 3 when some inputs could not be read, naming each on standard
    /// error (the report may have gone to standard output).
    static func failIfUnreadable(_ report: PipelineReport, command: String) throws {
        guard !report.unreadableFiles.isEmpty else { return }
        for (path, reason) in report.unreadableFiles { error(command, "\(path): cannot be read: \(reason)") }
        throw unreadable
    }

    /// The exact paths of input arguments: an argument that is not valid
    /// UTF-8 reaches the parser with U+FFFD for its bad bytes, so its bytes
    /// are taken back from the process's argument vector.
    static func inputPaths(_ inputs: [String]) -> [InputPath] {
        let raw = (0..<Int(CommandLine.argc)).compactMap { index -> [UInt8]? in
            guard let argument = CommandLine.unsafeArgv[index] else { return nil }
            return Array(UnsafeRawBufferPointer(start: argument, count: strlen(argument)))
        }
        return inputs.map { input in
            guard input.unicodeScalars.contains("\u{FFFD}"),
                  let bytes = raw.first(where: { String(decoding: $0, as: UTF8.self) == input }) else { return InputPath(input) }
            return InputPath(bytes: bytes)
        }
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

    @Option(name: .long, help: ArgumentHelp(
        "Read every input with this format instead of recognising each file by its content.",
        valueName: InputFormats.builtIn.map(\.name).joined(separator: "|")))
    var inputFormat: String?

    func validate() throws {
        if let inputFormat, !InputFormats.builtIn.contains(where: { $0.name == inputFormat }) {
            throw ValidationError("--input-format must be one of \(InputFormats.builtIn.map(\.name).joined(separator: ", ")), not \(inputFormat)")
        }
    }

    func configuration() -> PipelineConfiguration {
        var configuration = PipelineConfiguration()
        configuration.forcedInputFormat = inputFormat
        if let threads { configuration.cpuThreads = threads }
        if let memoryLimit { configuration.memoryLimit = memoryLimit.bytes }
        configuration.strict = strict
        configuration.forcesPread = pread
        return configuration
    }
}
