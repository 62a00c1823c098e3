import BasicContainers
import Testing
@testable import Canp

@Suite("PipelineTask")
struct PipelineTaskTests {
    @Test func carriesItsFields() throws {
        let memory = try quietMemoryPool()
        var blocks = UniqueArray<MemoryBlock>()
        blocks.append(try memory.allocateBlock(capacity: 1000))
        blocks.append(try memory.allocateBlock(capacity: 2000))
        let before = ContinuousClock.now
        do {
            let task = PipelineTask(type: .memory, priority: .critical, memoryBlocks: blocks) { _ in }
            let after = ContinuousClock.now
            let (type, priority, created) = (task.type, task.priority, task.creationTime)
            let count = task.memoryBlocks.count
            let capacity = task.memoryBlocks[1].capacity
            #expect(type == .memory)
            #expect(priority == .critical)
            #expect(count == 2)
            #expect(capacity >= 2000)
            #expect(created >= before && created <= after)
        }
        #expect(memory.currentMemory == 0)
    }

    @Test func idsAreUniqueAndIncreasing() {
        var last: UInt64 = 0
        for _ in 0..<1000 {
            let id = PipelineTask { _ in }.id
            #expect(id > last)
            last = id
        }
    }

    @Test func defaultsAreCPUAndNormal() {
        let task = PipelineTask { _ in }
        let (type, priority) = (task.type, task.priority)
        #expect(type == .cpu)
        #expect(priority == .normal)
        let empty = task.memoryBlocks.isEmpty
        #expect(empty)
    }

    @Test func prioritiesAreOrdered() {
        #expect(PipelineTaskPriority.low < .normal)
        #expect(PipelineTaskPriority.normal < .high)
        #expect(PipelineTaskPriority.high < .critical)
        #expect(PipelineTaskPriority(TaskPriority.high) == .high)
        #expect(PipelineTaskPriority(TaskPriority.medium) == .normal)
        #expect(PipelineTaskPriority(TaskPriority.low) == .low)
        #expect(PipelineTaskPriority(TaskPriority.background) == .low)
    }
}
