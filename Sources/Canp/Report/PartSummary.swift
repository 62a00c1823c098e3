/// A run's summary as data: what ``RunSummary`` writes and what
/// `canp summary merge` reads back from each part (`summary-P.json`,
/// spec/PARQUET.md) and adds up into the job's `summary.json`.
public struct PartSummary: Sendable, Equatable {
    /// One input file.
    public struct Input: Sendable, Equatable {
        /// The path as the run listed it.
        public var path: String
        /// Its size in bytes.
        public var size: Int
        /// The format it was read as.
        public var format: String
    }

    /// One input that could not be read.
    public struct Unreadable: Sendable, Equatable {
        /// The path.
        public var path: String
        /// Why.
        public var reason: String
    }

    /// Why a text is not a part summary.
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong.
        public var reason: String
        public var description: String { reason }
    }

    /// The part number; nil for a job's merged summary.
    public var part: Int?
    /// The number of parts added up (nil for one run's summary).
    public var parts: Int?
    /// The input files, in order.
    public var inputs: [Input] = []
    /// Files processed.
    public var files = 0
    /// Blocks decoded.
    public var blocks = 0
    /// Frames decoded.
    public var frames = 0
    /// Signals decoded.
    public var signals = 0
    /// Skipped units by reason.
    public var skippedUnits: [String: Int] = [:]
    /// Bus error events.
    public var busErrorEvents = 0
    /// The DBCs the run decoded with (`dbcs`; a merged summary: each distinct entry of the parts once).
    public var databases: [RunSummary.Database] = []
    /// Compressed bytes read.
    public var bytesRead = 0
    /// Rows written per table.
    public var rowsWritten: [String: Int] = [:]
    /// Inputs that could not be read.
    public var unreadableFiles: [Unreadable] = []
    /// Wall-clock seconds (a merged summary: the sum of the parts').
    public var wallSeconds = 0.0
    /// Peak memory in bytes (a merged summary: the largest part's).
    public var peakMemoryBytes = 0

    /// An empty summary.
    public init() {}

    /// The summary of a run's report.
    ///
    /// - Parameters:
    ///   - report: the report.
    ///   - part: the part number.
    ///   - rowsWritten: rows per table.
    ///   - databases: the DBCs of the run.
    public init(report: PipelineReport, part: Int, rowsWritten: [String: Int], databases: [RunSummary.Database] = []) {
        self.part = part
        self.databases = databases
        inputs = report.inputs.map { Input(path: $0.path, size: $0.size, format: $0.format) }
        files = report.files
        blocks = report.format.blocksDecoded
        frames = report.format.framesDecoded
        signals = report.signals
        skippedUnits = report.skippedByReason
        busErrorEvents = report.format.busErrorEvents
        bytesRead = report.bytesRead
        self.rowsWritten = rowsWritten
        unreadableFiles = report.unreadableFiles.map { Unreadable(path: $0.path, reason: $0.reason) }
        wallSeconds = (report.seconds * 1000).rounded() / 1000
        peakMemoryBytes = report.peakResidentMemory ?? report.peakPoolMemory
    }

    /// Reads a summary that ``json`` wrote (keys it does not know are ignored).
    ///
    /// - Throws: ``ReadError`` naming the first missing or mistyped key.
    public init(json bytes: [UInt8]) throws(ReadError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw ReadError(reason: "not JSON: \(error)")
        }
        guard value.objectValue != nil else { throw ReadError(reason: "not a JSON object") }
        guard value["format_version"]?.intValue == RunSummary.formatVersion else {
            throw ReadError(reason: "format_version is not \(RunSummary.formatVersion)")
        }
        part = value["part"]?.intValue
        parts = value["parts"]?.intValue
        let counts = try Self.member(value, "counts")
        files = try Self.int(counts, "files")
        blocks = try Self.int(counts, "blocks")
        frames = try Self.int(counts, "frames")
        signals = try Self.int(counts, "signals")
        busErrorEvents = try Self.int(counts, "bus_error_events")
        skippedUnits = try Self.counts(try Self.member(counts, "skipped_units"), "skipped_units")
        bytesRead = try Self.int(value, "bytes_read")
        rowsWritten = try Self.counts(try Self.member(value, "rows_written"), "rows_written")
        inputs = try Self.array(value, "inputs").map { entry throws(ReadError) in
            Input(path: try Self.string(entry, "path"), size: try Self.int(entry, "size"), format: try Self.string(entry, "format"))
        }
        databases = try (value["dbcs"]?.arrayValue ?? []).map { entry throws(ReadError) in try Self.database(entry) }
        unreadableFiles = try Self.array(value, "unreadable_files").map { entry throws(ReadError) in
            Unreadable(path: try Self.string(entry, "path"), reason: try Self.string(entry, "reason"))
        }
        guard let seconds = value["wall_seconds"]?.doubleValue else { throw ReadError(reason: "wall_seconds is missing or not a number") }
        wallSeconds = seconds
        peakMemoryBytes = try Self.int(value, "peak_memory_bytes")
    }

    /// The sum of several parts' summaries: inputs and unreadable files in
    /// the given order, counts, bytes and rows added up (by reason and by
    /// table), wall time added up, peak memory the largest; ``parts`` their number.
    public static func merged(_ summaries: [PartSummary]) -> PartSummary {
        var total = PartSummary()
        total.parts = summaries.count
        for s in summaries {
            total.inputs += s.inputs
            total.files += s.files
            total.blocks += s.blocks
            total.frames += s.frames
            total.signals += s.signals
            total.busErrorEvents += s.busErrorEvents
            for database in s.databases where !total.databases.contains(database) { total.databases.append(database) }
            total.skippedUnits.merge(s.skippedUnits, uniquingKeysWith: +)
            total.bytesRead += s.bytesRead
            total.rowsWritten.merge(s.rowsWritten, uniquingKeysWith: +)
            total.unreadableFiles += s.unreadableFiles
            total.wallSeconds += s.wallSeconds
            total.peakMemoryBytes = max(total.peakMemoryBytes, s.peakMemoryBytes)
        }
        total.wallSeconds = (total.wallSeconds * 1000).rounded() / 1000
        return total
    }

    /// The JSON text: the keys of spec/PARQUET.md in a fixed order (a merged
    /// summary has `"part": null` and `"parts": N` after it), one object, a final newline.
    ///
    /// - Complexity: O(inputs + tables + reasons).
    public var json: String {
        let q = RunSummary.quoted
        var out = "{\"format_version\": \(RunSummary.formatVersion), \"part\": \(part.map(String.init) ?? "null"),"
        if let parts { out += " \"parts\": \(parts)," }
        out += "\n \"inputs\": ["
        out += inputs.map { "{\"path\": \(q($0.path)), \"size\": \($0.size), \"format\": \(q($0.format))}" }
            .joined(separator: ",\n   ")
        let skipped = skippedUnits.sorted { $0.key < $1.key }.map { "\(q($0.key)): \($0.value)" }.joined(separator: ", ")
        out += "],\n \"counts\": {\"files\": \(files), \"blocks\": \(blocks), "
        out += "\"frames\": \(frames), \"signals\": \(signals),\n"
        out += "            \"skipped_units\": {\(skipped)}, \"bus_error_events\": \(busErrorEvents)},\n"
        out += " \"dbcs\": [" + databases.map {
            "{\"path\": \(q($0.path)), \"channels\": [\($0.channels.map(String.init).joined(separator: ", "))], \"j1939\": \($0.isJ1939)}"
        }.joined(separator: ", ") + "],\n"
        out += " \"bytes_read\": \(bytesRead),\n"
        let rows = rowsWritten.sorted { $0.key < $1.key }.map { "\(q($0.key)): \($0.value)" }.joined(separator: ", ")
        out += " \"rows_written\": {\(rows)},\n"
        out += " \"unreadable_files\": ["
        out += unreadableFiles.map { "{\"path\": \(q($0.path)), \"reason\": \(q($0.reason))}" }.joined(separator: ", ") + "],\n"
        out += " \"wall_seconds\": \(wallSeconds), \"peak_memory_bytes\": \(peakMemoryBytes)}\n"
        return out
    }

    private static func member(_ value: JSONValue, _ key: String) throws(ReadError) -> JSONValue {
        guard let member = value[key] else { throw ReadError(reason: "\(key) is missing") }
        return member
    }

    private static func int(_ value: JSONValue, _ key: String) throws(ReadError) -> Int {
        guard let number = value[key]?.intValue, number >= 0 else { throw ReadError(reason: "\(key) is missing or not a count") }
        return number
    }

    private static func string(_ value: JSONValue, _ key: String) throws(ReadError) -> String {
        guard let text = value[key]?.stringValue else { throw ReadError(reason: "\(key) is missing or not a string") }
        return text
    }

    private static func array(_ value: JSONValue, _ key: String) throws(ReadError) -> [JSONValue] {
        guard let elements = value[key]?.arrayValue else { throw ReadError(reason: "\(key) is missing or not an array") }
        return elements
    }

    private static func database(_ entry: JSONValue) throws(ReadError) -> RunSummary.Database {
        guard let channels = entry["channels"]?.arrayValue?.compactMap({ $0.intValue.flatMap { Int32(exactly: $0) } }),
              channels.count == entry["channels"]?.arrayValue?.count, case .bool(let j1939)? = entry["j1939"] else {
            throw ReadError(reason: "dbcs: an entry without channels or j1939")
        }
        return RunSummary.Database(path: try string(entry, "path"), channels: channels, isJ1939: j1939)
    }

    private static func counts(_ value: JSONValue, _ key: String) throws(ReadError) -> [String: Int] {
        guard let members = value.objectValue else { throw ReadError(reason: "\(key) is not an object") }
        var result: [String: Int] = [:]
        for (name, count) in members {
            guard let n = count.intValue, n >= 0 else { throw ReadError(reason: "\(key).\(name) is not a count") }
            result[name] = n
        }
        return result
    }
}
