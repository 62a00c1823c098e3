/// Decoded frames and signals of consecutive units of one file, for
/// in-process consumers (``CANPipeline/batches(of:)``).
///
/// Columnar and zero-copy: ``frames`` holds one row per frame, its data bytes
/// stay in the units' data buffers (``dataBlocks``, pool memory shared
/// without copying), and the signal columns hold one row per decoded signal
/// whose frame index is a row of ``frames``. The memory returns to the
/// pipeline's pool when the last reference to the batch goes.
public final class DecodedBatch: Sendable {
    /// The file name (without directory).
    public let fileName: String
    /// The file's position in the run's inputs.
    public let fileIndex: Int
    /// The frames; ``FrameBatch/segments`` says which rows belong to which unit.
    public let frames: FrameBatch
    /// The data buffer of each segment of ``frames``, in the same order (for
    /// CANP, the inflated block).
    public let dataBlocks: [SharedBlock]
    private let signalBox: SignalColumns
    /// The DBC decoder the signals came from (names, units, labels), if any.
    public let decoder: DBCDecoder?

    init(fileName: String, fileIndex: Int, frames: FrameBatch, dataBlocks: [SharedBlock],
         signals: consuming DBCSignalBatch, decoder: DBCDecoder?) {
        self.fileName = fileName
        self.fileIndex = fileIndex
        self.frames = frames
        self.dataBlocks = dataBlocks
        self.signalBox = SignalColumns(signals)
        self.decoder = decoder
    }

    /// The number of decoded signals.
    public var signalCount: Int { signalBox.batch.count }

    /// Calls `body` with the signal columns: frame row, global signal index
    /// (see ``DBCDecoder/signal(at:)``), raw bits, raw kind and physical value.
    public func withSignalColumns<R, E: Error>(
        _ body: (_ frameRows: UnsafeBufferPointer<UInt32>, _ signalIndices: UnsafeBufferPointer<UInt32>,
                 _ rawBits: UnsafeBufferPointer<UInt64>, _ kinds: UnsafeBufferPointer<DBCRawKind>,
                 _ values: UnsafeBufferPointer<Double>) throws(E) -> R
    ) throws(E) -> R {
        try signalBox.batch.withUnsafeColumns(body)
    }

    /// The raw value of signal row `row`.
    public func rawValue(ofSignalRow row: Int) -> DBCRawValue { signalBox.batch.rawValue(at: row) }

    /// The physical value of signal row `row`.
    public func value(ofSignalRow row: Int) -> Double { signalBox.batch.value(at: row) }

    /// The data bytes of frame `row`, copied (for convenience; use
    /// ``withUnsafeData(ofFrame:_:)`` to avoid the copy).
    public func data(ofFrame row: Int) -> [UInt8] { withUnsafeData(ofFrame: row) { Array($0) } }

    /// Calls `body` with the data bytes of frame `row`, without copying.
    public func withUnsafeData<R>(ofFrame row: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let segment = segmentIndex(ofFrame: row)
        return dataBlocks[segment].withUnsafeBytes { data in
            body(frames.unsafeData(ofFrame: row, in: data))
        }
    }

    private func segmentIndex(ofFrame row: Int) -> Int {
        var low = 0
        var high = frames.segments.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if frames.segments[middle].frames.lowerBound <= row { low = middle } else { high = middle - 1 }
        }
        return low
    }
}

/// Holds a noncopyable signal batch inside a class so that a batch can be shared.
final class SignalColumns: @unchecked Sendable {
    // @unchecked: never mutated after init.
    let batch: DBCSignalBatch
    init(_ batch: consuming DBCSignalBatch) { self.batch = batch }
}
