import Foundation
import Testing
@testable import Canp

/// Files written by ``ParquetFileWriter`` for many shapes, read back by
/// pyarrow, DuckDB and polars (scripts/parquet_roundtrip.py), with exact
/// value checks, schema and statistics checks.
///
/// With `CANP_PARQUET_CASES=DIR` in the environment the files are written
/// there and the checker is not run (for running it by hand); otherwise
/// they go to a temporary directory and the checker must pass. The checker
/// needs pyarrow, duckdb and polars (`scripts/setup` installs them).
@Suite("Parquet round trip through pyarrow, DuckDB and polars", .serialized)
struct ParquetRoundTripTests {
    static func cases() -> [ParquetTestTable] {
        var cases: [ParquetTestTable] = []
        let rows = 3000
        cases.append(ParquetTestTable(name: "required", columns: ParquetTestColumns.allKinds(rows: rows, nulls: -1, seed: 1)))
        cases.append(ParquetTestTable(name: "optional_no_nulls", columns: ParquetTestColumns.allKinds(rows: rows, nulls: 0, seed: 2)))
        cases.append(ParquetTestTable(name: "optional_some_nulls", columns: ParquetTestColumns.allKinds(rows: rows, nulls: 0.3, seed: 3)))
        cases.append(ParquetTestTable(name: "all_nulls", columns: ParquetTestColumns.allKinds(rows: 2500, nulls: 1, seed: 4)))
        cases.append(ParquetTestTable(name: "empty", columns: ParquetTestColumns.allKinds(rows: 0, nulls: 0.3, seed: 5)))
        cases.append(ParquetTestTable(name: "one_row", columns: ParquetTestColumns.allKinds(rows: 1, nulls: -1, seed: 6)))
        for codec in ParquetCompression.Codec.allCases {
            cases.append(ParquetTestTable(name: "codec_\(codec.rawValue)", columns: ParquetTestColumns.allKinds(rows: rows, nulls: 0.1, seed: 7),
                                          compression: ParquetCompression(codec)))
        }
        cases.append(ParquetTestTable(name: "zstd_level_9", columns: ParquetTestColumns.allKinds(rows: rows, nulls: 0.1, seed: 8),
                                      compression: ParquetCompression(.zstd, level: 9)))
        // Many row groups, each of several chunks of several pages.
        cases.append(ParquetTestTable(name: "row_groups", columns: ParquetTestColumns.allKinds(rows: 8000, nulls: 0.2, seed: 9),
                                      chunkRows: 1...700, rowGroupRowLimit: 1500, pageRowLimit: 150, pageByteLimit: 700))
        // The chunks encoded concurrently, one encoder per chunk, appended in order.
        cases.append(ParquetTestTable(name: "parallel", columns: ParquetTestColumns.allKinds(rows: 12_000, nulls: 0.05, seed: 10),
                                      chunkRows: 100...2000, rowGroupRowLimit: 5000, encodesInParallel: true))
        return cases
    }

    /// Writes every case and its expectation (cases.json) into `directory`.
    static func writeCases(into directory: String) throws -> Int {
        var expectations: [[String: Any]] = []
        for table in cases() {
            let destination = ParquetMemoryDestination()
            let summary = try table.write(to: destination)
            #expect(summary.rowCount == table.rowCount, "\(table.name)")
            #expect(summary.byteCount == destination.bytes.count, "\(table.name)")
            let file = table.name + ".parquet"
            try Data(destination.bytes).write(to: URL(fileURLWithPath: directory + "/" + file))
            expectations.append(table.expectation(file: file, summary: summary))
        }
        // Two tables sharing a budget far below their size: row groups are written early, by the fuller table.
        let budget = ParquetBufferBudget(limit: 32 << 10)
        let wide = ParquetTestTable(name: "budget_wide", columns: ParquetTestColumns.allKinds(rows: 8000, nulls: 0.1, seed: 11), chunkRows: 300...900)
        let narrow = ParquetTestTable(name: "budget_narrow", columns: Array(ParquetTestColumns.allKinds(rows: 8000, nulls: 0.1, seed: 12).prefix(3)),
                                      chunkRows: 300...900)
        for table in [wide, narrow] {
            let path = directory + "/" + table.name + ".parquet"
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            #expect(descriptor >= 0)
            defer { close(descriptor) }
            let summary = try table.write(to: ParquetFileDescriptorDestination(descriptor: descriptor, path: path), budget: budget)
            #expect(summary.rowGroupCount > 1, "\(table.name): the budget should have cut row groups")
            expectations.append(table.expectation(file: table.name + ".parquet", summary: summary))
        }
        #expect(budget.bufferedBytes == 0)
        let tables = try ParquetCANPTablesCase.write(into: directory)
        #expect(tables.count >= 5, "frames, errors and at least three message tables")
        expectations.append(contentsOf: tables)
        let json = try JSONSerialization.data(withJSONObject: ["cases": expectations], options: [.sortedKeys])
        try json.write(to: URL(fileURLWithPath: directory + "/cases.json"))
        return expectations.count
    }

    static var repositoryRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url.path
    }

    @Test func everyShapeReadsBackExactly() throws {
        if let directory = ProcessInfo.processInfo.environment["CANP_PARQUET_CASES"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            #expect(try Self.writeCases(into: directory) > 10)
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("canp-parquet-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let count = try Self.writeCases(into: directory)

        let checker = Process()
        checker.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        checker.arguments = ["python3", Self.repositoryRoot + "/scripts/parquet_roundtrip.py", directory]
        let output = Pipe()
        checker.standardOutput = output
        checker.standardError = output
        try checker.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        checker.waitUntilExit()
        #expect(checker.terminationStatus == 0, "scripts/parquet_roundtrip.py failed:\n\(text)")
        #expect(text.contains("\(count) files"), "unexpected checker output:\n\(text)")
    }
}
