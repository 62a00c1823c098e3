import BasicContainers

/// Runs chunks on CPU workers: each unit is decoded by its format's decoder
/// into frames, in slices of bounded size; each slice's signals are decoded
/// with the DBC; the sink's encoder turns the slice into pieces for the
/// chunk's ``DeliverySlot``.
///
/// A slice holds at most ``frameLimit`` frames and, with a DBC, at most
/// about ``signalLimit`` signal rows, so the memory of a worker does not grow
/// with the data, however dense a unit is.
final class ChunkRunner<Sink: OutputSink>: @unchecked Sendable {
    // @unchecked: immutable after init, except the state pools under their locks.
    typealias Piece = Sink.Encoder.Piece

    static var frameLimit: Int { 1 << 15 }
    static var signalLimit: Int { 1 << 18 }

    private let formats: [any InputFormat]
    private let decoder: DBCDecoder?
    private let depth: DecodeDepth
    private let sink: Sink
    private let maximumIssues: Int
    private let sliceFrames: Int
    private let states = LockedState<[WorkerState]>.make([])
    private let encoders = LockedState<[Sink.Encoder]>.make([])

    /// A worker's reusable columns and decoders (one per format, made when first needed).
    final class WorkerState {
        var frames = FrameBatch(capacity: 1 << 12)
        var signals = DBCSignalBatch(capacity: 1 << 14)
        var decoders: [Int: any InputUnitDecoder] = [:]
    }

    init(formats: [any InputFormat], decoder: DBCDecoder?, depth: DecodeDepth, sink: Sink, maximumIssues: Int) {
        self.formats = formats
        self.decoder = decoder
        self.depth = depth
        self.sink = sink
        self.maximumIssues = maximumIssues
        let widest = decoder?.messages.map(\.signals.count).max() ?? 0
        sliceFrames = max(1, min(Self.frameLimit, Self.signalLimit / max(widest, 1)))
    }

    /// Decodes a chunk into its slot; never throws (a failure ends up in the outcome).
    func run(_ job: ChunkJob, workspaces: Workspaces, slot: DeliverySlot<Piece>) {
        var outcome = ChunkOutcome()
        do throws(PipelineError) {
            let state = takeState()
            defer { returnState(state) }
            let encoder = try takeEncoder()
            defer { returnEncoder(encoder) }
            let unitDecoder = try self.unitDecoder(for: job.formatIndex, in: state)
            try job.file.withUnsafeBytes { (fileBytes) throws(PipelineError) in
                var entry = slot.entryForFirstUnit()
                var first = true
                for item in job.entries {
                    if slot.isStopped { throw PipelineError.cancelled }
                    switch item {
                    case .skipped(let issue, let counts):
                        if first { slot.recordAssumedEntry(nil) }
                        state.frames.appendIssue(issue)
                        state.frames.addCounts(counts)
                        emitSlice(job, state: state, data: UnsafeRawBufferPointer(start: nil, count: 0), shared: nil,
                                  encoder: encoder, slot: slot, outcome: &outcome)
                    case .unit(let unit):
                        entry = decodeUnit(unit, of: job, fileBytes: fileBytes, entry: entry, isFirst: first,
                                           state: state, unitDecoder: unitDecoder, workspaces: workspaces,
                                           encoder: encoder, slot: slot, outcome: &outcome)
                    }
                    first = false
                }
                if first { slot.recordAssumedEntry(nil) }
                outcome.exitState = entry.isKnown ? entry.state : nil
            }
            encoder.finishChunk(to: slot)
        } catch {
            outcome.failure = error
        }
        slot.finish(outcome)
    }

    /// Decodes one unit slice by slice; returns the entry for the next unit.
    private func decodeUnit(
        _ unit: InputUnit, of job: ChunkJob, fileBytes: UnsafeRawBufferPointer, entry: UnitEntry, isFirst: Bool,
        state: WorkerState, unitDecoder: any InputUnitDecoder, workspaces: Workspaces, encoder: Sink.Encoder,
        slot: DeliverySlot<Piece>, outcome: inout ChunkOutcome
    ) -> UnitEntry {
        var block: MemoryBlock? = workspaces.perUnit ? workspaces.blocks.popLast() : nil
        let base = block?.unsafeBaseAddress ?? workspaces.blocks[0].unsafeBaseAddress
        let capacity = (block?.capacity ?? workspaces.blocks[0].capacity) - InputUnit.padding
        precondition(capacity >= unit.workspaceBytes, "ChunkRunner: the reserved workspace is smaller than the unit needs")
        let workspace = UnsafeMutableRawBufferPointer(start: base, count: unit.workspaceBytes)
        let start = unitDecoder.start(unit, fileBytes: fileBytes, fileName: job.fileName, workspace: workspace,
                                      depth: depth, entry: entry, into: &state.frames)
        if isFirst { slot.recordAssumedEntry(start.assumedEntry) }
        var shared: SharedBlock?
        if var owned = block.take() {
            owned.withUnsafeUninitializedCapacity { _, count in count = unit.workspaceBytes }
            shared = owned.freeze()
        }
        let data = UnsafeRawBufferPointer(start: base, count: unit.workspaceBytes)
        var more = start.hasFrames
        repeat {
            if more { more = unitDecoder.next(into: &state.frames, maximumFrames: sliceFrames) }
            emitSlice(job, state: state, data: data, shared: shared, encoder: encoder, slot: slot, outcome: &outcome)
        } while more && !slot.isStopped
        return .known(unitDecoder.exitState)
    }

    /// Decodes the signals of the frames in the worker's batch, hands the
    /// slice to the encoder, adds it to the outcome and empties the batch.
    private func emitSlice(
        _ job: ChunkJob, state: WorkerState, data: UnsafeRawBufferPointer, shared: SharedBlock?,
        encoder: Sink.Encoder, slot: DeliverySlot<Piece>, outcome: inout ChunkOutcome
    ) {
        if state.frames.isEmpty && state.frames.issues.isEmpty {
            outcome.counts += state.frames.counts
            state.frames.removeAll()
            return
        }
        if let decoder, !state.frames.isEmpty {
            outcome.framesWithSignals += decoder.decodeSignals(of: state.frames, data: data, into: &state.signals)
            outcome.signals += state.signals.count
        }
        do {
            let frames = state.frames
            // In a scope of its own: the slice's copy of the columns must be
            // gone before they are emptied, or emptying them would copy them.
            let slice = DecodedSlice(fileIndex: job.fileIndex, fileName: job.fileName, frames: frames, data: data,
                                     sharedData: shared)
            encoder.encode(slice, signals: state.signals, to: slot)
            outcome.counts += frames.counts
            let room = maximumIssues - outcome.issues.count
            if room > 0 { outcome.issues += frames.issues.prefix(room) }
            for issue in frames.issues { outcome.kinds[issue.kind, default: 0] += 1 }
        }
        state.frames.removeAll()
        state.signals.removeAll()
    }

    // MARK: - Reused state

    private func takeState() -> WorkerState {
        states.withLock { $0.popLast() } ?? WorkerState()
    }

    private func returnState(_ state: WorkerState) {
        state.frames.removeAll()
        state.signals.removeAll()
        states.withLock { $0.append(state) }
    }

    private func takeEncoder() throws(PipelineError) -> Sink.Encoder {
        if let encoder = encoders.withLock({ $0.popLast() }) { return encoder }
        do {
            return try sink.makeEncoder()
        } catch {
            throw PipelineError(error)
        }
    }

    private func returnEncoder(_ encoder: Sink.Encoder) {
        encoders.withLock { $0.append(encoder) }
    }

    private func unitDecoder(for format: Int, in state: WorkerState) throws(PipelineError) -> any InputUnitDecoder {
        if let existing = state.decoders[format] { return existing }
        do {
            let made = try formats[format].makeUnitDecoder()
            state.decoders[format] = made
            return made
        } catch {
            throw .resources("\(error)")
        }
    }
}
