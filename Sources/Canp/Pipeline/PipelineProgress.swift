/// Where a run stands, reported after each decoded chunk.
public struct PipelineProgress: Sendable {
    /// Files finished so far and in all.
    public var filesDone: Int
    public var filesTotal: Int
    /// Compressed bytes decoded so far and in all.
    public var bytesDone: Int
    public var bytesTotal: Int
    /// Frames and signals decoded so far.
    public var frames: Int
    public var signals: Int
    /// Skipped units so far.
    public var skippedUnits: Int
    /// Bytes of pool memory held now.
    public var memoryInUse: Int
    /// Seconds since the run started.
    public var seconds: Double
}
