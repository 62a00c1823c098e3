/// The canonical CSV exports of `docs/FORMAT.md`: `frames.csv`,
/// `signals.csv` and `errors.csv` in one directory, rows in input order.
///
/// The rows are formatted on the CPU workers (``CSVEncoder``) and written
/// in order here. Each file is an ``AtomicOutputFile``: it appears under
/// its name only when the run is complete, and all three are synced before
/// the first is renamed. The directory is locked for the run
/// (``OutputDirectory``).
public final class CSVSink: OutputSink, @unchecked Sendable {
    // @unchecked: `open`, `write`, `finish` and `discard` run on the
    // pipeline's driving task, one at a time; encoders only read `table`.
    public typealias Encoder = CSVEncoder

    /// The directory the files go to.
    public let directory: String
    private var lock: OutputDirectory?
    private var files: [AtomicOutputFile] = []
    private var table: SignalCSVTable?
    private var inputs: [SinkRun.Input] = []
    private var rows = (frames: 0, signals: 0, errors: 0)

    /// The names of the files, in the order of ``CSVPiece``'s parts.
    public static let fileNames = ["frames.csv", "signals.csv", "errors.csv"]

    /// Creates a sink for `directory` (created when the run opens it).
    ///
    /// - Parameter directory: where the three files go.
    public init(directory: String) {
        self.directory = directory
    }

    public var retainsUnitData: Bool { false }

    public func open(_ run: SinkRun) throws(OutputError) {
        lock = try OutputDirectory(path: directory)
        inputs = run.inputs
        table = run.decoder.map(SignalCSVTable.init)
        let headers = [CanonicalCSV.framesHeader, CanonicalCSV.signalsHeader, CanonicalCSV.errorsHeader]
        do {
            for (name, header) in zip(Self.fileNames, headers) {
                let file = try AtomicOutputFile(finalPath: directory + "/" + name)
                files.append(file)
                try file.write(Array(header.utf8))
            }
        } catch {
            discard()
            throw error
        }
    }

    public func makeEncoder() throws(OutputError) -> CSVEncoder {
        CSVEncoder(inputs: inputs, table: table)
    }

    public func write(_ piece: CSVPiece) async throws(OutputError) {
        for (index, part) in [piece.frames, piece.signals, piece.errors].enumerated() {
            guard let part else { continue }
            try part.withUnsafeBytes { (bytes) throws(OutputError) in try files[index].write(bytes) }
        }
        rows.frames += piece.rows.frames
        rows.signals += piece.rows.signals
        rows.errors += piece.rows.errors
    }

    public func finish(_ report: PipelineReport) async throws(OutputError) -> SinkOutcome {
        do {
            for file in files { try file.sync() }
            for file in files { try file.commit() }
        } catch {
            discard()
            throw error
        }
        let outcome = SinkOutcome(
            files: files.map(\.finalPath), bytesWritten: files.reduce(0) { $0 + $1.bytesWritten },
            rowsWritten: ["frames": rows.frames, "signals": rows.signals, "errors": rows.errors])
        files.removeAll()
        lock = nil
        return outcome
    }

    public func discard() {
        for file in files { file.discard() }
        files.removeAll()
        lock = nil
    }
}
