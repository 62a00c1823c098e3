import Testing
@testable import Canp

@Suite("LRUCache")
struct LRUCacheTests {
    @Test func evictsTheLeastRecentlyUsed() {
        let cache = LRUCache<String, Int>(capacity: 3, timeToLive: .seconds(300), clock: ManualCacheClock())
        cache.setValue(1, forKey: "a")
        cache.setValue(2, forKey: "b")
        cache.setValue(3, forKey: "c")
        #expect(cache.value(forKey: "a") == 1)          // a becomes most recent
        let dropped = cache.setValue(4, forKey: "d")    // evicts b
        #expect(dropped == [2])
        #expect(cache.value(forKey: "b") == nil)
        #expect(cache.keysByRecency == ["d", "a", "c"])
        cache.setValue(5, forKey: "e")                  // evicts c
        #expect(cache.keysByRecency == ["e", "d", "a"])
        let stats = cache.statistics
        #expect(stats.evictions == 2)
        #expect(stats.hits == 1)
        #expect(stats.misses == 1)
        #expect(stats.count == 3)
    }

    @Test func replacingAValueKeepsTheCount() {
        let cache = LRUCache<Int, String>(capacity: 2, timeToLive: .seconds(10), clock: ManualCacheClock())
        cache.setValue("x", forKey: 1)
        cache.setValue("y", forKey: 2)
        #expect(cache.setValue("z", forKey: 1) == ["x"])
        #expect(cache.count == 2)
        #expect(cache.keysByRecency == [1, 2])
        #expect(cache.removeValue(forKey: 2) == "y")
        #expect(cache.keysByRecency == [1])
    }

    @Test func entriesExpireAfterTheTTL() {
        let clock = ManualCacheClock()
        let cache = LRUCache<String, Int>(capacity: 10, timeToLive: .seconds(300), clock: clock)
        cache.setValue(1, forKey: "old")
        clock.advance(by: .seconds(200))
        cache.setValue(2, forKey: "new")
        clock.advance(by: .seconds(99))
        #expect(cache.value(forKey: "old") == 1)        // 299 s: alive (reads do not extend life)
        clock.advance(by: .seconds(1))
        #expect(cache.value(forKey: "old") == nil)      // 300 s: expired
        #expect(cache.value(forKey: "new") == 2)
        clock.advance(by: .seconds(200))
        #expect(cache.removeExpired() == 1)
        #expect(cache.count == 0)
        #expect(cache.statistics.expirations == 2)
    }

    @Test func zeroCapacityKeepsNothing() {
        let cache = LRUCache<Int, Int>(capacity: 0, timeToLive: .seconds(1), clock: ManualCacheClock())
        #expect(cache.setValue(1, forKey: 1) == [1])
        #expect(cache.value(forKey: 1) == nil)
    }

    @Test func manyOperationsKeepTheListConsistent() {
        let cache = LRUCache<Int, Int>(capacity: 50, timeToLive: .seconds(1000), clock: ManualCacheClock())
        var generator = SplitMix64(seed: 42)
        var model: [Int] = []   // most recent first
        for _ in 0..<5000 {
            let key = Int(generator.next() % 120)
            if generator.next() % 3 == 0 {
                let hit = cache.value(forKey: key) != nil
                #expect(hit == model.contains(key))
                if hit { model.removeAll { $0 == key }; model.insert(key, at: 0) }
            } else {
                cache.setValue(key, forKey: key)
                model.removeAll { $0 == key }
                model.insert(key, at: 0)
                if model.count > 50 { model.removeLast() }
            }
        }
        #expect(cache.keysByRecency == model)
    }
}

