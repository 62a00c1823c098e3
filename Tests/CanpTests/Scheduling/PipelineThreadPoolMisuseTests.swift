import Testing
@testable import Canp

/// Programmer misuse traps (exit tests: each runs in a child process).
@Suite("PipelineThreadPool misuse")
struct PipelineThreadPoolMisuseTests {
    @Test func waitingForCompletionFromAWorkerTraps() async {
        await #expect(processExitsWith: .failure) {
            let pool = try! PipelineThreadPool(config: .serial)
            let handle = try! pool.submitCPUTask { pool.waitForCompletion() }
            _ = try? handle.wait()
        }
    }

    @Test func shuttingDownFromAWorkerTraps() async {
        await #expect(processExitsWith: .failure) {
            let pool = try! PipelineThreadPool(config: .serial)
            let handle = try! pool.submitMemoryTask { pool.shutdown() }
            _ = try? handle.wait()
        }
    }

    @Test func aNegativeReadOffsetTraps() async {
        await #expect(processExitsWith: .failure) {
            var reader = try! FileReader()
            let memory = try! UnifiedMemoryPool()
            _ = try? reader.readRange(atPath: "/dev/null", offset: -1, length: 1, into: memory)
        }
    }
}
