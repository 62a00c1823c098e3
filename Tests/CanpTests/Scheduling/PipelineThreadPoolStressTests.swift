import BasicContainers
import Dispatch
import Synchronization
import Testing
@testable import Canp

/// Seeded stress: several submitting threads, every class and priority,
/// tasks owning blocks, tasks that throw, cancellations, nested submissions
/// and parallelProcess calls, all at once. Every count is checked exactly at
/// the end, and the memory pool must be back to zero.
@Suite("PipelineThreadPool stress")
struct PipelineThreadPoolStressTests {
    @Test(arguments: [0x5EED_0001 as UInt64, 0x5EED_0002, 0x5EED_0003])
    func mixedWorkloadKeepsExactCounts(seed: UInt64) throws {
        let memory = try quietMemoryPool()
        let pool = try makePool(threads: 2, memory: memory)
        let submitters = 3
        let perSubmitter = 4000
        let ran = Atomic<Int>(0)
        let threw = Atomic<Int>(0)
        let cancelled = Atomic<Int>(0)
        let refused = Atomic<Int>(0)
        let nested = Atomic<Int>(0)
        let blocksGiven = Atomic<Int>(0)

        DispatchQueue.concurrentPerform(iterations: submitters) { submitter in
            var random = SplitMix64(seed: seed &+ UInt64(submitter))
            var pending: [PipelineTaskHandle<Int>] = []
            for i in 0..<perSubmitter {
                let type = PipelineTaskType.allCases.randomElement(using: &random)!
                let priority = PipelineTaskPriority.allCases.randomElement(using: &random)!
                let fails = random.next() % 10 == 0
                let spawns = random.next() % 50 == 0
                let blockCount = Int(random.next() % 3)
                var blocks = UniqueArray<MemoryBlock>()
                for _ in 0..<blockCount {
                    blocks.append(try! memory.allocateBlock(capacity: 256 + Int(random.next() % 20_000)))
                }
                blocksGiven.wrappingAdd(blockCount, ordering: .relaxed)
                let handle = try! pool.submitTask(type: type, priority: priority, memoryBlocks: blocks) {
                    blocks -> Int in
                    for j in blocks.indices {
                        let fill = [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: 16)
                        fill.withUnsafeBytes { blocks[j].append($0) }
                    }
                    if spawns {
                        try pool.submitCPUTask(priority: .critical) { nested.wrappingAdd(1, ordering: .relaxed) }
                    }
                    if fails {
                        threw.wrappingAdd(1, ordering: .relaxed)
                        throw TestFailure(code: i)
                    }
                    ran.wrappingAdd(1, ordering: .relaxed)
                    return i
                }
                pending.append(handle)
                if random.next() % 8 == 0, let victim = pending.randomElement(using: &random) {
                    if victim.cancel() { cancelled.wrappingAdd(1, ordering: .relaxed) }
                }
                if random.next() % 500 == 0 {
                    let sums = try! pool.parallelProcess(Array(0..<1000), type: type) { $0 * 2 }
                    precondition(sums[999] == 1998)
                }
            }
            for handle in pending {
                let outcome: Result<Int, ThreadPoolError>
                do throws(ThreadPoolError) {
                    outcome = .success(try handle.wait())
                } catch {
                    outcome = .failure(error)
                }
                switch outcome {
                case .success(let v): precondition(v >= 0)
                case .failure(.cancelled), .failure(.taskFailed): break
                case .failure(let other):
                    refused.wrappingAdd(1, ordering: .relaxed)
                    Issue.record("unexpected \(other)")
                }
            }
        }
        pool.waitForCompletion()

        let stats = pool.statistics
        let total = submitters * perSubmitter
        let nestedCount = nested.load(ordering: .relaxed)
        let helperTasks = stats.total.submitted - total - nestedCount
        #expect(refused.load(ordering: .relaxed) == 0)
        #expect(stats.outstanding == 0)
        #expect(stats.total.cancelled == cancelled.load(ordering: .relaxed))
        #expect(stats.total.failed == threw.load(ordering: .relaxed))
        #expect(stats.total.completed == ran.load(ordering: .relaxed) + nestedCount + helperTasks)
        #expect(stats.total.submitted == stats.total.completed + stats.total.failed + stats.total.cancelled)
        #expect(ran.load(ordering: .relaxed) + threw.load(ordering: .relaxed)
                + cancelled.load(ordering: .relaxed) == total)
        #expect(stats.memory.blocksHandedToTasks == blocksGiven.load(ordering: .relaxed))
        #expect(stats.memory.blocksRecycled == blocksGiven.load(ordering: .relaxed))
        #expect(memory.currentMemory == 0)
        pool.shutdown()
        #expect(pool.state == .stopped)
    }
}
