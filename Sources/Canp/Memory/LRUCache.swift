import Synchronization

/// A thread-safe least-recently-used cache bounded by entry count, whose
/// entries expire a fixed time after they were stored.
///
/// The shared engine of ``MappedFileCache`` and ``SharedBlockCache``; usable
/// on its own. Reads refresh an entry's recency but not its expiry.
public final class LRUCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Node {
        var key: Key
        var value: Value
        var storedAt: Double
        var newer: Int    // toward the most recently used; -1 at the end
        var older: Int    // toward the least recently used; -1 at the end
    }

    private struct State {
        var index: [Key: Int] = [:]
        var nodes: [Node?] = []
        var free: [Int] = []
        var newest = -1
        var oldest = -1
        var hits = 0
        var misses = 0
        var evictions = 0
        var expirations = 0
    }

    /// Counters of a cache.
    public struct Statistics: Sendable, Equatable {
        public var count: Int
        public var hits: Int
        public var misses: Int
        /// Entries dropped because the cache was full (least recently used first).
        public var evictions: Int
        /// Entries dropped because they outlived the TTL.
        public var expirations: Int
    }

    /// Most entries kept.
    public let capacity: Int
    /// Lifetime of an entry after it was stored.
    public let timeToLive: Duration
    private let ttlSeconds: Double
    private let clock: any CacheClock
    private let state = LockedState.make(State())

    /// - Parameters:
    ///   - capacity: most entries (0 keeps nothing).
    ///   - timeToLive: lifetime of an entry.
    ///   - clock: the time source (inject ``ManualCacheClock`` in tests).
    public init(capacity: Int, timeToLive: Duration, clock: any CacheClock = SystemCacheClock()) {
        precondition(capacity >= 0, "negative cache capacity")
        self.capacity = capacity
        self.timeToLive = timeToLive
        self.ttlSeconds = timeToLive.seconds
        self.clock = clock
    }

    /// The value for `key` if present and not expired; marks it most recently used.
    ///
    /// - Complexity: O(1).
    public func value(forKey key: Key) -> Value? {
        let now = clock.now()
        return state.withLock { state in
            guard let slot = state.index[key] else {
                state.misses += 1
                return nil
            }
            if now - state.nodes[slot]!.storedAt >= ttlSeconds {
                Self.unlink(slot, in: &state)
                state.expirations += 1
                state.misses += 1
                return nil
            }
            Self.moveToNewest(slot, in: &state)
            state.hits += 1
            return state.nodes[slot]!.value
        }
    }

    /// Stores `value` for `key` as the most recently used entry, evicting the
    /// least recently used one when full.
    ///
    /// - Returns: the evicted or replaced values (so that the caller may
    ///   release them outside the cache's lock).
    /// - Complexity: O(1).
    @discardableResult
    public func setValue(_ value: Value, forKey key: Key) -> [Value] {
        let now = clock.now()
        return state.withLock { state in
            var dropped: [Value] = []
            guard capacity > 0 else { return [value] }
            if let slot = state.index[key] {
                dropped.append(state.nodes[slot]!.value)
                state.nodes[slot]!.value = value
                state.nodes[slot]!.storedAt = now
                Self.moveToNewest(slot, in: &state)
                return dropped
            }
            if state.index.count >= capacity {
                let victim = state.oldest
                dropped.append(state.nodes[victim]!.value)
                Self.unlink(victim, in: &state)
                state.evictions += 1
            }
            let node = Node(key: key, value: value, storedAt: now, newer: -1, older: state.newest)
            let slot: Int
            if let reused = state.free.popLast() {
                slot = reused
                state.nodes[slot] = node
            } else {
                slot = state.nodes.count
                state.nodes.append(node)
            }
            if state.newest >= 0 { state.nodes[state.newest]!.newer = slot }
            state.newest = slot
            if state.oldest < 0 { state.oldest = slot }
            state.index[key] = slot
            return dropped
        }
    }

    /// Removes the entry for `key`. Returns its value.
    @discardableResult
    public func removeValue(forKey key: Key) -> Value? {
        state.withLock { state in
            guard let slot = state.index[key] else { return nil }
            let value = state.nodes[slot]!.value
            Self.unlink(slot, in: &state)
            return value
        }
    }

    /// Drops every expired entry. Returns how many.
    @discardableResult
    public func removeExpired() -> Int {
        let now = clock.now()
        return state.withLock { state in
            var removed = 0
            var slot = state.oldest
            while slot >= 0 {
                let node = state.nodes[slot]!
                let next = node.newer
                if now - node.storedAt >= ttlSeconds {
                    Self.unlink(slot, in: &state)
                    state.expirations += 1
                    removed += 1
                }
                slot = next
            }
            return removed
        }
    }

    /// Drops every entry.
    public func removeAll() {
        state.withLock { state in
            let counters = (state.hits, state.misses, state.evictions, state.expirations)
            state = State()
            (state.hits, state.misses, state.evictions, state.expirations) = counters
        }
    }

    /// Keys from the most to the least recently used (expired ones included).
    public var keysByRecency: [Key] {
        state.withLock { state in
            var keys: [Key] = []
            var slot = state.newest
            while slot >= 0 {
                keys.append(state.nodes[slot]!.key)
                slot = state.nodes[slot]!.older
            }
            return keys
        }
    }

    /// Entries held now (expired ones not yet dropped included).
    public var count: Int { state.withLock { $0.index.count } }

    /// The cache's counters.
    public var statistics: Statistics {
        state.withLock { Statistics(count: $0.index.count, hits: $0.hits, misses: $0.misses, evictions: $0.evictions, expirations: $0.expirations) }
    }

    private static func detach(_ slot: Int, in state: inout State) {
        let node = state.nodes[slot]!
        if node.newer >= 0 { state.nodes[node.newer]!.older = node.older } else { state.newest = node.older }
        if node.older >= 0 { state.nodes[node.older]!.newer = node.newer } else { state.oldest = node.newer }
    }

    private static func unlink(_ slot: Int, in state: inout State) {
        detach(slot, in: &state)
        state.index.removeValue(forKey: state.nodes[slot]!.key)
        state.nodes[slot] = nil
        state.free.append(slot)
    }

    private static func moveToNewest(_ slot: Int, in state: inout State) {
        guard state.newest != slot else { return }
        detach(slot, in: &state)
        state.nodes[slot]!.older = state.newest
        state.nodes[slot]!.newer = -1
        if state.newest >= 0 { state.nodes[state.newest]!.newer = slot }
        state.newest = slot
        if state.oldest < 0 { state.oldest = slot }
    }
}
