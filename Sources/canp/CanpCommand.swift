import ArgumentParser
import Canp

@main
struct CanpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "canp", abstract: "Decode large batches of CANP CAN bus logs.", subcommands: [DBCCommand.self])
}
