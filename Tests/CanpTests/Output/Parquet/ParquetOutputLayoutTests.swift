import Testing
@testable import Canp

/// The tables of spec/PARQUET.md as the layout builds them from a DBC.
@Suite("ParquetOutputLayout")
struct ParquetOutputLayoutTests {
    /// Multiplexing, value tables, names that collide, a shared message name, floats, signed and wide signals.
    static let dbc = """
    VERSION ""

    BS_:

    BU_: ECU

    BO_ 256 Engine: 8 ECU
     SG_ Speed : 0|16@1+ (0.01,0) [0|600] "km/h" ECU
     SG_ Torque : 16|12@1- (0.5,0) [-1000|1000] "Nm" ECU
     SG_ Mode : 28|3@1+ (1,0) [0|7] "" ECU
     SG_ Mode_label : 31|1@1+ (1,0) [0|1] "" ECU
     SG_ file : 32|8@1+ (1,0) [0|255] "" ECU
     SG_ Big : 40|24@1+ (0.1,0) [0|1000000] "" ECU

    BO_ 257 Cells: 8 ECU
     SG_ Group M : 0|8@1+ (1,0) [0|3] "" ECU
     SG_ Volt0 m0 : 8|16@1+ (0.001,0) [0|5] "V" ECU
     SG_ Temp0 m1 : 8|8@1- (1,-40) [-40|100] "C" ECU
     SG_ Ratio : 32|32@1+ (1,0) [0|1] "" ECU

    BO_ 2566844926 Engine: 8 ECU
     SG_ Load : 0|8@1+ (0.4,0) [0|100] "%" ECU

    BO_ 512 Counter_Only: 2 ECU
     SG_ Counter : 0|4@1+ (1,0) [0|15] "" ECU

    VAL_ 256 Mode 0 "Off" 1 "On" 2 "Error" 5 "On";
    SIG_VALTYPE_ 257 Ratio : 1;
    """

    static func layout() throws -> (ParquetOutputLayout, DBCDecoder) {
        let decoder = try DBCDatabase(string: dbc).compile()
        return (try ParquetOutputLayout(inputNames: ["a.bin", "b.bin"], decoder: decoder), decoder)
    }

    @Test func framesAndErrorsHaveTheColumnsOfTheSpec() throws {
        let (layout, _) = try Self.layout()
        #expect(layout.frames.columns.map(\.name) == ["file", "block", "timestamp", "timestamp_ns", "channel", "can_id", "extended", "rtr",
                                                      "err", "fd", "brs", "esi", "length", "data", "message"])
        let types = layout.frames.columns.map(\.physicalType)
        #expect(types == [.byteArray, .int64, .int64, .int64, .int32, .int64, .boolean, .boolean, .boolean, .boolean, .boolean, .boolean,
                          .int32, .byteArray, .byteArray])
        #expect(layout.frames.columns.filter(\.isOptional).map(\.name) == ["message"])
        #expect(layout.frames.columns[2].logicalType == .timestampMicrosecondsUTC)
        #expect(layout.frames.columns[0].logicalType == .string && layout.frames.columns[14].logicalType == .string)
        #expect(layout.errors.columns.map(\.name) == ["file", "block", "offset", "level", "reason"])
        #expect(layout.errors.columns.allSatisfy { !$0.isOptional })
    }

    @Test func messageTablesEscapeAndDisambiguateTheirNames() throws {
        let (layout, _) = try Self.layout()
        #expect(layout.signalTables.map(\.directoryName) == ["Engine", "Cells", "Engine__0x18FEF1FE", "Counter_Only"])
        // Names the DBC parser takes are identifiers; other producers of DBCDatabase may give any text.
        #expect(ParquetOutputLayout.escapedName("a b%-_Z9") == "a%20b%25-_Z9")
        #expect(ParquetOutputLayout.escapedName("Odd/Näme\u{1}") == "Odd%2FN%C3%A4me%01")
        let odd = DBCDatabase(messages: [DBCMessage(id: 5, isExtended: false, name: "x.y", length: 1, signals: [])])
        #expect(try ParquetOutputLayout(inputNames: [], decoder: odd.compile()).signalTables.map(\.directoryName) == ["x%2Ey"])
    }

    @Test func signalColumnsFollowTheKeysWithLabelsAndFreeNames() throws {
        let (layout, _) = try Self.layout()
        let engine = layout.signalTables[0].schema.columns
        // Mode has a value table: Mode_label follows it, so the signal named Mode_label becomes Mode_label_;
        // the signal named file collides with a key column.
        #expect(engine.map(\.name) == ["file", "block", "timestamp", "timestamp_ns", "channel",
                                       "Speed", "Torque", "Mode", "Mode_label", "Mode_label_", "file_", "Big"])
        #expect(engine[8].physicalType == .byteArray && engine[8].logicalType == .string && engine[8].isOptional)
        #expect(engine[5...].allSatisfy { $0.isOptional })
        #expect(engine[..<5].allSatisfy { !$0.isOptional })
        #expect(engine[5...].filter { $0.name != "Mode_label" }.allSatisfy { $0.physicalType == .double })
        // Two raw values share the text "On": the label dictionary holds each text once.
        #expect(engine[8].dictionary?.count == 3)
    }

    @Test func valueEncodingsFollowTheSignalsType() throws {
        let (layout, _) = try Self.layout()
        let engine = layout.signalTables[0].signals.map(\.encoding)
        // Speed: 16 bits, scale 0.01: raw index. Torque: signed, scale 0.5 (a power of two), 12 bits: split.
        // Mode, Mode_label, file: up to 8 bits: raw index. Big: 24 bits, scale 0.1: plain.
        #expect(engine == [.rawIndex, .byteStreamSplit, .rawIndex, .rawIndex, .rawIndex, .plain])
        let cells = layout.signalTables[1].signals.map(\.encoding)
        // Group: 8 bits; Volt0: 16 bits scale 0.001; Temp0: signed 8 bits (zigzag); Ratio: a float.
        #expect(cells == [.rawIndex, .rawIndex, .zigzagIndex, .byteStreamSplit])
        #expect(layout.signalTables[1].schema.columns[6].dictionary?.count == 1 << 16)
    }

    @Test func withoutADBCThereAreNoMessageTables() throws {
        let layout = try ParquetOutputLayout(inputNames: ["x"], decoder: nil)
        #expect(layout.signalTables.isEmpty)
        #expect(layout.frames.columns[14].dictionary?.count == 0)
    }
}
