import Testing
@testable import Canp

@Suite("PoolInstant")
struct PoolInstantTests {
    @Test func durationsAndAdvancesAreInverse() {
        let start = PoolInstant(nanoseconds: 5_000_000_000)
        let later = start.advanced(by: .milliseconds(1500))
        #expect(later.nanoseconds == 6_500_000_000)
        #expect(start.duration(to: later) == .milliseconds(1500))
        #expect(later.duration(to: start) == .milliseconds(-1500))
        #expect(later.advanced(by: .milliseconds(-1500)) == start)
        #expect(start < later)
    }

    @Test func advancingClampsToTheClocksRange() {
        #expect(PoolInstant(nanoseconds: 10).advanced(by: .seconds(-1)).nanoseconds == 0)
        #expect(PoolInstant(nanoseconds: .max - 1).advanced(by: .seconds(1)).nanoseconds == .max)
        #expect(PoolInstant(nanoseconds: 0).advanced(by: .seconds(Int64.max)).nanoseconds == UInt64(Int64.max))
    }

    @Test func nowMovesForward() async throws {
        let first = PoolInstant.now
        try await Task.sleep(for: .milliseconds(50))
        let second = PoolInstant.now
        #expect(first <= second)
        #expect(first.nanoseconds > 0)
    }

    @Test func descriptionIsSecondsWithNanoseconds() {
        #expect(PoolInstant(nanoseconds: 12_000_000_345).description == "12.000000345 s")
    }
}
