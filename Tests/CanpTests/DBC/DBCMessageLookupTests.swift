import Testing
@testable import Canp

/// The lookup rules of spec/DECODING.md, through DBCDecoder's public API.
@Suite struct DBCMessageLookupTests {
    static let powertrain = """
        BO_ 256 A_Engine: 8 X
         SG_ Rpm : 0|64@1+ (1,0) [0|0] "" X
        BO_ 2566844926 A_Ext: 8 X
         SG_ Speed : 0|8@1+ (1,0) [0|0] "" X
        """
    static let body = """
        BO_ 256 B_Door: 1 X
         SG_ Open : 0|1@1+ (1,0) [0|0] "" X
        BO_ 512 B_Light: 1 X
         SG_ On : 0|1@1+ (1,0) [0|0] "" X
        """
    /// A J1939 database: shared groups, an addressed group, a whole id given twice, an 11-bit message.
    static let truckMessages = """
        BO_ 2364539904 EEC1: 8 X
         SG_ EngineSpeed : 24|16@1+ (0.125,0) [0|0] "rpm" X
        BO_ 2566844672 CCVS_Engine: 8 X
         SG_ WheelSpeed : 8|16@1+ (0.00390625,0) [0|0] "km/h" X
        BO_ 2566844695 CCVS_Cab: 8 X
         SG_ CabSpeed : 8|16@1+ (0.00390625,0) [0|0] "km/h" X
        BO_ 2348810243 TSC1: 8 X
         SG_ RequestedSpeed : 8|16@1+ (0.125,0) [0|0] "rpm" X
        BO_ 2566843904 ET1_First: 8 X
         SG_ Coolant : 0|8@1+ (1,-40) [0|0] "degC" X
        BO_ 2566843904 ET1_Second: 8 X
         SG_ Fuel : 8|8@1+ (1,-40) [0|0] "degC" X
        BO_ 291 Std123: 8 X
         SG_ Plain : 0|8@1+ (1,0) [0|0] "" X

        """
    static let truck = truckMessages + """
        BA_DEF_ "ProtocolType" STRING ;
        BA_ "ProtocolType" "J1939";
        """

    func name(_ decoder: DBCDecoder, _ id: UInt32, extended: Bool = true, channel: Int32? = nil) -> String? {
        let index = channel.map { decoder.messageIndex(id: id, isExtended: extended, channel: $0) }
            ?? decoder.messageIndex(id: id, isExtended: extended)
        return index.map { decoder.message(at: $0).name }
    }

    func decoder(_ parts: (String, [Int32], Bool)...) throws -> DBCDecoder {
        try DBCDecoder(bindings: parts.map { text, channels, force in
            DBCBinding(database: try parseDBC(text), channels: channels, forcesJ1939: force)
        })
    }

    @Test func j1939MatchesByParameterGroup() throws {
        let decoder = try decoder((Self.truck, [], false))
        #expect(decoder.bindings[0].isJ1939)
        #expect(name(decoder, 0x0CF0_0400) == "EEC1")           // whole id
        #expect(name(decoder, 0x18F0_0401) == "EEC1")           // other priority and source
        #expect(name(decoder, 0x0DF0_0400) == nil)              // data page 1: another group
        #expect(name(decoder, 0x18FE_F117) == "CCVS_Cab")       // shared group: the whole id decides
        #expect(name(decoder, 0x18FE_F100) == "CCVS_Engine")
        #expect(name(decoder, 0x18FE_F133) == "CCVS_Engine")    // no whole-id match: the first in DBC order
        #expect(name(decoder, 0x0C00_2A03) == "TSC1")           // PDU1: destination 0x2A masked
        #expect(name(decoder, 0x1800_FF44) == "TSC1")
        #expect(name(decoder, 0x18FE_EE00) == "ET1_Second")     // the same whole id twice: the last
        #expect(name(decoder, 0x18FE_EE05) == "ET1_First")      // the group: the first in DBC order
        #expect(name(decoder, 0x18FE_CA00) == nil)              // DM1: no message has the group
        // 11-bit frames by whole id; an extended frame never matches an 11-bit message
        // (0x123 extended is PDU1 group 0: TSC1).
        #expect(name(decoder, 0x123, extended: false) == "Std123")
        #expect(name(decoder, 0x124, extended: false) == nil)
        #expect(name(decoder, 0x123, extended: true) == "TSC1")
        #expect(name(decoder, 0xF0, extended: false) == nil)
    }

    @Test func withoutProtocolTypeWholeIdentifiersOnlyUnlessForced() throws {
        let plain = try decoder((Self.truckMessages, [], false))
        #expect(!plain.bindings[0].isJ1939)
        #expect(name(plain, 0x0CF0_0400) == "EEC1")
        #expect(name(plain, 0x18F0_0401) == nil)
        #expect(name(plain, 0x18FE_EE05) == nil)
        let forced = try decoder((Self.truckMessages, [], true))
        #expect(name(forced, 0x18F0_0401) == "EEC1")
        #expect(name(forced, 0x18FE_F133) == "CCVS_Engine")
    }

    @Test func boundDatabasesServeTheirChannelsOnly() throws {
        let decoder = try decoder((Self.powertrain, [], false), (Self.body, [1, 2], false), (Self.truck, [3], false))
        #expect(decoder.messages.map(\.name) == ["A_Engine", "A_Ext", "B_Door", "B_Light", "EEC1", "CCVS_Engine",
                                                  "CCVS_Cab", "TSC1", "ET1_First", "ET1_Second", "Std123"])
        #expect((0..<decoder.messageCount).map(decoder.bindingIndex(ofMessageAt:)) == [0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2])
        #expect(name(decoder, 0x100, extended: false, channel: 0) == "A_Engine")
        #expect(name(decoder, 0x100, extended: false, channel: 1) == "B_Door")
        #expect(name(decoder, 0x100, extended: false, channel: 2) == "B_Door")
        #expect(name(decoder, 0x100, extended: false, channel: 3) == nil)   // the truck DBC has no 0x100
        #expect(name(decoder, 0x200, extended: false, channel: 5) == nil)   // unbound: the powertrain only
        #expect(name(decoder, 0x200, extended: false, channel: 1) == "B_Light")
        #expect(name(decoder, 0x18FE_F1FE, channel: 3) == "CCVS_Engine")    // J1939 on channel 3 ...
        #expect(name(decoder, 0x18FE_F1FE, channel: 0) == "A_Ext")          // ... the whole id elsewhere
        #expect(name(decoder, 0x18FE_F1FD, channel: 0) == nil)
        #expect(name(decoder, 0x18FE_F1FD, channel: 3) == "CCVS_Engine")
        #expect(name(decoder, 0x123, extended: false, channel: 3) == "Std123")
        // Channels no database is bound to, however numbered, and the channel-less lookup: the unbound one.
        for channel: Int32 in [4, 65535, 70000, -1, .max, .min] {
            #expect(name(decoder, 0x100, extended: false, channel: channel) == "A_Engine", "\(channel)")
        }
        #expect(name(decoder, 0x100, extended: false) == "A_Engine")
    }

    @Test func databasesOfOneChannelAreAskedInOrder() throws {
        let decoder = try decoder((Self.body, [4], false), (Self.powertrain, [4, 6], false))
        #expect(name(decoder, 0x100, extended: false, channel: 4) == "B_Door")
        #expect(name(decoder, 0x18FE_F1FE, channel: 4) == "A_Ext")          // the body DBC has none: the next
        #expect(name(decoder, 0x100, extended: false, channel: 6) == "A_Engine")
        // Every database bound: other channels decode nothing.
        #expect(name(decoder, 0x100, extended: false, channel: 0) == nil)
        #expect(name(decoder, 0x200, extended: false, channel: 5) == nil)
        #expect(name(decoder, 0x100, extended: false) == nil)
    }

    /// The first database with a matching message decodes the frame, even when
    /// none of its signals fits; the later ones are not asked.
    @Test func theFirstUnboundDatabaseWithTheMessageWins() throws {
        let decoder = try decoder((Self.powertrain, [], false), (Self.body, [], false))
        #expect(name(decoder, 0x100, extended: false, channel: 9) == "A_Engine")
        #expect(name(decoder, 0x200, extended: false, channel: 9) == "B_Light")
        #expect(decoder.decode(id: 0x100, isExtended: false, channel: 9, bytes: [1]).isEmpty)
        #expect(decoder.decode(id: 0x200, isExtended: false, channel: 9, bytes: [1]).map(\.name) == ["On"])
        let reversed = try self.decoder((Self.body, [], false), (Self.powertrain, [], false))
        #expect(reversed.decode(id: 0x100, isExtended: false, channel: 9, bytes: [1]).map(\.name) == ["Open"])
    }

    /// A J1939 database before a plain one claims its groups' frames, whole ids of the later one included.
    @Test func aJ1939DatabaseAndAPlainOneOnOneChannel() throws {
        let j1939First = try decoder((Self.truck, [9], false), (Self.powertrain, [9], false))
        #expect(name(j1939First, 0x18FE_F1FE, channel: 9) == "CCVS_Engine")
        #expect(name(j1939First, 0x100, extended: false, channel: 9) == "A_Engine")
        let plainFirst = try decoder((Self.powertrain, [10], false), (Self.truck, [10], false))
        #expect(name(plainFirst, 0x18FE_F1FE, channel: 10) == "A_Ext")
        #expect(name(plainFirst, 0x18FE_F1FD, channel: 10) == "CCVS_Engine")
        #expect(name(plainFirst, 0x18FE_F117, channel: 10) == "CCVS_Cab")
    }

    @Test func signalsAreNamedByGlobalIndex() throws {
        let decoder = try decoder((Self.body, [1], false), (Self.truck, [3], false))
        var batch = DBCSignalBatch(capacity: 8)
        let bytes: [UInt8] = [0, 0x40, 0x1F, 0, 0, 0, 0, 0]
        let rows = bytes.withUnsafeBytes {
            decoder.decode(id: 0x18FE_F142, isExtended: true, channel: 3, bytes: $0, frameIndex: 7, into: &batch)
        }
        #expect(rows == 1 && batch.count == 1 && batch.frameIndex(at: 0) == 7)
        let signal = batch.signalIndex(at: 0)
        #expect(decoder.signal(at: signal).name == "WheelSpeed" && decoder.message(ofSignalAt: signal).name == "CCVS_Engine")
        #expect(decoder.signalRange(ofMessageAt: 3) == 3..<4)   // CCVS_Engine: after Open, On, EngineSpeed
        #expect(batch.value(at: 0) == Double(0x1F40) * 0.00390625)
        #expect(decoder.decode(id: 0x18FE_F142, isExtended: true, channel: 1, bytes: bytes).isEmpty)
    }
}
