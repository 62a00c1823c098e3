import Canp

/// Drives the BLF reader (``BLFFormat``'s scan and unit decoder) over one
/// input the way the pipeline does, and checks what the spec promises:
///
/// - the scan's units lie in the file, in file order;
/// - every unit is decoded or skipped and every skipped unit is reported
///   (`issues.count == counts.issueCount`, frames emitted == frames counted);
/// - every frame's data lies in its unit's workspace;
/// - a unit decoded with its entry unknown and a guess equal to the known
///   entry gives exactly what it gives with the entry known;
/// - nothing reads outside its buffer (the file and every workspace are
///   exactly sized, so AddressSanitizer sees a one-byte overrun).
public final class BLFHarness {
    /// Containers declaring more are refused (level 0), so that one input cannot ask for gigabytes.
    public static let maximumInflatedSize = 4 << 20

    let format = BLFFormat(maximumInflatedSize: BLFHarness.maximumInflatedSize, objectsPerRun: 64)
    let known: any InputUnitDecoder
    let alone: any InputUnitDecoder

    /// Creates the harness.
    public init() {
        do {
            known = try format.makeUnitDecoder()
            alone = try format.makeUnitDecoder()
        } catch {
            fatalError("fuzz harness setup failed: \(error)")
        }
    }

    /// What one unit's decoding gave.
    struct Outcome: Equatable {
        var rows: [[UInt64]] = []
        var issues: [FormatIssue] = []
        var counts = FormatCounts()
        var exit: UInt64?
    }

    /// Reads `file` as a whole BLF file and checks everything listed above.
    ///
    /// - Parameter file: the file bytes (exactly sized).
    public func checkFile(_ file: UnsafeRawBufferPointer) {
        let scan = format.scan(unsafeFileBytes: file, fileName: "fuzz.blf")
        var entry = UnitEntry.known(nil)
        var lastOffset = -1
        for item in scan.entries {
            guard case .unit(let unit) = item else { continue }
            fuzzCheck(unit.offset > lastOffset && unit.byteRange.upperBound <= file.count,
                      "unit \(unit.index) at \(unit.offset)+\(unit.length) in \(file.count) bytes after \(lastOffset)")
            lastOffset = unit.offset
            let one = decode(unit, file, known, entry)
            let (guessed, assumed) = decodeAlone(unit, file)
            if assumed == entry.state {
                fuzzCheck(guessed == one, "unit \(unit.index): a guess that held decoded differently")
            }
            entry = .known(one.exit)
        }
    }

    /// Reads `data` as the inflated bytes of stored containers (cut where
    /// its first byte says), so that the object walker and the joins at
    /// container boundaries see arbitrary bytes.
    ///
    /// - Parameter data: the bytes.
    public func checkContainers(_ data: UnsafeRawBufferPointer) {
        var file = [UInt8](repeating: 0, count: 144)
        file.replaceSubrange(0..<4, with: Array("LOGG".utf8))
        file[4] = 144
        file.replaceSubrange(40..<56, with: [0xE8, 0x07, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        let step = max(1, data.count / (1 + Int(data.first ?? 0) % 4))
        var at = 0
        repeat {
            let chunk = Array(data[at..<min(data.count, at + step)])
            let size = 32 + chunk.count
            file += Array("LOBJ".utf8) + [16, 0, 1, 0] + le32(size) + le32(10) + [0, 0, 0, 0, 0, 0, 0, 0]
                + le32(chunk.count) + [0, 0, 0, 0] + chunk + [UInt8](repeating: 0, count: size % 4)
            at += step
        } while at < data.count
        let exact = ExactBuffer(copying: file.withUnsafeBytes { UnsafeRawBufferPointer($0) })
        checkFile(exact.readOnly)
    }

    private func le32(_ value: Int) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    private func decodeAlone(_ unit: InputUnit, _ file: UnsafeRawBufferPointer) -> (Outcome, UInt64?) {
        var assumed: UInt64?
        let outcome = decode(unit, file, alone, .unknown) { assumed = $0 }
        return (outcome, assumed)
    }

    private func decode(_ unit: InputUnit, _ file: UnsafeRawBufferPointer, _ decoder: any InputUnitDecoder,
                        _ entry: UnitEntry, assumed: (UInt64?) -> Void = { _ in }) -> Outcome {
        let workspace = ExactBuffer(count: unit.workspaceBytes + InputUnit.padding)
        var batch = FrameBatch()
        let start = decoder.start(unit, fileBytes: file, fileName: "fuzz.blf",
                                  workspace: UnsafeMutableRawBufferPointer(rebasing: workspace.bytes[0..<unit.workspaceBytes]),
                                  depth: .frames, entry: entry, into: &batch)
        assumed(start.assumedEntry)
        var outcome = Outcome()
        var more = start.hasFrames
        let data = UnsafeRawBufferPointer(rebasing: workspace.readOnly[0..<unit.workspaceBytes])
        while more {
            more = decoder.next(into: &batch, maximumFrames: 5)
            for segment in batch.segments {
                fuzzCheck(segment.dataByteCount <= unit.workspaceBytes, "a segment's data past the workspace")
                for row in segment.frames {
                    fuzzCheck(Int(batch.dataOffsets[row]) + Int(batch.lengths[row]) <= unit.workspaceBytes,
                              "frame data past the workspace")
                    fuzzCheck(batch.lengths[row] <= 64, "a frame of \(batch.lengths[row]) bytes")
                    let bytes = batch.unsafeData(ofFrame: row, in: data)
                    outcome.rows.append([batch.timestamps[row], UInt64(batch.identifiers[row]), UInt64(batch.flags[row].rawValue),
                                         UInt64(bitPattern: Int64(batch.channels[row])), UInt64(batch.blocks[row])]
                                        + bytes.map { UInt64($0) })
                }
            }
            fuzzCheck(batch.counts.framesDecoded == batch.count, "frames counted \(batch.counts.framesDecoded), emitted \(batch.count)")
            outcome.counts += batch.counts
            outcome.issues += batch.issues
            batch.removeAll()
        }
        outcome.counts += batch.counts
        outcome.issues += batch.issues
        fuzzCheck(outcome.issues.count == outcome.counts.issueCount,
                  "\(outcome.issues.count) issues, \(outcome.counts.issueCount) counted")
        outcome.exit = decoder.exitState
        return outcome
    }
}
