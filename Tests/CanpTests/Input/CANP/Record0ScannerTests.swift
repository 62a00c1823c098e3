import Testing
@testable import Canp

@Suite("Record0Scanner")
struct Record0ScannerTests {
    /// Three blocks of 10, 0 and 25 frames.
    static func threeBlocks() throws -> (bytes: [UInt8], blocks: [BlockDescriptor]) {
        var writer = try CANPFileWriter()
        var blocks: [BlockDescriptor] = []
        for (k, n) in [10, 0, 25].enumerated() {
            let frames = FormatFixtures.frames(count: n, seed: UInt64(k), start: FormatFixtures.baseTime + UInt64(k) << 32)
            blocks.append(try writer.appendBlock(FormatFixtures.payload(frames)))
        }
        return (writer.bytes, blocks)
    }

    @Test func findsEveryBlockWithItsHeader() throws {
        let (bytes, written) = try Self.threeBlocks()
        let result = Record0Scanner.scan(bytes)
        #expect(result.truncatedTail == nil)
        #expect(result.blocks == written)
        #expect(result.blocks.map(\.index) == [0, 1, 2])
        #expect(result.blocks.map(\.header.sequenceNumber) == [0, 1, 2])
        #expect(result.blocks[0].offset == 0)
        #expect(result.blocks[1].offset == result.blocks[0].endOffset)
        #expect(result.blocks[2].endOffset == bytes.count)
        for block in result.blocks {
            #expect(block.header.hasReferenceMagic)
            #expect(block.header.version == 1)
            #expect(block.payloadRange.count == Int(block.header.payloadLength))
            #expect(block.payloadRange.lowerBound == block.offset + 35)
        }
        #expect(result.blocks[1].header.inflatedSize == 0)
    }

    @Test func stepsOneBlockAtATime() throws {
        let (bytes, written) = try Self.threeBlocks()
        var scanner = Record0Scanner()
        var steps: [Record0Scanner.Step] = []
        bytes.withUnsafeBytes { file in
            while let step = scanner.next(unsafeFileBytes: file) { steps.append(step) }
            #expect(scanner.next(unsafeFileBytes: file) == nil)
        }
        #expect(steps == written.map { .block($0) })
        #expect(scanner.isFinished)
        #expect(scanner.offset == bytes.count)
        #expect(scanner.blockIndex == 3)
    }

    @Test func emptyFileHasNoBlocksAndNoTail() {
        let result = Record0Scanner.scan([])
        #expect(result.blocks.isEmpty)
        #expect(result.truncatedTail == nil)
    }

    @Test func fewerThan35BytesLeftIsATruncatedHeader() throws {
        let (bytes, written) = try Self.threeBlocks()
        for extra in [1, 20, 34] {
            let result = Record0Scanner.scan(bytes + [UInt8](repeating: 0xAA, count: extra))
            #expect(result.blocks == written)
            let tail = try #require(result.truncatedTail)
            #expect(tail == .init(blockIndex: 3, offset: bytes.count, availableBytes: extra, declaredPayloadLength: nil))
            let issue = tail.issue(file: "f.bin")
            #expect(issue.level == .record0 && issue.block == 3 && issue.offset == bytes.count)
            #expect(issue.reason == .truncatedHeader(available: extra))
        }
    }

    @Test func payloadRunningPastTheEndIsATruncatedPayload() throws {
        let (bytes, written) = try Self.threeBlocks()
        let cut = Array(bytes.dropLast(10))
        let result = Record0Scanner.scan(cut)
        #expect(result.blocks == Array(written[0..<2]))
        let tail = try #require(result.truncatedTail)
        #expect(tail.blockIndex == 2)
        #expect(tail.offset == written[2].offset)
        #expect(tail.availableBytes == cut.count - written[2].offset)
        #expect(tail.declaredPayloadLength == written[2].header.payloadLength)
        #expect(tail.issue(file: "f.bin").reason
            == .truncatedPayload(declared: written[2].header.payloadLength, available: tail.availableBytes - 35))
    }

    @Test func exactly35BytesWithLen0ZeroIsABlock() {
        let header = Record0Header(sequenceNumber: 0, firstTimestamp: 1, lastTimestamp: 2, inflatedSize: 0, payloadLength: 0)
        var bytes: [UInt8] = []
        header.append(to: &bytes)
        let result = Record0Scanner.scan(bytes)
        #expect(result.blocks.count == 1)
        #expect(result.blocks.first?.payloadRange == 35..<35)
        #expect(result.truncatedTail == nil)
    }

    @Test func hugeLen0DoesNotOverflow() {
        let header = Record0Header(
            sequenceNumber: 0, firstTimestamp: 0, lastTimestamp: 0, inflatedSize: 0, payloadLength: .max)
        var bytes: [UInt8] = []
        header.append(to: &bytes)
        bytes += [1, 2, 3]
        let result = Record0Scanner.scan(bytes)
        #expect(result.blocks.isEmpty)
        #expect(result.truncatedTail?.declaredPayloadLength == .max)
        #expect(result.truncatedTail?.availableBytes == 38)
    }

    @Test func headerFieldsOtherThanTheLengthAreNotChecked() throws {
        var writer = try CANPFileWriter()
        let member = try GzipDeflater().compress([])
        writer.appendRecord0(
            header: Record0Header(
                magic: 0xDEAD_BEEF, version: 9, reserved: 0xFFFF, sequenceNumber: 77, firstTimestamp: 5,
                lastTimestamp: 4, inflatedSize: 12345, payloadLength: UInt32(member.count)),
            payload: member)
        let result = Record0Scanner.scan(writer.bytes)
        let block = try #require(result.blocks.first)
        #expect(!block.header.hasReferenceMagic)
        #expect(block.header.sequenceNumber == 77 && block.header.version == 9 && block.header.reserved == 0xFFFF)
        #expect(try FormatFixtures.decode(writer.bytes).batch.counts.blocksDecoded == 1)
    }
}
