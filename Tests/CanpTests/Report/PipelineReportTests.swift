import Testing
@testable import Canp

@Suite("PipelineReport")
struct PipelineReportTests {
    static func issue(_ level: FormatIssue.Level, _ reason: FormatIssue.Reason) -> FormatIssue {
        FormatIssue(file: "f.bin", block: 3, offset: 99, level: level, reason: reason, inflatedOffset: level == .record0 ? nil : 12)
    }

    @Test func reasonKindsDropNumbersAndDetails() {
        #expect(Self.issue(.record0, .gzip(.checksumMismatch)).kind == "level 0: gzip: CRC-32 mismatch")
        #expect(Self.issue(.record1, .lengthRunsPastParent(declared: 500, available: 20)).kind
                == "level 1: length N runs past its parent")
        #expect(Self.issue(.record0, .truncatedPayload(declared: 9000, available: 10)).kind
                == "level 0: truncated payload: len0 is N but N bytes are left")
        #expect(Self.issue(.frame, .classicFrameTooLong(dataLength: 12)).kind
                == "level frame: classic frame longer than N bytes")
        // Two identifiers or lengths of the same kind count together.
        #expect(Self.issue(.frame, .standardIdentifierTooLarge(identifier: 0x900)).kind
                == Self.issue(.frame, .standardIdentifierTooLarge(identifier: 0xFFF)).kind)
        #expect(Self.issue(.frame, .fdLengthNotAllowed(dataLength: 9)).kind
                == Self.issue(.frame, .fdLengthNotAllowed(dataLength: 33)).kind)
    }

    @Test func descriptionHasEveryCount() {
        var report = PipelineReport()
        report.files = 2
        report.unreadableFiles = [("/data/x.bin", "is a directory")]
        report.format.blocksDecoded = 10
        report.format.blocksSkipped = 2
        report.format.truncatedTails = 1
        report.format.framesDecoded = 1234
        report.format.framesSkipped = 3
        report.signals = 5678
        report.framesWithSignals = 1000
        report.skippedByReason = ["level 0: gzip: CRC-32 mismatch": 2, "level frame: x": 3, "level 0: truncated": 1]
        report.bytesRead = 2_500_000
        report.seconds = 2
        report.readBackend = "pread (forced)"
        let text = report.description
        #expect(text.contains("files       2 processed, 1 unreadable"))
        #expect(text.contains("blocks      10 decoded, 2 skipped, 1 truncated tail(s)"))
        #expect(text.contains("frames      1234 decoded, 3 skipped"))
        #expect(text.contains("signals     5678 decoded from 1000 frames"))
        #expect(text.contains("errors      6 skipped unit(s):\n              3 x level frame: x\n              2 x level 0: gzip: CRC-32 mismatch\n              1 x level 0: truncated"))
        #expect(text.contains("unreadable  /data/x.bin: is a directory"))
        #expect(text.contains("input       2.5 MB compressed"))
        #expect(text.contains("throughput  1.3 MB/s compressed"))
        #expect(text.contains("reader      pread (forced)"))
        #expect(report.megabytesPerSecond == 1.25)
        #expect(report.framesPerSecond == 617)
    }

    @Test func emptyReportSaysNoErrorsAndNoRates() {
        let report = PipelineReport()
        #expect(report.description.contains("errors      none"))
        #expect(!report.description.contains("output"))
        #expect(report.megabytesPerSecond == 0 && report.framesPerSecond == 0)
    }

    @Test func fixedFormatsWithoutFoundation() {
        #expect(fixed(1.25, 1) == "1.3")       // halves round away from zero
        #expect(fixed(0.05, 2) == "0.05")
        #expect(fixed(-3.14159, 3) == "-3.142")
        #expect(fixed(-0.0001, 2) == "0.00")
        #expect(fixed(42, 0) == "42")
        #expect(fixed(.infinity, 1) == "inf")
        #expect(fixed(1e20, 1) == (1e20).description)
    }
}
