import Testing
@testable import Canp

@Suite("GzipDeflater")
struct GzipDeflaterTests {
    @Test func rejectsLevelsOutsideTheRange() {
        #expect(throws: GzipError.invalidArgument) { _ = try GzipDeflater(level: 13) }
        #expect(throws: GzipError.invalidArgument) { _ = try GzipDeflater(level: -1) }
    }

    @Test func writesAGzipMemberWithMTimeZeroAndTheTrailer() throws {
        let input = [UInt8](repeating: 7, count: 1000)
        let member = try GzipDeflater(level: 6).compress(input)
        #expect(Array(member[0..<3]) == [0x1F, 0x8B, 8])
        #expect(Array(member[4..<8]) == [0, 0, 0, 0])
        let isize = member.suffix(4).reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        #expect(isize == 1000)
        #expect(member.count < 100, "1000 equal bytes compress well")
    }

    @Test func higherLevelsAreNotLarger() throws {
        var rng = SplitMix64(seed: 3)
        let input = (0..<50_000).map { _ in UInt8(truncatingIfNeeded: rng.next() % 16) }
        let stored = try GzipDeflater(level: 0).compress(input)
        let fast = try GzipDeflater(level: 1).compress(input)
        let best = try GzipDeflater(level: 12).compress(input)
        #expect(stored.count > input.count)
        #expect(best.count <= fast.count)
        #expect(best.count < input.count * 6 / 10, "4 bits of entropy per byte")
        #expect(try GzipInflater().inflate(best) == input)
    }
}
