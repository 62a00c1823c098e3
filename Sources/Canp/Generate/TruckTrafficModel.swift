/// The traffic of the J1939 truck bus that `canp generate --truck-bus` adds
/// (``SampleTruckDatabase``, on its channel): the messages of
/// ``TrafficModel`` with the identifiers a J1939 bus carries. A 29-bit
/// frame keeps its DBC identifier 40% of the time; otherwise another source
/// address, half the time another priority, and for an addressed (PDU1)
/// group another destination. 3% of the frames are groups the DBC does not
/// define (DM1, requests, a proprietary group), from varying addresses.
///
/// Deterministic for a seed. Used by ``DatasetGenerator``.
struct TruckTrafficModel {
    private var model: TrafficModel
    private var random: SplitMix64
    /// Source addresses a frame may carry: the DBC's nodes and others.
    private static let sources: [UInt32] = [0x00, 0x01, 0x03, 0x0B, 0x17, 0x21, 0x31, 0xEE, 0xF9]
    private static let destinations: [UInt32] = [0x00, 0x0F, 0x2A, 0xFF]

    /// - Parameters:
    ///   - database: the truck DBC's messages.
    ///   - start: the timestamp of the first frame, ns since the epoch.
    ///   - seed: the seed of every random choice.
    init(database: DBCDatabase, start: UInt64, seed: UInt64) {
        model = TrafficModel(database: database, start: start, seed: seed)
        random = SplitMix64(seed: seed ^ 0x5851_F42D_4C95_7F2D)
    }

    /// The next frame in time order, on the truck bus's channel.
    mutating func nextFrame() -> CANFrame {
        var frame = model.nextFrame()
        frame.channel = SampleTruckDatabase.channel
        let roll = random.nextUnit()
        if roll < 0.03 {
            let source = Self.sources[Int(random.next() % UInt64(Self.sources.count))]
            let groups: [UInt32] = [0x18FE_CA00, 0x18EA_0000 | Self.destinations[Int(random.next() % 4)] << 8, 0x18FF_4500]
            let data = (0..<8).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return CANFrame(timestamp: frame.timestamp, identifier: groups[Int(random.next() % 3)] | source,
                            flags: .extended, channel: SampleTruckDatabase.channel, data: data)
        }
        let extended = frame.rawIdentifier & 0x8000_0000 != 0
        guard extended, roll >= 0.4 else { return frame }
        var id = frame.rawIdentifier & 0x1FFF_FFFF
        id = (id & ~0xFF) | Self.sources[Int(random.next() % UInt64(Self.sources.count))]
        if random.next() % 2 == 0 { id = (id & ~(7 << 26)) | UInt32(random.next() % 8) << 26 }
        if J1939Identifier(id).isAddressed { id = (id & ~0xFF00) | Self.destinations[Int(random.next() % 4)] << 8 }
        frame.rawIdentifier = (frame.rawIdentifier & 0xE000_0000) | id
        return frame
    }
}
