import BasicContainers
import Dispatch
import Synchronization
import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

/// The calling thread's name, from /proc (Glibc does not export
/// pthread_getname_np to Swift).
private func currentThreadName() -> String {
    let fd = open("/proc/thread-self/comm", O_RDONLY)
    guard fd >= 0 else { return "?" }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 32)
    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0 else { return "?" }
    return String(decoding: buffer[0..<n], as: UTF8.self).trimmingSuffix("\n")
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

@Suite("PipelineThreadPool")
struct PipelineThreadPoolTests {
    // MARK: Priorities

    @Test func higherPriorityStartsFirstEqualPrioritiesInSubmissionOrder() throws {
        let pool = try makePool(threads: 1)
        let gate = Gate()
        let started = DispatchSemaphore(value: 0)
        try pool.submitCPUTask {
            started.signal()
            gate.wait()
        }
        started.wait()  // the only CPU worker is now blocked
        let log = OrderLog()
        let priorities: [PipelineTaskPriority] = [
            .low, .normal, .high, .critical, .low, .critical, .normal, .high, .normal, .low, .critical, .high,
        ]
        for (i, priority) in priorities.enumerated() {
            try pool.submitCPUTask(priority: priority) { log.append("\(priority)-\(i)") }
        }
        gate.open()
        pool.waitForCompletion()
        let expected = priorities.enumerated()
            .sorted { a, b in a.element != b.element ? a.element > b.element : a.offset < b.offset }
            .map { "\($0.element)-\($0.offset)" }
        #expect(log.all == expected)
        #expect(log.all.first == "critical-3")
        #expect(log.all.last == "low-9")
    }

    @Test func prioritiesDoNotCrossClasses() throws {
        let pool = try makePool(threads: 1)
        let gate = Gate()
        let started = DispatchSemaphore(value: 0)
        try pool.submitCPUTask {
            started.signal()
            gate.wait()
        }
        started.wait()
        // The CPU worker is blocked; a low-priority memory task still runs.
        let ran = try pool.submitMemoryTask(priority: .low) { 42 }
        #expect(try ran.wait() == 42)
        gate.open()
        pool.waitForCompletion()
    }

    // MARK: Workers and lifecycle

    @Test func workersAreNamedPerClass() async throws {
        var config = ThreadPoolConfig(cores: 2)
        config.ioThreads = 1
        config.cpuThreads = 2
        config.memoryThreads = 1
        let pool = try PipelineThreadPool(config: config, memoryPool: quietMemoryPool())
        let io = try pool.submitIOTask { currentThreadName() }
        let memory = try pool.submitMemoryTask { currentThreadName() }
        #expect(try await io.value == "canp-io-1")
        #expect(try await memory.value == "canp-mem-1")
        // Block both CPU workers at once to see both names.
        let barrier = DispatchSemaphore(value: 0)
        let arrived = Atomic<Int>(0)
        let names = (0..<2).map { _ in
            try! pool.submitCPUTask { () -> String in
                if arrived.wrappingAdd(1, ordering: .relaxed).newValue == 2 {
                    barrier.signal()
                    barrier.signal()
                }
                barrier.wait()
                return currentThreadName()
            }
        }
        var seen: Set<String> = []
        for handle in names { seen.insert(try await handle.value) }
        #expect(seen == ["canp-cpu-1", "canp-cpu-2"])
        #expect(pool.statistics[.cpu].threads == 2)
    }

    @Test func lifecycleRunningShuttingDownStopped() throws {
        let pool = try makePool(threads: 1)
        #expect(pool.state == .running)
        try pool.submitCPUTask {}
        pool.shutdown()
        #expect(pool.state == .stopped)
        #expect(throws: ThreadPoolError.self) { try pool.submitCPUTask {} }
        do {
            try pool.submitIOTask {}
        } catch {
            guard case .notRunning(.stopped) = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
        pool.shutdown()  // idempotent
        #expect(pool.state == .stopped)
    }

    @Test func shutdownDrainRunsQueuedTasks() throws {
        let pool = try makePool(threads: 1)
        let gate = Gate()
        let started = DispatchSemaphore(value: 0)
        try pool.submitCPUTask {
            started.signal()
            gate.wait()
        }
        started.wait()
        let ran = Atomic<Int>(0)
        let handles = try (0..<10).map { _ in try pool.submitCPUTask { _ = ran.wrappingAdd(1, ordering: .relaxed) } }
        DispatchQueue.global().async {
            while pool.state == .running { usleep(100) }
            gate.open()  // only once shutdown has begun
        }
        pool.shutdown(.drain)
        #expect(ran.load(ordering: .relaxed) == 10)
        #expect(handles.allSatisfy { $0.isFinished })
        #expect(pool.statistics[.cpu].completed == 11)
        #expect(pool.statistics[.cpu].cancelled == 0)
    }

    @Test func shutdownCancelPendingCancelsQueuedTasksAndReturnsTheirBlocks() throws {
        let memory = try quietMemoryPool()
        let pool = try makePool(threads: 1, memory: memory)
        let gate = Gate()
        let started = DispatchSemaphore(value: 0)
        let running = try pool.submitCPUTask { () -> Int in
            started.signal()
            gate.wait()
            return 7
        }
        started.wait()
        let ran = Atomic<Int>(0)
        var handles: [PipelineTaskHandle<Void>] = []
        for _ in 0..<10 {
            var blocks = UniqueArray<MemoryBlock>()
            blocks.append(try memory.allocateBlock(capacity: 4096))
            handles.append(try pool.submitTask(type: .cpu, memoryBlocks: blocks) { _ in
                _ = ran.wrappingAdd(1, ordering: .relaxed)
            })
        }
        #expect(memory.currentMemory > 0)
        DispatchQueue.global().async {
            while pool.statistics[.cpu].cancelled < 10 { usleep(100) }
            gate.open()  // only once the queued tasks are cancelled
        }
        pool.shutdown(.cancelPending)
        #expect(ran.load(ordering: .relaxed) == 0)
        #expect(try running.wait() == 7)  // the running task finished
        for handle in handles {
            guard case .failure(.cancelled) = handle.currentResult else {
                Issue.record("expected cancelled, got \(String(describing: handle.currentResult))")
                continue
            }
        }
        #expect(memory.currentMemory == 0)
        let stats = pool.statistics
        #expect(stats[.cpu].cancelled == 10)
        #expect(stats[.cpu].completed == 1)
        #expect(stats.memory.blocksHandedToTasks == 10)
        #expect(stats.memory.blocksRecycled == 10)
        #expect(stats.state == .stopped)
    }

    @Test func releasingTheLastReferenceDrains() throws {
        let ran = Atomic<Int>(0)
        do {
            let pool = try makePool(threads: 1)
            for _ in 0..<100 { try pool.submitMemoryTask { _ = ran.wrappingAdd(1, ordering: .relaxed) } }
        }
        #expect(ran.load(ordering: .relaxed) == 100)
    }

    // MARK: Memory-owning tasks

    @Test func blocksGoBackToThePoolAfterSuccess() throws {
        let memory = try quietMemoryPool()
        let pool = try makePool(threads: 1, memory: memory)
        var blocks = UniqueArray<MemoryBlock>()
        for capacity in [512, 4096, 100_000] { blocks.append(try memory.allocateBlock(capacity: capacity)) }
        #expect(memory.currentMemory >= 512 + 4096 + 100_000)
        let handle = try pool.submitTask(type: .memory, priority: .high, memoryBlocks: blocks) { blocks -> Int in
            var total = 0
            for i in blocks.indices {
                let bytes: [UInt8] = [1, 2, 3]
                bytes.withUnsafeBytes { blocks[i].append($0) }
                total += blocks[i].count
            }
            return total
        }
        #expect(try handle.wait() == 9)
        #expect(memory.currentMemory == 0)
        let stats = pool.statistics
        #expect(stats.memory.blocksHandedToTasks == 3)
        #expect(stats.memory.blocksRecycled == 3)
        #expect(stats.memory.blocksKeptByTasks == 0)
        #expect(stats.memory.reuseRate == 1)
        #expect(stats.memory.memoryPoolBytesInUse == 0)
    }

    @Test func blocksGoBackToThePoolAfterAThrow() async throws {
        let memory = try quietMemoryPool()
        let pool = try makePool(threads: 1, memory: memory)
        var blocks = UniqueArray<MemoryBlock>()
        for capacity in [1024, 8192, 1 << 20] { blocks.append(try memory.allocateBlock(capacity: capacity)) }
        let handle = try pool.submitTask(type: .cpu, memoryBlocks: blocks) { blocks -> Int in
            #expect(blocks.count == 3)
            throw TestFailure(code: 3)
        }
        do {
            _ = try await handle.value
            Issue.record("expected a failure")
        } catch {
            guard case .taskFailed(let underlying) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(underlying as? TestFailure == TestFailure(code: 3))
        }
        #expect(memory.currentMemory == 0)
        #expect(pool.statistics[.cpu].failed == 1)
        #expect(pool.statistics.memory.blocksRecycled == 3)
    }

    @Test func aBodyCanKeepABlock() throws {
        let memory = try quietMemoryPool()
        let pool = try makePool(threads: 1, memory: memory)
        let kept = LockedState<Int>.make(0)
        let handle = try pool.submitTask(type: .memory, blockCapacities: [2048, 2048]) { blocks in
            #expect(blocks.count == 2)
            let firstIsEmpty = blocks[0].isEmpty
            #expect(firstIsEmpty)
            let block = blocks.popLast()!
            kept.withLock { $0 = block.capacity }
            memory.release(block)  // the body owns it now
        }
        try handle.wait()
        #expect(kept.withLock { $0 } >= 2048)
        #expect(memory.currentMemory == 0)
        let stats = pool.statistics.memory
        #expect(stats.blocksHandedToTasks == 2)
        #expect(stats.blocksRecycled == 1)
        #expect(stats.blocksKeptByTasks == 1)
        #expect(stats.reuseRate == 0.5)
    }

    @Test func asyncBlockAllocationWaitsForMemory() async throws {
        var memoryConfig = MemoryPoolConfig()
        memoryConfig.logsMemoryWarnings = false
        memoryConfig.maxTotalMemory = 1 << 20
        let memory = try UnifiedMemoryPool(config: memoryConfig)
        let pool = try makePool(threads: 1, memory: memory)
        // Each task holds 600 KiB: the second must wait for the first.
        var handles: [PipelineTaskHandle<Int>] = []
        for i in 0..<4 {
            handles.append(try await pool.submitTask(type: .memory, blockCapacities: [600 << 10]) { blocks in
                blocks[0].capacity + i - i
            })
        }
        for handle in handles { #expect(try await handle.value >= 600 << 10) }
        #expect(memory.currentMemory == 0)
        // The synchronous form throws instead of waiting.
        let hog = try memory.allocateBlock(capacity: 900 << 10)
        #expect(throws: ThreadPoolError.self) {
            try pool.submitTask(type: .memory, blockCapacities: [600 << 10]) { _ in }
        }
        memory.release(hog)
    }

    // MARK: Batches and handles

    @Test func submitBatchRunsEveryTaskAndKeepsOrderPerPriority() throws {
        let memory = try quietMemoryPool()
        let pool = try makePool(threads: 1, memory: memory)
        let gate = Gate()
        let started = DispatchSemaphore(value: 0)
        try pool.submitCPUTask {
            started.signal()
            gate.wait()
        }
        started.wait()
        let log = OrderLog()
        var batch = UniqueArray<PipelineTask>()
        for i in 0..<6 {
            var blocks = UniqueArray<MemoryBlock>()
            blocks.append(try memory.allocateBlock(capacity: 512))
            let priority: PipelineTaskPriority = i % 2 == 0 ? .normal : .high
            batch.append(PipelineTask(type: .cpu, priority: priority, memoryBlocks: blocks) { blocks in
                #expect(blocks.count == 1)
                log.append("\(i)")
            })
        }
        batch.append(PipelineTask(type: .io) { _ in log.append("io") })
        let ids = (0..<batch.count).map { batch[$0].id }
        let handles = try pool.submitBatch(batch)
        #expect(handles.map(\.id) == ids)
        let ioHandle = handles.last!
        try ioHandle.wait()
        gate.open()
        pool.waitForCompletion()
        #expect(log.all.filter { $0 != "io" } == ["1", "3", "5", "0", "2", "4"])
        #expect(handles.allSatisfy { $0.isFinished })
        #expect(memory.currentMemory == 0)
        #expect(pool.statistics.memory.blocksHandedToTasks == 6)
    }

    @Test func cancelRemovesAQueuedTask() async throws {
        let memory = try quietMemoryPool()
        let pool = try makePool(threads: 1, memory: memory)
        let gate = Gate()
        let started = DispatchSemaphore(value: 0)
        let blocker = try pool.submitCPUTask {
            started.signal()
            gate.wait()
        }
        started.wait()
        #expect(blocker.cancel() == false)  // already running
        let ran = Atomic<Bool>(false)
        let victim = try await pool.submitTask(type: .cpu, blockCapacities: [4096]) { _ in
            ran.store(true, ordering: .relaxed)
        }
        let survivor = try pool.submitCPUTask { 5 }
        #expect(victim.cancel() == true)
        #expect(victim.cancel() == false)
        #expect(victim.isFinished)
        gate.open()
        #expect(try await survivor.value == 5)
        if case .failure(.cancelled) = await victim.result {} else { Issue.record("victim not cancelled") }
        await pool.waitForCompletion()
        #expect(ran.load(ordering: .relaxed) == false)
        #expect(memory.currentMemory == 0)
        let stats = pool.statistics[.cpu]
        #expect(stats.submitted == 3)
        #expect(stats.completed == 2)
        #expect(stats.cancelled == 1)
    }

    @Test func manyWaitersOnOneHandle() async throws {
        let pool = try makePool(threads: 1)
        let gate = Gate()
        let handle = try pool.submitCPUTask { () -> Int in
            gate.wait()
            return 99
        }
        async let a = handle.value
        async let b = handle.value
        let blocking = Task.detached { try handle.wait() }
        gate.open()
        #expect(try await a == 99)
        #expect(try await b == 99)
        #expect(try await blocking.value == 99)
        #expect(try handle.wait() == 99)
    }

    @Test func resultsOfEveryShapeComeBackUnchanged() async throws {
        struct Wide: Equatable, Sendable {
            var a = 1, b = 2, c = 3, d = 4, e = 5
            var name = "wide"
        }
        struct Failure: Error, Equatable {}
        let pool = try makePool(threads: 2)
        let none = try pool.submitCPUTask { () -> Int? in nil }
        let some = try pool.submitCPUTask { () -> Int? in 7 }
        let nested = try pool.submitCPUTask { () -> Int?? in .some(nil) }
        let wide = try pool.submitCPUTask { Wide() }
        let text = try pool.submitCPUTask { String(repeating: "x", count: 100) }
        let void = try pool.submitCPUTask {}
        let thrown = try pool.submitCPUTask { () throws -> Int in throw Failure() }
        let passed = try pool.submitCPUTask { () throws -> Int in throw ThreadPoolError.cancelled }
        #expect(try none.wait() == nil)
        #expect(try await some.value == 7)
        #expect(try nested.wait() == .some(nil))
        #expect(try await wide.value == Wide())
        #expect(try text.wait().count == 100)
        try void.wait()
        #expect(some.currentResult.map { try? $0.get() } == .some(7))
        switch await thrown.result {
        case .failure(.taskFailed(let error)): #expect(error is Failure)
        default: Issue.record("expected taskFailed(Failure)")
        }
        // A ThreadPoolError thrown by the body comes back as it is, not
        // wrapped in taskFailed.
        switch await passed.result {
        case .failure(.cancelled): break
        default: Issue.record("expected cancelled, unwrapped")
        }
    }

    @Test func waitersRegisteringWhileTasksFinishAreAllWoken() async throws {
        // Each task is waited for right after it is submitted, blocking and
        // async, so that registrations race the publication; every waiter must
        // see the value (a missed wake-up hangs the test).
        let pool = try makePool(threads: 2)
        let count = 20_000
        var sum = 0
        for i in 0..<count {
            let handle = try pool.submitCPUTask { i &* 3 }
            if i.isMultiple(of: 2) {
                sum &+= try handle.wait()
            } else {
                sum &+= try await handle.value
            }
        }
        #expect(sum == (0..<count).reduce(0) { $0 &+ $1 &* 3 })
        let waiters = try pool.submitCPUTask { 5 }
        async let first = waiters.value
        async let second = waiters.value
        #expect(try waiters.wait() == 5)
        #expect(try await first + second == 10)
    }

    // MARK: parallelProcess

    @Test func parallelProcessKeepsInputOrder() throws {
        let pool = try makePool(threads: 2)
        let items = Array(0..<100_003)
        let results = try pool.parallelProcess(items) { $0 &* 3 &+ 1 }
        #expect(results.count == items.count)
        #expect(results == items.map { $0 &* 3 &+ 1 })
        #expect(try pool.parallelProcess([Int]()) { $0 }.isEmpty)
        #expect(try pool.parallelProcess([7]) { "\($0)" } == ["7"])
    }

    @Test func parallelProcessReportsTheFirstErrorAndCancelsTheRest() throws {
        let pool = try makePool(threads: 2)
        let calls = Atomic<Int>(0)
        let failing = Atomic<Bool>(false)
        let items = Array(0..<200_000)
        do {
            _ = try pool.parallelProcess(items) { (x: Int) throws -> String in
                _ = calls.wrappingAdd(1, ordering: .relaxed)
                if x == 10 {
                    failing.store(true, ordering: .sequentiallyConsistent)
                    throw TestFailure(code: x)
                }
                // Items after the failing one wait for it: otherwise a worker
                // descheduled before item 10 (a loaded machine: seen under
                // ASan beside fuzzers) lets the others process everything.
                // Items 0-10 are the first chunk's, which the first worker
                // to start takes, so this cannot wait forever.
                if x > 10 { while !failing.load(ordering: .sequentiallyConsistent) { sched_yield() } }
                return String(x)
            }
            Issue.record("expected a failure")
        } catch {
            guard case .itemFailed(let index, let underlying) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(index == 10)
            #expect(underlying as? TestFailure == TestFailure(code: 10))
        }
        // Far fewer calls than items: the rest were cancelled.
        #expect(calls.load(ordering: .relaxed) < items.count / 2)
        pool.waitForCompletion()
        #expect(pool.statistics.outstanding == 0)
    }

    @Test func parallelProcessAsyncKeepsOrderAndReportsErrors() async throws {
        let pool = try makePool(threads: 2)
        let items = (0..<50_000).map { "item-\($0)" }
        let results = try await pool.parallelProcess(items, type: .memory) { $0.count }
        #expect(results == items.map(\.count))
        do {
            _ = try await pool.parallelProcess(items) { (s: String) throws -> Int in
                if s == "item-49999" { throw TestFailure(code: 1) }
                return 0
            }
            Issue.record("expected a failure")
        } catch {
            guard case .itemFailed(49_999, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
    }

    @Test func parallelProcessAsyncOnAStoppedPoolIsRefused() async throws {
        let pool = try makePool(threads: 2)
        pool.shutdown()
        do {
            _ = try await pool.parallelProcess([1, 2, 3]) { $0 * 2 }
            Issue.record("expected notRunning")
        } catch {
            guard case .notRunning = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
        // Nothing was left running or queued.
        #expect(pool.statistics[.cpu].completed == 0)
    }

    @Test func parallelProcessFromAWorkerDoesNotDeadlock() throws {
        let pool = try makePool(threads: 1)
        let handle = try pool.submitCPUTask { () -> Int in
            // The only CPU worker calls parallelProcess on its own class.
            let inner = try pool.parallelProcess(Array(1...1000)) { $0 }
            return inner.reduce(0, +)
        }
        #expect(try handle.wait() == 500_500)
    }

    // MARK: waitForCompletion and statistics

    @Test func waitForCompletionWith100kTasksFromTwoThreads() throws {
        let pool = try makePool(threads: 2)
        let count = 100_000
        let hits = UnsafeMutablePointer<UInt8>.allocate(capacity: count)
        hits.initialize(repeating: 0, count: count)
        defer { hits.deallocate() }
        let address = Int(bitPattern: hits)
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for i in stride(from: thread, to: count, by: 2) {
                let type: PipelineTaskType = i % 3 == 0 ? .memory : .cpu
                try! pool.submit(type) {
                    UnsafeMutablePointer<UInt8>(bitPattern: address)![i] &+= 1
                }
            }
        }
        pool.waitForCompletion()
        var ranOnce = 0
        for i in 0..<count where hits[i] == 1 { ranOnce += 1 }
        #expect(ranOnce == count)
        let stats = pool.statistics
        #expect(stats.outstanding == 0)
        #expect(stats[.cpu].submitted + stats[.memory].submitted == count)
        #expect(stats[.memory].submitted == (count + 2) / 3)
        #expect(stats[.cpu].completed == stats[.cpu].submitted)
        #expect(stats[.memory].completed == stats[.memory].submitted)
        #expect(stats.total.failed == 0)
    }

    @Test func asyncWaitForCompletion() async throws {
        let pool = try makePool(threads: 2)
        let ran = Atomic<Int>(0)
        for i in 0..<10_000 {
            try pool.submit(i % 2 == 0 ? .cpu : .io) { _ = ran.wrappingAdd(1, ordering: .relaxed) }
        }
        await pool.waitForCompletion()
        #expect(ran.load(ordering: .relaxed) == 10_000)
        await pool.waitForCompletion()  // nothing outstanding: returns at once
    }

    @Test func statisticsCountsAreExact() throws {
        let pool = try makePool(threads: 2)
        for i in 0..<300 {
            try pool.submitCPUTask { () throws -> Void in
                if i % 3 == 0 { throw TestFailure(code: i) }
            }
        }
        for _ in 0..<50 { try pool.submitIOTask { usleep(10) } }
        pool.waitForCompletion()
        let stats = pool.statistics
        #expect(stats[.cpu].submitted == 300)
        #expect(stats[.cpu].completed == 200)
        #expect(stats[.cpu].failed == 100)
        #expect(stats[.cpu].cancelled == 0)
        #expect(stats[.cpu].queued == 0)
        #expect(stats[.io].submitted == 50)
        #expect(stats[.io].completed == 50)
        #expect(stats[.io].totalExecutionNanoseconds >= 50 * 10_000)
        #expect(stats[.io].averageExecutionTime >= .microseconds(10))
        #expect(stats[.memory].submitted == 0)
        #expect(stats.total.submitted == 350)
        #expect(stats.total.finished == 350)
        #expect(stats.outstanding == 0)
        #expect(stats[.io].averageQueueWait >= .zero)
        #expect(!stats.description.isEmpty)
    }

    @Test func statisticsOffKeepsNoTimes() throws {
        let pool = try makePool(threads: 1, statistics: false)
        for _ in 0..<100 { try pool.submitCPUTask {} }
        pool.waitForCompletion()
        let stats = pool.statistics[.cpu]
        #expect(stats.submitted == 100)
        #expect(stats.completed == 0)
        #expect(stats.totalExecutionNanoseconds == 0)
    }

    @Test func memoryManagementOffDropsBlocksWithoutCounting() throws {
        let memory = try quietMemoryPool()
        var config = ThreadPoolConfig(cores: 2)
        config.memoryManagementEnabled = false
        let pool = try PipelineThreadPool(config: config, memoryPool: memory)
        var blocks = UniqueArray<MemoryBlock>()
        blocks.append(try memory.allocateBlock(capacity: 4096))
        try pool.submitTask(type: .memory, memoryBlocks: blocks) { _ in }.wait()
        #expect(memory.currentMemory == 0)  // the block's deinit still frees it
        #expect(pool.statistics.memory.enabled == false)
        #expect(pool.statistics.memory.blocksHandedToTasks == 0)
    }

    // MARK: TaskExecutor

    @Test func cpuClassAsTaskExecutor() async throws {
        let pool = try makePool(threads: 2)
        let name = await Task(executorPreference: pool.cpuExecutor) { currentThreadName() }.value
        #expect(name.hasPrefix("canp-cpu-"))
        let ioName = await Task(executorPreference: pool.executor(for: .io)) { currentThreadName() }.value
        #expect(ioName.hasPrefix("canp-io-"))
        // Child tasks inherit the preference.
        let names = await withTaskExecutorPreference(pool.memoryExecutor) {
            await withTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { currentThreadName() } }
                var all: [String] = []
                for await n in group { all.append(n) }
                return all
            }
        }
        #expect(names.count == 8)
        #expect(names.allSatisfy { $0.hasPrefix("canp-mem-") }, "\(names)")
        #expect(pool.statistics[.cpu].executorJobs >= 1)
        #expect(pool.statistics[.memory].executorJobs >= 8)
        #expect(pool.statistics[.cpu].submitted == 0)
    }
}
