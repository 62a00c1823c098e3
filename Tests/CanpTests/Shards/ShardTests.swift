import Testing
@testable import Canp

@Suite("Shard")
struct ShardTests {
    @Test func parsesKOverN() throws {
        let shard = try Shard(parsing: "3/8")
        #expect(shard.index == 3 && shard.count == 8 && shard.description == "3/8")
        #expect(try Shard(parsing: "0/1") == Shard(index: 0, count: 1))
        #expect(try Shard(parsing: "99999/100000").index == 99_999)
    }

    @Test(arguments: ["", "3", "3/", "/8", "a/8", "3/b", "-1/8", "3/-8", "3/8/1", " 3/8", "3/8 ", "+3/8", "3.0/8", "1234567890/1234567891"])
    func refusesWhatIsNotKOverN(_ text: String) {
        #expect(throws: ShardError.self) { try Shard(parsing: text) }
    }

    @Test func refusesKOutsideNAndNOutsideTheRange() {
        for (text, needle) in [("8/8", "K must be in 0..<8"), ("9/8", "not 9"), ("0/0", "at least 1"), ("0/100001", "at most 100000")] {
            do {
                _ = try Shard(parsing: text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.description.contains(needle), "\(error.description)")
                #expect(error.description.hasPrefix("--shard \(text):"))
            }
        }
    }

    @Test func sharesAreContiguousDisjointAndCoverEverything() throws {
        for total in [0, 1, 2, 5, 12, 13, 100, 1001] {
            for count in [1, 2, 3, 4, 7, 16, 1000] {
                let items = Array(0..<total)
                var union: [Int] = []
                var sizes: [Int] = []
                for index in 0..<count {
                    let share = try Shard(index: index, count: count).share(of: items)
                    union += share
                    sizes.append(share.count)
                }
                #expect(union == items, "total \(total), count \(count): the shares in order are the list")
                #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "total \(total), count \(count): sizes \(sizes)")
            }
        }
    }

    @Test func theRangeIsExactForLargeCounts() throws {
        let shard = try Shard(index: 99_999, count: 100_000)
        #expect(shard.range(of: Int.max / 2).upperBound == Int.max / 2)
        #expect(shard.range(of: 3) == 2..<3)
    }
}
