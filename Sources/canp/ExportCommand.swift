import ArgumentParser
import Canp

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the canonical frames.csv, signals.csv and errors.csv of the spec.",
        discussion: """
            Inputs are files or directories (their .bin files); all are processed in path order. \
            The three files are written under temporary names and renamed into place when \
            complete. The report goes to standard error.
            """)

    @OptionGroup var dbcs: DBCOptions

    @Option(name: .long, help: "Directory for the CSV files (created if missing).")
    var out: String

    @OptionGroup var pipeline: PipelineOptions

    @Argument(help: "CANP files or directories.")
    var inputs: [String]

    func validate() throws {
        if dbcs.isEmpty { throw ValidationError("Missing expected argument '--dbc <file[@channels]>' (or --j1939-dbc).") }
    }

    func run() async throws {
        AtomicOutputFile.installSignalCleanup()
        let decoder = try dbcs.loadDecoder(command: "export")
        let report: PipelineReport
        do {
            let canp = try CANPipeline(configuration: pipeline.configuration(), decoder: decoder)
            report = try await canp.process(CommandSupport.inputPaths(inputs), output: .csv(directory: out))
        } catch {
            CommandSupport.error("export", error.description)
            throw CommandSupport.exitCode(for: error)
        }
        CommandSupport.note(report.description)
        try CommandSupport.failIfUnreadable(report, command: "export")
    }
}
