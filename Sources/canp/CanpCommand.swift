import ArgumentParser
import Canp

@main
struct CanpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canp",
        abstract: "Decode large batches of CANP CAN bus logs into frames and DBC signals.",
        discussion: """
            Exit codes: 0 success (damaged units are skipped, reported and counted); \
            1 a fatal error (bad arguments, unreadable DBC, no input, output not writable); \
            2 --strict and a damaged unit; 3 some input files could not be read.
            """,
        subcommands: [
            GenerateCommand.self, ExportCommand.self, ProcessCommand.self, InspectCommand.self,
            BenchCommand.self, DBCCommand.self, SummaryCommand.self,
        ])
}
