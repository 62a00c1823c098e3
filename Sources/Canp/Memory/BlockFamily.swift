import CCanpCore

/// The family of tiers a block comes from; each family has its own tier
/// sizes and its own hit rate in the statistics.
public enum BlockFamily: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// General-purpose blocks (file reads, outputs).
    case general = 0
    /// Buffers that inflated gzip blocks are written into.
    case decompression = 1
    /// Buffers for frame batches.
    case frame = 2

    @inlinable var cValue: UInt32 { UInt32(rawValue) }

    public var description: String {
        switch self {
        case .general: return "general"
        case .decompression: return "decompression"
        case .frame: return "frame"
        }
    }
}
