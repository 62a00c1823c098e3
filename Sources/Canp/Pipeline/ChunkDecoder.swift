import Synchronization

/// What a chunk's output must contain.
enum ChunkProducts: Sendable {
    /// Decode frames and signals into memory; keep only the counts.
    case countsOnly
    /// Decode and format the canonical CSV rows.
    case csv
    /// Decode and hand the columnar batches on (``DecodedBatch``).
    case batches
}

/// One CPU task's work: consecutive blocks of one file.
struct Chunk: Sendable {
    var fileIndex: Int
    var fileName: String
    var encodedFileName: [UInt8]
    var file: SharedBlock
    var blocks: ArraySlice<BlockDescriptor>
}

/// What one CPU task produced, in the order of its blocks.
struct ChunkResult: Sendable {
    var fileIndex: Int
    var counts = FormatCounts()
    var signals = 0
    var framesWithSignals = 0
    var issues: [FormatIssue] = []
    var framesCSV: [UInt8] = []
    var signalsCSV: [UInt8] = []
    var batch: DecodedBatch?
}

/// The reusable state of a CPU worker: a block decoder (with its inflater),
/// the frame and signal batches, an inflate buffer and CSV writers. Taken
/// from a small pool for the length of one task, so that nothing is
/// allocated per block or per frame once the state has warmed up.
final class ChunkWorkerState: @unchecked Sendable {
    // @unchecked: one task at a time holds a state (taken from and returned
    // to ChunkDecoder.states under its lock).
    var blockDecoder: BlockDecoder
    var inflater: GzipInflater
    var frames = FrameBatch(capacity: 1 << 14)
    var signals: DBCSignalBatch? = DBCSignalBatch(capacity: 1 << 16)
    var inflateBuffer: MemoryBlock?
    var inflateBase: UnsafeMutableRawPointer?
    var inflateCapacity = -1
    var framesCSV: CSVByteWriter? = CSVByteWriter(capacity: 1 << 20)
    var signalsCSV: CSVByteWriter? = CSVByteWriter(capacity: 1 << 22)
    var doubleTexts: DoubleTextCache? = DoubleTextCache()

    init(configuration: BlockDecoder.Configuration) throws(GzipError) {
        blockDecoder = try BlockDecoder(configuration: configuration)
        inflater = try GzipInflater()
    }
}

/// Decodes chunks on CPU workers: inflate each block into pool memory sized
/// from its ISIZE, walk and decode its frames, decode its signals, and
/// format or keep the results.
final class ChunkDecoder: Sendable {
    let decoder: DBCDecoder?
    let signalTable: SignalCSVTable?
    let products: ChunkProducts
    let stage: PipelineStage
    let memoryPool: UnifiedMemoryPool
    let blockConfiguration: BlockDecoder.Configuration
    private let states = LockedState<[ChunkWorkerState]>.make([])

    init(decoder: DBCDecoder?, products: ChunkProducts, stage: PipelineStage, memoryPool: UnifiedMemoryPool,
         blockConfiguration: BlockDecoder.Configuration) {
        self.decoder = stage == .signals ? decoder : nil
        self.stage = stage
        self.signalTable = products == .csv && stage == .signals ? decoder.map(SignalCSVTable.init) : nil
        self.products = products
        self.memoryPool = memoryPool
        self.blockConfiguration = blockConfiguration
    }

    private func takeState() throws -> ChunkWorkerState {
        if let state = states.withLock({ $0.popLast() }) { return state }
        return try ChunkWorkerState(configuration: blockConfiguration)
    }

    private func returnState(_ state: ChunkWorkerState) {
        states.withLock { $0.append(state) }
    }

    /// A block of pool memory of at least `capacity` bytes. A worker cannot
    /// suspend, so under the memory limit it waits by polling: memory comes
    /// back as other tasks finish and consumers release batches.
    private func allocateWaiting(capacity: Int) throws -> MemoryBlock {
        var delay: UInt32 = 50
        while true {
            do {
                return try memoryPool.allocateBlock(capacity: capacity, family: .decompression)
            } catch .limitExceeded(let requested, let footprint, let inUse, let limit) where requested <= limit {
                _ = (footprint, inUse)
                usleep(delay)
                delay = min(delay * 2, 5_000)
            } catch {
                throw error
            }
        }
    }

    /// Decodes one chunk.
    func decode(_ chunk: Chunk) throws -> ChunkResult {
        let state = try takeState()
        defer { returnState(state) }
        var frames = state.frames
        state.frames = FrameBatch()
        frames.removeAll()
        var signals = state.signals.take()!
        var framesCSV = state.framesCSV.take()!
        var signalsCSV = state.signalsCSV.take()!
        signals.removeAll()
        framesCSV.removeAll()
        signalsCSV.removeAll()
        var result = ChunkResult(fileIndex: chunk.fileIndex)
        var keptBlocks: [SharedBlock] = []
        let outcome = Result {
            try decodeBlocks(chunk, state: state, frames: &frames, signals: &signals, framesCSV: &framesCSV,
                             signalsCSV: &signalsCSV, result: &result, keptBlocks: &keptBlocks)
        }
        result.counts += frames.counts
        result.issues += frames.issues
        result.signals = signals.count
        switch products {
        case .countsOnly:
            state.frames = frames
        case .csv:
            result.framesCSV = framesCSV.bytes
            result.signalsCSV = signalsCSV.bytes
            state.frames = frames
        case .batches:
            var handed = DBCSignalBatch(capacity: max(signals.count, 16))
            swap(&handed, &signals)
            result.batch = DecodedBatch(fileName: chunk.fileName, fileIndex: chunk.fileIndex, frames: frames,
                                        inflatedBlocks: keptBlocks, signals: handed, decoder: decoder)
            state.frames = FrameBatch(capacity: frames.count)
        }
        state.signals = consume signals
        state.framesCSV = consume framesCSV
        state.signalsCSV = consume signalsCSV
        try outcome.get()
        return result
    }

    /// Decodes the signals of the frames in `rows` (their data lies in
    /// `inflated`, at offsets the block decoder checked); returns how many
    /// frames had signals. Remote and error frames carry no signals. At least
    /// `DBCDecoder.payloadPadding` readable bytes must follow `inflated`.
    private static func decodeSignals(
        of rows: Range<Int>, frames: FrameBatch, inflated: UnsafeRawBufferPointer, decoder: DBCDecoder,
        into signals: inout DBCSignalBatch
    ) -> Int {
        guard let base = inflated.baseAddress else { return 0 }
        var withSignals = 0
        frames.identifiers.withUnsafeBufferPointer { identifiers in
            frames.flags.withUnsafeBufferPointer { flags in
                frames.dataOffsets.withUnsafeBufferPointer { offsets in
                    frames.lengths.withUnsafeBufferPointer { lengths in
                        for row in rows {
                            let flag = flags[row]
                            if flag.contains(.remoteRequest) || flag.contains(.errorFrame) { continue }
                            let message = decoder.messageIndex(id: identifiers[row], isExtended: flag.contains(.extended))
                            guard let message else { continue }
                            // Read in place: the inflate buffer has `payloadPadding` bytes of slack.
                            let added = decoder.decode(messageAt: message, paddedPayload: base + Int(offsets[row]),
                                                       count: Int(lengths[row]), frameIndex: UInt32(row), into: &signals)
                            if added > 0 { withSignals += 1 }
                        }
                    }
                }
            }
        }
        return withSignals
    }

    /// The measuring stages: inflate only (libdeflate or zlib), or inflate and walk.
    private func partialStage(
        _ block: BlockDescriptor, fileBytes: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer,
        state: ChunkWorkerState, result: inout ChunkResult
    ) {
        let payload = UnsafeRawBufferPointer(rebasing: fileBytes[block.payloadRange])
        let inflated: Int
        do {
            inflated = stage == .inflateWithZlib
                ? try GzipInflater.unsafeInflateWithZlib(member: payload, into: output)
                : try state.inflater.unsafeInflate(member: payload, into: output)
        } catch {
            result.counts.blocksSkipped += 1
            return
        }
        result.counts.inflatedBytes += inflated
        if stage == .walk {
            let walk = BlockDecoder.validate(UnsafeRawPointer(output.baseAddress!), inflated)
            if walk.failure != nil {
                result.counts.blocksSkipped += 1
                return
            }
            result.counts.framesDecoded += walk.frames
        }
        result.counts.blocksDecoded += 1
    }

    /// The hot loop: inflate, walk, decode and format each block of the chunk.
    private func decodeBlocks(
        _ chunk: Chunk, state: ChunkWorkerState, frames: inout FrameBatch, signals: inout DBCSignalBatch,
        framesCSV: inout CSVByteWriter, signalsCSV: inout CSVByteWriter, result: inout ChunkResult,
        keptBlocks: inout [SharedBlock]
    ) throws {
        try chunk.file.withUnsafeBytes { fileBytes in
            for block in chunk.blocks {
                let capacity: Int
                do {
                    capacity = try state.blockDecoder.requiredCapacity(for: block, unsafeFileBytes: fileBytes, file: chunk.fileName)
                } catch {
                    // Not a usable gzip member: let the decoder report and count it.
                    _ = state.blockDecoder.decode(block, unsafeFileBytes: fileBytes,
                                                  unsafeOutput: UnsafeMutableRawBufferPointer(start: nil, count: 0),
                                                  file: chunk.fileName, into: &frames)
                    continue
                }
                // The inflated bytes: a fresh block per Record0 when the batch
                // keeps them, else one buffer that this worker reuses. The
                // inflater is given exactly ISIZE bytes, not the block's whole
                // capacity: how a damaged member fails (CRC-32 or ISIZE
                // mismatch) depends on the room it has, and the reason must not
                // depend on the pool's tier sizes or on what a worker decoded before.
                // Both kinds of buffer get `DBCDecoder.payloadPadding` bytes of
                // slack after ISIZE, so that signals are decoded in place.
                var fresh: MemoryBlock?
                let output: UnsafeMutableRawBufferPointer
                let padded = capacity + DBCDecoder.payloadPadding
                if products == .batches {
                    let block = try allocateWaiting(capacity: padded)
                    output = UnsafeMutableRawBufferPointer(start: block.unsafeBaseAddress, count: capacity)
                    fresh = consume block
                } else {
                    if state.inflateCapacity < padded {
                        state.inflateBuffer = nil
                        let block = try allocateWaiting(capacity: padded)
                        state.inflateBase = block.unsafeBaseAddress
                        state.inflateCapacity = block.capacity
                        state.inflateBuffer = consume block
                    }
                    output = UnsafeMutableRawBufferPointer(start: state.inflateBase, count: capacity)
                }
                if stage != .frames && stage != .signals {
                    partialStage(block, fileBytes: fileBytes, output: output, state: state, result: &result)
                    continue
                }
                let outcome = state.blockDecoder.decode(block, unsafeFileBytes: fileBytes, unsafeOutput: output,
                                                        file: chunk.fileName, into: &frames)
                guard case .decoded(_, _, let inflatedCount) = outcome, let segment = frames.segments.last else { continue }
                let inflated = UnsafeRawBufferPointer(start: output.baseAddress, count: inflatedCount)
                let firstSignal = signals.count
                if let decoder {
                    result.framesWithSignals += Self.decodeSignals(
                        of: segment.frames, frames: frames, inflated: inflated, decoder: decoder, into: &signals)
                }
                if products == .csv {
                    CanonicalCSV.appendFrameRows(of: frames, segment: segment, encodedFileName: chunk.encodedFileName,
                                                 unsafeInflatedBlock: inflated, to: &framesCSV)
                    if let signalTable {
                        var cache = state.doubleTexts.take()!
                        signalTable.appendRows(firstSignal..<signals.count, of: signals, frames: frames,
                                               encodedFileName: chunk.encodedFileName, cache: &cache, to: &signalsCSV)
                        state.doubleTexts = consume cache
                    }
                }
                if var kept = fresh.take() {
                    kept.withUnsafeUninitializedCapacity { _, count in count = inflatedCount }
                    keptBlocks.append(kept.freeze())
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
