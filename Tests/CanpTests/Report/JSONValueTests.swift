import Foundation
import Testing
@testable import Canp

@Suite("JSONValue")
struct JSONValueTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func readsWhatJSONSerializationReads() throws {
        let text = #" {"a": [1, -2, 3.5, 1e3, -0.25E-2, true, false, null], "b": {"c": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}, "": {}} "#
        let value = try parse(text)
        let oracle = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let a = value["a"]!.arrayValue!
        let oracleA = oracle["a"] as! [Any]
        #expect(a.count == oracleA.count)
        for (mine, theirs) in zip(a.prefix(5), oracleA.prefix(5)) { #expect(mine.doubleValue == (theirs as! NSNumber).doubleValue) }
        #expect(a[0] == .integer(1) && a[1] == .integer(-2) && a[5] == .bool(true) && a[6] == .bool(false) && a[7] == .null)
        #expect(value["b"]?["c"]?.stringValue == (oracle["b"] as! [String: Any])["c"] as? String)
        #expect(value[""] == .object([]))
    }

    @Test func keepsLargeCountsExact() throws {
        #expect(try parse("9007199254740993").intValue == 9_007_199_254_740_993)
        #expect(try parse("[]") == .array([]))
    }

    @Test(arguments: ["", "{", "{\"a\" 1}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"\\x\"",
                      "\"a", "\"\u{1}\"", "\"\\ud83d\"", "[1] 2", "{1: 2}", "\"\\u12G4\"", "NaN", "Infinity"])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try parse(text) }
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) == nil,
                "the oracle refuses \(text) too")
    }

    @Test func refusesTrailingCommas() {
        // RFC 8259 has no trailing comma (Foundation on Linux accepts them, so it is no oracle here).
        for text in ["[1,]", "{\"a\": 1,}", "[,]"] {
            #expect(throws: JSONValue.ParseError.self) { try parse(text) }
        }
    }

    @Test func refusesDeepNestingWithoutExhaustingTheStack() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONValue.ParseError.self) { try parse(deep) }
        let ok = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect((try? parse(ok)) != nil)
    }
}
