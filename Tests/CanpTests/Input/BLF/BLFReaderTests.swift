import Testing
@testable import Canp

@Suite("BLF reader")
struct BLFReaderTests {
    typealias Fixtures = BLFFixtures

    static func frames(_ count: Int, seed: UInt64 = 1) -> [CANFrame] {
        FormatFixtures.frames(count: count, seed: seed, start: Fixtures.start + 12_345)
    }

    @Test func detectsLOGGOnly() {
        let format = BLFFormat()
        #expect(Array("LOGG....".utf8).withUnsafeBytes { format.matches(prefix: $0) })
        #expect(!Array("LOG".utf8).withUnsafeBytes { format.matches(prefix: $0) })
        #expect(!Array("LOBJ....".utf8).withUnsafeBytes { format.matches(prefix: $0) })
        #expect(InputFormats.builtIn.map(\.name) == ["blf", "candump", "asc", "canp"])
    }

    /// Every frame type, v1 and v2 headers, both timestamp units, padding
    /// 0-3, zlib and stored containers, at container sizes that put the
    /// boundaries everywhere in objects (inside the signature, the header,
    /// the fields, the data).
    @Test(arguments: [144, 145, 150, 163, 199, 256, 1000, 4096, 128 * 1024])
    func roundTripsFramesAcrossContainerBoundaries(containerSize: Int) throws {
        let frames = Self.frames(300, seed: UInt64(containerSize))
        for stored in [false, true] {
            let (bytes, rows) = try Fixtures.file(frames, containerSize: containerSize, stored: { stored || $0 % 3 == 1 })
            let decoded = try Fixtures.decode(bytes)
            let same = decoded.rows == rows
            #expect(same, "stored \(stored)")
            #expect(decoded.issues.isEmpty)
            #expect(decoded.counts.framesDecoded == frames.count && decoded.counts.framesSkipped == 0)
            #expect(decoded.counts.blocksSkipped == 0 && decoded.counts.truncatedTails == 0)
            // Tiny containers can hold no object start at all: a guess then fails (and is decoded again).
            if containerSize >= 1000 { #expect(decoded.guessesFailed == 0) }
        }
    }

    /// Every offset of a split: one container size per byte of a sweep.
    @Test func splitsAtEveryOffset() throws {
        let frames = Self.frames(40, seed: 9)
        for size in 144..<260 {
            let (bytes, rows) = try Fixtures.file(frames, containerSize: size)
            let decoded = try Fixtures.decode(bytes, slice: 3)
            let same = decoded.rows == rows
            #expect(same, "container size \(size)")
            #expect(decoded.issues.isEmpty, "container size \(size): \(decoded.issues)")
        }
    }

    /// The timestamp is the header's start time plus the object's, in 10 µs
    /// units when its flags are 1, else ns; channel is the stored one minus 1.
    @Test func timestampsAndChannels() throws {
        var writer = try BLFFileWriter(startNanoseconds: 1_600_000_000_456_789_000, isStored: { _ in true })
        #expect(writer.startNanoseconds == 1_600_000_000_456_000_000)
        let tenMicro = CANFrame(timestamp: 1_600_000_000_456_000_000 + 70_000, identifier: 0x10, channel: 0, data: [1])
        let nanos = CANFrame(timestamp: 1_600_000_000_456_000_000 + 70_001, identifier: 0x11, channel: 5, data: [2])
        try writer.append(tenMicro, style: .init(tenMicroseconds: true))
        try writer.append(nanos, style: .init(headerVersion: 2, tenMicroseconds: true))
        let bytes = try writer.finish()
        // The first object's header flags are 1 (10 µs) and its timestamp 7.
        #expect(bytes[144 + 32 + 16] == 1 && bytes[144 + 32 + 24] == 7)
        let decoded = try Fixtures.decode(bytes)
        #expect(decoded.rows.map(\.timestamp) == [tenMicro.timestamp, nanos.timestamp])
        #expect(decoded.rows.map(\.channel) == [0, 5])
    }

    /// A SYSTEMTIME that is not a date starts the file at 0, as python-can reads it.
    @Test func invalidStartTimeIsZero() {
        #expect(BLFFileHeader.nanoseconds(systemTime: [0, 0, 0, 0, 0, 0, 0, 0]) == 0)
        #expect(BLFFileHeader.nanoseconds(systemTime: [2023, 2, 0, 29, 0, 0, 0, 0]) == 0)
        #expect(BLFFileHeader.nanoseconds(systemTime: [2024, 2, 4, 29, 23, 59, 59, 999]) == 1_709_251_199_999_000_000)
        #expect(BLFFileHeader.nanoseconds(systemTime: [1970, 1, 4, 1, 0, 0, 0, 1]) == 1_000_000)
    }

    /// Error objects are bus error events; other types and header versions
    /// are counted by number and skipped; none is damage.
    @Test func errorsAndUnknownObjectsAreCounted() throws {
        var writer = try BLFFileWriter(startNanoseconds: Fixtures.start, containerSize: 200)
        let frame = CANFrame(timestamp: Fixtures.start + 1, identifier: 0x123, data: [1, 2, 3])
        try writer.append(frame)
        for type: UInt32 in [2, 73, 104, 65, 65, 96, 10] {
            try writer.appendObject(type: type, payload: [UInt8](repeating: 0x4C, count: 40), timestamp: Fixtures.start + 2)
        }
        let (type, payload) = BLFFrameEncoding.payload(of: frame, as: .canMessage)
        try writer.appendObject(type: type, payload: payload, timestamp: Fixtures.start + 3, headerVersionField: 7)
        try writer.append(frame, as: .canMessage2, style: .init(headerVersion: 2))
        let decoded = try Fixtures.decode(try writer.finish())
        #expect(decoded.rows.count == 2 && decoded.issues.isEmpty)
        #expect(decoded.counts.busErrorEvents == 3)
        #expect(decoded.counts.ignored == ["BLF object type 65": 2, "BLF object type 96": 1, "BLF object type 10": 1,
                                           "BLF object header version 7": 1])
    }

    /// `CAN_FD_MESSAGE_64` with fewer data bytes than valid ones: zero-padded.
    @Test func shortFD64DataIsZeroPadded() throws {
        var writer = try BLFFileWriter(startNanoseconds: Fixtures.start, containerSize: 170)
        var expected: [[UInt8]] = []
        for k in 0..<30 {
            let data = (0..<64).map { UInt8(truncatingIfNeeded: $0 + k) }
            let frame = CANFrame(timestamp: Fixtures.start + UInt64(k), identifier: 0x200, flags: .fd, data: data)
            try writer.append(frame, as: .canFDMessage64(storedBytes: k * 2), style: .init(padding: k % 4))
            expected.append(Array(data.prefix(k * 2)) + [UInt8](repeating: 0, count: 64 - min(64, k * 2)))
        }
        let decoded = try Fixtures.decode(try writer.finish())
        #expect(decoded.rows.map(\.data) == expected)
        #expect(decoded.issues.isEmpty)
    }

    /// Frame objects outside containers are frames too, their block the top-level index.
    @Test func topLevelFramesAreRead() throws {
        var writer = try BLFFileWriter(startNanoseconds: Fixtures.start, containerSize: 1000)
        let frames = Self.frames(6, seed: 4).filter { !FrameFlags(rawIdentifier: $0.rawIdentifier, flagsByte: $0.flagsByte).contains(.fd) }
        try writer.append(frames[0])
        try writer.appendTopLevel(frames[1])
        try writer.appendTopLevel(frames[2], as: .canMessage2)
        try writer.append(frames[3])
        let decoded = try Fixtures.decode(try writer.finish())
        #expect(decoded.rows == [Fixtures.row(frames[0], block: 0), Fixtures.row(frames[1], block: 1),
                                 Fixtures.row(frames[2], block: 2), Fixtures.row(frames[3], block: 3)])
    }

    /// An object that is not a frame may be large: one that leaves more than
    /// 64 KiB in the next container is joined without inflating that much of it.
    @Test func largeObjectAcrossContainers() throws {
        var writer = try BLFFileWriter(startNanoseconds: Fixtures.start, containerSize: 100_000)
        var rows: [Fixtures.Row] = []
        var offset = 0
        for k in 0..<1_900 {
            if k == 1_800 {
                try writer.appendObject(type: 65, payload: [UInt8](repeating: 0x4C, count: 95_000), timestamp: Fixtures.start)
                offset += 32 + 95_000
            }
            let frame = CANFrame(timestamp: Fixtures.start + UInt64(k), identifier: UInt32(k & 0x7FF), data: [UInt8(k & 0xFF)])
            try writer.append(frame)
            rows.append(Fixtures.row(frame, block: offset / 100_000))
            offset += 48
        }
        let decoded = try Fixtures.decode(try writer.finish())
        let same = decoded.rows == rows
        #expect(same)
        #expect(decoded.issues.isEmpty && decoded.counts.ignored == ["BLF object type 65": 1])
    }

    /// The whole pipeline on 2 threads with one container a chunk (every
    /// chunk guesses its entry) gives what the sequential decoding gives.
    @Test func pipelineMatchesSequentialDecoding() async throws {
        let directory = TemporaryDirectory()
        let (bytes, rows) = try Fixtures.file(Self.frames(3000, seed: 77), containerSize: 700, stored: { $0 % 5 == 2 })
        let path = directory.write("many.blf", bytes)
        var configuration = PipelineFixtures.configuration(threads: 2)
        configuration.blocksPerTask = 1
        let out = directory.path + "/out"
        let report = try await PipelineFixtures.run([path], configuration: configuration, decoder: nil,
                                                    output: .csv(directory: out))
        #expect(report.format.framesDecoded == rows.count && report.issues.isEmpty)
        let csv = try PipelineFixtures.readText(out + "/frames.csv").split(separator: "\n").dropFirst()
        #expect(csv.count == rows.count)
        for (line, row) in zip(csv, rows) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields[1] == "\(row.block)" && fields[2] == "\(row.timestamp)")
            #expect(fields[11] == PipelineFixtures.hexBytes(row.data))
        }
    }
}
