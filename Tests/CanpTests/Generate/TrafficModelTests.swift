import Testing
@testable import Canp

/// `TrafficModel`: deterministic, time-ordered traffic with every message at
/// its cycle time, counters that count and multiplexers that cycle.
@Suite("TrafficModel")
struct TrafficModelTests {
    static let database = try! DBCDatabase(string: SampleDatabase.text)
    static let start: UInt64 = 1_700_000_000_000_000_000

    static func frames(_ count: Int, seed: UInt64) -> [CANFrame] {
        var model = TrafficModel(database: database, start: start, seed: seed)
        return (0..<count).map { _ in model.nextFrame() }
    }

    @Test func sameSeedSameTraffic() {
        let first = Self.frames(2_000, seed: 5)
        #expect(first == Self.frames(2_000, seed: 5))
        #expect(first != Self.frames(2_000, seed: 6))
    }

    @Test func framesComeInTimeOrder() {
        let frames = Self.frames(5_000, seed: 1)
        #expect(frames[0].timestamp >= Self.start)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp })
    }

    /// Over 20 s of traffic each message is sent about 20 s / its cycle time.
    @Test func messagesFollowTheirCycleTimes() {
        var model = TrafficModel(database: Self.database, start: Self.start, seed: 3)
        var counts: [UInt32: Int] = [:]
        let end = Self.start + 20_000_000_000
        while true {
            let frame = model.nextFrame()
            if frame.timestamp >= end { break }
            counts[frame.rawIdentifier & 0x1FFF_FFFF, default: 0] += 1
        }
        for message in Self.database.messages {
            let cycle = Double(message.cycleTime ?? 100)
            let expected = 20_000 / cycle
            let seen = Double(counts[message.id & 0x1FFF_FFFF] ?? 0)
            #expect(abs(seen - expected) <= max(2, 0.05 * expected), "\(message.name): \(seen) frames, expected about \(expected)")
        }
        // About 1% of the slots carry a diagnostic request on an id the DBC does not describe.
        let total = Double(counts.values.reduce(0, +))
        let unknown = Double(counts[0x7DF] ?? 0)
        #expect(unknown > 0.004 * total && unknown < 0.02 * total)
    }

    /// A counter counts from its first frame on (it used to start at a
    /// fractional value, so that its first wrap skipped 15).
    @Test(arguments: [1 as UInt64, 2, 3, 4, 5])
    func countersCountFromTheFirstFrame(seed: UInt64) throws {
        let decoder = Self.database.compile()
        let message = try #require(Self.database.message(named: "PowertrainStatus"))
        var values: [Double] = []
        for frame in Self.frames(3_000, seed: seed) where frame.rawIdentifier == message.id && !frame.data.isEmpty {
            let signals = decoder.decode(id: message.id, isExtended: false, bytes: frame.data)
            values.append(try #require(signals.first { $0.name == "RollingCounter" }).value)
        }
        #expect(values.count > 200)
        let breaks = zip(values, values.dropFirst()).filter { ($0.0 + 1).truncatingRemainder(dividingBy: 16) != $0.1 }
        #expect(breaks.isEmpty, "counter steps \(breaks.prefix(3))")
    }

    @Test func anEmptyDatabaseSendsDiagnosticRequests() throws {
        var model = TrafficModel(database: try DBCDatabase(string: "VERSION \"\"\n"), start: Self.start, seed: 1)
        let frames = (0..<3).map { _ in model.nextFrame() }
        #expect(frames.map(\.timestamp) == [1, 2, 3].map { Self.start + $0 * 1_000_000 })
        #expect(frames.allSatisfy { $0.rawIdentifier == 0x7DF && $0.data.count == 8 })
    }
}
