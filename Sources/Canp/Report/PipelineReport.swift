/// What a pipeline run did: counts of everything decoded and skipped, with
/// the reasons, bytes in and out, time and memory.
///
/// Nothing disappears silently: every Record0 of every file is counted as
/// decoded or skipped, and every frame as decoded or skipped.
public struct PipelineReport: Sendable, CustomStringConvertible {
    /// One input file that was read, with the format it was read as.
    public struct Input: Sendable, Hashable {
        /// The path as given or found.
        public var path: String
        /// Its size in bytes.
        public var size: Int
        /// The name of the format that read it (``InputFormat/name``).
        public var format: String

        /// Creates an input entry.
        public init(path: String, size: Int, format: String) {
            self.path = path
            self.size = size
            self.format = format
        }
    }

    /// Files processed (readable).
    public var files = 0
    /// The files read, in order, each with its format.
    public var inputs: [Input] = []
    /// Files that could not be read, with the reason.
    public var unreadableFiles: [(path: String, reason: String)] = []
    /// Blocks, frames, truncated tails and inflated bytes.
    public var format = FormatCounts()
    /// Signals decoded.
    public var signals = 0
    /// Frames whose id the DBC defines (and that carry no RTR/ERR bit).
    public var framesWithSignals = 0
    /// Skipped units by kind (``FormatIssue/kind``: the level and the reason without its numbers).
    public var skippedByReason: [String: Int] = [:]
    /// The skipped units, in file and block order, up to
    /// ``PipelineConfiguration/maximumReportedIssues`` of them (every one is
    /// counted in ``format`` and ``skippedByReason``, and goes to the sink:
    /// errors.csv lists them all).
    public var issues: [FormatIssue] = []
    /// Compressed bytes read (the input files).
    public var bytesRead = 0
    /// Bytes written to output files.
    public var bytesWritten = 0
    /// Wall-clock seconds of the run.
    public var seconds = 0.0
    /// Highest pool footprint during the run.
    public var peakPoolMemory = 0
    /// Highest resident memory of the process (`VmHWM`), if known.
    public var peakResidentMemory: Int?
    /// The pool's hit rate over the run.
    public var poolHitRate = 0.0
    /// The file reader used (`io_uring` or `pread`).
    public var readBackend = ""
    /// The output files written (complete, renamed into place).
    public var outputs: [String] = []
    /// Rows written per output table, as the sink counts them.
    public var rowsWritten: [String: Int] = [:]
    /// Chunks decoded a second time because their first unit had assumed
    /// another entry state than its predecessor left (``UnitEntry``).
    public var chunksDecodedAgain = 0

    /// An empty report (all counts zero).
    public init() {}

    /// Compressed megabytes (10^6 bytes) per second.
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytesRead) / 1e6 / seconds : 0 }
    /// Frames per second.
    public var framesPerSecond: Double { seconds > 0 ? Double(format.framesDecoded) / seconds : 0 }

    public var description: String {
        var lines: [String] = []
        lines.append("files       \(files) processed" + (unreadableFiles.isEmpty ? "" : ", \(unreadableFiles.count) unreadable"))
        lines.append("blocks      \(format.blocksDecoded) decoded, \(format.blocksSkipped) skipped" + (format.truncatedTails > 0 ? ", \(format.truncatedTails) truncated tail(s)" : ""))
        lines.append("frames      \(format.framesDecoded) decoded, \(format.framesSkipped) skipped")
        lines.append("signals     \(signals) decoded from \(framesWithSignals) frames")
        if format.busErrorEvents > 0 { lines.append("bus errors  \(format.busErrorEvents) error event(s)") }
        if !format.ignored.isEmpty {
            let ignored = format.ignored.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            lines.append("ignored     " + ignored.map { "\($0.value) x \($0.key)" }.joined(separator: ", "))
        }
        let skipped = skippedByReason.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        if skipped.isEmpty {
            lines.append("errors      none")
        } else {
            lines.append("errors      \(skipped.reduce(0) { $0 + $1.value }) skipped unit(s):")
            for (reason, count) in skipped { lines.append("              \(count) x \(reason)") }
        }
        for (path, reason) in unreadableFiles { lines.append("unreadable  \(path): \(reason)") }
        lines.append("input       \(Self.megabytes(bytesRead)) compressed, \(Self.megabytes(format.inflatedBytes)) inflated")
        if bytesWritten > 0 { lines.append("output      \(Self.megabytes(bytesWritten)) in \(outputs.count) file(s)") }
        let signalRate = seconds > 0 ? Double(signals) / seconds / 1e6 : 0
        lines.append("throughput  \(fixed(megabytesPerSecond, 1)) MB/s compressed, \(fixed(framesPerSecond / 1e6, 2)) M frames/s, "
                     + "\(fixed(signalRate, 2)) M signals/s in \(fixed(seconds, 2)) s")
        var memory = "memory      peak pool \(Self.megabytes(peakPoolMemory))"
        if let peakResidentMemory { memory += ", peak resident \(Self.megabytes(peakResidentMemory))" }
        memory += ", pool hit rate \(fixed(poolHitRate * 100, 1))%"
        lines.append(memory)
        lines.append("reader      \(readBackend)")
        return lines.joined(separator: "\n")
    }

    static func megabytes(_ bytes: Int) -> String {
        fixed(Double(bytes) / 1e6, 1) + " MB"
    }
}

/// `value` with `digits` decimals, without Foundation.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return value.description }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e18 else { return value.description }
    let whole = UInt64(scaled)
    let unit = UInt64(scale)
    var text = (value < 0 && whole > 0 ? "-" : "") + String(whole / unit)
    if digits > 0 {
        let fraction = String(whole % unit)
        text += "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
    return text
}
