import CCanpCore

/// How a ``ParquetFileWriter`` cuts row groups and labels the file.
public struct ParquetWriterOptions: Sendable {
    /// The codec of the dictionary pages the writer makes (data pages come
    /// compressed from the workers; use the same setting for both).
    public var compression: ParquetCompression
    /// Rows per row group at most (default 1,048,576, as pyarrow).
    public var rowGroupRowLimit: Int
    /// Buffered page bytes per row group at most (default 128 MiB): a row
    /// group is written before it would grow past this.
    public var rowGroupByteLimit: Int
    /// Key/value pairs of the footer.
    public var keyValueMetadata: [(key: String, value: String)]
    /// The footer's `created_by`.
    public var createdBy: String

    /// Creates options.
    ///
    /// - Parameters:
    ///   - compression: the codec (default zstd level 1).
    ///   - rowGroupRowLimit: rows per row group at most.
    ///   - rowGroupByteLimit: buffered bytes per row group at most.
    ///   - keyValueMetadata: footer metadata.
    ///   - createdBy: the writer's name in the footer.
    public init(compression: ParquetCompression = .zstd, rowGroupRowLimit: Int = 1 << 20, rowGroupByteLimit: Int = 128 << 20,
                keyValueMetadata: [(key: String, value: String)] = [], createdBy: String = "canp version " + String(cString: canp_version())) {
        precondition(rowGroupRowLimit > 0 && rowGroupByteLimit > 0, "ParquetWriterOptions: limits must be positive")
        self.compression = compression
        self.rowGroupRowLimit = rowGroupRowLimit
        self.rowGroupByteLimit = rowGroupByteLimit
        self.keyValueMetadata = keyValueMetadata
        self.createdBy = createdBy
    }
}
