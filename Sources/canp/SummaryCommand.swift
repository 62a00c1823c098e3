import ArgumentParser
import Canp

/// `canp summary merge DIR`: the step any orchestrator runs after the parts of a job.
struct SummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Work with the run summaries of a job's parts.",
        subcommands: [SummaryMergeCommand.self])
}

struct SummaryMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Check that every part of a job is there and complete, and add their summaries up.",
        discussion: """
            Reads DIR/_canp/summary-P.json of parts 0 to N-1 and writes DIR/_canp/summary.json: the \
            keys of a part's summary with the counts, bytes and rows added up, the inputs of every \
            part in part order, wall_seconds the sum of the parts', peak_memory_bytes the largest \
            part's, "part": null and "parts": N. Fails (exit 1, and no summary.json is left) naming \
            every part that is missing (no summary), incomplete (a table its summary names is \
            missing, a temporary file of the part is left) or extra (a part number past N-1). \
            Without --parts, N is one past the highest part number found, which cannot notice \
            that the last parts are missing: orchestrators should give --parts.
            """)

    @Argument(help: "The job's output directory (the --out of its parts).")
    var directory: String

    @Option(name: .long, help: "The job's number of parts (default: one past the highest part found).")
    var parts: Int?

    @Flag(name: .long, help: "Print nothing on success.")
    var quiet = false

    func validate() throws {
        if let parts, parts < 1 || parts > Shard.maximumCount {
            throw ValidationError("--parts must be in 1...\(Shard.maximumCount), not \(parts)")
        }
    }

    func run() throws {
        let output = JobOutput(directory: directory)
        let count = parts ?? output.partsFound()
        guard count > 0 else {
            CommandSupport.error("summary merge", "\(directory): no part found (no _canp/summary-P.json, no part-P.parquet)")
            throw CommandSupport.fatal
        }
        do throws(ShardError) {
            let merged = try output.merge(parts: count)
            if !quiet {
                print("merged \(count) part(s) into \(output.mergedSummaryPath): \(merged.files) files, \(merged.blocks) blocks, "
                      + "\(merged.frames) frames, \(merged.signals) signals, \(merged.skippedUnits.values.reduce(0, +)) skipped units")
            }
        } catch {
            CommandSupport.error("summary merge", error.description)
            throw CommandSupport.fatal
        }
    }
}
