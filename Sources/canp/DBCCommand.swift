import ArgumentParser
import Canp
import Foundation

/// `canp dbc`: load, check and bulk-decode with DBC files.
struct DBCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbc",
        abstract: "Check DBC files and decode frames with them.",
        subcommands: [Check.self, Decode.self])

    /// Loads a DBC file or exits with a message naming file, line and column.
    static func load(_ path: String) throws -> DBCDatabase {
        do {
            return try DBCDatabase(contentsOfFile: path)
        } catch {
            FileHandle.standardError.write(Data("canp dbc: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a DBC file and report its messages, signals and warnings.",
            discussion: """
                Prints the number of messages and signals, then every warning with its line \
                (what the parser accepted although cantools refuses it). Exits with 0 when the \
                file loads, and with 1 and a message naming the file, line and column when it \
                does not.
                """)

        @Argument(help: "The DBC file.")
        var file: String

        func run() throws {
            let database = try DBCCommand.load(file)
            let signals = database.messages.reduce(0) { $0 + $1.signals.count }
            print("\(file): \(database.messages.count) messages, \(signals) signals, \(database.warnings.count) warnings")
            for warning in database.warnings {
                print("\(file):\(warning.line): warning: \(warning.message)")
            }
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode frames listed in a text file (for parity checks against cantools).",
            discussion: """
                Input: one frame per line, `ID,EXTENDED,DATA`: the identifier in hexadecimal \
                (without flag bits), 1 for a 29-bit identifier or 0, and the payload in \
                hexadecimal (may be empty). Empty lines are skipped.

                Output: one line per decoded signal, tab-separated: the frame's number (counted \
                from 0 over the non-empty input lines), the signal name, the raw value (an \
                exact integer, or the float value for float signals), the physical value \
                (shortest text that reads back to the same double; nan, inf, -inf), and the \
                value table label (backslash escapes for tab, line feed, carriage return and \
                backslash; empty when none). Frames whose identifier the DBC does not have \
                produce no lines.
                """)

        @Option(help: "The DBC file.")
        var dbc: String

        @Option(help: "The frames to decode.")
        var input: String

        @Option(help: "Where to write the decoded signals ('-' for standard output).")
        var out: String

        func run() throws {
            let database = try DBCCommand.load(dbc)
            let decoder = database.compile()
            guard let data = FileManager.default.contents(atPath: input) else {
                FileHandle.standardError.write(Data("canp dbc decode: cannot read \(input)\n".utf8))
                throw ExitCode.failure
            }
            let names = (0..<decoder.signalCount).map { Array(decoder.signal(at: $0).name.utf8) }
            var labels: [Int: [Int64: [UInt8]]] = [:]
            for index in 0..<decoder.signalCount {
                let descriptions = decoder.signal(at: index).valueDescriptions
                if descriptions.isEmpty { continue }
                var table: [Int64: [UInt8]] = [:]
                for entry in descriptions { table[entry.value] = Self.escaped(entry.text) }
                labels[index] = table
            }
            var output: [UInt8] = []
            output.reserveCapacity(1 << 22)
            let sink: FileHandle
            if out == "-" {
                sink = FileHandle.standardOutput
            } else {
                guard FileManager.default.createFile(atPath: out, contents: nil), let handle = FileHandle(forWritingAtPath: out) else {
                    FileHandle.standardError.write(Data("canp dbc decode: cannot write \(out)\n".utf8))
                    throw ExitCode.failure
                }
                sink = handle
            }
            var batch = DBCSignalBatch(capacity: 256)
            var payload = [UInt8](repeating: 0, count: 64)
            var frameNumber = 0
            var lineNumber = 0
            try data.withUnsafeBytes { (text: UnsafeRawBufferPointer) throws in
                var position = 0
                while position < text.count {
                    var end = position
                    while end < text.count && text[end] != 0x0A { end += 1 }
                    lineNumber += 1
                    defer { position = end + 1 }
                    var line = UnsafeRawBufferPointer(rebasing: text[position..<end])
                    if let last = line.last, last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
                    if line.isEmpty { continue }
                    guard let frame = Self.parseFrame(line, into: &payload) else {
                        FileHandle.standardError.write(Data("canp dbc decode: \(input):\(lineNumber): expected ID,EXTENDED,DATA in hexadecimal\n".utf8))
                        throw ExitCode.failure
                    }
                    batch.removeAll()
                    payload.withUnsafeBytes { bytes in
                        _ = decoder.decode(id: frame.id, isExtended: frame.isExtended,
                                           bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<frame.length]),
                                           frameIndex: UInt32(truncatingIfNeeded: frameNumber), into: &batch)
                    }
                    let frameText = Array(String(frameNumber).utf8)
                    for row in 0..<batch.count {
                        let index = batch.signalIndex(at: row)
                        let raw = batch.rawValue(at: row)
                        output += frameText
                        output.append(0x09)
                        output += names[index]
                        output.append(0x09)
                        output += raw.description.utf8
                        output.append(0x09)
                        output += batch.value(at: row).description.utf8
                        output.append(0x09)
                        if let table = labels[index], let key = raw.tableKey, let label = table[key] { output += label }
                        output.append(0x0A)
                    }
                    frameNumber += 1
                    if output.count > 1 << 22 {
                        sink.write(Data(output))
                        output.removeAll(keepingCapacity: true)
                    }
                }
            }
            sink.write(Data(output))
            if out != "-" { try? sink.close() }
        }

        static func escaped(_ text: String) -> [UInt8] {
            var bytes: [UInt8] = []
            for b in text.utf8 {
                switch b {
                case 0x09: bytes += [0x5C, 0x74]
                case 0x0A: bytes += [0x5C, 0x6E]
                case 0x0D: bytes += [0x5C, 0x72]
                case 0x5C: bytes += [0x5C, 0x5C]
                default: bytes.append(b)
                }
            }
            return bytes
        }

        static func hexValue(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }

        /// Parses `ID,EXTENDED,DATA`; the payload goes into `payload`.
        static func parseFrame(_ line: UnsafeRawBufferPointer, into payload: inout [UInt8])
            -> (id: UInt32, isExtended: Bool, length: Int)? {
            let fields = line.split(separator: 0x2C, omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[0].isEmpty, fields[0].count <= 8, fields[1].count == 1 else { return nil }
            var id: UInt32 = 0
            for b in fields[0] {
                guard let v = hexValue(b) else { return nil }
                id = id << 4 | UInt32(v)
            }
            guard fields[1][fields[1].startIndex] == 0x30 || fields[1][fields[1].startIndex] == 0x31 else { return nil }
            let data = fields[2]
            guard data.count % 2 == 0, data.count <= 128 else { return nil }
            var i = data.startIndex, n = 0
            while i < data.endIndex {
                guard let hi = hexValue(data[i]), let lo = hexValue(data[i + 1]) else { return nil }
                payload[n] = hi << 4 | lo
                n += 1
                i += 2
            }
            return (id, fields[1][fields[1].startIndex] == 0x31, n)
        }
    }
}
