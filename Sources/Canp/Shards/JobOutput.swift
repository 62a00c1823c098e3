#if canImport(Glibc)
import Glibc
#endif

/// The output directory of a sharded job (spec/PARQUET.md: `frames/`,
/// `errors/`, `signals/MESSAGE/`, each `part-P.parquet`, and
/// `_canp/summary-P.json`): checks that every part is there and complete and
/// adds their summaries up into `_canp/summary.json` (`canp summary merge`).
///
/// A part is complete when its summary is there (it is written last), every
/// table it names has the part's file, no table has a file of the part that
/// the summary does not name, and no temporary file of the part is left (a
/// run of it in progress or killed). A part number at or past the job's
/// number of parts is a problem too: its rows would join the union.
public struct JobOutput: Sendable {
    /// The directory.
    public let directory: String

    /// The merged summary's name under `_canp/`.
    public static let mergedSummaryName = "summary.json"

    /// A job output.
    ///
    /// - Parameter directory: the directory the parts were written into.
    public init(directory: String) {
        self.directory = directory
    }

    /// The merged summary's path.
    public var mergedSummaryPath: String { directory + "/_canp/" + Self.mergedSummaryName }

    /// What the directory holds, by part number.
    struct Listing {
        /// `_canp/summary-P.json` by part.
        var summaries: Set<Int> = []
        /// Table names (`frames`, `signals/NAME`) that have a file of the part, by part.
        var tables: [Int: Set<String>] = [:]
        /// Temporary files (relative paths) of each part.
        var temporary: [Int: [String]] = [:]

        var partNumbers: Set<Int> { summaries.union(tables.keys).union(temporary.keys) }
    }

    /// The number of parts the directory shows: one past the highest part
    /// number of a summary or a table file (0 when there is none).
    public func partsFound() -> Int {
        (list().partNumbers.max() ?? -1) + 1
    }

    /// Checks parts `0..<parts` and reads their summaries.
    ///
    /// - Parameter parts: the job's number of parts.
    /// - Returns: the summaries in part order.
    /// - Throws: ``ShardError/partsIncomplete(directory:problems:)`` naming every missing,
    ///   incomplete or extra part.
    public func checkedSummaries(parts: Int) throws(ShardError) -> [PartSummary] {
        let listing = list()
        var problems: [String] = []
        var summaries: [PartSummary] = []
        for part in 0..<parts {
            switch check(part, listing) {
            case .success(let summary): summaries.append(summary)
            case .failure(let found): problems += found.problems
            }
        }
        for extra in listing.partNumbers.sorted() where extra >= parts {
            problems.append("part \(extra) is there, but the job has \(parts) part(s) (0 to \(parts - 1)): a leftover of another job?")
        }
        guard problems.isEmpty else { throw .partsIncomplete(directory: directory, problems: problems) }
        return summaries
    }

    /// Checks the parts, adds their summaries up and writes `_canp/summary.json`
    /// (atomically). When a part is missing or incomplete, an earlier merged
    /// summary is removed, so that none claims a job that is not complete.
    ///
    /// - Parameter parts: the job's number of parts.
    /// - Returns: the merged summary.
    /// - Throws: ``ShardError``.
    public func merge(parts: Int) throws(ShardError) -> PartSummary {
        let summaries: [PartSummary]
        do {
            summaries = try checkedSummaries(parts: parts)
        } catch {
            unlink(mergedSummaryPath)
            throw error
        }
        let merged = PartSummary.merged(summaries)
        do throws(OutputError) {
            let file = try AtomicOutputFile(finalPath: mergedSummaryPath)
            do throws(OutputError) {
                try file.write(Array(merged.json.utf8))
                try file.commit()
            } catch {
                file.discard()
                throw error
            }
        } catch {
            if case let .outputFailed(path, reason) = error { throw .outputFailed(path: path, reason: reason) }
            throw .outputFailed(path: mergedSummaryPath, reason: error.description)
        }
        return merged
    }

    private struct PartProblems: Error {
        var problems: [String]
    }

    private func check(_ part: Int, _ listing: Listing) -> Result<PartSummary, PartProblems> {
        let stem = "part-" + ParquetSink.fiveDigits(part) + ".parquet"
        let summaryName = "_canp/summary-" + ParquetSink.fiveDigits(part) + ".json"
        var problems = (listing.temporary[part] ?? []).prefix(3).map {
            "part \(part) is incomplete: a temporary file is left (a run of it is in progress or was killed): \($0)"
        }
        let tables = listing.tables[part] ?? []
        guard listing.summaries.contains(part) else {
            let why = tables.isEmpty ? "" : " (\(tables.count) of its table files are there: its run did not finish)"
            return .failure(PartProblems(problems: ["part \(part) is missing: no \(summaryName)\(why)"] + problems))
        }
        let summary: PartSummary
        do {
            summary = try PartSummary(json: SmallFileReader.read(path: directory + "/" + summaryName, limit: 1 << 30))
        } catch let error as SmallFileReader.Failure {
            return .failure(PartProblems(problems: ["part \(part) is incomplete: \(summaryName): \(error.reason)"] + problems))
        } catch {
            return .failure(PartProblems(problems: ["part \(part) is incomplete: \(summaryName): \(error)"] + problems))
        }
        if summary.part != part {
            problems.append("part \(part): \(summaryName) is the summary of part \(summary.part.map(String.init) ?? "null")")
        }
        for table in summary.rowsWritten.keys.sorted() where !tables.contains(table) {
            problems.append("part \(part) is incomplete: its summary names \(table)/\(stem), which is missing")
        }
        for table in tables.sorted() where summary.rowsWritten[table] == nil {
            problems.append("part \(part): \(table)/\(stem) is not named by its summary (left by another run?)")
        }
        return problems.isEmpty ? .success(summary) : .failure(PartProblems(problems: problems))
    }
}

extension JobOutput {
    /// Lists the summaries, table files and temporary files of every part.
    func list() -> Listing {
        var listing = Listing()
        for name in Self.entries(directory + "/_canp") {
            if let part = Self.partNumber(name, prefix: "summary-", suffix: ".json") { listing.summaries.insert(part) }
            if let part = Self.temporaryPart(name) { listing.temporary[part, default: []].append("_canp/" + name) }
        }
        var tables = ["frames", "errors"]
        tables += Self.entries(directory + "/signals").filter { !$0.hasPrefix(".") }.map { "signals/" + $0 }
        for table in tables {
            for name in Self.entries(directory + "/" + table) {
                if let part = Self.partNumber(name, prefix: "part-", suffix: ".parquet") {
                    listing.tables[part, default: []].insert(table)
                }
                if let part = Self.temporaryPart(name) { listing.temporary[part, default: []].append(table + "/" + name) }
            }
        }
        return listing
    }

    /// The names in a directory (none when it does not exist).
    static func entries(_ path: String) -> [String] {
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `P` of `prefix` + five digits + `suffix`.
    static func partNumber(_ name: String, prefix: String, suffix: String) -> Int? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count == prefix.count + 5 + suffix.count else { return nil }
        let digits = name.dropFirst(prefix.count).prefix(5)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// The part of a temporary file (`.part-P.parquet.PID.N.canp-partial`, `.summary-P.json.PID.N.canp-partial`).
    static func temporaryPart(_ name: String) -> Int? {
        guard name.hasPrefix("."), name.hasSuffix(AtomicOutputFile.partialSuffix) else { return nil }
        let base = name.dropFirst()
        for (prefix, suffix) in [("part-", ".parquet."), ("summary-", ".json.")] where base.hasPrefix(prefix) {
            let rest = base.dropFirst(prefix.count)
            let digits = rest.prefix(5)
            guard digits.count == 5, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  rest.dropFirst(5).hasPrefix(suffix) else { return nil }
            return Int(digits)
        }
        return nil
    }
}
