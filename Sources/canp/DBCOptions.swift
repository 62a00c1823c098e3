import ArgumentParser
import Canp
import Foundation

/// `--dbc FILE[@C1,C2...]` and `--j1939-dbc FILE[@C1,C2...]`, repeatable, on
/// every command that decodes signals (`spec/DECODING.md`).
struct DBCOptions: ParsableArguments {
    @Option(name: .customLong("dbc"), help: ArgumentHelp(
        "A DBC file, repeatable; FILE@C1,C2 binds it to those channels (the channel column of the exports).",
        discussion: """
            A frame on a channel that DBCs are bound to is decoded with those (in the order given); \
            a frame on another channel with the DBCs given without channels, the first that has \
            its message. A DBC whose BA_ "ProtocolType" is "J1939" matches extended frames by PGN.
            """,
        valueName: "file[@channels]"))
    var dbc: [String] = []

    @Option(name: .customLong("j1939-dbc"), help: ArgumentHelp(
        "A DBC file read as J1939 (extended frames matched by PGN) although it lacks ProtocolType; repeatable, FILE@C1,C2 binds it.",
        valueName: "file[@channels]"))
    var j1939DBC: [String] = []

    /// Whether no DBC was given.
    var isEmpty: Bool { dbc.isEmpty && j1939DBC.isEmpty }

    /// The DBC arguments in the order of the command line, `--dbc` and
    /// `--j1939-dbc` interleaved as written (ArgumentParser keeps the two
    /// lists apart); when the command line cannot be matched to the parsed
    /// values (not expected), every `--dbc` before every `--j1939-dbc`.
    func orderedArguments(_ arguments: [String] = CommandLine.arguments) -> [(text: String, forcesJ1939: Bool)] {
        var found: [(text: String, forcesJ1939: Bool)] = []
        var index = 1
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { break }
            for (name, forces) in [("--dbc", false), ("--j1939-dbc", true)] {
                if argument == name, index + 1 < arguments.count {
                    found.append((arguments[index + 1], forces))
                    index += 1
                } else if argument.hasPrefix(name + "=") {
                    found.append((String(argument.dropFirst(name.count + 1)), forces))
                }
            }
            index += 1
        }
        if found.filter({ !$0.forcesJ1939 }).map(\.text) == dbc && found.filter(\.forcesJ1939).map(\.text) == j1939DBC {
            return found
        }
        return dbc.map { ($0, false) } + j1939DBC.map { ($0, true) }
    }

    /// Loads every DBC and compiles them into one decoder; `nil` when none was given.
    ///
    /// Prints each file's warnings (one line, unless `quiet`); exits 1 with
    /// file, line and column when a file cannot be loaded, or with the
    /// argument when a channel is out of range.
    func loadDecoder(command: String, quiet: Bool = false) throws -> DBCDecoder? {
        if isEmpty { return nil }
        var bindings: [DBCBinding] = []
        for (text, forcesJ1939) in orderedArguments() {
            let split: (path: String, channels: [Int32])
            do {
                split = try DBCBinding.splitArgument(text)
            } catch {
                CommandSupport.error(command, error.description)
                throw CommandSupport.fatal
            }
            let database = try CommandSupport.loadDatabase(split.path, command: command, quiet: quiet)
            bindings.append(DBCBinding(database: database, name: split.path, channels: split.channels,
                                       forcesJ1939: forcesJ1939))
        }
        return DBCDecoder(bindings: bindings)
    }
}
