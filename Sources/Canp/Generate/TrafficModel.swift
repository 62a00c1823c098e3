/// Plausible CAN bus traffic drawn from a DBC: every message at its cycle
/// time (with jitter), its signals as bounded random walks, counters that
/// count, multiplexers that cycle through their values, plus the traffic a
/// DBC does not describe (diagnostic requests on an unknown id, remote
/// requests).
///
/// Deterministic for a seed. Used by ``DatasetGenerator``.
struct TrafficModel {
    private struct Scheduled {
        var messageIndex: Int
        var due: UInt64
        var period: UInt64
        var values: [Double]
        var multiplexerStep: Int
    }

    private let messages: [DBCMessage]
    private var schedule: [Scheduled]
    private var random: SplitMix64
    private(set) var now: UInt64

    /// - Parameters:
    ///   - database: the messages to send.
    ///   - start: the timestamp of the first frame, ns since the epoch.
    ///   - seed: the seed of every random choice.
    init(database: DBCDatabase, start: UInt64, seed: UInt64) {
        messages = database.messages.filter { $0.length > 0 }
        random = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
        now = start
        schedule = []
        for (index, message) in messages.enumerated() {
            let period = UInt64(max(message.cycleTime ?? 100, 1)) * 1_000_000
            let values = message.signals.map { Self.startValue(of: $0, random: &random) }
            schedule.append(Scheduled(
                messageIndex: index, due: start + random.next() % period, period: period, values: values,
                multiplexerStep: 0))
        }
    }

    /// The next frame in time order.
    mutating func nextFrame() -> CANFrame {
        guard !schedule.isEmpty else {
            now += 1_000_000
            return CANFrame(timestamp: now, identifier: 0x7DF, channel: 0, data: [2, 1, 0x0C, 0, 0, 0, 0, 0])
        }
        var slot = 0
        for index in 1..<schedule.count where schedule[index].due < schedule[slot].due { slot = index }
        let due = schedule[slot].due
        now = due
        let period = schedule[slot].period
        let jitter = period / 20
        schedule[slot].due = due + period - jitter + (jitter == 0 ? 0 : random.next() % (2 * jitter + 1))
        let message = messages[schedule[slot].messageIndex]

        var flags: FrameFlags = message.isExtended ? [.extended] : []
        if message.isFD { flags.formUnion([.fd, .bitRateSwitch]) }
        let channel = DatasetGenerator.channel(of: message)

        let roll = random.nextUnit()
        if roll < 0.01 {
            // A tester's OBD request on an id that the DBC does not describe.
            return CANFrame(timestamp: due, identifier: 0x7DF, channel: 0,
                            data: [2, 1, UInt8(truncatingIfNeeded: random.next()), 0, 0, 0, 0, 0])
        }
        if roll < 0.012 {
            return CANFrame(timestamp: due, identifier: message.id, flags: flags.union(.remoteRequest),
                            channel: channel, data: [])
        }
        let data = step(slot, message: message)
        return CANFrame(timestamp: due, identifier: message.id, flags: flags, channel: channel, data: data)
    }

    private mutating func step(_ slot: Int, message: DBCMessage) -> [UInt8] {
        var physical: [String: Double] = [:]
        physical.reserveCapacity(message.signals.count)
        var selector: Int128?
        if let multiplexer = message.signals.first(where: { $0.isMultiplexer && $0.multiplexerSignalName == nil }) {
            let choices = Set(message.signals.compactMap { $0.multiplexerValues?.first?.lowerBound }).sorted()
            if !choices.isEmpty {
                let choice = choices[schedule[slot].multiplexerStep % choices.count]
                schedule[slot].multiplexerStep += 1
                selector = choice
                physical[multiplexer.name] = Double(choice) * multiplexer.scale + multiplexer.offset
            }
        }
        for (index, signal) in message.signals.enumerated() {
            if signal.isMultiplexer && signal.multiplexerSignalName == nil { continue }
            if let ranges = signal.multiplexerValues {
                guard let selector, ranges.contains(where: { $0.contains(selector) }) else { continue }
            }
            let (low, high) = Self.bounds(of: signal)
            var value = schedule[slot].values[index]
            if signal.name.hasSuffix("Counter") {
                value = value + 1 > high ? low : value + 1
            } else if signal.length == 1 {
                if random.nextUnit() < 0.02 { value = value == 0 ? 1 : 0 }
            } else {
                value += (high - low) * (random.nextUnit() - 0.5) * 0.004
                value = min(max(value, low), high)
            }
            schedule[slot].values[index] = value
            physical[signal.name] = value
        }
        return message.encode(physical)
    }

    private static func bounds(of signal: DBCSignal) -> (Double, Double) {
        let low = signal.minimum ?? 0
        let high = signal.maximum ?? 100
        return high > low ? (low, high) : (0, max(1, Double(min(signal.length, 16))))
    }

    private static func startValue(of signal: DBCSignal, random: inout SplitMix64) -> Double {
        let (low, high) = bounds(of: signal)
        let value = low + (high - low) * (0.2 + 0.4 * random.nextUnit())
        // A counter starts on a whole count: from 5.4 it would step to 14.4,
        // wrap to 0 and never send 15 (encoded as 5...14, 0).
        return signal.name.hasSuffix("Counter") ? value.rounded(.down) : value
    }
}

/// A small, fast, seedable generator (SplitMix64), for the data generator,
/// the benchmarks and the seeded tests.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    ///
    /// - Parameter seed: Any value.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double in [0, 1).
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
