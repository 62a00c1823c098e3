/// A destination for decoded data: the output seam.
///
/// The pipeline opens the sink, gives every CPU worker an encoder of its own
/// (``makeEncoder()``), and the encoders turn decoded slices into pieces
/// (CSV bytes, Parquet pages, columnar batches) in parallel. The pipeline
/// then hands the pieces to ``write(_:)`` on its driving task, one at a time,
/// in input order (file, unit, frame), and at the end calls ``finish(_:)``,
/// which makes the outputs final atomically (``AtomicOutputFile``), or
/// ``discard()`` when the run failed. Adding a sink is a new folder under
/// `Output/` with types conforming to this protocol and ``SinkEncoder``; the
/// pipeline is not edited (`docs/ARCHITECTURE.md`).
public protocol OutputSink: AnyObject, Sendable {
    /// The per-worker encoder.
    associatedtype Encoder: SinkEncoder

    /// Whether the sink keeps the data buffers of the slices it is given
    /// beyond the ``SinkEncoder/encode(_:signals:to:)`` call
    /// (``DecodedSlice/sharedData``); the pipeline then gives every unit a
    /// buffer of its own instead of reusing one per worker.
    var retainsUnitData: Bool { get }

    /// Prepares the run (creates temporary files, ...). Called once, before
    /// any encoder is made.
    ///
    /// - Parameter run: what the run reads and decodes with.
    /// - Throws: ``OutputError`` when the output cannot be prepared.
    func open(_ run: SinkRun) throws(OutputError)

    /// A new encoder for one worker.
    func makeEncoder() throws(OutputError) -> Encoder

    /// Takes the next piece, in input order, on the pipeline's driving task.
    ///
    /// - Parameter piece: what an encoder emitted.
    /// - Throws: ``OutputError``; the run then stops and ``discard()`` follows.
    func write(_ piece: Encoder.Piece) async throws(OutputError)

    /// Makes the outputs final after the last piece (flush, fsync, rename).
    ///
    /// - Parameter report: the run's report so far (counts, inputs, time).
    /// - Returns: the files written and their sizes.
    /// - Throws: ``OutputError``; the run then fails and ``discard()`` follows.
    func finish(_ report: PipelineReport) async throws(OutputError) -> SinkOutcome

    /// Removes what a failed or cancelled run wrote under temporary names.
    func discard()
}

/// Turns decoded slices into a sink's pieces, on one CPU worker.
///
/// The pipeline calls it from one thread at a time: for each chunk of
/// consecutive units of one file, ``encode(_:signals:to:)`` once per slice in
/// order, then ``finishChunk(to:)``. Pieces emitted to `output` reach the
/// sink's ``OutputSink/write(_:)`` in the order they were emitted, after the
/// pieces of every earlier chunk.
public protocol SinkEncoder: AnyObject {
    /// What the encoder emits and the sink writes.
    associatedtype Piece: Sendable

    /// Encodes one slice.
    ///
    /// - Parameters:
    ///   - slice: frames of one unit (or of a part of it) and its issues.
    ///   - signals: the DBC signals of the slice's frames (their frame
    ///     index is a row of `slice.frames`); empty without a DBC.
    ///   - output: where pieces go; also hands out memory for them.
    func encode(_ slice: DecodedSlice, signals: borrowing DBCSignalBatch, to output: some PieceOutput<Piece>)

    /// Emits what is still buffered at the end of a chunk.
    ///
    /// - Parameter output: where pieces go.
    func finishChunk(to output: some PieceOutput<Piece>)
}

/// Where an encoder's pieces go (the pipeline implements it).
public protocol PieceOutput<Piece>: AnyObject {
    /// What is emitted.
    associatedtype Piece

    /// Hands a finished piece on. May wait: a chunk that is not the oldest
    /// in flight waits here while the pieces it holds exceed its share of
    /// the memory limit.
    ///
    /// - Parameters:
    ///   - piece: the piece.
    ///   - bytes: the memory it holds, for the pipeline's accounting.
    func emit(_ piece: Piece, bytes: Int)

    /// Memory for a piece of `capacity` bytes from the pipeline's pool,
    /// under its memory limit. May wait, as ``emit(_:bytes:)``.
    ///
    /// - Parameter capacity: the bytes needed.
    /// - Returns: a buffer of at least that capacity.
    func makeBuffer(capacity: Int) -> EncodedBytes
}

/// What a sink learns about a run when it is opened.
public struct SinkRun: Sendable {
    /// One input file of the run.
    public struct Input: Sendable, Hashable {
        /// The path as given or found.
        public var path: String
        /// The file name without directory (the `file` column).
        public var name: String
        /// Its size when the run was planned.
        public var size: Int

        /// Creates an input description.
        public init(path: String, name: String, size: Int) {
            self.path = path
            self.name = name
            self.size = size
        }
    }

    /// The run's input files, in processing order (``DecodedSlice/fileIndex`` indexes them).
    public var inputs: [Input]
    /// The compiled DBC, when signals are decoded.
    public var decoder: DBCDecoder?
    /// The pipeline's memory pool (for sinks that buffer under the limit).
    public var memoryPool: UnifiedMemoryPool
    /// The pipeline's memory limit in bytes.
    public var memoryLimit: Int

    /// Creates a run description.
    public init(inputs: [Input], decoder: DBCDecoder?, memoryPool: UnifiedMemoryPool, memoryLimit: Int) {
        self.inputs = inputs
        self.decoder = decoder
        self.memoryPool = memoryPool
        self.memoryLimit = memoryLimit
    }
}

/// What a sink wrote.
public struct SinkOutcome: Sendable {
    /// The output files, complete and in place.
    public var files: [String]
    /// The bytes in them.
    public var bytesWritten: Int
    /// Rows written per table (for example `frames`, `signals/EngineData`).
    public var rowsWritten: [String: Int]

    /// Creates an outcome.
    public init(files: [String] = [], bytesWritten: Int = 0, rowsWritten: [String: Int] = [:]) {
        self.files = files
        self.bytesWritten = bytesWritten
        self.rowsWritten = rowsWritten
    }
}

/// Why a sink failed.
public enum OutputError: Error, Sendable, CustomStringConvertible {
    /// A file or directory could not be written.
    case outputFailed(path: String, reason: String)
    /// Another run is writing into the same output.
    case outputInUse(path: String)
    /// The consumer went away (for in-process sinks).
    case cancelled

    public var description: String {
        switch self {
        case let .outputFailed(path, reason): "cannot write \(path): \(reason)"
        case .outputInUse(let path): "\(path) is in use by another run (its lock is held); wait for it or choose another output"
        case .cancelled: "cancelled"
        }
    }
}
