import Testing
@testable import Canp

@Suite("BlockDecoder")
struct BlockDecoderTests {
    typealias Decoded = FormatFixtures.DecodedFrame

    static let good = FormatFixtures.frames(count: 40, seed: 11)

    /// A file: a good block, the block under test, another good block.
    static func sandwich(
        _ payload: BlockPayloadBuilder, damage: CANPFileWriter.Damage? = nil
    ) throws -> (bytes: [UInt8], middle: BlockDescriptor) {
        var writer = try CANPFileWriter()
        try writer.appendBlock(FormatFixtures.payload(Array(good[0..<20])))
        let middle = try writer.appendBlock(payload, damage: damage)
        try writer.appendBlock(FormatFixtures.payload(Array(good[20..<40])))
        return (writer.bytes, middle)
    }

    /// Checks that only the middle block was skipped, with one issue at `level`, and returns it.
    static func expectMiddleSkipped(
        _ payload: BlockPayloadBuilder, damage: CANPFileWriter.Damage? = nil, level: FormatIssue.Level,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> FormatIssue {
        let (bytes, middle) = try sandwich(payload, damage: damage)
        let (frames, batch, _) = try FormatFixtures.decode(bytes, file: "bad.bin")
        #expect(frames == good.map(Decoded.init), sourceLocation: sourceLocation)
        #expect(batch.counts.blocksDecoded == 2, sourceLocation: sourceLocation)
        #expect(batch.counts.blocksSkipped == 1, sourceLocation: sourceLocation)
        #expect(batch.counts.framesDecoded == 40 && batch.counts.framesSkipped == 0, sourceLocation: sourceLocation)
        #expect(batch.segments.map(\.unit) == [0, 2], sourceLocation: sourceLocation)
        #expect(batch.issues.count == 1, sourceLocation: sourceLocation)
        let issue = try #require(batch.issues.first, sourceLocation: sourceLocation)
        #expect(issue.file == "bad.bin" && issue.block == 1 && issue.offset == middle.offset, sourceLocation: sourceLocation)
        #expect(issue.level == level, sourceLocation: sourceLocation)
        return issue
    }

    // MARK: - Valid data

    @Test func roundTripsFramesInFileOrder() throws {
        var writer = try CANPFileWriter()
        var expected: [Decoded] = []
        for k in 0..<5 {
            let frames = FormatFixtures.frames(count: 50 + k * 13, seed: UInt64(100 + k))
            expected += frames.map(Decoded.init)
            try writer.appendBlock(FormatFixtures.payload(frames, perSequence: 1 + k * 3, perRecord1: 1 + k))
        }
        let (frames, batch, inflated) = try FormatFixtures.decode(writer.bytes)
        #expect(frames == expected)
        #expect(batch.count == expected.count)
        #expect(batch.counts.blocksDecoded == 5 && batch.counts.blocksSkipped == 0)
        #expect(batch.counts.framesDecoded == expected.count && batch.counts.framesSkipped == 0)
        #expect(batch.counts.inflatedBytes == inflated.reduce(0) { $0 + $1.count })
        #expect(batch.issues.isEmpty)
        #expect(batch.segments.map(\.unit) == [0, 1, 2, 3, 4])
        #expect(batch.segments.map(\.frames.count) == [50, 63, 76, 89, 102])
        #expect(batch.blocks[0] == 0 && batch.blocks[batch.count - 1] == 4)
        for row in 0..<batch.count {
            #expect(batch.rawIdentifier(ofFrame: row) >> 29 == UInt32(batch.flags[row].rawValue & 7))
        }
    }

    @Test func emptyPayloadIsAValidBlockWithoutFrames() throws {
        var writer = try CANPFileWriter()
        try writer.appendBlock(BlockPayloadBuilder())
        let (frames, batch, _) = try FormatFixtures.decode(writer.bytes)
        #expect(frames.isEmpty)
        #expect(batch.counts.blocksDecoded == 1)
        #expect(batch.segments == [.init(unit: 0, offset: 0, frames: 0..<0, dataByteCount: 0)])
    }

    @Test func emptyRecord1AndRecord2AreValid() throws {
        var payload = BlockPayloadBuilder()
        payload.appendRecord1([])
        payload.appendRecord1([FrameSequenceBuilder(channel: 3)])
        var sequence = FrameSequenceBuilder()
        sequence.append(Self.good[0])
        payload.appendRecord1([sequence])
        var writer = try CANPFileWriter()
        try writer.appendBlock(payload)
        let (frames, batch, _) = try FormatFixtures.decode(writer.bytes)
        #expect(frames == [Decoded(Self.good[0])])
        #expect(batch.issues.isEmpty)
    }

    @Test func acceptsEveryValidLengthAndTheIdentifierLimits() throws {
        var sequence = FrameSequenceBuilder()
        var expected: [CANFrame] = []
        for length in [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64] {
            expected.append(CANFrame(timestamp: 1, identifier: 0x7FF, flags: .fd, data: .init(repeating: 0xEE, count: length)))
        }
        for length in 0...8 {
            expected.append(CANFrame(timestamp: 2, identifier: 0, data: .init(repeating: 0x11, count: length)))
        }
        expected.append(CANFrame(timestamp: 3, identifier: 0x1FFF_FFFF, flags: .extended, data: [1]))
        expected.append(CANFrame(timestamp: 4, identifier: 0x123, flags: [.errorFrame, .remoteRequest], data: []))
        // Reserved bytes and undefined flag bits are not the reader's business.
        expected.append(CANFrame(timestamp: 5, rawIdentifier: 0x100, flagsByte: 0xF0, channel: 9, data: [7], reserved: 0xFF))
        for frame in expected { sequence.append(frame) }
        var payload = BlockPayloadBuilder()
        payload.appendRecord1([sequence])
        var writer = try CANPFileWriter()
        try writer.appendBlock(payload)
        let (frames, batch, _) = try FormatFixtures.decode(writer.bytes)
        #expect(frames == expected.map(Decoded.init))
        #expect(batch.counts.framesSkipped == 0)
        #expect(frames.last?.flags == [])
    }

    // MARK: - Level 0

    @Test func badDeflateDataSkipsTheBlock() throws {
        let issue = try Self.expectMiddleSkipped(
            FormatFixtures.payload(FormatFixtures.frames(count: 200)), damage: .flipDeflateByte(mask: 0x5A), level: .record0)
        guard issue.reason.description.hasPrefix("gzip:") else {
            Issue.record("expected a gzip reason, got \(issue.reason)")
            return
        }
    }

    @Test func crcMismatchSkipsTheBlock() throws {
        let issue = try Self.expectMiddleSkipped(
            FormatFixtures.payload(FormatFixtures.frames(count: 30)), damage: .corruptChecksum, level: .record0)
        #expect(issue.reason == .gzip(.checksumMismatch))
    }

    @Test func isizeMismatchSkipsTheBlock() throws {
        for delta: UInt32 in [1, UInt32.max] {  // one more, one less
            let issue = try Self.expectMiddleSkipped(
                FormatFixtures.payload(FormatFixtures.frames(count: 30)), damage: .corruptInflatedSize(delta: delta),
                level: .record0)
            #expect(issue.reason == .gzip(.sizeMismatch))
        }
    }

    @Test func bytesAfterTheMemberSkipTheBlock() throws {
        let payload = FormatFixtures.payload(FormatFixtures.frames(count: 30))
        // The reader sizes its buffer from the last 4 bytes of Payload0; here they end in the
        // two extra zeros, so the ISIZE it reads is wrong and the inflate overflows it.
        let zeros = try Self.expectMiddleSkipped(payload, damage: .trailingBytes([0, 0]), level: .record0)
        #expect(zeros.reason == .gzip(.sizeMismatch))
        // Extra bytes that end in the right ISIZE: the member inflates, then the extra bytes are found.
        let member = try GzipDeflater().compress(payload.bytes)
        let issue = try Self.expectMiddleSkipped(payload, damage: .trailingBytes(Array(member.suffix(4))), level: .record0)
        #expect(issue.reason == .gzip(.trailingBytes))
    }

    @Test func absurdIsizeIsALevel0Error() throws {
        // Above what DEFLATE can produce from the member's size.
        let issue = try Self.expectMiddleSkipped(
            FormatFixtures.payload(FormatFixtures.frames(count: 3)), damage: .corruptInflatedSize(delta: 0x7000_0000),
            level: .record0)
        let limitText = issue.reason.description.split(separator: " ").dropFirst(8).first.flatMap { Int($0) }
        guard issue.reason.description.hasPrefix("gzip ISIZE "), let limit = limitText else {
            Issue.record("expected inflatedSizeTooLarge, got \(issue.reason)")
            return
        }
        #expect(limit < 1 << 20)
        // Above the configured cap.
        var writer = try CANPFileWriter()
        try writer.appendBlock(FormatFixtures.payload(FormatFixtures.frames(count: 100)))
        let size = Int(Record0Scanner.scan(writer.bytes).blocks[0].header.inflatedSize)
        let capped = try FormatFixtures.decode(writer.bytes, configuration: .init(maximumInflatedSize: size - 1))
        #expect(capped.batch.issues.map(\.reason) == [.inflatedSizeTooLarge(declared: UInt32(size), limit: size - 1)])
        let exact = try FormatFixtures.decode(writer.bytes, configuration: .init(maximumInflatedSize: size))
        #expect(exact.frames.count == 100)
    }

    @Test func requiredCapacityIsTheIsize() throws {
        var writer = try CANPFileWriter()
        let block = try writer.appendBlock(FormatFixtures.payload(FormatFixtures.frames(count: 10)))
        let decoder = try BlockDecoder()
        let capacity = try writer.bytes.withUnsafeBytes { file in
            Result { () throws(FormatIssue) in try decoder.requiredCapacity(for: block, unsafeFileBytes: file, file: "x") }
        }.get()
        #expect(capacity == Int(block.header.inflatedSize))
    }

    @Test func emptyPayloadIsNotAGzipMember() throws {
        var writer = try CANPFileWriter()
        writer.appendRecord0(
            header: Record0Header(sequenceNumber: 0, firstTimestamp: 0, lastTimestamp: 0, inflatedSize: 0, payloadLength: 0),
            payload: [])
        let (_, batch, _) = try FormatFixtures.decode(writer.bytes)
        #expect(batch.issues.map(\.reason) == [.gzip(.invalidData)])
        #expect(batch.counts.blocksSkipped == 1)
    }

    @Test func truncatedTailsEndTheFile() throws {
        let (bytes, middle) = try Self.sandwich(FormatFixtures.payload(Array(Self.good[0..<5])))
        // Cut inside the last block's payload.
        let (frames, batch, _) = try FormatFixtures.decode(Array(bytes.dropLast(7)))
        #expect(frames == (Array(Self.good[0..<20]) + Array(Self.good[0..<5])).map(Decoded.init))
        #expect(batch.counts.truncatedTails == 1 && batch.counts.blocksDecoded == 2)
        #expect(batch.issues.map(\.level) == [.record0])
        #expect(batch.issues.first?.block == 2 && batch.issues.first?.offset == middle.endOffset)
        // Cut inside the last block's header.
        let header = try FormatFixtures.decode(Array(bytes[0..<(middle.endOffset + 34)]))
        #expect(header.batch.issues.map(\.reason) == [.truncatedHeader(available: 34)])
        #expect(header.batch.counts.issueCount == 1)
    }

    // MARK: - Levels 1-3

    static func sequence(_ frames: ArraySlice<CANFrame>, channel: UInt8 = 0) -> FrameSequenceBuilder {
        var sequence = FrameSequenceBuilder(channel: channel)
        for frame in frames { sequence.append(frame) }
        return sequence
    }

    @Test func record1HeaderPastTheBlock() throws {
        var payload = FormatFixtures.payload(Array(Self.good[0..<10]))
        payload.appendRawBytes([UInt8](repeating: 0, count: 19))
        let issue = try Self.expectMiddleSkipped(payload, level: .record1)
        #expect(issue.reason == .headerRunsPastParent(available: 19))
    }

    @Test func record1LengthPastTheBlock() throws {
        var payload = BlockPayloadBuilder()
        let seq = Self.sequence(Self.good[0..<5])
        payload.appendRecord1([seq], declaredLength: UInt32(seq.encodedSize + 1))
        let issue = try Self.expectMiddleSkipped(payload, level: .record1)
        #expect(issue.reason == .lengthRunsPastParent(declared: UInt32(seq.encodedSize + 1), available: seq.encodedSize))
        #expect(issue.inflatedOffset == 0)
    }

    @Test func record1ShorterThanItsChildren() throws {
        var payload = BlockPayloadBuilder()
        let seq = Self.sequence(Self.good[0..<5])
        payload.appendRecord1([seq], declaredLength: UInt32(seq.encodedSize - 3))
        let issue = try Self.expectMiddleSkipped(payload, level: .record2)
        #expect(issue.reason == .lengthRunsPastParent(declared: UInt32(seq.encodedSize - 20), available: seq.encodedSize - 23))
    }

    @Test func record2HeaderPastItsParent() throws {
        var payload = BlockPayloadBuilder()
        let seq = Self.sequence(Self.good[0..<5])
        payload.appendRecord1([seq], declaredLength: UInt32(seq.encodedSize + 12))
        payload.appendRawBytes([UInt8](repeating: 1, count: 12))
        let issue = try Self.expectMiddleSkipped(payload, level: .record2)
        #expect(issue.reason == .headerRunsPastParent(available: 12))
        #expect(issue.inflatedOffset == 20 + seq.encodedSize)
    }

    @Test func record2LengthPastItsParent() throws {
        var payload = BlockPayloadBuilder()
        let seqs = [Self.sequence(Self.good[0..<5]), Self.sequence(Self.good[5..<9], channel: 1)]
        payload.appendRecord1(seqs, record2LengthOverrides: [0: UInt32(seqs[0].encodedSize - 20 + 7)])
        // As the reference generator's damage: the first Record2 claims 7 bytes of its sibling.
        // Its last Record3 then ends inside the sibling's header; the walk notices at level 3 or 2.
        let (bytes, _) = try Self.sandwich(payload)
        let (_, batch, _) = try FormatFixtures.decode(bytes)
        #expect(batch.counts.blocksSkipped == 1 && batch.counts.framesDecoded == 40)
        #expect(batch.issues.count == 1 && batch.issues[0].level.isStructural && batch.issues[0].level != .record0)
        // A last Record2 that overruns is noticed at level 2.
        var last = BlockPayloadBuilder()
        last.appendRecord1(seqs, record2LengthOverrides: [1: UInt32(seqs[1].encodedSize - 20 + 1)])
        let issue = try Self.expectMiddleSkipped(last, level: .record2)
        #expect(issue.reason == .lengthRunsPastParent(declared: UInt32(seqs[1].encodedSize - 19), available: seqs[1].encodedSize - 20))
    }

    @Test func record3HeaderPastItsParent() throws {
        var payload = BlockPayloadBuilder()
        var seq = Self.sequence(Self.good[0..<5])
        seq.appendRawBytes([0, 0, 1])
        payload.appendRecord1([seq])
        let issue = try Self.expectMiddleSkipped(payload, level: .record3)
        #expect(issue.reason == .headerRunsPastParent(available: 3))
    }

    @Test func record3LengthPastItsParent() throws {
        var payload = BlockPayloadBuilder()
        var seq = Self.sequence(Self.good[0..<5])
        seq.append(Self.good[5], recordLength: UInt32(Self.good[5].encodedSize + 1))
        payload.appendRecord1([seq])
        let issue = try Self.expectMiddleSkipped(payload, level: .record3)
        #expect(issue.reason == .lengthRunsPastParent(declared: UInt32(Self.good[5].encodedSize + 1), available: Self.good[5].encodedSize))
    }

    @Test func aStructuralErrorAfterFrameErrorsEmitsNothingFromTheBlock() throws {
        var payload = BlockPayloadBuilder()
        var seq = Self.sequence(Self.good[0..<5])
        seq.append(CANFrame(timestamp: 1, identifier: 0x900, data: []))  // a frame error...
        payload.appendRecord1([seq])
        payload.appendRawBytes([9, 9, 9])  // ...then a structural one
        let issue = try Self.expectMiddleSkipped(payload, level: .record1)
        #expect(issue.reason == .headerRunsPastParent(available: 3))
    }

    // MARK: - Frame errors

    @Test func eachFrameErrorSkipsOneFrame() throws {
        let bad: [(CANFrame?, [UInt8]?, UInt32?, FormatIssue.Reason)] = [
            (CANFrame(timestamp: 1, identifier: 0x123, data: .init(repeating: 0, count: 12)), nil, nil,
             .classicFrameTooLong(dataLength: 12)),
            (CANFrame(timestamp: 1, identifier: 0x124, flags: .fd, data: .init(repeating: 0, count: 9)), nil, nil,
             .fdLengthNotAllowed(dataLength: 9)),
            (CANFrame(timestamp: 1, identifier: 0x124, flags: .fd, data: .init(repeating: 0, count: 65)), nil, nil,
             .fdLengthNotAllowed(dataLength: 65)),
            (CANFrame(timestamp: 1, identifier: 0x900, data: [1]), nil, nil, .standardIdentifierTooLarge(identifier: 0x900)),
            (CANFrame(timestamp: 1, rawIdentifier: 0x125, flagsByte: 0, channel: 0, data: [1, 2, 3, 4, 5, 6, 7, 8],
                      lengthOverride: 4), nil, nil,
             .lengthFieldMismatch(recordLength: 24, dataLength: 4)),
            (CANFrame(timestamp: 1, identifier: 0x125, data: [1, 2, 3, 4]), nil, 17,
             .lengthFieldMismatch(recordLength: 17, dataLength: 4)),
            (nil, [UInt8](repeating: 0, count: 15), nil, .frameShorterThan16Bytes(recordLength: 15)),
            (nil, [], nil, .frameShorterThan16Bytes(recordLength: 0)),
        ]
        var seq = FrameSequenceBuilder()
        var expected: [Decoded] = []
        var reasons: [FormatIssue.Reason] = []
        for (k, item) in bad.enumerated() {
            seq.append(Self.good[k])
            expected.append(Decoded(Self.good[k]))
            if let frame = item.0 {
                if let recordLength = item.2 {
                    // A Record3 of 17 bytes holding the first 17 bytes of a 20-byte frame.
                    var bytes: [UInt8] = []
                    frame.append(to: &bytes)
                    seq.appendRecord3(payload: Array(bytes[0..<Int(recordLength)]))
                } else {
                    seq.append(frame)
                }
            } else {
                seq.appendRecord3(payload: item.1!)
            }
            reasons.append(item.3)
        }
        seq.append(Self.good[39])
        expected.append(Decoded(Self.good[39]))
        var payload = BlockPayloadBuilder()
        payload.appendRecord1([seq])
        var writer = try CANPFileWriter()
        try writer.appendBlock(payload)
        let (frames, batch, _) = try FormatFixtures.decode(writer.bytes)
        #expect(frames == expected)
        #expect(batch.issues.map(\.reason) == reasons)
        #expect(batch.issues.allSatisfy { $0.level == .frame && $0.block == 0 && $0.offset == 0 })
        #expect(batch.counts.framesSkipped == bad.count && batch.counts.framesDecoded == expected.count)
        #expect(batch.counts.blocksDecoded == 1 && batch.counts.blocksSkipped == 0)
        let first = try #require(batch.issues.first?.inflatedOffset)
        #expect(first == 20 + 20 + 4 + Self.good[0].encodedSize)
    }

    @Test func outcomesReportEachBlock() throws {
        var decoder = try BlockDecoder()
        var batch = FrameBatch()
        var writer = try CANPFileWriter()
        var seq = Self.sequence(Self.good[0..<3])
        seq.append(CANFrame(timestamp: 1, identifier: 0x900, data: []))
        var payload = BlockPayloadBuilder()
        payload.appendRecord1([seq])
        let block = try writer.appendBlock(payload)
        let bytes = writer.bytes
        let inflated = try GzipInflater().inflate(Array(bytes[block.payloadRange]))
        let outcome = inflated.withUnsafeBytes {
            decoder.decodeInflated(unsafeBytes: $0, block: block, file: "o.bin", into: &batch)
        }
        #expect(outcome == .decoded(frames: 3, skippedFrames: 1, inflatedBytes: inflated.count))
        let broken = Array(inflated.dropLast())
        let skipped = broken.withUnsafeBytes {
            decoder.decodeInflated(unsafeBytes: $0, block: block, file: "o.bin", into: &batch)
        }
        guard case .skipped(let issue) = skipped else {
            Issue.record("expected a skipped block")
            return
        }
        #expect(issue.level == .record1, "one byte short: the Record1 runs past the block")
        #expect(decoder.counts.blocksDecoded == 1 && decoder.counts.blocksSkipped == 1)
        #expect(decoder.counts.framesDecoded == 3 && decoder.counts.framesSkipped == 1)
        #expect(batch.count == 3 && batch.issues.count == 2)
    }

    // MARK: - Robustness

    /// Seeded mutations of valid blocks: whatever the bytes, the decoder stays in bounds
    /// (run under `--sanitize=address` to check reads), and its counts add up.
    @Test func survivesRandomDamage() throws {
        var rng = SplitMix64(seed: 42)
        var writer = try CANPFileWriter(compressionLevel: 1)
        try writer.appendBlock(FormatFixtures.payload(FormatFixtures.frames(count: 60, seed: 5)))
        let block = Record0Scanner.scan(writer.bytes).blocks[0]
        let inflated = try GzipInflater().inflate(Array(writer.bytes[block.payloadRange]))
        var decoder = try BlockDecoder()
        var batch = FrameBatch()
        var outcomes = (decoded: 0, skipped: 0)
        for _ in 0..<3000 {
            var bytes = inflated
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next() % 4 == 0 { bytes.removeLast(Int(rng.next() % UInt64(bytes.count))) }
            batch.removeAll()
            let outcome = bytes.withUnsafeBytes {
                decoder.decodeInflated(unsafeBytes: $0, block: block, file: "fuzz.bin", into: &batch)
            }
            switch outcome {
            case .decoded(let frames, let skipped, _):
                outcomes.decoded += 1
                #expect(batch.count == frames && batch.issues.count == skipped)
                #expect(batch.dataOffsets.indices.allSatisfy { Int(batch.dataOffsets[$0]) + Int(batch.lengths[$0]) <= bytes.count })
            case .skipped:
                outcomes.skipped += 1
                #expect(batch.count == 0 && batch.issues.count == 1)
            }
        }
        #expect(outcomes.decoded > 100 && outcomes.skipped > 100, "the damage exercises both paths: \(outcomes)")
        // Whole files with damaged bytes anywhere (headers, gzip, trailer).
        for _ in 0..<300 {
            var bytes = writer.bytes
            bytes[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            let (_, fileBatch, _) = try FormatFixtures.decode(bytes)
            let units = fileBatch.counts.blocksDecoded + fileBatch.counts.blocksSkipped + fileBatch.counts.truncatedTails
            #expect(units >= 1)
        }
    }

    @Test func reusedBatchKeepsItsCapacity() throws {
        var writer = try CANPFileWriter()
        try writer.appendBlock(FormatFixtures.payload(FormatFixtures.frames(count: 500)))
        var decoder = try BlockDecoder()
        var batch = FrameBatch(capacity: 1000)
        _ = decoder.decodeFile(writer.bytes, file: "a", into: &batch)
        let capacity = batch.timestamps.capacity
        batch.removeAll()
        #expect(batch.isEmpty && batch.counts == FormatCounts() && batch.segments.isEmpty)
        #expect(batch.timestamps.capacity == capacity)
        _ = decoder.decodeFile(writer.bytes, file: "a", into: &batch)
        #expect(batch.count == 500 && batch.timestamps.capacity == capacity)
        #expect(decoder.counts.framesDecoded == 1000)
    }
}
