@testable import Canp

/// Runs a format's scan and unit decoder over a whole text file, as the
/// pipeline does but in one thread, and gives the frames as CSV-like rows
/// (`block,timestamp,channel,id,ext,rtr,fd,brs,esi,data`), the issues and the counts.
struct TextFormatRun {
    var rows: [String] = []
    var issues: [FormatIssue] = []
    var counts = FormatCounts()
    var units: [InputUnit] = []

    init(_ format: any InputFormat, text: String, fileName: String = "t.log", maximumFrames: Int = 1 << 15) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { file in
            let scan = format.scan(unsafeFileBytes: file, fileName: fileName)
            let decoder = try! format.makeUnitDecoder()
            var batch = FrameBatch()
            for entry in scan.entries {
                guard case .unit(let unit) = entry else { continue }
                units.append(unit)
                let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: unit.workspaceBytes + InputUnit.padding,
                                                                       alignment: 16)
                defer { workspace.deallocate() }
                let room = UnsafeMutableRawBufferPointer(rebasing: workspace[0..<unit.workspaceBytes])
                let start = decoder.start(unit, fileBytes: file, fileName: fileName, workspace: room, depth: .frames,
                                          entry: .known(nil), into: &batch)
                var more = start.hasFrames
                while more {
                    more = decoder.next(into: &batch, maximumFrames: maximumFrames)
                    collect(&batch, data: UnsafeRawBufferPointer(room))
                }
                collect(&batch, data: UnsafeRawBufferPointer(room))
            }
        }
    }

    private mutating func collect(_ batch: inout FrameBatch, data: UnsafeRawBufferPointer) {
        for row in 0..<batch.count {
            let flags = batch.flags[row]
            let bytes = batch.unsafeData(ofFrame: row, in: data).map { String($0, radix: 16, uppercase: true).leftPadded(2) }
            let bits = [FrameFlags.extended, .remoteRequest, .fd, .bitRateSwitch, .errorStateIndicator]
                .map { flags.contains($0) ? "1" : "0" }.joined(separator: ",")
            rows.append("\(batch.blocks[row]),\(batch.timestamps[row]),\(batch.channels[row]),"
                        + "0x\(String(batch.identifiers[row], radix: 16, uppercase: true)),\(bits),\(bytes.joined())")
        }
        issues += batch.issues
        counts += batch.counts
        batch.removeAll()
    }

    /// The issues as `line offset reason` strings.
    var issueSummary: [String] { issues.map { "\($0.block) \($0.offset) \($0.level) \($0.reason)" } }
}
