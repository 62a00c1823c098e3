@testable import Canp

/// A test-only input format, to show that a format is added without
/// touching the pipeline: a text file that starts with `DELTA`, then one
/// frame a line, `<delta ns> <hex id> <hex data>`, each timestamp the
/// previous one plus the delta. Units are runs of `linesPerUnit` lines, so
/// a unit's first timestamp depends on where the previous unit ended: its
/// entry state. A unit given no entry assumes 0, so every chunk that starts
/// before its predecessor is delivered makes the pipeline check the
/// assumption and decode it again.
struct DeltaLinesFormat: InputFormat {
    var linesPerUnit = 3
    var name: String { "delta" }
    var directoryExtensions: [String] { ["delta"] }
    var unitLevel: FormatIssue.Level { Self.line }
    static let line = FormatIssue.Level(name: "line", isStructural: false)

    func matches(prefix: UnsafeRawBufferPointer) -> Bool {
        prefix.starts(with: Array("DELTA\n".utf8))
    }

    func scan(unsafeFileBytes bytes: UnsafeRawBufferPointer, fileName: String) -> InputScan {
        var scan = InputScan()
        var line = 1, start = 6, lines = 0
        for index in 6..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
            lines += 1
            if lines == linesPerUnit || index == bytes.count - 1 {
                scan.entries.append(.unit(InputUnit(index: scan.entries.count, offset: start, length: index + 1 - start,
                                                    workspaceBytes: (index + 1 - start) / 2, firstBlock: line)))
                line += lines
                (start, lines) = (index + 1, 0)
            }
        }
        return scan
    }

    func makeUnitDecoder() throws(InputError) -> any InputUnitDecoder { Decoder() }

    final class Decoder: InputUnitDecoder {
        private var lines: [Substring] = []
        private var next = 0
        private var unit = InputUnit(index: 0, offset: 0, length: 0, workspaceBytes: 0, firstBlock: 0)
        private var fileName = ""
        private var workspace = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        private var used = 0
        private(set) var exitState: UInt64?

        func start(_ unit: InputUnit, fileBytes: UnsafeRawBufferPointer, fileName: String,
                   workspace: UnsafeMutableRawBufferPointer, depth: DecodeDepth, entry: UnitEntry,
                   into frames: inout FrameBatch) -> UnitStart {
            let text = String(decoding: fileBytes[unit.byteRange], as: UTF8.self)
            (self.unit, self.fileName, self.workspace, used, next) = (unit, fileName, workspace, 0, 0)
            lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            exitState = entry.isKnown ? entry.state ?? 0 : 0
            var counts = FormatCounts()
            counts.blocksDecoded = 1
            frames.addCounts(counts)
            return UnitStart(hasFrames: !lines.isEmpty, assumedEntry: entry.isKnown ? nil : 0)
        }

        func next(into frames: inout FrameBatch, maximumFrames: Int) -> Bool {
            let first = frames.count
            while next < lines.count && frames.count - first < maximumFrames {
                let fields = lines[next].split(separator: " ")
                let block = unit.firstBlock + next
                next += 1
                var counts = FormatCounts()
                let hex = fields.count == 3 ? fields[2] : ""
                guard fields.count == 2 || fields.count == 3, let delta = UInt64(fields[0]),
                      let id = UInt32(fields[1], radix: 16), hex.count % 2 == 0, hex.count <= 16 else {
                    frames.appendIssue(FormatIssue(file: fileName, block: block, offset: unit.offset, level: Self.lineLevel,
                                                   reason: FormatIssue.Reason("line does not parse")))
                    counts.framesSkipped = 1
                    frames.addCounts(counts)
                    continue
                }
                let data = Array(hex.utf8)
                let offset = used
                for pair in stride(from: 0, to: data.count, by: 2) {
                    workspace[used] = UInt8(String(decoding: data[pair..<pair + 2], as: UTF8.self), radix: 16) ?? 0
                    used += 1
                }
                exitState! += delta
                frames.appendFrame(timestamp: exitState!, identifier: id, flags: id > 0x7FF ? .extended : [], channel: 0,
                                   length: UInt8(data.count / 2), dataOffset: UInt32(offset), block: UInt32(block))
                counts.framesDecoded = 1
                frames.addCounts(counts)
            }
            if frames.count > first {
                frames.appendSegment(FrameBatch.Segment(unit: unit.index, offset: unit.offset, frames: first..<frames.count,
                                                        dataByteCount: used))
            }
            return next < lines.count
        }

        static let lineLevel = DeltaLinesFormat.line
    }

    /// The file text for `frames` (delta, id, data) and the rows a reader must give:
    /// `file,line,timestamp,id,data` (independent of the decoder above).
    static func file(_ name: String, frames: [(delta: UInt64, id: UInt32, data: [UInt8])]) -> (text: String, rows: [String]) {
        var text = "DELTA\n"
        var rows: [String] = []
        var time: UInt64 = 0
        for (line, frame) in frames.enumerated() {
            let hex = frame.data.map { String($0, radix: 16, uppercase: true).leftPadded(2) }.joined()
            text += "\(frame.delta) \(String(frame.id, radix: 16)) \(hex)\n"
            time += frame.delta
            rows.append("\(name),\(line + 1),\(time),\(frame.id),\(hex)")
        }
        return (text, rows)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
