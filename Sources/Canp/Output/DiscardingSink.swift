/// A sink that keeps nothing: the run decodes everything (frames and
/// signals into memory) and only its report remains. What `canp process`
/// without an output does, and what the benchmark's in-memory stages measure.
public final class DiscardingSink: OutputSink, Sendable {
    public typealias Encoder = DiscardingEncoder

    /// Creates the sink.
    public init() {}

    public var retainsUnitData: Bool { false }
    public func open(_ run: SinkRun) throws(OutputError) {}
    public func makeEncoder() throws(OutputError) -> DiscardingEncoder { DiscardingEncoder() }
    public func write(_ piece: DiscardingEncoder.Nothing) async throws(OutputError) {}
    public func finish(_ report: PipelineReport) async throws(OutputError) -> SinkOutcome { SinkOutcome() }
    public func discard() {}
}

/// The encoder of ``DiscardingSink``: emits nothing.
public final class DiscardingEncoder: SinkEncoder {
    public typealias Piece = Nothing

    /// The piece type of a sink that has none.
    public struct Nothing: Sendable {}

    public func encode(_ slice: DecodedSlice, signals: borrowing DBCSignalBatch, to output: some PieceOutput<Nothing>) {}
    public func finishChunk(to output: some PieceOutput<Nothing>) {}
}
