import Foundation
import Testing
@testable import Canp

/// Files written by the independent reference (`canp_ref.py generate`, Python's gzip) read
/// by this reader must give the same `frames.csv`, byte for byte, and the same damaged
/// units in `errors.csv` as the reference's own exporter.
///
/// Needs python3, cantools and the reference script at `../shared/reference/canp_ref.py`
/// relative to the package root (or `CANP_REFERENCE_SCRIPT`). Without them the tests
/// are skipped with that reason shown in the test output; the same rules are covered by
/// `BlockDecoderTests` on files from `CANPFileWriter`.
@Suite("Reference conformance", .enabled(if: ReferenceScript.isAvailable, ReferenceScript.unavailableReason))
struct ReferenceConformanceTests {
    @Test func cleanFilesGiveTheReferenceFrames() throws {
        let (ours, reference, status) = try ReferenceScript.exportBoth(files: 3, blocks: 12, seed: 2, corrupt: false)
        #expect(status == 0, "canp_ref.py compare agrees")
        #expect(ours.frames == reference.frames)
        #expect(ours.frames.split(separator: "\n").count > 1000)
        #expect(ours.errors == CanonicalCSV.errorsHeader && reference.errors == CanonicalCSV.errorsHeader)
    }

    @Test func damagedFilesGiveTheReferenceFramesAndErrorUnits() throws {
        let (ours, reference, status) = try ReferenceScript.exportBoth(files: 5, blocks: 8, seed: 7, corrupt: true)
        #expect(ours.frames == reference.frames)
        let ourUnits = ReferenceScript.errorUnits(ours.errors)
        let referenceUnits = ReferenceScript.errorUnits(reference.errors)
        #expect(ourUnits == referenceUnits)
        // The generator's damage: a cut upload, a flipped deflate byte, an overrunning Record2,
        // and a block with frame errors (four bad frames, of which one leaves two 4-byte stubs).
        #expect(ourUnits.filter { $0.key.kind == "structural" }.count == 3)
        #expect(ourUnits.filter { $0.key.kind == "frame" }.values.reduce(0, +) == 6)
        #expect(status == 0, "canp_ref.py compare agrees")
    }
}

enum ReferenceScript {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var scriptPath: String {
        ProcessInfo.processInfo.environment["CANP_REFERENCE_SCRIPT"]
            ?? packageRoot.appendingPathComponent("../shared/reference/canp_ref.py").standardizedFileURL.path
    }

    static let isAvailable: Bool = {
        FileManager.default.fileExists(atPath: scriptPath)
            && (try? run(["python3", "-c", "import cantools"])) == 0
    }()

    static var unavailableReason: Comment {
        "SKIPPED: reference script \(scriptPath) or python3 with cantools not found"
    }

    /// Runs a command (found on PATH) with its output discarded and returns its exit status.
    ///
    /// posix_spawn rather than Foundation's Process: Process keeps a run-loop thread
    /// alive, and one full-suite run hung at process exit with that thread still up.
    @discardableResult
    static func run(_ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, &argv, environ)
        guard rc == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros Swift cannot import.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
    }

    struct Export: Equatable {
        var frames: String
        var errors: String
    }

    /// Generates files with the reference, exports them with the reference and with CANP.
    static func exportBoth(
        files: Int, blocks: Int, seed: Int, corrupt: Bool
    ) throws -> (ours: Export, reference: Export, compareStatus: Int32) {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("canp-ref-\(getpid())-\(seed)-\(corrupt)")
        try? fm.removeItem(at: dir)
        defer { try? fm.removeItem(at: dir) }
        var generate = ["python3", scriptPath, "generate", dir.path, "--files", "\(files)", "--blocks", "\(blocks)",
                        "--seed", "\(seed)"]
        if corrupt { generate.append("--corrupt") }
        try #require(try run(generate) == 0)
        let names = try fm.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".bin") }.sorted()
        try #require(names.count == files)
        let refDir = dir.appendingPathComponent("ref")
        try #require(try run(["python3", scriptPath, "export", "--dbc", dir.appendingPathComponent("vehicle.dbc").path,
                              "--out", refDir.path] + names.map { dir.appendingPathComponent($0).path }) == 0)
        let inputs = try names.map { ($0, [UInt8](try Data(contentsOf: dir.appendingPathComponent($0)))) }
        let ours = try FormatFixtures.export(files: inputs)
        // The reference comparer also reads signals.csv, which is not this layer's: give it the reference's.
        let ourDir = dir.appendingPathComponent("ours")
        try fm.createDirectory(at: ourDir, withIntermediateDirectories: true)
        try ours.frames.write(to: ourDir.appendingPathComponent("frames.csv"), atomically: false, encoding: .utf8)
        try ours.errors.write(to: ourDir.appendingPathComponent("errors.csv"), atomically: false, encoding: .utf8)
        try fm.copyItem(at: refDir.appendingPathComponent("signals.csv"), to: ourDir.appendingPathComponent("signals.csv"))
        let compareStatus = try run(["python3", scriptPath, "compare", refDir.path, ourDir.path])
        let reference = Export(
            frames: try String(contentsOf: refDir.appendingPathComponent("frames.csv"), encoding: .utf8),
            errors: try String(contentsOf: refDir.appendingPathComponent("errors.csv"), encoding: .utf8))
        return (Export(frames: ours.frames, errors: ours.errors), reference, compareStatus)
    }

    struct Unit: Hashable {
        var file: String
        var block: String
        var offset: String
        var kind: String
    }

    /// errors.csv as the spec compares it: (file, block, offset) units, structural or with a count of frame errors.
    static func errorUnits(_ csv: String) -> [Unit: Int] {
        var units: [Unit: Int] = [:]
        for row in parse(csv).dropFirst() where row.count == 5 {
            let kind = row[3] == "frame" ? "frame" : "structural"
            let unit = Unit(file: row[0], block: row[1], offset: row[2], kind: kind)
            units[unit] = kind == "frame" ? (units[unit] ?? 0) + 1 : 1
        }
        return units
    }

    /// A small RFC 4180 parser, independent of the writer under test.
    static func parse(_ csv: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, afterQuote = false
        for ch in csv {
            if quoted {
                if ch == "\"" { quoted = false; afterQuote = true } else { field.append(ch) }
                continue
            }
            switch ch {
            case "\"":
                if afterQuote { field.append("\"") }
                quoted = true
            case ",": row.append(field); field = ""
            case "\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.append(ch)
            }
            afterQuote = false
        }
        return rows
    }
}
