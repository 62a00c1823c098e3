import BasicContainers

/// One CPU task's work: consecutive entries (units, and units the scan
/// already found lost) of one file.
struct ChunkJob: Sendable {
    /// The file's position in the run's inputs.
    var fileIndex: Int
    /// The file name without directory.
    var fileName: String
    /// The whole file, in pool memory.
    var file: SharedBlock
    /// The format reading it (an index into the run's formats).
    var formatIndex: Int
    /// The entries, in file order.
    var entries: ArraySlice<InputScan.Entry>
    /// The file bytes the entries cover (for progress).
    var bytes: Int
    /// Whether the chunk ends the file.
    var lastOfFile: Bool
}

/// What a chunk produced besides its pieces: counts and issues for the
/// report, and the state its last unit left for the next chunk.
struct ChunkOutcome: Sendable {
    var counts = FormatCounts()
    var signals = 0
    var framesWithSignals = 0
    /// The skipped units, in order (at most the run's reporting cap; all are counted).
    var issues: [FormatIssue] = []
    /// Every skipped unit, counted by ``FormatIssue/kind``.
    var kinds: [String: Int] = [:]
    var exitState: UInt64?
    /// Why the chunk could not be decoded (a resource failure).
    var failure: PipelineError?
}

/// The memory a chunk decodes into, reserved by the driver under the
/// limit before the chunk is submitted: one buffer that every unit reuses,
/// or (for sinks that keep unit data) one per unit, in reverse unit order so
/// that `popLast` hands them out in order.
final class Workspaces: @unchecked Sendable {
    // @unchecked: moved to the one task that uses it.
    var blocks: UniqueArray<MemoryBlock>
    let perUnit: Bool

    init(blocks: consuming UniqueArray<MemoryBlock>, perUnit: Bool) {
        self.blocks = blocks
        self.perUnit = perUnit
    }
}
