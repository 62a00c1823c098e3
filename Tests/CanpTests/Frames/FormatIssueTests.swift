import Testing
@testable import Canp

@Suite("FormatIssue")
struct FormatIssueTests {
    @Test func levelsPrintAsTheErrorsCsvColumn() {
        #expect([FormatIssue.Level.record0, .record1, .record2, .record3, .frame].map(\.description)
            == ["0", "1", "2", "3", "frame"])
        #expect(!FormatIssue.Level.frame.isStructural && FormatIssue.Level.record2.isStructural)
    }

    @Test func descriptionNamesFileBlockOffsetLevelAndReason() {
        let issue = FormatIssue(
            file: "a.bin", block: 3, offset: 1200, level: .frame,
            reason: .standardIdentifierTooLarge(identifier: 0x900), inflatedOffset: 44)
        #expect(issue.description == "a.bin block 3 at offset 1200, level frame: 11-bit id 0x900 above 0x7FF (inflated offset 44)")
        #expect(FormatIssue.Reason.gzip(.checksumMismatch).description == "gzip: CRC-32 mismatch")
    }
}
