import Testing
@testable import Canp

private final class Tracked {
    static let live = LiveCounter()
    let value: Int
    init(_ value: Int) {
        self.value = value
        Tracked.live.change(1)
    }
    deinit { Tracked.live.change(-1) }
}

private final class LiveCounter: @unchecked Sendable {
    private var n = 0
    func change(_ d: Int) { n += d }
    var count: Int { n }
}

private struct Owned: ~Copyable {
    let tracked: Tracked
    init(_ v: Int) { tracked = Tracked(v) }
}

@Suite("TaskRing", .serialized)
struct TaskRingTests {
    @Test func fifoAcrossGrowthAndWrapAround() {
        var ring = TaskRing<Owned>(capacity: 4)
        var next = 0
        var expected = 0
        // Interleave pushes and pops so the head wraps while the ring grows.
        for round in 0..<50 {
            for _ in 0..<(round % 7 + 1) {
                ring.append(Owned(next))
                next += 1
            }
            for _ in 0..<(round % 5) {
                guard let item = ring.popFirst() else { break }
                #expect(item.tracked.value == expected)
                expected += 1
            }
        }
        while let item = ring.popFirst() {
            #expect(item.tracked.value == expected)
            expected += 1
        }
        #expect(expected == next)
        let empty = ring.isEmpty
        #expect(empty)
    }

    @Test func removeKeepsTheOthersInOrderAndDeinitReleases() {
        do {
            var ring = TaskRing<Owned>(capacity: 4)
            for i in 0..<10 { ring.append(Owned(i)) }
            _ = ring.popFirst()
            _ = ring.popFirst()
            ring.append(Owned(10))
            var removedValue = -1
            if let removed = ring.remove(where: { $0.tracked.value == 5 }) { removedValue = removed.tracked.value }
            #expect(removedValue == 5)
            var missingFound = false
            if ring.remove(where: { $0.tracked.value == 99 }) != nil { missingFound = true }
            #expect(!missingFound)
            var values: [Int] = []
            for _ in 0..<3 {
                if let item = ring.popFirst() { values.append(item.tracked.value) }
            }
            #expect(values == [2, 3, 4])
            let count = ring.count
            #expect(count == 5)
            #expect(Tracked.live.count == 5)
        }
        #expect(Tracked.live.count == 0)
    }
}
