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
                (what the parser accepted although cantools refuses it). When the file is read as \
                J1939 (its BA_ "ProtocolType" is "J1939", or --j1939), says so and lists its \
                parameter groups with their messages. Exits with 0 when the file loads, and with 1 \
                and a message naming the file, line and column when it does not.
                """)

        @Argument(help: "The DBC file.")
        var file: String

        @Flag(name: .customLong("j1939"), help: "Read it as J1939 although it lacks ProtocolType (as --j1939-dbc does).")
        var forcesJ1939 = false

        func run() throws {
            let database = try DBCCommand.load(file)
            let signals = database.messages.reduce(0) { $0 + $1.signals.count }
            print("\(file): \(database.messages.count) messages, \(signals) signals, \(database.warnings.count) warnings")
            for warning in database.warnings {
                print("\(file):\(warning.line): warning: \(warning.message)")
            }
            if database.declaresJ1939 || forcesJ1939 {
                for line in Self.j1939Report(database, forced: !database.declaresJ1939) { print("\(file): \(line)") }
            }
        }

        /// How a J1939 database is read: its parameter groups in order of first
        /// appearance, each with the messages that share it.
        static func j1939Report(_ database: DBCDatabase, forced: Bool) -> [String] {
            var groups: [UInt32] = []
            var members: [UInt32: [DBCMessage]] = [:]
            for message in database.messages where message.isExtended {
                let group = J1939Identifier(message.id).parameterGroupNumber
                if members[group] == nil { groups.append(group) }
                members[group, default: []].append(message)
            }
            let standard = database.messages.count { !$0.isExtended }
            let why = forced ? "--j1939" : "BA_ \"ProtocolType\" \"J1939\""
            var lines = ["read as J1939 (\(why)): \(groups.count) parameter group(s) of \(database.messages.count - standard) extended message(s), matched by PGN (priority, source and a PDU1 destination ignored); \(standard) 11-bit message(s), matched by their whole id"]
            for group in groups {
                let list = members[group]!
                let names = list.map { "\($0.name) (0x\(hex($0.id, 8)))" }.joined(separator: ", ")
                let rule = list.count > 1 ? "; the one whose whole id equals the frame's, else \(list[0].name)" : ""
                lines.append("PGN 0x\(hex(group, 5)) (\(group)): \(names)\(rule)")
            }
            return lines
        }

        static func hex(_ value: UInt32, _ digits: Int) -> String {
            let text = String(value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
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

        /// The largest frame list read (1 GiB: about 20 million frames).
        static let maximumInputSize = 1 << 30

        func run() throws {
            let database = try DBCCommand.load(dbc)
            let decoder = database.compile()
            let data: [UInt8]
            do {
                data = try SmallFileReader.read(path: input, limit: Self.maximumInputSize)
            } catch {
                FileHandle.standardError.write(Data("canp dbc decode: cannot read \(error)\n".utf8))
                throw ExitCode.failure
            }
            let names = (0..<decoder.signalCount).map { Array(decoder.signal(at: $0).name.utf8) }
            var labels: [Int: [Int128: [UInt8]]] = [:]
            for index in 0..<decoder.signalCount {
                let descriptions = decoder.signal(at: index).valueDescriptions
                if descriptions.isEmpty { continue }
                var table: [Int128: [UInt8]] = [:]
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
            var payload = [UInt8](repeating: 0, count: 64 + DBCDecoder.payloadPadding)
            var frames = FrameBatch(capacity: 1)
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
                    // Through the decode kernel, as the pipeline decodes (the payload
                    // buffer has the padding it reads past a payload).
                    frames.removeAll()
                    frames.appendFrame(timestamp: 0, identifier: frame.id, flags: frame.isExtended ? .extended : [],
                                       channel: 0, length: UInt8(frame.length), dataOffset: 0, block: 0)
                    payload.withUnsafeBytes { bytes in
                        _ = decoder.decodeSignals(of: frames, data: UnsafeRawBufferPointer(rebasing: bytes[0..<frame.length]),
                                                  into: &batch)
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
