import Testing
@testable import Canp

/// Damage in BLF files (`docs/INPUTS.md`): each reported with file, block,
/// offset, level and reason, every undamaged frame still decoded.
@Suite("BLF damage")
struct BLFDamageTests {
    typealias Fixtures = BLFFixtures

    static let frames = FormatFixtures.frames(count: 120, seed: 5, start: Fixtures.start + 99)

    /// A file of containers of 600 bytes (stored when `stored`), its rows, and the top-level objects' offsets.
    static func file(stored: Bool) throws -> (bytes: [UInt8], rows: [Fixtures.Row], containers: [Int]) {
        let (bytes, rows) = try Fixtures.file(frames, containerSize: 600, stored: { _ in stored })
        return (bytes, rows, topLevelOffsets(bytes))
    }

    /// The offsets of the top-level objects, walked from their sizes alone.
    static func topLevelOffsets(_ bytes: [UInt8]) -> [Int] {
        var offsets: [Int] = []
        var at = 144
        while at + 16 <= bytes.count {
            offsets.append(at)
            let size = Int(load32(bytes, at + 8))
            at += size + size % 4
        }
        return offsets
    }

    static func load32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    static func store32(_ value: UInt32, _ bytes: inout [UInt8], _ at: Int) {
        for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
    }

    /// The file offsets of the `LOBJ` signatures inside a stored container's payload.
    static func objectsInside(_ bytes: [UInt8], container at: Int) -> [Int] {
        let end = at + Int(load32(bytes, at + 8))
        return (at + 32..<(end - 3)).filter { bytes[$0] == 0x4C && bytes[$0 + 1] == 0x4F && bytes[$0 + 2] == 0x42 && bytes[$0 + 3] == 0x4A }
    }

    /// The rows whose objects start in container `block`, in order.
    static func rows(_ rows: [Fixtures.Row], in block: Int) -> [Fixtures.Row] { rows.filter { $0.block == block } }

    @Test func corruptedZlibContainerIsLevel0() throws {
        var (bytes, rows, containers) = try Self.file(stored: false)
        let victim = containers[2]
        let payloadEnd = victim + Int(Self.load32(bytes, victim + 8))
        bytes[(victim + 40 + payloadEnd) / 2] ^= 0x5A
        let decoded = try Fixtures.decode(bytes, file: "bad.blf")
        let lost = try #require(decoded.issues.first { $0.level == .blfContainer })
        #expect(lost.file == "bad.blf" && lost.block == 2 && lost.offset == victim)
        #expect(decoded.issues.allSatisfy { $0.block == 1 || $0.block == 2 })
        #expect(decoded.counts.blocksSkipped == 1 && decoded.counts.blocksDecoded == containers.count - 1)
        // Every frame outside the container, but perhaps the one that crosses into it, is decoded.
        let kept = rows.filter { $0.block != 2 }
        let missing = kept.filter { !decoded.rows.contains($0) }
        #expect(missing.isEmpty || missing == [Self.rows(rows, in: 1).last!])
        #expect(decoded.rows.allSatisfy { $0.block != 2 })
    }

    @Test(arguments: [false, true]) func wrongInflatedSizeIsLevel0(stored: Bool) throws {
        var (bytes, rows, containers) = try Self.file(stored: stored)
        let victim = containers[3]
        Self.store32(Self.load32(bytes, victim + 24) + 5, &bytes, victim + 24)
        let decoded = try Fixtures.decode(bytes)
        #expect(decoded.issues.count == 1)
        let issue = try #require(decoded.issues.first)
        #expect(issue.level == .blfContainer && issue.block == 3 && issue.offset == victim)
        #expect(issue.reason.description.contains("declared"))
        #expect(rows.filter { $0.block < 2 || $0.block > 3 }.allSatisfy(decoded.rows.contains))
    }

    @Test func unknownCompressionMethodIsASkippedUnit() throws {
        var (bytes, rows, containers) = try Self.file(stored: false)
        bytes[containers[4] + 16] = 5
        let decoded = try Fixtures.decode(bytes)
        // The object that crosses from container 3 into it is lost with it (a level-1 issue of block 3).
        #expect(decoded.issues.allSatisfy { $0.block == 3 || $0.block == 4 })
        let issue = try #require(decoded.issues.first { $0.level == .blfContainer })
        #expect(issue.block == 4 && issue.offset == containers[4])
        #expect(issue.reason == .blfUnknownCompression(method: 5))
        #expect(decoded.counts.blocksSkipped == 1)
        #expect(rows.filter { $0.block < 3 || $0.block > 4 }.allSatisfy(decoded.rows.contains))
    }

    /// A bad signature, a size below the header, a size past the following
    /// container: one level-1 issue, only that object lost.
    @Test(arguments: ["signature", "small", "huge"]) func badObjectHeaderLosesOneObject(kind: String) throws {
        var (bytes, rows, containers) = try Self.file(stored: true)
        let inside = Self.objectsInside(bytes, container: containers[1])
        let victim = inside[1]
        switch kind {
        case "signature": bytes[victim] = UInt8(ascii: "X")
        case "small": Self.store32(20, &bytes, victim + 8)
        default: Self.store32(1_000_000, &bytes, victim + 8)
        }
        let decoded = try Fixtures.decode(bytes)
        #expect(decoded.issues.count == 1, "\(decoded.issues)")
        let issue = try #require(decoded.issues.first)
        #expect(issue.level == .blfObject && issue.block == 1 && issue.offset == containers[1])
        // The objects that start in container 1 are its LOBJs in order; the victim is the second.
        let lost = Self.rows(rows, in: 1)[1]
        let same = decoded.rows == rows.filter { $0 != lost }
        #expect(same)
    }

    @Test func objectPastTheEndOfTheFileIsLevel1() throws {
        var (bytes, rows, containers) = try Self.file(stored: true)
        let last = containers.last!
        let victim = Self.objectsInside(bytes, container: last).last!
        Self.store32(5_000, &bytes, victim + 8)
        let decoded = try Fixtures.decode(bytes)
        let issue = try #require(decoded.issues.first)
        #expect(decoded.issues.count == 1 && issue.level == .blfObject && issue.offset == last)
        #expect(issue.reason == .blfRunsPastFile(size: 5_000))
        let same = decoded.rows == Array(rows.dropLast())
        #expect(same)
    }

    @Test(arguments: [1, 17, 200]) func cutFileIsLevel0(cut: Int) throws {
        let (full, rows, containers) = try Self.file(stored: false)
        let bytes = Array(full.prefix(containers[3] + cut))
        let decoded = try Fixtures.decode(bytes)
        let issue = try #require(decoded.issues.last)
        #expect(issue.level == .blfContainer && issue.block == 3 && issue.offset == containers[3])
        #expect(decoded.counts.truncatedTails == 1)
        #expect(rows.filter { $0.block < 2 }.allSatisfy(decoded.rows.contains))
        #expect(decoded.rows.allSatisfy { $0.block < 3 })
    }

    @Test func truncatedFileHeaderIsLevel0() throws {
        let decoded = try Fixtures.decode(Array("LOGG".utf8) + [UInt8](repeating: 0, count: 40))
        #expect(decoded.issues.count == 1 && decoded.issues[0].level == .blfContainer && decoded.counts.truncatedTails == 1)
    }

    @Test func garbageBetweenContainersIsSkipped() throws {
        var (bytes, rows, containers) = try Self.file(stored: false)
        bytes.insert(contentsOf: [UInt8](repeating: 0xAB, count: 13), at: containers[2])
        let decoded = try Fixtures.decode(bytes)
        let issue = try #require(decoded.issues.first)
        #expect(decoded.issues.count == 1 && issue.level == .blfObject && issue.offset == containers[2])
        let same = decoded.rows == rows
        #expect(same)
    }

    /// Random damage: no crash, no read outside the buffers, every issue counted.
    @Test(arguments: [1 as UInt64, 2, 3]) func randomMutationsAreAccountedFor(seed: UInt64) throws {
        let (clean, _, _) = try Self.file(stored: seed == 2)
        var rng = SplitMix64(seed: seed)
        for _ in 0..<150 {
            var bytes = clean
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = 144 + Int(rng.next() % UInt64(bytes.count - 144))
                bytes[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            if rng.next() % 4 == 0 { bytes.removeLast(Int(rng.next() % UInt64(bytes.count / 2))) }
            let decoded = try Fixtures.decode(bytes)
            #expect(decoded.rows.count <= Self.frames.count + 1)
        }
    }
}
