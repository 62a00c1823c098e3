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

    @Option(name: .long, help: "The DBC file.")
    var dbc: String

    @Option(name: .long, help: "Directory for the CSV files (created if missing).")
    var out: String

    @OptionGroup var pipeline: PipelineOptions

    @Argument(help: "CANP files or directories.")
    var inputs: [String]

    func run() async throws {
        let decoder = try CommandSupport.loadDecoder(dbc, command: "export")
        let report: PipelineReport
        do {
            let canp = try CANPipeline(configuration: pipeline.configuration(), decoder: decoder)
            report = try await canp.process(inputs, output: .csv(directory: out))
        } catch {
            CommandSupport.error("export", error.description)
            throw CommandSupport.exitCode(for: error)
        }
        CommandSupport.note(report.description)
        try CommandSupport.failIfUnreadable(report, command: "export")
    }
}
