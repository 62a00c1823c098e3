import Foundation
import Synchronization
import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

/// `CANPipeline.batches(of:)`: the batches come in file and block order, hold
/// what the counts-only and CSV runs hold, and the run stops when the
/// consumer leaves.
@Suite("DecodedBatches")
struct DecodedBatchesTests {
    typealias Fixtures = PipelineFixtures

    @Test func batchesMatchTheCountsAndTheCSV() async throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        let summary = try Fixtures.generate(in: data, files: 2, fileSize: 50_000, seed: 23, damage: true)
        let decoder = try Fixtures.decoder(summary.databasePath)
        var configuration = Fixtures.configuration()
        configuration.blocksPerTask = 2
        let counts = try await Fixtures.run([data], configuration: configuration, decoder: decoder)
        let out = directory.path + "/out"
        _ = try await Fixtures.run([data], configuration: configuration, decoder: decoder, output: .csv(directory: out))
        let framesCSV = try Fixtures.readText(out + "/frames.csv")
        let signalRows = Fixtures.signalRows(ofCSV: try Fixtures.readText(out + "/signals.csv"))

        let pipeline = try CANPipeline(configuration: configuration, decoder: decoder)
        let batches = pipeline.batches(of: [data])
        var rows = CanonicalCSV.framesHeader
        var signals: [Fixtures.SignalRow] = []
        var position: (file: Int, block: Int) = (-1, -1)
        var frameCount = 0
        var signalCount = 0
        var batchCount = 0
        for try await batch in batches {
            batchCount += 1
            #expect(batch.dataBlocks.count == batch.frames.segments.count)
            #expect(batch.decoder === decoder)
            for (segment, inflated) in zip(batch.frames.segments, batch.dataBlocks) {
                #expect((batch.fileIndex, segment.unit) > position, "out of order: \(batch.fileName) block \(segment.unit)")
                position = (batch.fileIndex, segment.unit)
                #expect(inflated.count == segment.dataByteCount)
            }
            frameCount += batch.frames.count
            signalCount += batch.signalCount
            let frames = batch.frames
            for row in 0..<frames.count {
                let data = batch.withUnsafeData(ofFrame: row) { Array($0) }
                #expect(data == batch.data(ofFrame: row))
                let flags = frames.flags[row]
                let bit: (FrameFlags) -> String = { flags.contains($0) ? "1" : "0" }
                rows += [batch.fileName, String(frames.blocks[row]), String(frames.timestamps[row]), String(frames.channels[row]),
                         Fixtures.hex(frames.identifiers[row]), bit(.extended), bit(.remoteRequest), bit(.fd),
                         bit(.bitRateSwitch), bit(.errorStateIndicator), String(data.count), Fixtures.hexBytes(data)]
                    .joined(separator: ",") + "\n"
            }
            batch.withSignalColumns { frameRows, signalIndices, _, _, values in
                for row in 0..<frameRows.count {
                    let frame = Int(frameRows[row])
                    let index = Int(signalIndices[row])
                    let raw = batch.rawValue(ofSignalRow: row)
                    #expect(values[row] == batch.value(ofSignalRow: row) || values[row].isNaN)
                    signals.append(Fixtures.SignalRow(
                        text: [batch.fileName, String(frames.blocks[frame]), String(frames.timestamps[frame]),
                               String(frames.channels[frame]), Fixtures.hex(frames.identifiers[frame]),
                               decoder.message(ofSignalAt: index).name, decoder.signal(at: index).name,
                               decoder.label(signalIndex: index, raw: raw) ?? ""],
                        raw: raw.doubleValue, value: values[row]))
                }
            }
        }
        #expect(batchCount > 4)
        #expect(frameCount == counts.format.framesDecoded)
        #expect(signalCount == counts.signals)
        #expect(rows == framesCSV)
        #expect(signals == signalRows)
        let report = try #require(batches.report)
        #expect(Fixtures.Outcome(report) == Fixtures.Outcome(counts))
    }

    /// Breaking out of the loop stops the run: the producer finishes and the
    /// pipeline can be released, instead of waiting forever for a consumer.
    @Test func breakingOutEarlyStopsTheRun() async throws {
        let directory = TemporaryDirectory()
        for index in 0..<3 {
            directory.write("f\(index).bin", try Fixtures.handBuiltFile(blocks: 40, framesPerBlock: 20, seed: UInt64(index)).bytes)
        }
        var configuration = Fixtures.configuration()
        configuration.blocksPerTask = 1
        weak var released: CANPipeline?
        var producer: Task<Void, Never>?
        do {
            let pipeline = try CANPipeline(configuration: configuration, decoder: nil)
            released = pipeline
            let batches = pipeline.batches(of: [directory.path])
            producer = batches.producer
            var seen = 0
            for try await batch in batches {
                seen += batch.frames.count
                break
            }
            #expect(seen == 20)
            // The sequence is still here; leaving the loop is enough.
            #expect(try await Self.finishes(batches.producer), "the run goes on after the consumer left")
            #expect(batches.report == nil)
        }
        #expect(try await Self.finishes(try #require(producer)))
        #expect(released == nil, "the pipeline is kept alive by its abandoned run")
    }

    /// Cancelling the consuming task ends the iteration and the run.
    @Test func cancellingTheConsumerStopsTheRun() async throws {
        let directory = TemporaryDirectory()
        directory.write("f.bin", try Fixtures.handBuiltFile(blocks: 60, framesPerBlock: 20).bytes)
        var configuration = Fixtures.configuration()
        configuration.blocksPerTask = 1
        let pipeline = try CANPipeline(configuration: configuration, decoder: nil)
        let batches = pipeline.batches(of: [directory.path])
        let consumer = Task {
            var count = 0
            do {
                for try await _ in batches {
                    count += 1
                    if count == 2 { withUnsafeCurrentTask { $0?.cancel() } }
                }
            } catch {
                return -1
            }
            return count
        }
        let consumed = await consumer.value
        #expect(consumed >= 2 && consumed < 60)
        #expect(try await Self.finishes(batches.producer))
        #expect(batches.report == nil)
    }

    /// Many batches under a 16 MiB limit: a consumer that lets each batch go
    /// gets them all (their pool memory comes back).
    @Test func batchesUnderASmallMemoryLimit() async throws {
        let directory = TemporaryDirectory()
        let summary = try Fixtures.generate(in: directory.path + "/src", files: 1, fileSize: 250_000, seed: 2)
        let many = directory.path + "/many"
        mkdir(many, 0o755)
        for copy in 0..<40 { #expect(link(summary.files[0].path, many + "/c\(copy).bin") == 0) }
        let pipeline = try CANPipeline(configuration: Fixtures.configuration(memoryLimit: 16 << 20), decoder: nil)
        let batches = pipeline.batches(of: [many])
        var frames = 0
        var files = Set<Int>()
        for try await batch in batches {
            frames += batch.frames.count
            files.insert(batch.fileIndex)
        }
        #expect(files.count == 40)
        #expect(frames == 40 * summary.totalFrames)
        #expect(batches.report?.format.framesDecoded == frames)
    }

    @Test func batchesOfAMissingPathEndWithItInTheReport() async throws {
        let pipeline = try CANPipeline(configuration: Fixtures.configuration(), decoder: nil)
        let batches = pipeline.batches(of: ["/nonexistent/canp/input.bin"])
        for try await _ in batches { Issue.record("a batch from nowhere") }
        #expect(batches.report?.unreadableFiles.map(\.path) == ["/nonexistent/canp/input.bin"])
    }

    @Test func batchesOfAnUnlistableInputThrow() async throws {
        let pipeline = try CANPipeline(configuration: Fixtures.configuration(), decoder: nil)
        let batches = pipeline.batches(of: ["/dev/null"])
        do {
            for try await _ in batches { Issue.record("a batch from nowhere") }
            Issue.record("no error")
        } catch .inputUnavailable(let path, _) {
            #expect(path == "/dev/null")
        } catch {
            Issue.record("\(error)")
        }
        #expect(batches.report == nil)
    }

    /// Whether `task` finishes within a few seconds (polled; nothing is timed).
    static func finishes(_ task: Task<Void, Never>) async throws -> Bool {
        let done = Atomic<Bool>(false)
        let watcher = Task {
            await task.value
            done.store(true, ordering: .releasing)
        }
        for _ in 0..<500 where !done.load(ordering: .acquiring) {
            try await Task.sleep(for: .milliseconds(10))
        }
        watcher.cancel()
        return done.load(ordering: .acquiring)
    }
}
