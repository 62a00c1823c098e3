/// Where a ``BatchSink`` hands its batches: the consumer side of an
/// `AsyncSequence` (``CANPipeline/batches(of:)`` implements it).
public protocol BatchReceiver: Sendable {
    /// Hands a batch over, waiting while the consumer is behind.
    ///
    /// - Parameter batch: the next batch in input order.
    /// - Returns: false when the consumer has gone (the run then stops).
    func send(_ batch: DecodedBatch) async -> Bool
}

/// Columnar batches of decoded frames and signals for an in-process
/// consumer, in input order: the sink behind ``CANPipeline/batches(of:)``.
///
/// The batches keep the units' data buffers (pool memory, zero-copy), so a
/// consumer that keeps every batch eventually makes the pipeline wait for
/// memory.
public final class BatchSink: OutputSink, @unchecked Sendable {
    // @unchecked: `open` runs before any encoder exists; `decoder` is read-only after it.
    public typealias Encoder = BatchEncoder

    private let receiver: any BatchReceiver
    private var decoder: DBCDecoder?

    /// Creates a sink that hands its batches to `receiver`.
    ///
    /// - Parameter receiver: the consumer side.
    public init(receiver: any BatchReceiver) {
        self.receiver = receiver
    }

    public var retainsUnitData: Bool { true }

    public func open(_ run: SinkRun) throws(OutputError) {
        decoder = run.decoder
    }

    public func makeEncoder() throws(OutputError) -> BatchEncoder {
        BatchEncoder(decoder: decoder)
    }

    public func write(_ piece: DecodedBatch) async throws(OutputError) {
        guard await receiver.send(piece) else { throw .cancelled }
    }

    public func finish(_ report: PipelineReport) async throws(OutputError) -> SinkOutcome {
        SinkOutcome()
    }

    public func discard() {}
}

/// Gathers slices of one chunk into ``DecodedBatch``es of bounded size.
public final class BatchEncoder: SinkEncoder {
    public typealias Piece = DecodedBatch

    /// A batch is emitted when it reaches this many frames or signals.
    static let maximumFrames = 1 << 16
    static let maximumSignals = 1 << 18

    private let decoder: DBCDecoder?
    private var frames = FrameBatch()
    private var blocks: [SharedBlock] = []
    private var signals = DBCSignalBatch(capacity: 1024)
    private var file: (index: Int, name: String) = (-1, "")

    init(decoder: DBCDecoder?) {
        self.decoder = decoder
    }

    public func encode(_ slice: DecodedSlice, signals batch: borrowing DBCSignalBatch, to output: some PieceOutput<DecodedBatch>) {
        if file.index != slice.fileIndex {
            flush(to: output)
            file = (slice.fileIndex, slice.fileName)
        }
        for issue in slice.frames.issues { frames.appendIssue(issue) }
        frames.addCounts(slice.frames.counts)
        if let segment = slice.frames.segments.first, let data = slice.sharedData {
            let base = UInt32(frames.count)
            frames.appendRows(of: slice.frames, segment.frames, segment: segment)
            blocks.append(data)
            signals.append(batch, frameOffset: base - UInt32(segment.frames.lowerBound))
        }
        if frames.count >= Self.maximumFrames || signals.count >= Self.maximumSignals { flush(to: output) }
    }

    public func finishChunk(to output: some PieceOutput<DecodedBatch>) {
        flush(to: output)
    }

    private func flush(to output: some PieceOutput<DecodedBatch>) {
        guard !frames.isEmpty || !frames.issues.isEmpty || frames.counts != FormatCounts() else { return }
        var handed = DBCSignalBatch(capacity: 1024)
        swap(&handed, &signals)
        let bytes = frames.count * 26 + handed.count * 25 + blocks.reduce(0) { $0 + $1.count }
        let batch = DecodedBatch(fileName: file.name, fileIndex: file.index, frames: frames, dataBlocks: blocks,
                                 signals: handed, decoder: decoder)
        frames = FrameBatch()
        blocks = []
        output.emit(batch, bytes: bytes)
    }
}
