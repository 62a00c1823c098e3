import Testing
@testable import Canp

/// Writes BLF files with ``BLFFileWriter`` and decodes them with the BLF
/// format's scan and unit decoder, unit after unit (as one worker does in a
/// chunk), and also each unit alone with its entry unknown (as a chunk's
/// first unit is decoded): where the guessed entry equals the known one,
/// the two decodings must agree.
enum BLFFixtures {
    static let start: UInt64 = 1_700_000_000_123_000_000

    /// One decoded frame, with its block.
    struct Row: Hashable, CustomStringConvertible {
        var block: Int
        var timestamp: UInt64
        var identifier: UInt32
        var flags: FrameFlags
        var channel: Int32
        var data: [UInt8]
        var description: String { "b\(block) \(timestamp) \(identifier) \(flags.rawValue) \(channel) \(data)" }
    }

    struct Decoded {
        var rows: [Row] = []
        var issues: [FormatIssue] = []
        var counts = FormatCounts()
        /// Units whose entry was guessed right / wrong when unknown.
        var guessesHeld = 0
        var guessesFailed = 0
    }

    /// The object a frame is written as, and its style, chosen from `k`.
    static func object(for frame: CANFrame, _ k: Int) -> BLFFileWriter.FrameObject {
        let fd = FrameFlags(rawIdentifier: frame.rawIdentifier, flagsByte: frame.flagsByte).contains(.fd)
        switch (fd, k % 2) {
        case (true, 0): return .canFDMessage
        case (true, _): return .canFDMessage64()
        case (false, 0): return .canMessage
        default: return .canMessage2
        }
    }

    static func style(_ k: Int) -> BLFFileWriter.ObjectStyle {
        BLFFileWriter.ObjectStyle(headerVersion: k % 3 == 0 ? 2 : 1, tenMicroseconds: k % 5 == 0, padding: k % 4)
    }

    /// The payload size of a frame object (what the layout of the spec says, independently of the writer).
    static func payloadSize(_ object: BLFFileWriter.FrameObject, _ frame: CANFrame) -> Int {
        switch object {
        case .canMessage: 16
        case .canMessage2: 24
        case .canFDMessage: 84
        case .canFDMessage64(let stored): 40 + min(stored ?? frame.data.count, frame.data.count)
        }
    }

    /// A file of `frames` in containers of `containerSize` bytes, and the
    /// rows a reader must give: the block of each frame is the container
    /// its object starts in.
    static func file(_ frames: [CANFrame], containerSize: Int, stored: @escaping @Sendable (Int) -> Bool = { _ in false })
        throws -> (bytes: [UInt8], rows: [Row]) {
        var writer = try BLFFileWriter(startNanoseconds: start, containerSize: containerSize, isStored: stored)
        var rows: [Row] = []
        var offset = 0
        for (k, original) in frames.enumerated() {
            var frame = original
            let style = style(k)
            if style.tenMicroseconds { frame.timestamp = frame.timestamp / 10_000 * 10_000 }
            let object = object(for: frame, k)
            try writer.append(frame, as: object, style: style)
            rows.append(row(frame, block: offset / containerSize))
            offset += (style.headerVersion == 1 ? 32 : 40) + payloadSize(object, frame) + style.padding
        }
        return (try writer.finish(), rows)
    }

    static func row(_ frame: CANFrame, block: Int) -> Row {
        let flags = FrameFlags(rawIdentifier: frame.rawIdentifier, flagsByte: frame.flagsByte)
        return Row(block: block, timestamp: frame.timestamp, identifier: frame.rawIdentifier & 0x1FFF_FFFF, flags: flags,
                   channel: Int32(frame.channel), data: flags.contains(.remoteRequest) ? [] : frame.data)
    }

    /// Decodes a whole file.
    static func decode(_ bytes: [UInt8], file: String = "test.blf", slice: Int = 7) throws -> Decoded {
        let format = BLFFormat()
        let known = try format.makeUnitDecoder()
        let alone = try format.makeUnitDecoder()
        var result = Decoded()
        try bytes.withUnsafeBytes { fileBytes in
            let scan = format.scan(unsafeFileBytes: fileBytes, fileName: file)
            var entry = UnitEntry.known(nil)
            for item in scan.entries {
                switch item {
                case .skipped(let issue, let counts):
                    result.issues.append(issue)
                    result.counts += counts
                case .unit(let unit):
                    let one = decodeUnit(unit, fileBytes, file, known, entry, slice: slice)
                    result.rows += one.rows
                    result.issues += one.issues
                    result.counts += one.counts
                    let guessed = decodeUnit(unit, fileBytes, file, alone, .unknown, slice: slice)
                    if guessed.assumed == entry.state {
                        result.guessesHeld += 1
                        let same = guessed.rows == one.rows && guessed.issues == one.issues && guessed.counts == one.counts
                        #expect(same, "unit \(unit.index): a guessed entry that held decoded differently")
                        #expect(alone.exitState == known.exitState)
                    } else {
                        result.guessesFailed += 1
                    }
                    entry = .known(known.exitState)
                }
            }
            try #require(result.counts.issueCount == result.issues.count)
        }
        return result
    }

    private static func decodeUnit(
        _ unit: InputUnit, _ fileBytes: UnsafeRawBufferPointer, _ file: String, _ decoder: any InputUnitDecoder,
        _ entry: UnitEntry, slice: Int
    ) -> (rows: [Row], issues: [FormatIssue], counts: FormatCounts, assumed: UInt64?) {
        let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: unit.workspaceBytes + InputUnit.padding,
                                                               alignment: 16)
        defer { workspace.deallocate() }
        workspace.initializeMemory(as: UInt8.self, repeating: 0xEE)
        var batch = FrameBatch()
        let start = decoder.start(unit, fileBytes: fileBytes, fileName: file,
                                  workspace: UnsafeMutableRawBufferPointer(rebasing: workspace[0..<unit.workspaceBytes]),
                                  depth: .frames, entry: entry, into: &batch)
        var more = start.hasFrames
        while more { more = decoder.next(into: &batch, maximumFrames: slice) }
        var rows: [Row] = []
        let data = UnsafeRawBufferPointer(rebasing: workspace[0..<unit.workspaceBytes])
        for segment in batch.segments {
            #expect(segment.unit == unit.index && segment.offset == unit.offset)
            for r in segment.frames {
                rows.append(Row(block: Int(batch.blocks[r]), timestamp: batch.timestamps[r], identifier: batch.identifiers[r],
                                flags: batch.flags[r], channel: batch.channels[r],
                                data: Array(batch.unsafeData(ofFrame: r, in: data))))
            }
        }
        #expect(batch.counts.framesDecoded == rows.count)
        return (rows, batch.issues, batch.counts, start.assumedEntry)
    }
}
