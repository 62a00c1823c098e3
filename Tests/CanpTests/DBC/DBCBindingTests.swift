import Foundation
import Testing
@testable import Canp

@Suite struct DBCBindingTests {
    func split(_ text: String) throws -> (String, [Int32]) {
        let result = try DBCBinding.splitArgument(text)
        return (result.path, result.channels)
    }

    @Test func theLastAtFollowedByChannelsSplits() throws {
        #expect(try split("bus.dbc") == ("bus.dbc", []))
        #expect(try split("bus.dbc@1,2") == ("bus.dbc", [1, 2]))
        #expect(try split("bus.dbc@0") == ("bus.dbc", [0]))
        #expect(try split("x@1@2") == ("x@1", [2]))
        #expect(try split("/data/a@b/bus.dbc@3,1,3") == ("/data/a@b/bus.dbc", [3, 1]))
        #expect(try split("bus.dbc@65535") == ("bus.dbc", [65535]))
    }

    @Test func anAtNotFollowedByAChannelListIsPartOfThePath() throws {
        for path in ["logs@home/bus.dbc", "bus@", "bus@1,,2", "bus@1,2,", "bus@,1", "bus@ 1", "bus@1a", "bus@-1", "bus@\u{0663}", "@x"] {
            #expect(try split(path) == (path, []), "\(path)")
        }
        #expect(try split("@1") == ("", [1]))
    }

    @Test func aChannelAboveTheMaximumIsRefused() {
        #expect(throws: DBCBinding.ArgumentError.channelOutOfRange(argument: "bus@1,65536", channel: "65536")) {
            try DBCBinding.splitArgument("bus@1,65536")
        }
        #expect(throws: DBCBinding.ArgumentError.channelOutOfRange(argument: "bus@99999999999999999999", channel: "99999999999999999999")) {
            try DBCBinding.splitArgument("bus@99999999999999999999")
        }
        #expect(DBCBinding.ArgumentError.channelOutOfRange(argument: "b@70000", channel: "70000").description
                == "b@70000: channel 70000 is not in 0...65535")
    }

    @Test func j1939IsReadFromProtocolTypeOnly() throws {
        let header = "BA_DEF_ \"ProtocolType\" STRING ;\n"
        #expect(try parseDBC(header + "BA_ \"ProtocolType\" \"J1939\";\n").declaresJ1939)
        #expect(!(try parseDBC(header + "BA_ \"ProtocolType\" \"GMLAN\";\n").declaresJ1939))
        #expect(!(try parseDBC(header + "BA_ \"ProtocolType\" \"j1939\";\n").declaresJ1939))
        #expect(!(try parseDBC(header + "BA_ \"ProtocolType\" \"J1939 \";\n").declaresJ1939))
        // A default alone does not count, nor does a message's VFrameFormat.
        #expect(!(try parseDBC(header + "BA_DEF_DEF_ \"ProtocolType\" \"J1939\";\n").declaresJ1939))
        let frameFormat = try parseDBC("""
            BO_ 2566844672 CCVS: 8 X
            BA_DEF_ BO_ "VFrameFormat" ENUM "StandardCAN","ExtendedCAN","reserved","J1939PG";
            BA_ "VFrameFormat" BO_ 2566844672 3;
            """)
        #expect(!frameFormat.declaresJ1939)
        // An ENUM attribute counts by its choice's name; an undefined one as written.
        #expect(try parseDBC("BA_DEF_ \"ProtocolType\" ENUM \"CAN\",\"J1939\";\nBA_ \"ProtocolType\" 1;\n").declaresJ1939)
        #expect(try parseDBC("BA_ \"ProtocolType\" \"J1939\";\n").declaresJ1939)
        #expect(DBCBinding(database: frameFormat, forcesJ1939: true).isJ1939)
        #expect(!DBCBinding(database: frameFormat).isJ1939)
    }

    /// DECODING.md acceptance: no DBC of the corpus declares J1939 (nine declare GMLAN, nine default to J1939).
    @Test func noCorpusDatabaseIsReadAsJ1939() throws {
        // #filePath is <repo>/Tests/CanpTests/DBC/DBCBindingTests.swift; the corpus is <repo>/../shared.
        let repository = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(4).joined(separator: "/")
        let root = repository + "/../shared/dbc-corpus"
        let paths = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".dbc") }.map { root + "/" + $0 }
        try #require(paths.count == 182)
        var gmlan = 0
        for path in paths {
            guard let database = try? DBCDatabase(contentsOfFile: path) else { continue }
            #expect(!database.declaresJ1939, "\(path)")
            if database.protocolType == "GMLAN" { gmlan += 1 }
        }
        #expect(gmlan == 9)
    }
}
