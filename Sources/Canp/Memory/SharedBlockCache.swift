/// An LRU cache of shared blocks by key, bounded by entry count and TTL.
///
/// A block evicted from the cache returns to its pool when its last holder
/// lets it go.
public final class SharedBlockCache<Key: Hashable & Sendable>: Sendable {
    private let cache: LRUCache<Key, SharedBlock>

    init(capacity: Int, timeToLive: Duration, clock: any CacheClock) {
        cache = LRUCache(capacity: capacity, timeToLive: timeToLive, clock: clock)
    }

    /// The block stored for `key`, if present and not expired.
    public func block(forKey key: Key) -> SharedBlock? { cache.value(forKey: key) }

    /// Stores `block` for `key`, evicting the least recently used entry when full.
    public func store(_ block: SharedBlock, forKey key: Key) { cache.setValue(block, forKey: key) }

    /// Drops the entry for `key`.
    public func remove(_ key: Key) { cache.removeValue(forKey: key) }

    /// Keys from the most to the least recently used.
    public var keysByRecency: [Key] { cache.keysByRecency }

    /// Entries held now.
    public var count: Int { cache.count }

    /// Hits, misses, evictions and expirations.
    public var statistics: LRUCache<Key, SharedBlock>.Statistics { cache.statistics }

    /// Drops expired entries; returns how many.
    @discardableResult
    public func removeExpired() -> Int { cache.removeExpired() }

    /// Drops every entry.
    public func removeAll() { cache.removeAll() }
}
