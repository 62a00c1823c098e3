/// An LRU cache of memory-mapped files, bounded by entry count and TTL.
///
/// A lookup checks the file's identity (device, inode, size, modification
/// time) and maps it anew when the file changed since it was mapped. A
/// mapping evicted from the cache stays valid for whoever still holds it.
public final class MappedFileCache: Sendable {
    private let cache: LRUCache<String, MappedFile>

    init(capacity: Int, timeToLive: Duration, clock: any CacheClock) {
        cache = LRUCache(capacity: capacity, timeToLive: timeToLive, clock: clock)
    }

    /// The mapping of the file at `path`, from the cache or newly made.
    ///
    /// - Throws: ``MemoryPoolError/fileUnavailable(path:reason:)``.
    public func mappedFile(at path: String) throws(MemoryPoolError) -> MappedFile {
        if let cached = cache.value(forKey: path), FileIdentity(path: path) == cached.identity {
            return cached
        }
        let mapping = try MappedFile(path: path)
        cache.setValue(mapping, forKey: path)
        return mapping
    }

    /// Paths from the most to the least recently used.
    public var pathsByRecency: [String] { cache.keysByRecency }

    /// Entries held now.
    public var count: Int { cache.count }

    /// Hits, misses, evictions and expirations.
    public var statistics: LRUCache<String, MappedFile>.Statistics { cache.statistics }

    /// Drops the mapping of `path`, if cached.
    public func remove(_ path: String) { cache.removeValue(forKey: path) }

    /// Drops expired mappings; returns how many.
    @discardableResult
    public func removeExpired() -> Int { cache.removeExpired() }

    /// Drops every mapping.
    public func removeAll() { cache.removeAll() }
}
