import Foundation
import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

/// `DatasetGenerator`: deterministic bytes, sizes near their targets, a DBC
/// that describes the traffic, and damage where the summary says it is.
@Suite("DatasetGenerator")
struct DatasetGeneratorTests {
    typealias Fixtures = PipelineFixtures

    static func generate(
        _ directory: String, files: Int = 1, fileSize: Int = 60_000, seed: UInt64 = 1, damage: Bool = false,
        blockSize: Int = 10_000, parallelism: Int = 2
    ) throws -> DatasetGenerator.Summary {
        try PipelineFixtures.generate(in: directory, files: files, fileSize: fileSize, seed: seed, damage: damage,
                                      blockSize: blockSize, parallelism: parallelism)
    }

    static func contents(_ summary: DatasetGenerator.Summary) throws -> [[UInt8]] {
        try summary.files.map { try Fixtures.readBytes($0.path) }
    }

    // MARK: - Determinism

    @Test(arguments: [false, true])
    func sameSeedGivesTheSameBytes(damage: Bool) throws {
        let directory = TemporaryDirectory()
        let first = try Self.generate(directory.path + "/a", files: 2, fileSize: 30_000, seed: 9, damage: damage, parallelism: 2)
        let again = try Self.generate(directory.path + "/b", files: 2, fileSize: 30_000, seed: 9, damage: damage, parallelism: 1)
        let other = try Self.generate(directory.path + "/c", files: 2, fileSize: 30_000, seed: 10, damage: damage)
        let bytes = try Self.contents(first)
        #expect(bytes == (try Self.contents(again)), "same seed, one or two workers")
        #expect(first.files.map(\.damage) == again.files.map(\.damage))
        #expect(first.files.map(\.frames) == again.files.map(\.frames))
        let otherBytes = try Self.contents(other)
        for index in 0..<2 { #expect(bytes[index] != otherBytes[index], "seeds 9 and 10 give the same file \(index)") }
        // The files of one data set differ from each other too.
        #expect(bytes[0] != bytes[1])
        #expect(first.files.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["drive_0009_0000.bin", "drive_0009_0001.bin"])
        #expect(try Fixtures.readText(first.databasePath) == SampleDatabase.text)
    }

    @Test func fileNamesPadSeedAndIndex() {
        #expect(DatasetGenerator.fileName(seed: 1, index: 0) == "drive_0001_0000.bin")
        #expect(DatasetGenerator.fileName(seed: 42, index: 317) == "drive_0042_0317.bin")
        #expect(DatasetGenerator.fileName(seed: 123_456, index: 12_345) == "drive_123456_12345.bin")
    }

    // MARK: - Sizes

    @Test func filesAndBlocksAreNearTheirTargets() throws {
        let directory = TemporaryDirectory()
        for (target, blockSize) in [(150_000, 10_000), (60_000, 4_000)] {
            let summary = try Self.generate(directory.path + "/\(blockSize)", files: 2, fileSize: target, seed: 3, blockSize: blockSize)
            for file in summary.files {
                let bytes = try Fixtures.readBytes(file.path)
                #expect(file.bytes == bytes.count)
                // Blocks are added until the target is reached: at most one block past it.
                #expect(bytes.count >= target)
                #expect(bytes.count < target + 2 * blockSize, "\(bytes.count) bytes for a target of \(target)")
                let scan = Record0Scanner.scan(bytes)
                #expect(scan.truncatedTail == nil)
                #expect(scan.blocks.count == file.blocks)
                #expect(scan.blocks.map(\.header.sequenceNumber) == (0..<UInt32(file.blocks)).map { $0 })
                // The generator steers the frames per block toward the target: after
                // the first blocks, the average compressed block is close to it.
                let steady = scan.blocks.dropFirst(3)
                let average = Double(steady.reduce(0) { $0 + Int($1.header.payloadLength) }) / Double(steady.count)
                #expect(abs(average - Double(blockSize)) < 0.1 * Double(blockSize),
                        "average compressed block \(average) bytes, target \(blockSize)")
                #expect(steady.allSatisfy { abs(Int($0.header.payloadLength) - blockSize) < blockSize / 2 })
            }
        }
    }

    @Test func headersDescribeTheirBlocks() throws {
        let directory = TemporaryDirectory()
        let summary = try Self.generate(directory.path, fileSize: 40_000, seed: 4)
        let bytes = try Fixtures.readBytes(summary.files[0].path)
        let scan = Record0Scanner.scan(bytes)
        var decoder = try BlockDecoder()
        var batch = FrameBatch()
        let inflated = decoder.decodeFile(bytes, file: "f", into: &batch)
        #expect(batch.issues.isEmpty)
        #expect(batch.count == summary.files[0].frames)
        for (segment, block) in zip(batch.segments, scan.blocks) {
            let header = block.header
            let times = batch.timestamps[segment.frames]
            #expect(header.magic == Record0Header.expectedMagic && header.version == 1)
            #expect(header.firstTimestamp == times.min() && header.lastTimestamp == times.max())
            #expect(Int(header.inflatedSize) == inflated[segment.unit].count)
        }
    }

    // MARK: - The DBC and the traffic

    @Test func theDBCBesideTheFilesDescribesTheTraffic() throws {
        let directory = TemporaryDirectory()
        let summary = try Self.generate(directory.path, files: 1, fileSize: 120_000, seed: 6)
        #expect(summary.databasePath == directory.path + "/" + SampleDatabase.fileName)
        let database = try DBCDatabase(contentsOfFile: summary.databasePath)
        #expect(database.warnings.isEmpty, "\(database.warnings)")
        #expect(database.messages.count == 14)
        let decoder = database.compile()

        let bytes = try Fixtures.readBytes(summary.files[0].path)
        var blockDecoder = try BlockDecoder()
        var batch = FrameBatch()
        let inflated = blockDecoder.decodeFile(bytes, file: "f", into: &batch)
        var seen: [String: Int] = [:]
        var unknown = 0
        var remote = 0
        var outOfRange: [String] = []
        var sequences: [String: [(UInt64, Double)]] = [:]
        for (segment, block) in zip(batch.segments, inflated) {
            for row in segment.frames {
                let flags = batch.flags[row]
                let extended = flags.contains(.extended)
                guard let index = decoder.messageIndex(id: batch.identifiers[row], isExtended: extended) else {
                    unknown += 1
                    #expect(batch.identifiers[row] == 0x7DF)
                    continue
                }
                let message = database.messages[index]
                seen[message.name, default: 0] += 1
                #expect(flags.contains(.fd) == message.isFD)
                #expect(batch.channels[row] == (message.isFD ? 1 : extended ? 2 : 0))
                if flags.contains(.remoteRequest) {
                    remote += 1
                    #expect(batch.lengths[row] == 0)
                    continue
                }
                #expect(Int(batch.lengths[row]) == message.length)
                let offset = Int(batch.dataOffsets[row])
                let data = Array(block[offset..<offset + Int(batch.lengths[row])])
                for signal in decoder.decode(id: batch.identifiers[row], isExtended: extended, bytes: data) {
                    let definition = try #require(message.signals.first { $0.name == signal.name })
                    if let low = definition.minimum, let high = definition.maximum, high > low {
                        let slack = abs(definition.scale)
                        if signal.value < low - slack || signal.value > high + slack {
                            outOfRange.append("\(message.name).\(signal.name) = \(signal.value)")
                        }
                    }
                    if ["RollingCounter", "CellGroup"].contains(signal.name) {
                        sequences[signal.name, default: []].append((batch.timestamps[row], signal.value))
                    }
                }
            }
        }
        // Every message of the DBC is in the traffic, and only the 0x7DF requests are not in the DBC.
        #expect(Set(seen.keys) == Set(database.messages.map(\.name)), "missing: \(Set(database.messages.map(\.name)).subtracting(seen.keys))")
        #expect(unknown > 0 && remote > 0)
        #expect(outOfRange.isEmpty, "signals outside their DBC range: \(outOfRange.prefix(5))")
        // Fast messages outnumber slow ones by about their cycle times (10 ms vs 1 s).
        #expect((seen["PowertrainStatus"] ?? 0) > 50 * (seen["Odometer"] ?? 1))
        // In time order a counter counts (mod 16) and the multiplexer cycles through 0-3.
        for (name, modulus) in [("RollingCounter", 16.0), ("CellGroup", 4.0)] {
            let values = (sequences[name] ?? []).sorted { $0.0 < $1.0 }.map(\.1)
            #expect(values.count > 20, "\(name)")
            let steps = zip(values, values.dropFirst()).filter { ($0.0 + 1).truncatingRemainder(dividingBy: modulus) != $0.1 }
            #expect(steps.isEmpty, "\(name) does not count: \(steps.prefix(3))")
        }
    }

    // MARK: - Damage

    @Test func damageKindsRotateOverTheFiles() {
        let all = DatasetGenerator.DamageKind.allCases
        #expect(all.count == 13)
        #expect(DatasetGenerator.damageKinds(forFile: 0) == all)
        #expect(DatasetGenerator.damageKinds(forFile: 1) == [all[3], all[4], all[5]])
        #expect(DatasetGenerator.damageKinds(forFile: 4) == [all[12], all[0], all[1]])
        var covered = Set<DatasetGenerator.DamageKind>()
        for file in 1...5 {
            let kinds = DatasetGenerator.damageKinds(forFile: file)
            #expect(kinds.count == 3 && Set(kinds).count == 3)
            covered.formUnion(kinds)
        }
        #expect(covered == Set(all), "five damaged files after the first cover every kind")
        #expect(all.filter(\.skipsBlock) == [.flippedDeflateByte, .badChecksum, .badInflatedSize, .record1Overrun,
                                             .record2Overrun, .record3Overrun, .childrenShortOfParent])
    }

    @Test func damageIsWhereTheSummarySays() throws {
        let directory = TemporaryDirectory()
        let summary = try Self.generate(directory.path, files: 6, fileSize: 20_000, seed: 2, damage: true, blockSize: 3_000)
        var kindsSeen = Set<DatasetGenerator.DamageKind>()
        for (index, file) in summary.files.enumerated() {
            let kinds = file.damage.map(\.kind)
            #expect(Set(kinds) == Set(DatasetGenerator.damageKinds(forFile: index)), "file \(index)")
            kindsSeen.formUnion(kinds)
            let bytes = try Fixtures.readBytes(file.path)
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            var decoder = try BlockDecoder()
            var batch = FrameBatch()
            _ = decoder.decodeFile(bytes, file: name, into: &batch)
            let scan = Record0Scanner.scan(bytes)
            #expect(batch.issues.count == file.damage.count, "\(name): \(batch.issues)")
            let blocks = file.damage.filter { $0.kind != .truncatedTail }.map(\.block)
            #expect(blocks == blocks.sorted() && Set(blocks).count == blocks.count)
            #expect(blocks.allSatisfy { $0 >= 1 })
            if let tail = file.damage.first(where: { $0.kind == .truncatedTail }) {
                #expect(tail.block == file.blocks - 1)
                #expect(scan.truncatedTail?.blockIndex == tail.block)
                #expect(scan.blocks.count == file.blocks - 1)
                // The cut block follows every damaged block, so the cut hides none.
                #expect(blocks.allSatisfy { $0 < tail.block })
            } else {
                #expect(scan.truncatedTail == nil && scan.blocks.count == file.blocks)
            }
            for damage in file.damage {
                let found = batch.issues.filter { $0.block == damage.block }
                #expect(found.count == 1, "\(name): \(damage.kind) in block \(damage.block)")
                if let issue = found.first {
                    #expect(DamageExpectation.matches(issue, damage.kind), "\(damage.kind): \(issue)")
                    let offset = damage.kind == .truncatedTail ? scan.truncatedTail?.offset : scan.blocks[damage.block].offset
                    #expect(issue.offset == offset)
                }
            }
        }
        #expect(kindsSeen == Set(DatasetGenerator.DamageKind.allCases))
    }

    @Test func cleanFilesCarryNoDamage() throws {
        let directory = TemporaryDirectory()
        let summary = try Self.generate(directory.path, files: 3, fileSize: 20_000, seed: 2, damage: false)
        #expect(summary.files.allSatisfy { $0.damage.isEmpty })
        for file in summary.files {
            let (_, batch, _) = try FormatFixtures.decode(try Fixtures.readBytes(file.path))
            #expect(batch.issues.isEmpty)
            #expect(batch.count == file.frames)
        }
    }

    // MARK: - Failures

    @Test func badOptionsAreRefused() throws {
        let directory = TemporaryDirectory()
        var options = DatasetGenerator.Options(outputDirectory: directory.path + "/x")
        options.fileSize = 999
        #expect(throws: DatasetGenerator.Failure.self) { try DatasetGenerator.run(options) }
        options.fileSize = 10_000
        options.fileCount = -1
        #expect(throws: DatasetGenerator.Failure.self) { try DatasetGenerator.run(options) }
        options.fileCount = 1
        options.compressedBlockSize = 199
        #expect(throws: DatasetGenerator.Failure.self) { try DatasetGenerator.run(options) }
        options.compressedBlockSize = 1_000
        options.databaseText = "BO_ 1 Broken: 8 X\n SG_ S : zero|8@1+ (1,0) [0|1] \"\" X\n"
        #expect {
            try DatasetGenerator.run(options)
        } throws: { error in
            guard case DatasetGenerator.Failure.database = error else { return false }
            return true
        }
        #expect(Fixtures.listing(directory.path).isEmpty, "nothing written for bad options")
        let blocker = directory.write("file", [1])
        options = DatasetGenerator.Options(outputDirectory: blocker)
        #expect {
            try DatasetGenerator.run(options)
        } throws: { error in
            guard case DatasetGenerator.Failure.io(let path, let reason) = error else { return false }
            return path == blocker && reason == "exists and is not a directory"
        }
    }

    @Test func zeroFilesWritesOnlyTheDBC() throws {
        let directory = TemporaryDirectory()
        let summary = try Self.generate(directory.path + "/out", files: 0)
        #expect(summary.files.isEmpty && summary.totalBytes == 0)
        #expect(Fixtures.listing(directory.path + "/out") == [SampleDatabase.fileName])
    }
}

/// The independent reference reader on generated data: `canp_ref.py export`
/// and the pipeline's export agree (`canp_ref.py compare`), damage included.
@Suite("DatasetGenerator vs the reference reader",
       .enabled(if: ReferenceScript.isAvailable, ReferenceScript.unavailableReason))
struct DatasetGeneratorReferenceTests {
    @Test func referenceReaderAgreesOnGeneratedDamage() async throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        let summary = try DatasetGeneratorTests.generate(data, files: 2, fileSize: 40_000, seed: 11, damage: true)
        let decoder = try PipelineFixtures.decoder(summary.databasePath)
        let ours = directory.path + "/ours"
        let report = try await PipelineFixtures.run([data], decoder: decoder, output: .csv(directory: ours))
        let reference = directory.path + "/reference"
        let status = try ReferenceScript.run(
            ["python3", ReferenceScript.scriptPath, "export", "--dbc", summary.databasePath, "--out", reference]
                + summary.files.map(\.path))
        try #require(status == 0, "canp_ref.py export failed")
        #expect(try ReferenceScript.run(["python3", ReferenceScript.scriptPath, "compare", reference, ours]) == 0,
                "canp_ref.py compare: the reference reader disagrees")
        let units = ReferenceScript.errorUnits(try PipelineFixtures.readText(reference + "/errors.csv"))
        #expect(units.count == summary.files.reduce(0) { $0 + $1.damage.count })
        #expect(units == ReferenceScript.errorUnits(try PipelineFixtures.readText(ours + "/errors.csv")))
        #expect(report.issues.count == units.values.reduce(0, +))
    }
}
