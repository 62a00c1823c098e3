import Foundation
import Testing
@testable import Canp

/// candump and ASC files through the whole pipeline: detected by content in
/// a directory beside a CANP file, decoded on two workers in small chunks,
/// and written as the canonical CSV exports with their signals.
@Suite("Text formats in the pipeline")
struct TextPipelineTests {
    @Test(arguments: [1, 3]) func textFilesAreDetectedDecodedAndExported(blocksPerTask: Int) async throws {
        let directory = TemporaryDirectory()
        _ = try PipelineFixtures.generate(in: directory.path, files: 1, fileSize: 20_000)
        var candump = ""
        var expected: [String] = []
        for index in 0..<400 {
            if index == 77 {
                candump += "(1.0) can0 123#1\n"
                continue
            }
            candump += "(1700000000.\(String(index).leftPadded(6))) can1 1A\(index % 10)#\(String(index % 256, radix: 16, uppercase: true).leftPadded(2))\n"
            expected.append("a.log,\(index),\(1_700_000_000_000_000_000 + UInt64(index) * 1_000),1,0x1A\(index % 10),0,0,0,0,0,1,\(String(index % 256, radix: 16, uppercase: true).leftPadded(2))")
        }
        directory.write("a.log", Array(candump.utf8))
        let asc = "date Tue Nov 14 22:13:20.123 2023\nbase hex  timestamps absolute\ninternal events logged\n"
            + "   0.000001 2  18FEF1FEx Rx d 2 01 02\n   0.5 1 ErrorFrame\n   0.6 1  5 Rx d 8 01\n"
        directory.write("b.asc", Array(asc.utf8))
        var configuration = PipelineFixtures.configuration()
        configuration.inputFormats = [CandumpFormat(chunkBytes: 500), ASCFormat(chunkBytes: 40), CANPFormat()]
        configuration.blocksPerTask = blocksPerTask
        let out = directory.path + "/csv"
        let report = try await CANPipeline(configuration: configuration, decoder: PipelineFixtures.sampleDecoder)
            .process([directory.path], to: CSVSink(directory: out))
        #expect(report.inputs.map(\.format) == ["candump", "asc", "canp"])
        let frames = try PipelineFixtures.readText(out + "/frames.csv").split(separator: "\n").map(String.init)
        let text = frames.filter { $0.hasPrefix("a.log,") || $0.hasPrefix("b.asc,") }
        #expect(text == expected + ["b.asc,3,1700000000123001000,1,0x18FEF1FE,1,0,0,0,0,2,0102"])
        let errors = try PipelineFixtures.readText(out + "/errors.csv").split(separator: "\n").map(String.init)
        let offset77 = candump.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(77).reduce(0) { $0 + $1.count + 1 }
        #expect(errors == ["file,block,offset,level,reason",
                           "a.log,77,\(offset77),line,line does not parse: odd number of hex digits",
                           "b.asc,5,\(asc.utf8.count - "   0.6 1  5 Rx d 8 01\n".utf8.count),line,line does not parse: fewer data bytes than the DLC says or a byte is not a number"])
        #expect(report.format.busErrorEvents == 1 && report.format.framesSkipped == 2)
    }
}
