#if canImport(Glibc)
import Glibc
#endif

/// The Parquet output of spec/PARQUET.md: `DIR/frames/part-P.parquet`,
/// `DIR/errors/part-P.parquet`, `DIR/signals/MESSAGE/part-P.parquet` for
/// every message that has rows, and `DIR/_canp/summary-P.json` last.
///
/// Pages are encoded and compressed on the CPU workers
/// (``ParquetSinkEncoder``); this sink, on the driving task, appends them in
/// input order to one ``ParquetFileWriter`` per table, which writes a row
/// group when it is full or when the tables together hold more pages than
/// their share of the memory limit (a ``ParquetBufferBudget`` of an eighth
/// of the limit): memory stays bounded however many tables are open.
///
/// Atomic parts: every file is an ``AtomicOutputFile`` (temporary name,
/// fsync, rename). Runs of different parts may write into one directory at
/// once: the directory lock is the part's (`DIR/.canp-part-P.lock`), and a
/// run removes only its own part's stale temporary files. A run first removes the part's old summary, so that the
/// part does not look complete while its files are replaced; it commits the
/// tables, removes the part's files of tables it no longer writes, and
/// writes the summary last. A part whose summary exists is complete.
public final class ParquetSink: OutputSink, @unchecked Sendable {
    // @unchecked: `open`, `write`, `finish` and `discard` run on the
    // pipeline's driving task, one at a time; encoders only read `layout`
    // and `decoder`, which `open` sets before any encoder is made.
    public typealias Encoder = ParquetSinkEncoder

    /// The output directory.
    public let directory: String
    /// The part number (the `P` of the file names).
    public let part: Int
    /// The codec of every page.
    public let compression: ParquetCompression
    /// The layout of the tables; set when the run opens the sink.
    public private(set) var layout: ParquetOutputLayout?
    private var decoder: DBCDecoder?
    private var lock: OutputDirectory?
    private var budget: ParquetBufferBudget?
    private var tables: [String: Table] = [:]
    private var order: [String] = []

    private final class Table {
        let name: String
        let file: AtomicOutputFile
        let writer: ParquetFileWriter
        var summary: ParquetFileWriter.Summary?

        init(name: String, file: AtomicOutputFile, writer: ParquetFileWriter) {
            self.name = name
            self.file = file
            self.writer = writer
        }
    }

    /// Creates a sink.
    ///
    /// - Parameters:
    ///   - directory: the output directory (created if missing).
    ///   - part: the part number, 0-99999 (default 0).
    ///   - compression: the codec (default zstd level 1).
    public init(directory: String, part: Int = 0, compression: ParquetCompression = .zstd) {
        precondition(part >= 0 && part <= 99_999, "ParquetSink: the part number must be in 0...99999")
        self.directory = directory
        self.part = part
        self.compression = compression
    }

    /// `part-P.parquet`: the part number in five digits.
    public var fileName: String { "part-" + Self.fiveDigits(part) + ".parquet" }

    /// The summary's path, `DIR/_canp/summary-P.json`.
    public var summaryPath: String { directory + "/_canp/summary-" + Self.fiveDigits(part) + ".json" }

    /// A part number in the five digits of the file names.
    public static func fiveDigits(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }

    public var retainsUnitData: Bool { false }

    /// The schemas of the run's tables without opening anything: the tables a
    /// run of these inputs with this DBC writes, by table name
    /// (`frames`, `errors`, `signals/MESSAGE`).
    ///
    /// - Parameters:
    ///   - inputNames: the `file` values of the run, in order.
    ///   - decoder: the DBC decoder, or nil.
    /// - Returns: the layout.
    /// - Throws: ``ParquetError/invalidSchema(_:)``.
    public static func layout(inputNames: [String], decoder: DBCDecoder?) throws(ParquetError) -> ParquetOutputLayout {
        try ParquetOutputLayout(inputNames: inputNames, decoder: decoder)
    }

    public func open(_ run: SinkRun) throws(OutputError) {
        // A lock of this part only: the parts of a sharded job write into one directory at once.
        let stems = ["." + fileName + ".", ".summary-" + Self.fiveDigits(part) + ".json."]
        lock = try OutputDirectory(path: directory, lockName: ".canp-part-" + Self.fiveDigits(part) + ".lock") { name in
            stems.contains { name.hasPrefix($0) }
        }
        // The old summary goes first: from here until the new one is written the part is incomplete.
        if unlink(summaryPath) != 0 && errno != ENOENT {
            throw .outputFailed(path: summaryPath, reason: String(cString: strerror(errno)))
        }
        do {
            layout = try ParquetOutputLayout(inputNames: run.inputs.map(\.name), decoder: run.decoder)
        } catch {
            throw .outputFailed(path: directory, reason: error.description)
        }
        decoder = run.decoder
        budget = ParquetBufferBudget(limit: max(8 << 20, run.memoryLimit / 8))
        do throws(OutputError) {
            try OutputDirectory.makeDirectories(directory + "/_canp")
            _ = try openTable("frames", schema: layout!.frames)
            _ = try openTable("errors", schema: layout!.errors)
        } catch {
            discard()
            throw error
        }
    }

    public func makeEncoder() throws(OutputError) -> ParquetSinkEncoder {
        guard let layout else { preconditionFailure("ParquetSink.makeEncoder before open") }
        do {
            return try ParquetSinkEncoder(layout: layout, decoder: decoder, compression: compression)
        } catch {
            throw .outputFailed(path: directory, reason: error.description)
        }
    }

    private func openTable(_ name: String, schema: ParquetSchema) throws(OutputError) -> Table {
        if let table = tables[name] { return table }
        let folder = directory + "/" + name
        try OutputDirectory.makeDirectories(folder)
        let file = try AtomicOutputFile(finalPath: folder + "/" + fileName)
        let writer: ParquetFileWriter
        do {
            writer = try ParquetFileWriter(
                schema: schema, destination: ParquetAtomicDestination(file),
                options: ParquetWriterOptions(compression: compression,
                                              keyValueMetadata: [("canp.table", name), ("canp.part", String(part))]),
                budget: budget)
        } catch {
            file.discard()
            throw Self.outputError(error, path: file.partialPath)
        }
        let table = Table(name: name, file: file, writer: writer)
        tables[name] = table
        order.append(name)
        return table
    }

    static func outputError(_ error: ParquetError, path: String) -> OutputError {
        if case let .writeFailed(failedPath, reason) = error { return .outputFailed(path: failedPath, reason: reason) }
        return .outputFailed(path: path, reason: error.description)
    }

    public func write(_ piece: ParquetPiece) async throws(OutputError) {
        if let failure = piece.failure { throw Self.outputError(failure, path: directory) }
        guard let layout else { preconditionFailure("ParquetSink.write before open") }
        do {
            if let frames = piece.chunks.frames { try tables["frames"]!.writer.append(frames) }
            if let errors = piece.chunks.errors { try tables["errors"]!.writer.append(errors) }
            for (message, chunk) in piece.chunks.signals {
                let table = layout.signalTables[message]
                try openTable("signals/" + table.directoryName, schema: table.schema).writer.append(chunk)
            }
        } catch let error as ParquetError {
            throw Self.outputError(error, path: directory)
        } catch let error as OutputError {
            throw error
        } catch {
            throw .outputFailed(path: directory, reason: "\(error)")
        }
    }

    public func finish(_ report: PipelineReport) async throws(OutputError) -> SinkOutcome {
        var rows: [String: Int] = [:]
        var bytes = 0
        do throws(OutputError) {
            for name in order {
                let table = tables[name]!
                do {
                    table.summary = try table.writer.finish()
                } catch {
                    throw Self.outputError(error, path: table.file.partialPath)
                }
                rows[name] = table.summary!.rowCount
                bytes += table.summary!.byteCount
                try table.file.sync()
            }
            for name in order { try tables[name]!.file.commit() }
            try removeStaleTables()
            let summary = try AtomicOutputFile(finalPath: summaryPath)
            do throws(OutputError) {
                try summary.write(Array(RunSummary(report: report, part: part, rowsWritten: rows, databases: RunSummary.Database.of(decoder)).json.utf8))
                try summary.commit()
            } catch {
                summary.discard()
                throw error
            }
            bytes += summary.bytesWritten
        } catch {
            discard()
            throw error
        }
        let files = order.map { tables[$0]!.file.finalPath } + [summaryPath]
        tables.removeAll()
        order.removeAll()
        lock = nil
        return SinkOutcome(files: files, bytesWritten: bytes, rowsWritten: rows)
    }

    /// Removes `signals/*/part-P.parquet` of the tables this run did not write (an earlier run of
    /// the part wrote them: the message has no rows now, or the DBC changed).
    private func removeStaleTables() throws(OutputError) {
        let signals = directory + "/signals"
        guard let handle = opendir(signals) else { return }
        var stale: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." || tables["signals/" + name] != nil { continue }
            let path = signals + "/" + name + "/" + fileName
            if access(path, F_OK) == 0 { stale.append(path) }
        }
        closedir(handle)
        for path in stale where unlink(path) != 0 && errno != ENOENT {
            throw .outputFailed(path: path, reason: String(cString: strerror(errno)))
        }
        if !stale.isEmpty { AtomicOutputFile.syncDirectory(of: signals + "/x") }
    }

    public func discard() {
        for table in tables.values { table.file.discard() }
        tables.removeAll()
        order.removeAll()
        lock = nil
    }
}
