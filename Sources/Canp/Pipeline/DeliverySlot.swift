/// The ordered hand-over of one chunk's pieces from the CPU worker that
/// encodes them to the driver that writes them (`docs/ARCHITECTURE.md`,
/// "Ordered delivery").
///
/// The driver keeps one slot per chunk in flight, in input order; the oldest
/// is the head. The head's pieces are written as they come, so a chunk
/// whose output is larger than memory streams through; a later chunk's
/// pieces wait in its slot until it becomes the head. A worker waits (on the
/// slot's condition) while its slot holds more than `budget` bytes, and a
/// worker that cannot get pool memory for a piece waits until its slot is
/// the head, then takes heap memory if the pool still has none: the head
/// never waits for memory that only later chunks could release, so the run
/// always progresses (tasks start in submission order, so the head's task
/// is running or done whenever a later one is).
final class DeliverySlot<Piece: Sendable>: PieceOutput, @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`.
    private let lock = ConditionLock()
    private var pieces: [(piece: Piece, bytes: Int)] = []
    private var buffered = 0
    private var isHead = false
    private var outcome: ChunkOutcome?
    private var stopped = false
    private var knownEntry: UInt64??
    private var speculating = false
    private var assumed: UInt64??

    /// The chunk this slot delivers (for progress, a re-run, the report).
    let job: ChunkJob
    private let budget: Int
    private let events: RunEvents
    private let pool: UnifiedMemoryPool

    init(job: ChunkJob, budget: Int, events: RunEvents, pool: UnifiedMemoryPool) {
        self.job = job
        self.budget = budget
        self.events = events
        self.pool = pool
    }

    /// A slot whose outcome is known up front (units skipped before decoding).
    convenience init(job: ChunkJob, finished outcome: ChunkOutcome, events: RunEvents, pool: UnifiedMemoryPool) {
        self.init(job: job, budget: 0, events: events, pool: pool)
        self.outcome = outcome
        assumed = .some(nil)
    }

    // MARK: - The worker's side

    func emit(_ piece: Piece, bytes: Int) {
        lock.lock()
        pieces.append((piece, bytes))
        buffered += bytes
        let wake = isHead
        lock.unlock()
        if wake { events.signal() }
        lock.lock()
        while buffered > budget && !stopped { lock.wait() }
        lock.unlock()
    }

    func makeBuffer(capacity: Int) -> EncodedBytes {
        if let block = try? pool.allocateBlock(capacity: capacity) { return EncodedBytes(block: block) }
        lock.lock()
        while !isHead && !stopped { lock.wait() }
        lock.unlock()
        if let block = try? pool.allocateBlock(capacity: capacity) { return EncodedBytes(block: block) }
        return EncodedBytes(heapCapacity: capacity)
    }

    /// The entry state for the chunk's first unit: the predecessor's exit
    /// state when the driver already knows it, else unknown (the decoder
    /// then assumes one, recorded with ``recordAssumedEntry(_:)``).
    func entryForFirstUnit() -> UnitEntry {
        lock.withLock {
            if let known = knownEntry { return .known(known) }
            speculating = true
            return .unknown
        }
    }

    /// What the chunk's first unit assumed (nil: nothing), before any piece is emitted.
    func recordAssumedEntry(_ state: UInt64?) {
        lock.withLock { assumed = .some(state) }
        events.signal()
    }

    /// Whether the run has stopped (the worker should end the chunk early).
    var isStopped: Bool { lock.withLock { stopped } }

    /// The chunk is done (or failed): hands its counts and issues over.
    func finish(_ outcome: ChunkOutcome) {
        lock.withLock { self.outcome = outcome }
        events.signal()
    }

    // MARK: - The driver's side

    /// Tells the slot the exit state of the chunk before it.
    func setKnownEntry(_ state: UInt64?) {
        lock.withLock { knownEntry = .some(state) }
    }

    /// Whether the chunk's assumption about its entry state holds, given the
    /// exit state of the chunk before it: nil while it is not known yet.
    func entryHolds(previousExit: UInt64?) -> Bool? {
        lock.withLock {
            guard speculating else { return true }
            guard let assumed else { return nil }
            return assumed == previousExit
        }
    }

    /// Makes the slot the head and takes every piece it holds, and its
    /// outcome when the chunk is done (all its pieces are then among those taken).
    func takeAsHead() -> (pieces: [(piece: Piece, bytes: Int)], outcome: ChunkOutcome?) {
        lock.lock()
        isHead = true
        let taken = pieces
        pieces = []
        buffered = 0
        let done = outcome
        lock.broadcast()
        lock.unlock()
        return (taken, done)
    }

    /// Stops the chunk: its waiting worker returns, its pieces are dropped.
    func stop() {
        lock.lock()
        stopped = true
        pieces = []
        buffered = 0
        lock.broadcast()
        lock.unlock()
    }

    /// Whether the chunk's worker has finished (successfully or not).
    var isFinished: Bool { lock.withLock { outcome != nil } }
}
