/// Errors of the memory pool and its caches.
public enum MemoryPoolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration is not usable; the text says which field and why.
    case invalidConfiguration(String)
    /// Serving the request would take the pool's footprint above its limit.
    ///
    /// - Parameters: the requested capacity, the pool's footprint and its
    ///   in-use bytes at the time, and the limit (all in bytes).
    case limitExceeded(requested: Int, footprint: Int, inUse: Int, limit: Int)
    /// The system allocator could not provide the memory.
    case outOfMemory(requested: Int)
    /// An async allocation was cancelled while it waited for memory.
    case cancelled
    /// A file could not be opened, examined or mapped (path, errno text).
    case fileUnavailable(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let why):
            return "invalid memory pool configuration: \(why)"
        case let .limitExceeded(requested, footprint, inUse, limit):
            return "memory limit exceeded: a request of \(requested) bytes would take the pool's footprint of \(footprint) bytes (\(inUse) in use) above its limit of \(limit) bytes"
        case .outOfMemory(let requested):
            return "out of memory: the system allocator refused \(requested) bytes"
        case .cancelled:
            return "allocation cancelled while waiting for memory"
        case let .fileUnavailable(path, reason):
            return "\(path): \(reason)"
        }
    }
}
