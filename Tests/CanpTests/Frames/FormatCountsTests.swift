import Testing
@testable import Canp

@Suite("FormatCounts")
struct FormatCountsTests {
    @Test func addsFieldByField() {
        var total = FormatCounts()
        var part = FormatCounts()
        part.blocksDecoded = 2
        part.blocksSkipped = 1
        part.truncatedTails = 1
        part.framesDecoded = 10
        part.framesSkipped = 3
        part.inflatedBytes = 99
        total += part
        total += part
        #expect(total.blocksDecoded == 4 && total.blocksSkipped == 2 && total.truncatedTails == 2)
        #expect(total.framesDecoded == 20 && total.framesSkipped == 6 && total.inflatedBytes == 198)
        #expect(total.issueCount == 2 + 2 + 6)
    }
}
