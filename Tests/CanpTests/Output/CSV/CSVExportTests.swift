import Foundation
import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

/// `CANPipeline.process(_:output: .csv(directory:))`: the canonical exports
/// against rows computed independently, quoting, and what is left on disk
/// when a run fails.
@Suite("CSV export")
struct CSVExportTests {
    typealias Fixtures = PipelineFixtures

    /// Frames of every message of the sample DBC (random data of the
    /// message's length), plus an unknown id, a remote request and a frame
    /// shorter than its message.
    static func sampleTraffic(seed: UInt64) -> [CANFrame] {
        var random = SplitMix64(seed: seed)
        var frames: [CANFrame] = []
        var time = FormatFixtures.baseTime
        for message in Fixtures.sampleDecoder.database.messages {
            var flags: FrameFlags = message.isExtended ? [.extended] : []
            if message.isFD { flags.formUnion([.fd, .bitRateSwitch]) }
            for _ in 0..<4 {
                time += 1_000_000
                let data = (0..<message.length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                frames.append(CANFrame(timestamp: time, identifier: message.id, flags: flags, channel: 2, data: data))
            }
        }
        frames.append(CANFrame(timestamp: time + 1, identifier: 0x7DF, data: [2, 1, 0x0C, 0, 0, 0, 0, 0]))
        frames.append(CANFrame(timestamp: time + 2, identifier: 160, flags: .remoteRequest, data: []))
        frames.append(CANFrame(timestamp: time + 3, identifier: 160, data: [0x10, 0x27, 0x00]))
        // DriveMode 4: its label holds a comma.
        frames.append(CANFrame(timestamp: time + 4, identifier: 160, data: [0, 0, 0, 0, 0, 0x01, 0, 0]))
        return frames
    }

    @Test func exportsMatchRowsComputedIndependently() async throws {
        let directory = TemporaryDirectory()
        var writer = try CANPFileWriter()
        var blocks: [[CANFrame]] = []
        for block in 0..<3 {
            let frames = Self.sampleTraffic(seed: UInt64(block + 1))
            blocks.append(frames)
            try writer.appendBlock(FormatFixtures.payload(frames, perSequence: 5, perRecord1: 2))
        }
        let name = "van 7, \"north\".bin"          // a name that needs quoting
        let path = directory.write(name, writer.bytes)
        let out = directory.path + "/out"
        let decoder = Fixtures.sampleDecoder
        let report = try await Fixtures.run([path], decoder: decoder, output: .csv(directory: out))
        let expected = try Fixtures.expected([path], decoder: decoder)

        let quoted = "\"van 7, \"\"north\"\".bin\""
        let frames = try Fixtures.readText(out + "/frames.csv")
        let expectedFrames = CanonicalCSV.framesHeader
            + Fixtures.framesRows(file: quoted, blocks: blocks.enumerated().map { ($0.offset, $0.element) })
        #expect(frames == expectedFrames)
        #expect(frames == CanonicalCSV.framesHeader + expected.framesRows)

        let signalsText = try Fixtures.readText(out + "/signals.csv")
        #expect(signalsText.hasPrefix(CanonicalCSV.signalsHeader))
        let rows = Fixtures.signalRows(ofCSV: signalsText)
        #expect(rows.count == report.signals)
        #expect(rows == expected.signalRows)
        #expect(signalsText.contains(",PowertrainStatus,DriveMode,4,4.0,\"Eco, reduced power\"\n"))
        // The short frame (3 bytes of PowertrainStatus) decodes MotorSpeed only.
        #expect(signalsText.contains(",PowertrainStatus,MotorSpeed,10000,10000.0,\n"))
        // Unknown ids and remote requests have frames but no signals.
        #expect(frames.contains(",0x7DF,0,0,0,0,0,8,02010C0000000000\n"))
        #expect(!signalsText.contains(",0x7DF,"))
        #expect(report.framesWithSignals == blocks.flatMap { $0 }.count - 3 * 2)

        #expect(try Fixtures.readText(out + "/errors.csv") == CanonicalCSV.errorsHeader)
        #expect(report.outputs == ["frames.csv", "signals.csv", "errors.csv"].map { out + "/" + $0 })
        let sizes = try report.outputs.map { try Fixtures.readBytes($0).count }
        #expect(report.bytesWritten == sizes.reduce(0, +))
        #expect(Fixtures.listing(out) == ["errors.csv", "frames.csv", "signals.csv"])
    }

    @Test func generatedDamagedDataExportsAsTheRecount() async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path + "/data", files: 2, fileSize: 40_000, seed: 17, damage: true)
        let decoder = try Fixtures.decoder(summary.databasePath)
        let out = directory.path + "/out"
        let report = try await Fixtures.run([directory.path + "/data"], decoder: decoder, output: .csv(directory: out))
        let expected = try Fixtures.expected(summary.files.map(\.path), decoder: decoder)
        #expect(try Fixtures.readText(out + "/frames.csv") == CanonicalCSV.framesHeader + expected.framesRows)
        #expect(Fixtures.signalRows(ofCSV: try Fixtures.readText(out + "/signals.csv")) == expected.signalRows)
        let errors = ReferenceScript.parse(try Fixtures.readText(out + "/errors.csv"))
        #expect(errors.first == ["file", "block", "offset", "level", "reason"])
        #expect(errors.dropFirst().map { $0[0] + "/" + $0[1] + "/" + $0[2] + "/" + $0[3] }
                == expected.issues.map { "\($0.file)/\($0.block)/\($0.offset)/\($0.level)" })
        #expect(errors.count - 1 == report.issues.count)
        #expect(errors.dropFirst().map { $0[4] } == report.issues.map(\.reason.description))
    }

    /// Strict mode: the first damaged unit stops the run with that unit, and
    /// the output directory holds no file, finished or partial.
    @Test func strictModeThrowsTheFirstIssueAndLeavesNoFiles() async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path + "/data", files: 2, fileSize: 40_000, seed: 6, damage: true)
        let decoder = try Fixtures.decoder(summary.databasePath)
        let lenient = try await Fixtures.run([directory.path + "/data"], decoder: decoder)
        let first = try #require(lenient.issues.first)
        var configuration = Fixtures.configuration()
        configuration.strict = true
        configuration.blocksPerTask = 1
        let out = directory.path + "/out"
        for output: CANPipeline.Output in [.none, .csv(directory: out)] {
            do {
                _ = try await Fixtures.run([directory.path + "/data"], configuration: configuration, decoder: decoder,
                                           output: output)
                Issue.record("strict mode did not stop")
            } catch PipelineError.damagedInput(let issue) {
                #expect(issue == first)
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(Fixtures.listing(out).isEmpty, "left behind: \(Fixtures.listing(out))")
    }

    @Test func strictModeOnCleanDataWritesEverything() async throws {
        let directory = TemporaryDirectory()
        let path = directory.write("clean.bin", try Fixtures.handBuiltFile(blocks: 3, framesPerBlock: 10).bytes)
        var configuration = Fixtures.configuration()
        configuration.strict = true
        let out = directory.path + "/out"
        let report = try await Fixtures.run([path], configuration: configuration, decoder: nil, output: .csv(directory: out))
        #expect(report.format.framesDecoded == 30)
        #expect(Fixtures.listing(out) == ["errors.csv", "frames.csv", "signals.csv"])
        #expect(try Fixtures.readText(out + "/frames.csv").split(separator: "\n").count == 31)
    }

    @Test func outputPathThatIsAFileFails() async throws {
        let directory = TemporaryDirectory()
        let input = directory.write("a.bin", try Fixtures.handBuiltFile(blocks: 1, framesPerBlock: 2).bytes)
        let blocker = directory.write("not-a-directory", [1])
        for out in [blocker, blocker + "/inside"] {
            do {
                _ = try await Fixtures.run([input], decoder: nil, output: .csv(directory: out))
                Issue.record("\(out): no error")
            } catch PipelineError.outputFailed(let path, let reason) {
                #expect(path.hasPrefix(blocker), "\(path)")
                #expect(!reason.isEmpty)
            } catch {
                Issue.record("\(out): \(error)")
            }
        }
        #expect(try Fixtures.readBytes(blocker) == [1])
    }

    @Test func outputDirectoryIsCreatedWithItsParents() async throws {
        let directory = TemporaryDirectory()
        let input = directory.write("a.bin", try Fixtures.handBuiltFile(blocks: 1, framesPerBlock: 2).bytes)
        let out = directory.path + "/x/y/z"
        let report = try await Fixtures.run([input], decoder: nil, output: .csv(directory: out))
        #expect(report.outputs.count == 3)
        #expect(Fixtures.listing(out) == ["errors.csv", "frames.csv", "signals.csv"])
    }
}
