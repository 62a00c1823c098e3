/// The run's report as JSON, for scripts and orchestrators
/// (`summary-P.json`, spec/PARQUET.md): inputs, counts, skipped units by
/// reason, bytes, rows written per table, time and peak memory.
///
/// Keys are written in a fixed order and the output is deterministic for a
/// report, so that two summaries of the same run compare equal as text
/// except for `wall_seconds` and `peak_memory_bytes`.
public struct RunSummary: Sendable {
    /// The version of the key set (1: the keys of spec/PARQUET.md).
    public static let formatVersion = 1

    /// The part number (0 for a plain run).
    public var part: Int
    /// The report.
    public var report: PipelineReport
    /// Rows written per table (`frames`, `errors`, `signals/NAME`).
    public var rowsWritten: [String: Int]
    /// The DBCs the run decoded with, in the order given (`spec/DECODING.md`:
    /// the summary lists them with their channels).
    public var databases: [Database]

    /// One DBC of the run, as the summary lists it.
    public struct Database: Sendable, Equatable {
        /// The path as given on the command line.
        public var path: String
        /// The channels it is bound to; empty when it serves every channel no DBC is bound to.
        public var channels: [Int32]
        /// Whether its extended frames matched by J1939 parameter group number.
        public var isJ1939: Bool

        /// Creates an entry.
        public init(path: String, channels: [Int32], isJ1939: Bool) {
            self.path = path
            self.channels = channels
            self.isJ1939 = isJ1939
        }
    }

    /// Creates a summary.
    ///
    /// - Parameters:
    ///   - report: the run's report.
    ///   - part: the part number.
    ///   - rowsWritten: rows per table (defaults to the report's).
    ///   - databases: the DBCs of the run (`RunSummary.Database.of(decoder)`, in Output/).
    public init(report: PipelineReport, part: Int = 0, rowsWritten: [String: Int]? = nil, databases: [Database] = []) {
        self.part = part
        self.report = report
        self.rowsWritten = rowsWritten ?? report.rowsWritten
        self.databases = databases
    }

    /// The JSON text (UTF-8, one object, a final newline).
    ///
    /// - Complexity: O(inputs + tables + reasons).
    public var json: String {
        PartSummary(report: report, part: part, rowsWritten: rowsWritten, databases: databases).json
    }

    /// A JSON string literal (RFC 8259 escapes; other text as it is, UTF-8).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16, uppercase: false)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
