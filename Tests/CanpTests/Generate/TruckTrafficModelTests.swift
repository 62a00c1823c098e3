import Foundation
import Testing
@testable import Canp

/// `canp generate --truck-bus`: a second bus with its own J1939 DBC, added
/// without changing the fleet bus's traffic.
@Suite struct TruckTrafficModelTests {
    typealias Fixtures = PipelineFixtures

    /// The frames of a generated file: (channel, timestamp, identifier, flags, data).
    static func frames(_ path: String) throws -> [(channel: Int32, time: UInt64, id: UInt32, flags: FrameFlags, data: [UInt8])] {
        let bytes = try Fixtures.readBytes(path)
        var decoder = try BlockDecoder()
        var batch = FrameBatch()
        let inflated = decoder.decodeFile(bytes, file: "f", into: &batch)
        #expect(batch.issues.isEmpty)
        var result: [(channel: Int32, time: UInt64, id: UInt32, flags: FrameFlags, data: [UInt8])] = []
        for (segment, block) in zip(batch.segments, inflated) {
            for row in segment.frames {
                let offset = Int(batch.dataOffsets[row])
                result.append((batch.channels[row], batch.timestamps[row], batch.identifiers[row], batch.flags[row],
                               Array(block[offset..<offset + Int(batch.lengths[row])])))
            }
        }
        return result
    }

    static func generate(_ directory: String, truck: Bool) throws -> DatasetGenerator.Summary {
        var options = DatasetGenerator.Options(outputDirectory: directory)
        options.fileSize = 150_000
        options.seed = 8
        options.parallelism = 1
        options.truckBus = truck
        return try DatasetGenerator.run(options)
    }

    @Test func theTruckBusIsAJ1939BusOfItsOwn() throws {
        let directory = TemporaryDirectory()
        let summary = try Self.generate(directory.path, truck: true)
        let path = try #require(summary.truckDatabasePath)
        #expect(path == directory.path + "/" + SampleTruckDatabase.fileName)
        #expect(try Fixtures.readText(path) == SampleTruckDatabase.text)
        let truck = try DBCDatabase(contentsOfFile: path)
        #expect(truck.warnings.isEmpty, "\(truck.warnings)")
        #expect(truck.declaresJ1939)
        let decoder = DBCDecoder(bindings: [DBCBinding(database: truck, channels: [Int32(SampleTruckDatabase.channel)])])

        var sources: [UInt32: Set<UInt8>] = [:], priorities: [UInt32: Set<UInt8>] = [:]
        var destinations: Set<UInt8> = [], seen: [String: Int] = [:]
        var undefined: Set<UInt32> = [], wholeIds = 0, byGroup = 0
        for frame in try Self.frames(summary.files[0].path) where frame.channel == Int32(SampleTruckDatabase.channel) {
            let extended = frame.flags.contains(.extended)
            guard let index = decoder.messageIndex(id: frame.id, isExtended: extended, channel: 3) else {
                if extended { undefined.insert(J1939Identifier(frame.id).parameterGroupNumber) }
                continue
            }
            let message = decoder.message(at: index)
            seen[message.name, default: 0] += 1
            guard extended else { continue }
            let id = J1939Identifier(frame.id)
            sources[id.parameterGroupNumber, default: []].insert(id.sourceAddress)
            priorities[id.parameterGroupNumber, default: []].insert(id.priority)
            if let destination = id.destinationAddress { destinations.insert(destination) }
            if frame.id == message.id { wholeIds += 1 } else { byGroup += 1 }
        }
        #expect(Set(seen.keys) == Set(truck.messages.map(\.name)), "\(seen)")
        #expect((sources[0xF004]?.count ?? 0) >= 5 && (priorities[0xF004]?.count ?? 0) >= 4)
        #expect(destinations.count >= 3, "TSC1 destinations \(destinations)")
        #expect(undefined.isSuperset(of: [0xFECA, 0xEA00, 0xFF45]), "\(undefined)")
        #expect(wholeIds > 0 && byGroup > wholeIds)
    }

    /// Additive: the fleet bus's frames are those of a run without the truck bus, in time order
    /// as far as both go (blocks group their frames by channel, so file order differs).
    @Test func theFleetBusIsUnchanged() throws {
        let with = TemporaryDirectory(), without = TemporaryDirectory()
        let byTime = { (a: (channel: Int32, time: UInt64, id: UInt32, flags: FrameFlags, data: [UInt8]),
                        b: (channel: Int32, time: UInt64, id: UInt32, flags: FrameFlags, data: [UInt8])) in
            (a.time, a.id, a.channel) < (b.time, b.id, b.channel)
        }
        let fleetOnly = try Self.frames(try Self.generate(without.path, truck: false).files[0].path).sorted(by: byTime)
        let all = try Self.frames(try Self.generate(with.path, truck: true).files[0].path)
        let fleet = all.filter { $0.channel != Int32(SampleTruckDatabase.channel) }.sorted(by: byTime)
        #expect(fleetOnly.allSatisfy { $0.channel != Int32(SampleTruckDatabase.channel) })
        #expect(fleet.count > 1000 && fleet.count < fleetOnly.count && all.count > fleet.count + 1000)
        for (a, b) in zip(fleet, fleetOnly) where a.time != b.time || a.id != b.id || a.flags != b.flags || a.data != b.data {
            Issue.record("fleet frames differ at \(a.time)")
            break
        }
        #expect(!FileManager.default.fileExists(atPath: without.path + "/" + SampleTruckDatabase.fileName))
    }
}
