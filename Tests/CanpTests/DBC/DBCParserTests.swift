import Testing
@testable import Canp

/// Parses DBC text; fails the test with the error when it does not parse.
func parseDBC(_ text: String) throws -> DBCDatabase {
    try DBCDatabase(string: text)
}

func warnings(_ database: DBCDatabase, _ kind: DBCWarning.Kind) -> [DBCWarning] {
    database.warnings.filter { $0.kind == kind }
}

/// Expects a syntax error and returns its line, column and expectation.
func syntaxError(_ text: String) -> (line: Int, column: Int, expected: String)? {
    do {
        _ = try DBCDatabase(string: text)
        return nil
    } catch {
        if case let .syntax(_, line, column, expected, _) = error { return (line, column, expected) }
        return nil
    }
}

@Suite struct DBCParserTests {
    static let full = """
        VERSION "1.2"

        NS_ :
            NS_DESC_
            CM_
            BA_DEF_
            SG_MUL_VAL_

        BS_:

        BU_: ECU BCM ABS
        VAL_TABLE_ OnOff 1 "On" 0 "Off" ;

        BO_ 256 Engine: 8 ECU
         SG_ Speed : 0|16@1+ (0.25,0) [0|16383.75] "rpm" BCM,ABS
         SG_ Temp : 23|8@0- (1,-40) [-40|215] "degC" BCM
         SG_ Ratio : 32|32@1- (1,0) [0|0] "" Vector__XXX

        BO_ 2566844926 J1939Msg: 8 ECU
         SG_ Mode M : 0|2@1+ (1,0) [0|3] "" BCM
         SG_ A m0 : 8|8@1+ (1,0) [0|0] "" BCM
         SG_ B m1 : 8|16@1+ (1,0) [0|0] "" BCM
         SG_ Level m1M : 2|2@1+ (1,0) [0|0] "" BCM

        BO_ 512 Fd: 64 ABS
         SG_ Wide : 7|64@0+ (2,1) [0|0] "" BCM

        BO_TX_BU_ 256 : ECU,BCM;
        EV_ EnvVar: 0 [0|100] "" 0 1 DUMMY_NODE_VECTOR0 Vector__XXX;
        CM_ "network ";
        CM_ "comment";
        CM_ BU_ ECU "engine controller";
        CM_ BO_ 256 "engine data";
        CM_ SG_ 256 Speed "engine speed";
        BA_DEF_ BO_ "GenMsgCycleTime" INT 0 65535;
        BA_DEF_ BO_ "VFrameFormat" ENUM "StandardCAN","ExtendedCAN","StandardCAN_FD","ExtendedCAN_FD";
        BA_DEF_ SG_ "SystemSignalLongSymbol" STRING ;
        BA_DEF_ "BusType" STRING ;
        BA_DEF_ BU_ "NodeLayer" HEX 0 255;
        BA_DEF_ EV_ "Ev" FLOAT 0 1.5;
        BA_DEF_DEF_ "GenMsgCycleTime" 100;
        BA_DEF_DEF_ "VFrameFormat" "StandardCAN";
        BA_ "BusType" "CAN FD";
        BA_ "NodeLayer" BU_ ECU 7;
        BA_ "GenMsgCycleTime" BO_ 256 20;
        BA_ "VFrameFormat" BO_ 512 2;
        BA_ "SystemSignalLongSymbol" SG_ 512 Wide "WideSignalWithALongName";
        VAL_ 256 Temp -40 "cold" 0 "zero" 100 "hot, very" ;
        VAL_ EnvVar 0 "x" ;
        SIG_VALTYPE_ 256 Ratio : 1;
        """

    @Test func parsesEveryConstruct() throws {
        let db = try parseDBC(Self.full)
        #expect(db.version == "1.2")
        #expect(db.nodes == ["ECU", "BCM", "ABS"])
        #expect(db.messages.map(\.name) == ["Engine", "J1939Msg", "Fd"])
        #expect(db.valueTables.count == 1 && db.valueTables[0].name == "OnOff")
        #expect(db.valueTables[0].entries == [DBCValueDescription(value: 1, text: "On"), DBCValueDescription(value: 0, text: "Off")])
        #expect(db.comment == "network comment")
        #expect(db.nodeComments["ECU"] == "engine controller")
        #expect(db.attributes["BusType"] == .string("CAN FD"))
        #expect(db.nodeAttributes["ECU"]?["NodeLayer"] == .integer(7))
        #expect(db.attributeDefinitions.map(\.name) == ["GenMsgCycleTime", "VFrameFormat", "SystemSignalLongSymbol", "BusType", "NodeLayer", "Ev"])
        #expect(db.attributeDefinitions[0].valueType == .integer(minimum: 0, maximum: 65535))
        #expect(db.attributeDefinitions[0].defaultValue == .integer(100))
        #expect(db.attributeDefinitions[4].valueType == .hex(minimum: 0, maximum: 255))
        #expect(db.attributeDefinitions[5].valueType == .float(minimum: 0, maximum: 1.5))
        #expect(db.attributeDefinitions[5].objectKind == .environmentVariable)
        #expect(db.warnings.isEmpty, "\(db.warnings)")

        let engine = db.messages[0]
        #expect(engine.id == 256 && !engine.isExtended && engine.length == 8 && engine.transmitter == "ECU")
        #expect(engine.comment == "engine data")
        #expect(engine.cycleTime == 20)
        #expect(!engine.isFD)
        let speed = engine.signals[0]
        #expect(speed.name == "Speed" && speed.startBit == 0 && speed.length == 16)
        #expect(speed.byteOrder == .littleEndian && !speed.isSigned && speed.scale == 0.25 && speed.offset == 0)
        #expect(speed.minimum == 0 && speed.maximum == 16383.75 && speed.unit == "rpm")
        #expect(speed.receivers == ["BCM", "ABS"])
        #expect(speed.comment == "engine speed")
        let temp = engine.signals[1]
        #expect(temp.byteOrder == .bigEndian && temp.isSigned && temp.offset == -40)
        #expect(temp.valueDescriptions.map(\.text) == ["cold", "zero", "hot, very"])
        #expect(temp.label(forRawValue: -40) == "cold")
        let ratio = engine.signals[2]
        #expect(ratio.valueType == .float && ratio.minimum == nil && ratio.maximum == nil && ratio.receivers.isEmpty)

        let j1939 = db.messages[1]
        #expect(j1939.isExtended && j1939.id == 0x18FE_F1FE && j1939.rawIdentifier == 2_566_844_926)
        #expect(j1939.cycleTime == 100, "the BA_DEF_DEF_ default")
        let mode = j1939.signals[0], a = j1939.signals[1], b = j1939.signals[2], level = j1939.signals[3]
        #expect(mode.marker == .multiplexer && mode.isMultiplexer && mode.multiplexerSignalName == nil)
        // Two multiplexers (M and m1M) make this extended multiplexing; without SG_MUL_VAL_
        // no signal has a multiplexer (cantools 45.1.0 resolves it the same way).
        #expect(a.marker == .multiplexed(0) && a.multiplexerSignalName == nil && a.multiplexerValues == nil)
        #expect(b.marker == .multiplexed(1) && b.multiplexerSignalName == nil)
        #expect(level.marker == .multiplexedMultiplexer(1) && level.isMultiplexer)

        let fd = db.messages[2]
        #expect(fd.isFD && fd.length == 64)
        #expect(fd.signals[0].name == "WideSignalWithALongName" && fd.signals[0].shortName == "Wide")
    }

    @Test func simpleMultiplexingFollowsTheOnlyMultiplexer() throws {
        let db = try parseDBC("""
            BO_ 10 M: 8 X
             SG_ Sel M : 0|8@1+ (1,0) [0|0] "" X
             SG_ One m1 : 8|8@1+ (1,0) [0|0] "" X
             SG_ Two m2 : 8|8@1+ (1,0) [0|0] "" X
             SG_ Always : 16|8@1+ (1,0) [0|0] "" X
            """)
        let signals = db.messages[0].signals
        #expect(signals.map(\.multiplexerSignalName) == [nil, "Sel", "Sel", nil])
        #expect(signals.map(\.multiplexerValues) == [nil, [1...1], [2...2], nil])
        #expect(db.messages[0].isMultiplexed)
    }

    @Test func extendedMultiplexingComesFromSignalMultiplexerValues() throws {
        let db = try parseDBC("""
            BO_ 100 Ext: 8 A
             SG_ S0 M : 0|4@1+ (1,0) [0|0] "" A
             SG_ S1 m0M : 4|4@1+ (1,0) [0|0] "" A
             SG_ S2 m3 : 8|8@1+ (1,0) [0|0] "" A
             SG_ S3 m1 : 8|8@1+ (1,0) [0|0] "" A
            SG_MUL_VAL_ 100 S1 S0 0-0;
            SG_MUL_VAL_ 100 S2 S1 2-4, 6-6;
            SG_MUL_VAL_ 100 S3 S0 1-2;
            """)
        let s = db.messages[0].signals
        #expect(s[1].multiplexerSignalName == "S0" && s[1].multiplexerValues == [0...0])
        #expect(s[2].multiplexerSignalName == "S1" && s[2].multiplexerValues == [2...4, 6...6])
        #expect(s[3].multiplexerSignalName == "S0" && s[3].multiplexerValues == [1...2])
    }

    @Test func valueTypesAndCanFDFromIntegerFrameFormat() throws {
        let db = try parseDBC("""
            BO_ 1 D: 16 X
             SG_ F : 0|32@1- (1,0) [0|0] "" X
             SG_ G : 32|64@1- (1,0) [0|0] "" X
            BA_DEF_ BO_ "VFrameFormat" INT 0 15;
            BA_DEF_DEF_ "VFrameFormat" 14;
            SIG_VALTYPE_ 1 F : 1;
            SIG_VALTYPE_ 1 G : 2;
            """)
        #expect(db.messages[0].signals.map(\.valueType) == [.float, .float])
        #expect(db.messages[0].isFD, "default 14 is StandardCAN_FD")
    }

    @Test func syntaxErrorNamesLineColumnAndExpectation() {
        let missingColon = syntaxError("VERSION \"\"\n\nBO_ 100 Msg 8 X\n")
        #expect(missingColon?.line == 3)
        #expect(missingColon?.column == 13)
        #expect(missingColon?.expected == "':' after the message name")

        let badSignal = syntaxError("BO_ 1 M: 8 X\n SG_ S : 0|8@2+ (1,0) [0|0] \"\" X\n")
        #expect(badSignal?.line == 2 && badSignal?.column == 14 && badSignal?.expected == "byte order 0 or 1")

        let unterminated = syntaxError("BO_ 1 M: 8 X\nCM_ BO_ 1 \"never\nclosed;\n")
        #expect(unterminated?.line == 2 && unterminated?.column == 11)

        let unknown = syntaxError("VERSION \"\"\nHELLO_ world;\n")
        #expect(unknown?.line == 2 && unknown?.column == 1)

        let missingSemicolon = syntaxError("VAL_ 1 S 0 \"a\" 1 \"b\" BO_")
        #expect(missingSemicolon?.line == 1 && missingSemicolon?.expected == "';'")
    }

    @Test func errorDescriptionNamesTheFile() {
        let error = DBCError.syntax(file: "x.dbc", line: 3, column: 7, expected: "';'", found: "'BO_'")
        #expect(error.description == "x.dbc:3:7: syntax error: expected ';', found 'BO_'")
    }

    @Test func unreadableFileThrows() {
        #expect(throws: DBCError.unreadableFile(path: "/nonexistent/x.dbc", reason: "No such file or directory")) {
            _ = try DBCDatabase(contentsOfFile: "/nonexistent/x.dbc")
        }
    }

    // MARK: Leniencies, each with its warning

    @Test func standardIdAboveElevenBitsIsTakenAsExtended() throws {
        let db = try parseDBC("BU_: X\nBO_ 275480576 WheelSpeed: 8 X\nBO_ 1075054137 TooWide: 8 X\n")
        #expect(db.messages.count == 1)
        #expect(db.messages[0].isExtended && db.messages[0].id == 275_480_576)
        #expect(warnings(db, .extendedIdWithoutFlag).map(\.line) == [2])
        #expect(warnings(db, .identifierOutOfRange).map(\.line) == [3])
    }

    @Test func numbersWithoutLeadingDigit() throws {
        let db = try parseDBC("BO_ 1 M: 8 X\n SG_ T : 4|13@0+ (.25,-.5) [-500|1547.5] \"NM\" X\n")
        #expect(db.messages[0].signals[0].scale == 0.25)
        #expect(db.messages[0].signals[0].offset == -0.5)
        #expect(warnings(db, .numberWithoutLeadingDigit).map(\.line) == [2, 2])
    }

    @Test func commentsWithoutTarget() throws {
        let db = try parseDBC("BO_ 304 M: 8 X\n SG_ S : 0|8@1+ (1,0) [0|0] \"\" X\nCM_ SG_ 304 \"no signal\";\nCM_ 304 \"no BO_\";\n")
        #expect(db.messages[0].comment == "no BO_")
        #expect(warnings(db, .commentWithoutTarget).map(\.line) == [3, 4])
    }

    @Test func namesStartingWithDigits() throws {
        let db = try parseDBC("BO_ 1275 2017_5: 8 XXX\n SG_ 0_COUNTER : 35|4@0+ (1,0) [0|255] \"\" XXX\n")
        #expect(db.messages[0].name == "2017_5" && db.messages[0].signals[0].name == "0_COUNTER")
        #expect(warnings(db, .nameStartsWithDigit).map(\.line) == [1, 2])
    }

    @Test func windows1252Text() throws {
        var bytes = Array("BO_ 1 M: 8 X\n SG_ T : 0|8@1+ (1,0) [0|0] \"".utf8)
        bytes += [0xB0, 0x43, 0x80]   // "°C€" in Windows-1252
        bytes += Array("\" X\nVAL_ 1 T 0 \"gr".utf8) + [0xFC, 0xDF] + Array("\";\n".utf8)
        let db = try DBCDatabase(bytes: bytes)
        #expect(db.isWindows1252)
        #expect(db.messages[0].signals[0].unit == "°C€")
        #expect(db.messages[0].signals[0].valueDescriptions[0].text == "grüß")
        #expect(warnings(db, .legacyEncoding).map(\.line) == [2])
    }

    @Test func utf8TextStaysUTF8() throws {
        let db = try parseDBC("BO_ 1 M: 8 X\n SG_ T : 0|8@1+ (1,0) [0|0] \"°C\" X\n")
        #expect(db.messages[0].signals[0].unit == "°C")
        #expect(!db.isWindows1252 && db.warnings.isEmpty)
    }

    @Test func crlfLineEnds() throws {
        let db = try parseDBC("VERSION \"\"\r\nBO_ 1 M: 8 X\r\n SG_ T : 0|8@1+ (1,0) [0|0] \"\" X\r\nCM_ SG_ 1 T \"x\";\r\n")
        #expect(db.messages[0].signals[0].comment == "x")
        #expect(warnings(db, .crlfLineEnds).map(\.line) == [1])
    }

    @Test func descriptionsOfMissingSignalsAreIgnored() throws {
        let db = try parseDBC("""
            BO_ 1 M: 8 X
             SG_ T : 0|8@1+ (1,0) [0|0] "" X
            VAL_ 1 T 0 "zero" ;
            VAL_ 99 Ghost 0 "a" ;
            SIG_VALTYPE_ 1 Phantom : 1;
            """)
        #expect(db.messages[0].signals[0].valueDescriptions.count == 1)
        #expect(warnings(db, .unknownTarget).map(\.line).sorted() == [4, 5])
    }

    @Test func missingSemicolonBeforeTheNextKeyword() throws {
        let db = try parseDBC("CM_ \"Front target\"\nBO_ 1664 CLUSTER_F: 8 RADAR\n")
        #expect(db.comment == "Front target" && db.messages.count == 1)
        #expect(warnings(db, .missingSemicolon).map(\.line) == [1])
    }

    @Test func unsupportedStatementsAreSkipped() throws {
        let db = try parseDBC("BO_ 1 M: 8 X\nSGTYPE_ T : 8@1+ (1,0) [0|0] \"\" 0, Vector__XXX;\nCAT_DEF_ 1 X 0;\n")
        #expect(db.messages.count == 1)
        #expect(warnings(db, .unsupportedStatement).map(\.line) == [2, 3])
    }

    @Test func undecodableSignalsAreKeptWithAWarning() throws {
        let db = try parseDBC("BO_ 1 M: 16 X\n SG_ Z : 0|0@1+ (1,0) [0|0] \"\" X\n SG_ H : 0|65@1+ (1,0) [0|0] \"\" X\n")
        #expect(db.messages[0].signals.count == 2)
        #expect(warnings(db, .undecodableSignal).map(\.line) == [2, 3])
    }

    @Test func duplicateIdentifierUsesTheLaterMessage() throws {
        let db = try parseDBC("BO_ 5 First: 8 X\nBO_ 5 Second: 8 X\n")
        #expect(db.message(id: 5, isExtended: false)?.name == "Second")
        #expect(db.compile().messageIndex(id: 5, isExtended: false) == 1)
        #expect(warnings(db, .duplicateMessageIdentifier).map(\.line) == [2])
    }

    @Test func independentSignalContainerIsDropped() throws {
        let db = try parseDBC("BO_ 3221225472 VECTOR__INDEPENDENT_SIG_MSG: 0 Vector__XXX\n SG_ A : 0|8@1+ (1,0) [0|0] \"\" X\n")
        // Dropped without a word of its own; the file is then one without messages.
        #expect(db.messages.isEmpty && db.warnings.map(\.kind) == [.noMessages])
    }

    @Test func loadsTheCorpusLikeCantoolsAndMore() throws {
        // A file cantools refuses (ids above 0x7FF without the extended bit) loads with warnings.
        // #filePath is <repo>/Tests/CanpTests/DBC/DBCParserTests.swift; the corpus is <repo>/../shared.
        let repository = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(4).joined(separator: "/")
        let path = repository + "/../shared/dbc-corpus/opendbc/gm_global_a_lowspeed.dbc"
        let db = try DBCDatabase(contentsOfFile: path)
        #expect(!db.messages.isEmpty)
        #expect(!warnings(db, .extendedIdWithoutFlag).isEmpty)
    }
}


/// Corner cases of issue 12 against cantools 45.1.0 (expected values from its decode()).
@Suite struct DBCParserCornerCaseTests {
    static let wide = """
        VERSION ""

        BU_: A

        BO_ 100 Big: 8 A
         SG_ U64 : 0|64@1+ (1,0) [0|0] "" A

        BO_ 101 Mux: 16 A
         SG_ Sel M : 0|64@1+ (1,0) [0|0] "" A
         SG_ Hi m18446744073709551615 : 64|8@1+ (1,0) [0|0] "" A
         SG_ Lo m1 : 72|8@1+ (1,0) [0|0] "" A

        BO_ 102 S64: 8 A
         SG_ I64 : 0|64@1- (1,0) [0|0] "" A

        BO_ 200 Ext: 16 A
         SG_ Sel M : 0|64@1+ (1,0) [0|0] "" A
         SG_ Top m0 : 64|8@1+ (1,0) [0|0] "" A
         SG_ Rest m1 : 72|8@1+ (1,0) [0|0] "" A

        VAL_ 100 U64 18446744073709551615 "max" 9223372036854775808 "half" 1180591620717411303424 "huge" -1 "minus" 1 "one";
        VAL_ 102 I64 18446744073709551615 "max" -1 "minus" -9223372036854775808 "min" -9223372036854775809 "below";
        SG_MUL_VAL_ 200 Top Sel 18446744073709551614-18446744073709551615;
        SG_MUL_VAL_ 200 Rest Sel 1-3;
        """

    /// A `VAL_` entry or multiplexer value above Int64.max is kept, as cantools keeps it.
    @Test func valuesAboveInt64MaxAreKept() throws {
        let db = try parseDBC(Self.wide)
        #expect(db.warnings.isEmpty, "\(db.warnings)")
        #expect(db.messages[0].signals[0].valueDescriptions.map(\.text) == ["max", "half", "huge", "minus", "one"])
        #expect(db.messages[2].signals[0].valueDescriptions.map(\.text) == ["max", "minus", "min", "below"])
        let decoder = db.compile()
        let ff = [UInt8](repeating: 0xFF, count: 8)
        #expect(decodeFrame(decoder, 100, ff)["U64"]?.label == "max")
        #expect(decodeFrame(decoder, 100, [0, 0, 0, 0, 0, 0, 0, 0x80])["U64"]?.label == "half")
        #expect(decodeFrame(decoder, 100, [1, 0, 0, 0, 0, 0, 0, 0])["U64"]?.label == "one")
        // The signed signal's -1 is not 2^64-1.
        #expect(decodeFrame(decoder, 102, ff)["I64"]?.label == "minus")
        #expect(decodeFrame(decoder, 102, [0, 0, 0, 0, 0, 0, 0, 0x80])["I64"]?.label == "min")
    }

    @Test func multiplexerValuesAboveInt64MaxSelect() throws {
        let decoder = try parseDBC(Self.wide).compile()
        let tail: [UInt8] = [5, 6, 0, 0, 0, 0, 0, 0]
        #expect(names(decoder, 101, [UInt8](repeating: 0xFF, count: 8) + tail) == ["Sel", "Hi"])
        #expect(decodeFrame(decoder, 101, [UInt8](repeating: 0xFF, count: 8) + tail)["Hi"]?.raw == .unsigned(5))
        #expect(names(decoder, 101, [1, 0, 0, 0, 0, 0, 0, 0] + tail) == ["Sel", "Lo"])
        // SG_MUL_VAL_ ranges up to 2^64-1 (cantools: Top for 0, 2^64-2 and 2^64-1).
        #expect(names(decoder, 200, [0xFE] + [UInt8](repeating: 0xFF, count: 7) + tail) == ["Sel", "Top"])
        #expect(names(decoder, 200, [UInt8](repeating: 0xFF, count: 8) + tail) == ["Sel", "Top"])
        #expect(names(decoder, 200, [0xFD] + [UInt8](repeating: 0xFF, count: 7) + tail) == ["Sel"])
        #expect(names(decoder, 200, [2, 0, 0, 0, 0, 0, 0, 0] + tail) == ["Sel", "Rest"])
    }

    @Test func aDatabaseWithoutMessagesIsWarnedAbout() throws {
        for text in ["VERSION \"\"\n\nBU_: A\n", "", "BO_ 3221225472 OutOfRange: 8 A\n"] {
            let db = try parseDBC(text)
            #expect(warnings(db, .noMessages).map(\.message) == ["the file defines no messages: no frame is decoded with it"],
                    "\(db.warnings)")
        }
        #expect(!(try parseDBC("BO_ 1 M: 8 A\n")).warnings.contains { $0.message.contains("no messages") })
    }

    @Test func aSignalOutsideItsMessageIsWarnedAbout() throws {
        let db = try parseDBC("""
            BO_ 1 M: 8 A
             SG_ Inside : 56|8@1+ (1,0) [0|0] "" A
             SG_ Past : 60|8@1+ (1,0) [0|0] "" A
             SG_ Motorola : 63|16@0+ (1,0) [0|0] "" A
             SG_ Before : -1|8@1+ (1,0) [0|0] "" A
            BO_ 2 Empty: 0 A
             SG_ Any : 0|1@1+ (1,0) [0|0] "" A
            """)
        let outside = db.warnings.filter { $0.message.contains("outside") }
        #expect(outside.map(\.line) == [3, 4, 5, 7], "\(db.warnings)")
        #expect(outside.map(\.message) == [
            "signal M.Past needs 9 bytes and lies outside message M of 8 bytes: never decoded",
            "signal M.Motorola needs 9 bytes and lies outside message M of 8 bytes: never decoded",
            "signal M.Before starts at bit -1 and lies outside message M: never decoded",
            "signal Empty.Any needs 1 byte and lies outside message Empty of 0 bytes: never decoded",
        ])
        #expect(outside.allSatisfy { $0.kind == .signalOutsideMessage })
        let long = try parseDBC("BO_ 1 Long: 100 A\n SG_ Far : 560|8@1+ (1,0) [0|0] \"\" A\n SG_ Near : 504|8@1+ (1,0) [0|0] \"\" A\n")
        #expect(warnings(long, .signalOutsideMessage).map(\.message)
                == ["signal Long.Far needs 71 bytes and lies past the 64 bytes a frame carries: never decoded"])
    }
}
