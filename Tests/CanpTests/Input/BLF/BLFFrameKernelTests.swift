import CCanpCore
import Testing
@testable import Canp

/// The C frame walk (`canp_blf_decode_frames`) against the Swift walk it
/// stands in for: `blfFindSignature`, `BLFObjectHeader` and
/// `BLFFrameObject.decode`, object after object, on random and damaged data.
@Suite("BLF frame walk kernel (C)")
struct BLFFrameKernelTests {
    /// The Swift walk: decodes whole frame objects from `position` until one
    /// that is not a frame, is damaged, or needs zero padding (where the
    /// kernel leaves the object to the Swift step).
    static func swiftWalk(_ base: UnsafeMutableRawPointer, count: Int, from: Int, start: UInt64,
                          columns: FrameScratch.Columns, limit: Int) -> (rows: Int, position: Int) {
        var decoder = BLFFrameObject(base: base, startNanoseconds: start, padCursor: count + 256, padEnd: count + 256 + 64)
        var (rows, pos) = (0, from)
        while rows < limit {
            guard let at = blfFindSignature(UnsafeRawPointer(base), from: pos, limit: pos + 8, count: count),
                  at + BLFObjectHeader.baseSize <= count else { break }
            let header = BLFObjectHeader(UnsafeRawPointer(base), at: at)
            guard header.isValid && at + Int(header.size) <= count && header.versionedSize > 0
                  && BLFObjectType.isFrame(header.type) else { break }
            let cursor = decoder.padCursor
            guard case .frame = decoder.decode(header, at: at, into: columns, row: rows), decoder.padCursor == cursor
            else { break }
            rows += 1
            pos = at + Int(header.size)
        }
        return (rows, pos)
    }

    /// A random object: mostly frames of the four types, valid or nearly so.
    static func object(_ random: inout SplitMix64) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        func u64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * UInt64($0))) & 0xFF) } }
        let types: [UInt32] = [1, 86, 100, 101, 101, 2, 65, 73]
        let type = types[Int(random.next() % UInt64(types.count))]
        let version = [1, 1, 2, 2, 3][Int(random.next() % 5)]
        let headerSize = (version == 2 ? 40 : 32) + (random.next() % 16 == 0 ? Int(random.next() % 9) - 4 : 0)
        var payload: [UInt8]
        switch type {
        case 1, 86: payload = (0..<(type == 1 ? 16 : 24)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 100: payload = (0..<84).map { _ in UInt8.random(in: 0...255, using: &random) }
        default: payload = (0..<(40 + Int(random.next() % 70))).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        if type == 101 {
            payload[2] = UInt8(random.next() % 4 == 0 ? random.next() % 256 : random.next() % 65)
            payload[35] = random.next() % 3 == 0 ? UInt8(random.next() % 256) : 0
        } else if random.next() % 2 == 0 {
            payload[3] = UInt8(random.next() % 16)
        }
        let timestamp = random.next() % 8 == 0 ? random.next() : random.next() % 1_000_000_000_000
        let flags: UInt32 = [1, 2, 2, 0][Int(random.next() % 4)]
        var versioned = u32(flags) + u16(0) + u16(0) + u64(timestamp)
        if version == 2 { versioned += u64(random.next()) }
        if version == 3 { versioned += u64(random.next()) }
        var size = 16 + versioned.count + payload.count
        if random.next() % 20 == 0 { size = Int(random.next() % UInt64(size + 8)) }
        var bytes = Array("LOBJ".utf8) + u16(headerSize) + u16(version) + u32(UInt32(size)) + u32(type) + versioned + payload
        bytes += (0..<(size % 4)).map { _ in random.next() % 8 == 0 ? UInt8(random.next() % 256) : 0 }
        return bytes
    }

    @Test(arguments: 0..<40)
    func theKernelDecodesWhatTheSwiftWalkDecodes(seed: Int) {
        var random = SplitMix64(seed: UInt64(seed) &* 7919 &+ 1)
        var data: [UInt8] = []
        for _ in 0..<(50 + Int(random.next() % 400)) { data += Self.object(&random) }
        if seed % 2 == 1 {
            for _ in 0..<(1 + Int(random.next() % 6)) {
                data[Int(random.next() % UInt64(data.count))] = UInt8(random.next() % 256)
            }
        }
        if seed % 5 == 4 { data.removeLast(Int(random.next() % 60)) }
        let count = data.count
        // Near the top for a third of the seeds: some timestamps overflow (the kernel and the walk stop there).
        let start: UInt64 = seed % 3 == 0 ? UInt64.max - 5_000_000_000_000_000 : 1_700_000_000_000_000_000
        let workspace = UnsafeMutableRawPointer.allocate(byteCount: count + 256 + 64, alignment: 16)
        defer { workspace.deallocate() }
        data.withUnsafeBytes { workspace.copyMemory(from: $0.baseAddress!, byteCount: count) }
        let (swift, kernel) = (FrameScratch(), FrameScratch())
        let limit = 4096
        let a = swift.columns(capacity: limit), b = kernel.columns(capacity: limit)
        var from = 0
        var walked = 0
        // Walk as the decoder does: the kernel's run, then (where the Swift step
        // would take the object) skip to the next signature and go on.
        while from < count {
            let expected = Self.swiftWalk(workspace, count: count, from: from, start: start, columns: a, limit: limit)
            var columns = canp_blf_columns(
                timestamps: b.timestamps, identifiers: b.identifiers,
                flags: UnsafeMutableRawPointer(b.flags).assumingMemoryBound(to: UInt8.self),
                channels: b.channels, lengths: b.lengths, data_offsets: b.dataOffsets)
            var position = from
            let rows = canp_blf_decode_frames(workspace.assumingMemoryBound(to: UInt8.self), count, &position, start,
                                              &columns, 0, limit)
            #expect(rows == expected.rows && position == expected.position, "seed \(seed) from \(from)")
            guard rows == expected.rows else { return }
            for row in 0..<rows {
                #expect(a.timestamps[row] == b.timestamps[row] && a.identifiers[row] == b.identifiers[row]
                        && a.flags[row] == b.flags[row] && a.channels[row] == b.channels[row]
                        && a.lengths[row] == b.lengths[row] && a.dataOffsets[row] == b.dataOffsets[row],
                        "seed \(seed) row \(row) from \(from)")
            }
            walked += rows
            from = position + 1
        }
        #expect(walked > 0)
    }

    @Test func theKernelStopsAtTheRowLimitAndAtTheEnd() {
        var random = SplitMix64(seed: 5)
        var data: [UInt8] = []
        while data.count < 4000 { data += Self.object(&random) }
        let count = data.count
        let scratch = FrameScratch()
        let b = scratch.columns(capacity: 8)
        var columns = canp_blf_columns(
            timestamps: b.timestamps, identifiers: b.identifiers,
            flags: UnsafeMutableRawPointer(b.flags).assumingMemoryBound(to: UInt8.self),
            channels: b.channels, lengths: b.lengths, data_offsets: b.dataOffsets)
        data.withUnsafeMutableBytes { bytes in
            var position = 0
            let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            #expect(canp_blf_decode_frames(base, count, &position, 0, &columns, 3, 3) == 3 && position == 0)
            #expect(canp_blf_decode_frames(base, 0, &position, 0, &columns, 0, 8) == 0 && position == 0)
            #expect(canp_blf_decode_frames(base, 3, &position, 0, &columns, 0, 8) == 0 && position == 0)
        }
    }
}
