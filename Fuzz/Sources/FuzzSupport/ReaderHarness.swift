import Canp

#if canImport(Glibc)
import Glibc
#endif

/// Drives the reader (Record0Scanner, BlockDecoder, the DBC decoder and the
/// CSV writer) over one input the way the pipeline does, and checks after
/// every step what the spec promises:
///
/// - the scanner tiles the file: blocks are contiguous from offset 0 and the
///   file ends at the last block's end or in one truncated tail;
/// - every block is decoded or skipped, and every skipped unit is reported
///   (`issues.count == counts.issueCount`, frames in the batch == frames counted);
/// - libdeflate and zlib agree on every gzip member (success, bytes, failure);
/// - the frames of a decoded block are exactly those of `ReferenceWalker`;
/// - nothing reads outside its buffer (every buffer is exactly sized, so
///   AddressSanitizer sees a one-byte overrun).
///
/// One harness per process; libFuzzer calls the target on one thread.
public final class ReaderHarness {
    /// Inflated blocks above this are refused (level 0), so that one input
    /// cannot ask for gigabytes; the pipeline's default is 64 MiB.
    public static let maximumInflatedSize = 4 << 20

    var decoder: BlockDecoder
    let inflater: GzipInflater
    var batch = FrameBatch(capacity: 1024)
    let dbc: DBCDecoder
    var signals = DBCSignalBatch(capacity: 1024)
    var kernelSignals = DBCSignalBatch(capacity: 16)
    var referenceSignals = DBCSignalBatch(capacity: 16)
    var csv = CSVByteWriter(capacity: 1 << 16)
    let encodedFileName = Array("fuzz.bin".utf8)

    /// Creates the harness with the generator's DBC (every kind of signal the generated files carry).
    public init() {
        do {
            decoder = try BlockDecoder(configuration: .init(maximumInflatedSize: Self.maximumInflatedSize))
            inflater = try GzipInflater()
            dbc = try DBCDatabase(string: SampleDatabase.text).compile()
        } catch {
            fatalError("fuzz harness setup failed: \(error)")
        }
    }

    /// Reads `file` as a whole CANP file and checks everything listed above.
    ///
    /// - Parameter file: the file bytes (exactly sized).
    public func checkFile(_ file: UnsafeRawBufferPointer) {
        batch.removeAll()
        var scanner = Record0Scanner()
        var blocks = 0
        var expectedOffset = 0
        var sawTail = false
        while let step = scanner.next(unsafeFileBytes: file) {
            fuzzCheck(!sawTail, "the scanner went on after a truncated tail")
            switch step {
            case .truncatedTail(let tail):
                fuzzCheck(tail.offset == expectedOffset && tail.blockIndex == blocks,
                          "tail at \(tail.offset) (block \(tail.blockIndex)), expected \(expectedOffset) (block \(blocks))")
                fuzzCheck(tail.availableBytes == file.count - tail.offset && tail.availableBytes > 0,
                          "tail of \(tail.availableBytes) bytes at \(tail.offset) in \(file.count)")
                if let declared = tail.declaredPayloadLength {
                    fuzzCheck(tail.availableBytes >= Record0Header.size
                              && Int(declared) > tail.availableBytes - Record0Header.size,
                              "a tail whose len0 \(declared) fits in \(tail.availableBytes) bytes")
                } else {
                    fuzzCheck(tail.availableBytes < Record0Header.size, "a header tail of \(tail.availableBytes) bytes")
                }
                sawTail = true
                decoder.report(tail, file: "fuzz.bin", into: &batch)
            case .block(let block):
                fuzzCheck(block.offset == expectedOffset && block.index == blocks,
                          "block \(block.index) at \(block.offset), expected \(blocks) at \(expectedOffset)")
                fuzzCheck(block.endOffset <= file.count, "block ends at \(block.endOffset) past \(file.count)")
                expectedOffset = block.endOffset
                blocks += 1
                checkBlock(block, file)
            }
        }
        if !sawTail { fuzzCheck(expectedOffset == file.count, "scan stopped at \(expectedOffset) of \(file.count)") }

        let counts = batch.counts
        fuzzCheck(counts.blocksDecoded + counts.blocksSkipped == blocks,
                  "\(blocks) blocks but \(counts.blocksDecoded) decoded + \(counts.blocksSkipped) skipped")
        fuzzCheck(counts.truncatedTails == (sawTail ? 1 : 0), "truncated tails \(counts.truncatedTails)")
        fuzzCheck(counts.framesDecoded == batch.count, "\(batch.count) frames in the batch, \(counts.framesDecoded) counted")
        fuzzCheck(batch.issues.count == counts.issueCount,
                  "\(batch.issues.count) issues reported, \(counts.issueCount) counted: a unit was lost silently")
        fuzzCheck(batch.segments.reduce(0) { $0 + $1.frames.count } == batch.count, "segments do not cover the batch")
        for issue in batch.issues {
            fuzzCheck(issue.offset >= 0 && issue.offset < max(file.count, 1), "issue at offset \(issue.offset) of \(file.count)")
            CanonicalCSV.appendErrorRow(issue, to: &csv)
        }
        csv.removeAll()
        for limit in [1 << 16, 0] { checkUnits(file, onePassFrameLimit: limit) }
    }

    /// Decodes the file again as the pipeline does, through the CANP format's
    /// scan and unit decoder, in slices of 3 frames, in one pass and sliced
    /// (`onePassFrameLimit` 0), and checks that it gives exactly what
    /// `BlockDecoder` gave (`batch`): the same frames, issues and counts.
    func checkUnits(_ file: UnsafeRawBufferPointer, onePassFrameLimit: Int) {
        let format = CANPFormat(maximumInflatedSize: Self.maximumInflatedSize, onePassFrameLimit: onePassFrameLimit)
        guard let unitDecoder = try? format.makeUnitDecoder() else { fuzzCheck(false, "no unit decoder"); return }
        var frames = FrameBatch()
        for entry in format.scan(unsafeFileBytes: file, fileName: "fuzz.bin").entries {
            switch entry {
            case .skipped(let issue, let counts):
                frames.appendIssue(issue)
                frames.addCounts(counts)
            case .unit(let unit):
                let workspace = ExactBuffer(count: unit.workspaceBytes + InputUnit.padding)
                let start = unitDecoder.start(
                    unit, fileBytes: file, fileName: "fuzz.bin",
                    workspace: UnsafeMutableRawBufferPointer(rebasing: workspace.bytes[0..<unit.workspaceBytes]),
                    depth: .frames, entry: .known(nil), into: &frames)
                let first = frames.count
                var more = start.hasFrames
                while more { more = unitDecoder.next(into: &frames, maximumFrames: 3) }
                for row in first..<frames.count {
                    fuzzCheck(Int(frames.dataOffsets[row]) + Int(frames.lengths[row]) <= unit.workspaceBytes,
                              "a frame's data lies outside its workspace")
                }
            }
        }
        let same = frames.timestamps == batch.timestamps && frames.identifiers == batch.identifiers
            && frames.flags == batch.flags && frames.channels == batch.channels && frames.lengths == batch.lengths
            && frames.dataOffsets == batch.dataOffsets && frames.blocks == batch.blocks
        fuzzCheck(same, "the unit decoder (one-pass limit \(onePassFrameLimit)) decoded other frames than BlockDecoder")
        fuzzCheck(frames.issues == batch.issues, "the unit decoder reported other issues: \(frames.issues) vs \(batch.issues)")
        fuzzCheck(frames.counts == batch.counts, "the unit decoder counted \(frames.counts), BlockDecoder \(batch.counts)")
    }

    /// Decodes `inflated` as a Stream1 (no gzip) and compares with the reference.
    ///
    /// - Parameter inflated: the bytes (exactly sized).
    public func checkInflated(_ inflated: UnsafeRawBufferPointer) {
        batch.removeAll()
        let header = Record0Header(sequenceNumber: 0, firstTimestamp: 0, lastTimestamp: 0,
                                   inflatedSize: UInt32(truncatingIfNeeded: inflated.count), payloadLength: 0)
        let block = BlockDescriptor(index: 0, offset: 0, header: header)
        let outcome = decoder.decodeInflated(unsafeBytes: inflated, block: block, file: "fuzz.bin", into: &batch)
        compare(outcome, inflated: inflated, block: block)
        fuzzCheck(batch.issues.count == batch.counts.issueCount, "issues \(batch.issues.count) vs counted \(batch.counts.issueCount)")
    }

    // MARK: - One block

    func checkBlock(_ block: BlockDescriptor, _ file: UnsafeRawBufferPointer) {
        let payload = UnsafeRawBufferPointer(rebasing: file[block.payloadRange])
        let issuesBefore = batch.issues.count
        let segmentsBefore = batch.segments.count
        let required: Int
        do throws(FormatIssue) {
            required = try decoder.requiredCapacity(for: block, unsafeFileBytes: file, file: "fuzz.bin")
        } catch {
            fuzzCheck(error.level == .record0 && error.offset == block.offset, "requiredCapacity threw \(error)")
            // decode must come to the same verdict without touching the (empty) output.
            let empty = ExactBuffer(count: 0)
            let outcome = decoder.decode(block, unsafeFileBytes: file, unsafeOutput: empty.bytes, file: "fuzz.bin",
                                         into: &batch)
            guard case .skipped(let issue) = outcome else { fuzzCheck(false, "decode accepted a block that requiredCapacity refused"); return }
            fuzzCheck(issue == error, "decode and requiredCapacity disagree: \(issue) vs \(error)")
            return
        }
        fuzzCheck(required <= Self.maximumInflatedSize, "required capacity \(required) above the limit")
        let output = ExactBuffer(count: required)
        let outcome = decoder.decode(block, unsafeFileBytes: file, unsafeOutput: output.bytes, file: "fuzz.bin",
                                     into: &batch)

        // The other inflater must agree on every member.
        let zlibOutput = ExactBuffer(count: required)
        var zlibCount = -1
        do throws(GzipError) {
            zlibCount = try GzipInflater.unsafeInflateWithZlib(member: payload, into: zlibOutput.bytes)
        } catch {
            zlibCount = -1
        }

        switch outcome {
        case .decoded(_, _, let inflatedBytes):
            fuzzCheck(zlibCount == inflatedBytes, "libdeflate inflated \(inflatedBytes) bytes, zlib \(zlibCount)")
            fuzzCheck(memcmp(output.bytes.baseAddress!, zlibOutput.bytes.baseAddress!, inflatedBytes) == 0,
                      "libdeflate and zlib inflated different bytes")
            let inflated = UnsafeRawBufferPointer(rebasing: output.readOnly[0..<inflatedBytes])
            compare(outcome, inflated: inflated, block: block)
        case .skipped(let issue):
            fuzzCheck(issue.level.isStructural && issue.offset == block.offset && issue.block == block.index,
                      "block skipped with \(issue)")
            fuzzCheck(batch.segments.count == segmentsBefore, "a skipped block left a segment")
            fuzzCheck(batch.issues.count == issuesBefore + 1, "a skipped block reported \(batch.issues.count - issuesBefore) issues")
            if issue.level == .record0 {
                fuzzCheck(zlibCount < 0, "libdeflate refused a member (\(issue)) that zlib inflated to \(zlibCount) bytes")
            } else {
                // Levels 1-3: the member inflated, so ISIZE bytes are in `output`.
                fuzzCheck(zlibCount == required, "libdeflate inflated a member zlib refused or sized differently (\(zlibCount))")
                let verdict = ReferenceWalker.walk(output.readOnly)
                fuzzCheck(verdict == .skipped, "the decoder skipped a block (\(issue)) that the reference decodes")
            }
        }
    }

    /// The segment's frames through the C decode kernel, as the pipeline runs
    /// it (in place, in a copy of the block with `payloadPadding` bytes after
    /// it, so that ASan sees any read beyond): the rows of the Swift reference
    /// (`referenceDecodeSignals`, which, like the kernel and unlike the
    /// frame-by-frame decode above, skips remote and error frames), bit for bit.
    func checkKernel(segment: FrameBatch.Segment, inflated: UnsafeRawBufferPointer) {
        var frames = FrameBatch()
        frames.appendRows(of: batch, segment.frames, segment: segment)
        let padded = ExactBuffer(count: inflated.count + DBCDecoder.payloadPadding)
        padded.bytes.initializeMemory(as: UInt8.self, repeating: 0x5A)
        if inflated.count > 0 { padded.bytes.baseAddress!.copyMemory(from: inflated.baseAddress!, byteCount: inflated.count) }
        let data = UnsafeRawBufferPointer(rebasing: padded.bytes[0..<inflated.count])
        kernelSignals.removeAll()
        referenceSignals.removeAll()
        let a = dbc.decodeSignals(of: frames, data: data, into: &kernelSignals)
        let b = dbc.referenceDecodeSignals(of: frames, data: data, into: &referenceSignals)
        fuzzCheck(a == b, "the decode kernel found \(a) frames with signals, the reference \(b)")
        let same = kernelSignals.withUnsafeColumns { f1, s1, r1, k1, v1 in
            referenceSignals.withUnsafeColumns { f2, s2, r2, k2, v2 in
                f1.elementsEqual(f2) && s1.elementsEqual(s2) && r1.elementsEqual(r2) && k1.elementsEqual(k2)
                    && v1.map(\.bitPattern) == v2.map(\.bitPattern)
            }
        }
        fuzzCheck(same, "the decode kernel's \(kernelSignals.count) rows differ from the reference's \(referenceSignals.count)")
    }

    /// Compares a decode outcome with the reference and exercises the
    /// consumers of a decoded segment (signals, frames.csv).
    func compare(_ outcome: BlockDecoder.Outcome, inflated: UnsafeRawBufferPointer, block: BlockDescriptor) {
        let reference = ReferenceWalker.walk(inflated)
        switch (outcome, reference) {
        case (.skipped(let issue), .skipped):
            fuzzCheck(issue.level.isStructural, "a structural skip at level \(issue.level)")
        case (.skipped(let issue), .decoded(let frames, _)):
            fuzzCheck(false, "the decoder skipped (\(issue)) a block with \(frames.count) good frames")
        case (.decoded(let count, _, _), .skipped):
            fuzzCheck(false, "the decoder accepted (\(count) frames) a block that is structurally broken")
        case (.decoded(let count, let skipped, let inflatedBytes), .decoded(let frames, let frameErrors)):
            fuzzCheck(inflatedBytes == inflated.count, "inflated \(inflatedBytes) of \(inflated.count)")
            fuzzCheck(count == frames.count && skipped == frameErrors,
                      "decoder: \(count) frames, \(skipped) errors; reference: \(frames.count), \(frameErrors)")
            guard let segment = batch.segments.last else { fuzzCheck(false, "no segment for a decoded block"); return }
            fuzzCheck(segment.unit == block.index && segment.dataByteCount == inflated.count
                      && segment.frames.count == frames.count && segment.frames.upperBound == batch.count,
                      "segment \(segment) for block \(block.index)")
            signals.removeAll()
            for (k, row) in segment.frames.enumerated() {
                let expected = frames[k]
                let actual = ReferenceWalker.Frame(
                    timestamp: batch.timestamps[row], rawIdentifier: batch.rawIdentifier(ofFrame: row),
                    flagsByte: (batch.flags[row].rawValue >> 3) & 0x0F, channel: UInt8(batch.channels[row]),
                    length: batch.lengths[row], dataOffset: Int(batch.dataOffsets[row]))
                var expectedMasked = expected
                expectedMasked.flagsByte &= 0x0F
                fuzzCheck(actual == expectedMasked, "frame \(k): decoder \(actual), reference \(expectedMasked)")
                fuzzCheck(batch.blocks[row] == UInt32(truncatingIfNeeded: block.index), "frame \(k) has block \(batch.blocks[row])")
                let data = batch.unsafeData(ofFrame: row, in: inflated)
                let rows = dbc.decode(id: batch.identifiers[row], isExtended: batch.flags[row].contains(.extended),
                                      bytes: data, frameIndex: UInt32(k), into: &signals)
                if let message = dbc.messageIndex(id: batch.identifiers[row], isExtended: batch.flags[row].contains(.extended)) {
                    fuzzCheck(rows <= dbc.signalRange(ofMessageAt: message).count, "\(rows) signals from one frame")
                } else {
                    fuzzCheck(rows == 0, "signals from a frame the DBC does not define")
                }
            }
            checkKernel(segment: segment, inflated: inflated)
            for row in 0..<signals.count {
                let signal = signals.signalIndex(at: row)
                fuzzCheck(signal >= 0 && signal < dbc.signalCount, "signal index \(signal)")
                _ = dbc.label(signalIndex: signal, raw: signals.rawValue(at: row))
            }
            CanonicalCSV.appendFrameRows(of: batch, segment: segment, encodedFileName: encodedFileName,
                                         unsafeInflatedBlock: inflated, to: &csv)
            let newlines = csv.bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            fuzzCheck(newlines == frames.count, "\(newlines) frames.csv rows for \(frames.count) frames")
            csv.removeAll()
        }
    }
}
