import BasicContainers
#if canImport(Glibc)
import Glibc
#endif

/// One run of a ``CANPipeline``: the driver (`docs/ARCHITECTURE.md`, "The
/// driver").
///
/// It loops over four steps, each a method, until every file is delivered:
/// write what the oldest chunks have produced (``deliver()``), take the next
/// read file (``takeNextFile()``), cut it into chunks and submit them under
/// the memory limit (``submitChunks()``), start reads ahead
/// (``ReadAhead/startReads(hasCurrentFile:)``). When no step can progress it waits for an
/// event (``RunEvents``). The memory rules that keep it from ever waiting
/// for memory that nothing will release are in ``reserve(_:for:)``.
final class PipelineRun<Sink: OutputSink> {
    typealias Piece = Sink.Encoder.Piece

    private let configuration: PipelineConfiguration
    private let files: [InputFiles.File]
    private let sink: Sink
    private let pool: UnifiedMemoryPool
    private let threadPool: PipelineThreadPool
    private let runner: ChunkRunner<Sink>
    private let readAhead: ReadAhead
    private let events = RunEvents()
    private let progress: ((PipelineProgress) -> Void)?
    private let started = MonotonicClock.seconds()
    private let budget: Int
    private var report = PipelineReport()
    /// The chunks in flight, in input order from `slotHead` on (delivered
    /// slots are set to nil at once: they hold their file's buffer).
    private var slots: [DeliverySlot<Piece>?] = []
    private var slotHead = 0
    private var current: FileSplit?
    private var lastExit: UInt64?
    private var delivered = (files: 0, bytes: 0)
    private let bytesTotal: Int

    init(configuration: PipelineConfiguration, files: [InputFiles.File], decoder: DBCDecoder?, sink: Sink,
         pool: UnifiedMemoryPool, threadPool: PipelineThreadPool, progress: ((PipelineProgress) -> Void)?) {
        self.configuration = configuration
        self.files = files
        self.sink = sink
        self.pool = pool
        self.threadPool = threadPool
        self.progress = progress
        let decodesSignals = configuration.stage == .signals ? decoder : nil
        runner = ChunkRunner(formats: configuration.inputFormats, decoder: decodesSignals,
                             depth: configuration.stage.depth, sink: sink,
                             maximumIssues: configuration.maximumReportedIssues)
        readAhead = ReadAhead(files: files, formats: configuration.inputFormats,
                              forcedFormat: configuration.forcedInputFormat, pool: pool, threadPool: threadPool,
                              events: events, limit: configuration.memoryLimit, ahead: configuration.readAheadFiles)
        budget = max(4 << 20, configuration.memoryLimit / (2 * configuration.tasksInFlight))
        bytesTotal = files.reduce(0) { $0 + $1.size }
    }

    /// Runs to the end: every file read, decoded and delivered, the sink finished.
    ///
    /// - Throws: ``PipelineError``; the sink's temporary outputs are then discarded.
    func run(decoder: DBCDecoder?) async throws(PipelineError) -> PipelineReport {
        let statsBefore = pool.statistics
        do throws(PipelineError) {
            do {
                try sink.open(SinkRun(inputs: files.map { SinkRun.Input(path: $0.path, name: $0.name, size: $0.size) },
                                      decoder: configuration.stage == .signals ? decoder : nil,
                                      memoryPool: pool, memoryLimit: configuration.memoryLimit))
            } catch {
                throw PipelineError(error)
            }
            try await loop()
            finishReport(statsBefore: statsBefore)
            do {
                let outcome = try await sink.finish(report)
                report.outputs = outcome.files
                report.bytesWritten = outcome.bytesWritten
                report.rowsWritten = outcome.rowsWritten
            } catch {
                throw PipelineError(error)
            }
            return report
        } catch {
            await stopAll()
            sink.discard()
            throw error
        }
    }

    private func loop() async throws(PipelineError) {
        while true {
            if Task.isCancelled { throw .cancelled }
            var progressed = try await deliver()
            if current == nil { progressed = try await takeNextFile() || progressed }
            if current != nil { progressed = try await submitChunks() || progressed }
            progressed = try readAhead.startReads(hasCurrentFile: current != nil) || progressed
            let idle = current == nil && slotHead == slots.count
            if idle && readAhead.isDone { return }
            if progressed { continue }
            if idle && !readAhead.hasStarted {
                // Nothing of the run holds memory, yet the next file's buffer
                // cannot be had: memory is held outside the run (batches a
                // consumer keeps) and may come back.
                _ = pool.trim()
                try await Task.sleep(milliseconds: 2)
            } else {
                await events.wait()
            }
        }
    }

    // MARK: - Ordered delivery

    /// Writes what the head slots hold and completes the chunks that are
    /// done, in order. Returns whether anything was delivered.
    private func deliver() async throws(PipelineError) -> Bool {
        var progressed = false
        while slotHead < slots.count, let slot = slots[slotHead] {
            guard let holds = slot.entryHolds(previousExit: lastExit) else { break }
            if !holds {
                slot.stop()
                guard slot.isFinished else { break }
                slots[slotHead] = try rerun(slot.job)
                report.chunksDecodedAgain += 1
                continue
            }
            let (pieces, outcome) = slot.takeAsHead()
            for (piece, _) in pieces {
                do {
                    try await sink.write(piece)
                } catch {
                    throw PipelineError(error)
                }
            }
            progressed = progressed || !pieces.isEmpty
            guard let outcome else { break }
            try complete(slot.job, outcome)
            slots[slotHead] = nil
            slotHead += 1
            if slotHead > 256 && slotHead * 2 > slots.count {
                slots.removeFirst(slotHead)
                slotHead = 0
            }
            progressed = true
        }
        return progressed
    }

    /// Adds a delivered chunk to the report; in strict mode, its first
    /// damaged unit stops the run.
    private func complete(_ job: ChunkJob, _ outcome: ChunkOutcome) throws(PipelineError) {
        if let failure = outcome.failure { throw failure }
        add(outcome)
        if configuration.strict, let first = outcome.issues.first { throw .damagedInput(first) }
        lastExit = job.lastOfFile ? nil : outcome.exitState
        if slotHead + 1 < slots.count, let next = slots[slotHead + 1], next.job.fileIndex == job.fileIndex {
            next.setKnownEntry(lastExit)
        }
        delivered.bytes += job.bytes
        if job.lastOfFile { delivered.files += 1 }
        reportProgress()
    }

    private func add(_ outcome: ChunkOutcome) {
        report.format += outcome.counts
        report.signals += outcome.signals
        report.framesWithSignals += outcome.framesWithSignals
        for (kind, count) in outcome.kinds { report.skippedByReason[kind, default: 0] += count }
        let room = configuration.maximumReportedIssues - report.issues.count
        if room > 0 { report.issues += outcome.issues.prefix(room) }
    }

    /// Decodes a chunk again, on the driving task, with its predecessor's
    /// exit state known (its first unit had assumed another). Rare: formats
    /// assume only where a wrong guess is improbable. The slot's budget is
    /// unbounded, since no one drains it while it is filled.
    private func rerun(_ job: ChunkJob) throws(PipelineError) -> DeliverySlot<Piece> {
        let slot = DeliverySlot<Piece>(job: job, budget: Int.max, events: events, pool: pool)
        slot.setKnownEntry(lastExit)
        _ = slot.takeAsHead()
        let workspaces = Workspaces(blocks: try reserveWaitingBriefly(job), perUnit: sink.retainsUnitData)
        runner.run(job, workspaces: workspaces, slot: slot)
        return slot
    }

    // MARK: - Files and chunks

    /// Takes the next file whose read has finished. Returns whether it took one.
    private func takeNextFile() async throws(PipelineError) -> Bool {
        guard let (index, result) = readAhead.takeFinished() else { return false }
        let file = files[index]
        switch result {
        case .success(let loaded):
            report.files += 1
            report.bytesRead += file.size
            report.inputs.append(.init(path: file.path, size: file.size, format: configuration.inputFormats[loaded.formatIndex].name))
            current = FileSplit(fileIndex: index, file: file, loaded: loaded)
            if loaded.scan.entries.isEmpty {
                current = nil
                delivered.files += 1
                delivered.bytes += file.size
            }
        case .failure(let error):
            let reason: String
            if case .fileUnreadable(_, let why) = error { reason = why } else { reason = error.description }
            report.unreadableFiles.append((file.path, reason))
            delivered.files += 1
            if configuration.strict {
                // The earlier files' results come first: damage in them is the first error in file order.
                while slotHead < slots.count {
                    if try await !deliver() { await events.wait() }
                }
                throw .fileUnreadable(path: file.path, reason: reason)
            }
        }
        return true
    }

    /// Submits chunks of the current file while slots and memory allow.
    /// Returns whether it submitted any.
    private func submitChunks() async throws(PipelineError) -> Bool {
        var submitted = false
        while var split = current, slots.count - slotHead < configuration.tasksInFlight {
            let range = split.nextChunk(blocksPerTask: configuration.blocksPerTask)
            var entries = split.loaded.scan.entries[range]
            var job = ChunkJob(fileIndex: split.fileIndex, fileName: split.file.name, file: split.loaded.file,
                               formatIndex: split.loaded.formatIndex, entries: entries, bytes: split.bytes(of: range),
                               lastOfFile: range.upperBound == split.loaded.scan.entries.count)
            var blocks: UniqueArray<MemoryBlock>
            switch try await reserve(capacities(of: entries), for: split) {
            case .later:
                return submitted
            case .reserved(let reserved):
                blocks = reserved.take()
            case .tooLarge:
                if range.count > 1 {
                    split.retryAlone()
                    current = split
                    continue
                }
                entries = [unfittable(entries[range.lowerBound], in: split)]
                job.entries = entries
                blocks = UniqueArray()
            }
            split.take(range)
            current = split.isDone ? nil : split
            submit(job, workspaces: Workspaces(blocks: blocks, perUnit: sink.retainsUnitData))
            submitted = true
        }
        return submitted
    }

    private func submit(_ job: ChunkJob, workspaces: Workspaces) {
        let slot = DeliverySlot<Piece>(job: job, budget: budget, events: events, pool: pool)
        let startsFile = job.entries.startIndex == 0
        if startsFile { slot.setKnownEntry(nil) }
        slots.append(slot)
        let runner = self.runner
        do {
            try threadPool.submitCPUTask { runner.run(job, workspaces: workspaces, slot: slot) }
        } catch {
            var outcome = ChunkOutcome()
            outcome.failure = .resources("\(error)")
            slot.finish(outcome)
        }
    }

    /// The memory a chunk's units need: one buffer for the largest, or one
    /// per unit for sinks that keep unit data (in reverse order: see ``Workspaces``).
    private func capacities(of entries: ArraySlice<InputScan.Entry>) -> [Int] {
        let sizes = entries.compactMap { entry -> Int? in
            if case .unit(let unit) = entry { return unit.workspaceBytes + InputUnit.padding }
            return nil
        }
        guard !sizes.isEmpty else { return [] }
        return sink.retainsUnitData ? sizes.reversed() : [sizes.max()!]
    }

    /// The skipped entry for a unit that cannot get its memory even alone.
    private func unfittable(_ entry: InputScan.Entry, in split: FileSplit) -> InputScan.Entry {
        guard case .unit(let unit) = entry else { return entry }
        let format = configuration.inputFormats[split.loaded.formatIndex]
        let reason = FormatIssue.Reason(
            "needs \(unit.workspaceBytes + InputUnit.padding) bytes of memory to decode, more than the memory limit of "
                + "\(configuration.memoryLimit) bytes leaves beside its file of \(split.file.size) bytes")
        var counts = FormatCounts()
        counts.blocksSkipped = 1
        return .skipped(FormatIssue(file: split.file.name, block: unit.firstBlock, offset: unit.offset,
                                    level: format.unitLevel, reason: reason), counts)
    }

    // MARK: - Memory

    private enum Reservation {
        case reserved(BlocksBox)
        /// Not now: memory comes back as chunks in flight are delivered.
        case later
        /// Never, beside this file.
        case tooLarge
    }

    /// Takes a chunk's memory from the pool under the limit. The rules that
    /// keep a run from hanging (`docs/ARCHITECTURE.md`, "Memory"): with
    /// chunks in flight, wait for their delivery (``Reservation/later``);
    /// else give back the buffers read ahead and retry; else, if memory is
    /// held outside the run (batches a consumer keeps), wait for it; else the
    /// memory can never be had beside this file (``Reservation/tooLarge``).
    private func reserve(_ capacities: [Int], for split: FileSplit) async throws(PipelineError) -> Reservation {
        if capacities.isEmpty { return .reserved(BlocksBox(UniqueArray())) }
        let needed = capacities.reduce(0, +)
        if needed > configuration.memoryLimit - split.file.size { return .tooLarge }
        var trimmed = false
        while true {
            do {
                return .reserved(BlocksBox(try pool.allocateBlocks(capacities: capacities, family: .decompression)))
            } catch .limitExceeded {
                if slotHead < slots.count { return .later }
                if readAhead.dropLoaded() { continue }
                if readAhead.isReading { return .later }
                if !trimmed {
                    _ = pool.trim()
                    trimmed = true
                    continue
                }
                // Only this file's buffer is the run's own now: memory in use
                // beyond it is held outside the run and may come back.
                guard pool.currentMemory > split.loaded.file.count else { return .tooLarge }
                try await Task.sleep(milliseconds: 2)
                trimmed = false
            } catch {
                throw .resources("\(error)")
            }
        }
    }

    /// ``reserve(_:for:)`` for a re-run, where nothing else is in flight.
    private func reserveWaitingBriefly(_ job: ChunkJob) throws(PipelineError) -> UniqueArray<MemoryBlock> {
        let capacities = capacities(of: job.entries)
        do {
            return try pool.allocateBlocks(capacities: capacities, family: .decompression)
        } catch {
            throw .resources("no memory to decode \(job.fileName) again: \(error)")
        }
    }

    // MARK: - End

    private func stopAll() async {
        let open = slots[slotHead...].compactMap { $0 }
        for slot in open { slot.stop() }
        for slot in open {
            while !slot.isFinished { await events.wait() }
        }
    }

    private func reportProgress() {
        guard let progress else { return }
        progress(PipelineProgress(
            filesDone: delivered.files, filesTotal: files.count, bytesDone: delivered.bytes, bytesTotal: bytesTotal,
            frames: report.format.framesDecoded, signals: report.signals, skippedUnits: report.format.issueCount,
            memoryInUse: pool.currentMemory, seconds: MonotonicClock.seconds() - started))
    }

    private func finishReport(statsBefore: MemoryPoolStatistics) {
        let statsAfter = pool.statistics
        let allocations = statsAfter.totalAllocations - statsBefore.totalAllocations
        report.poolHitRate = allocations == 0 ? 0 : Double(statsAfter.reuseCount - statsBefore.reuseCount) / Double(allocations)
        report.peakPoolMemory = statsAfter.peakMemory
        report.peakResidentMemory = ProcessMemory.peakResidentBytes()
        let io = threadPool.statistics.io
        if io.usesFallback {
            report.readBackend = "pread" + (io.fallbackForced ? " (forced)" : io.ioUringSetupError.map { " (io_uring unavailable: errno \($0))" } ?? "")
        } else {
            report.readBackend = "io_uring"
        }
        report.seconds = MonotonicClock.seconds() - started
    }
}

/// Moves a noncopyable array of blocks out of a switch.
final class BlocksBox {
    private var blocks: UniqueArray<MemoryBlock>?
    init(_ blocks: consuming UniqueArray<MemoryBlock>) { self.blocks = consume blocks }
    func take() -> UniqueArray<MemoryBlock> { blocks.take()! }
}

extension Task where Success == Never, Failure == Never {
    /// Sleeps; a cancelled task stops the run.
    static func sleep(milliseconds: Int) async throws(PipelineError) {
        do {
            try await Task.sleep(nanoseconds: UInt64(milliseconds) * 1_000_000)
        } catch {
            throw .cancelled
        }
    }
}
