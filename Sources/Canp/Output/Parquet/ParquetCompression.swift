import CCanpCore

/// The codec of a Parquet file's pages and its level.
///
/// `zstd` at level 1 is the default: it is what pyarrow uses, and on CANP's
/// tables the higher levels cost far more time than they save bytes (see the
/// README's Parquet section).
public struct ParquetCompression: Sendable, Hashable, CustomStringConvertible {
    /// The compression algorithms of the format that CANP writes.
    public enum Codec: String, Sendable, Hashable, CaseIterable {
        /// No compression.
        case none
        /// Snappy (raw block format, libsnappy).
        case snappy
        /// One gzip member per page (libdeflate).
        case gzip
        /// One zstd frame per page (libzstd).
        case zstd
    }

    /// The codec.
    public var codec: Codec
    /// The level: zstd 1-19 (negative: the fast levels), gzip 1-12; ignored by the others.
    public var level: Int

    /// Creates a setting.
    ///
    /// - Parameters:
    ///   - codec: the algorithm.
    ///   - level: its level; `nil` takes the default (zstd 1, gzip 6).
    public init(_ codec: Codec, level: Int? = nil) {
        self.codec = codec
        self.level = level ?? (codec == .gzip ? 6 : codec == .zstd ? 1 : 0)
    }

    /// zstd level 1, the default.
    public static let zstd = ParquetCompression(.zstd)
    /// Snappy.
    public static let snappy = ParquetCompression(.snappy)
    /// gzip level 6.
    public static let gzip = ParquetCompression(.gzip)
    /// No compression.
    public static let none = ParquetCompression(.none)

    /// The format's codec number (`CANP_PARQUET_*`).
    var formatCode: Int32 {
        switch codec {
        case .none: Int32(CANP_PARQUET_UNCOMPRESSED)
        case .snappy: Int32(CANP_PARQUET_SNAPPY)
        case .gzip: Int32(CANP_PARQUET_GZIP)
        case .zstd: Int32(CANP_PARQUET_ZSTD)
        }
    }

    public var description: String {
        codec == .zstd || codec == .gzip ? "\(codec.rawValue) level \(level)" : codec.rawValue
    }
}
