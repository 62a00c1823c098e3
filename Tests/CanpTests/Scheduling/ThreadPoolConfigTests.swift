import Testing
@testable import Canp

@Suite("ThreadPoolConfig")
struct ThreadPoolConfigTests {
    @Test(arguments: [1, 2, 3, 8, 64])
    func defaultsComeFromTheCores(cores: Int) {
        let config = ThreadPoolConfig(cores: cores)
        #expect(config.ioThreads == max(1, cores / 2))
        #expect(config.cpuThreads == cores)
        #expect(config.memoryThreads == max(1, cores / 2))
        #expect(config.statisticsEnabled)
        #expect(config.memoryManagementEnabled)
        #expect(config.ioBackend == .automatic)
        #expect(config.ioQueueDepth == 64)
        #expect(config.ioMaxOperationBytes == 1 << 20)
        #expect(config.ioOffloadMinimumBytes == 256 << 10)
    }

    @Test func zeroCoresStillGivesOneThreadPerClass() {
        let config = ThreadPoolConfig(cores: 0)
        #expect(config.ioThreads == 1)
        #expect(config.cpuThreads == 1)
        #expect(config.memoryThreads == 1)
    }

    @Test func machineDefaultsUseTheOnlineCores() {
        #expect(ThreadPoolConfig.default == ThreadPoolConfig(cores: ThreadPoolConfig.coreCount))
        #expect(ThreadPoolConfig.coreCount >= 1)
    }

    @Test func presets() {
        #expect(ThreadPoolConfig.serial.cpuThreads == 1)
        #expect(ThreadPoolConfig.serial.ioThreads == 1)
        #expect(ThreadPoolConfig.serial.memoryThreads == 1)
        #expect(ThreadPoolConfig.highThroughput.statisticsEnabled == false)
        #expect(ThreadPoolConfig.highThroughput.ioQueueDepth == 256)
    }

    @Test func validationNamesTheBadField() {
        var config = ThreadPoolConfig(cores: 4)
        config.cpuThreads = 0
        #expect(throws: ThreadPoolError.self) { try config.validate() }
        do {
            try config.validate()
        } catch {
            guard case .invalidConfiguration(let why) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(why.contains("cpu threads"))
        }
        config = ThreadPoolConfig(cores: 4)
        config.ioQueueDepth = 5000
        #expect(throws: ThreadPoolError.self) { try config.validate() }
        config = ThreadPoolConfig(cores: 4)
        config.ioMaxOperationBytes = 100
        #expect(throws: ThreadPoolError.self) { try config.validate() }
        config = ThreadPoolConfig(cores: 4)
        config.ioOffloadMinimumBytes = -1
        #expect(throws: ThreadPoolError.self) { try config.validate() }
        config = ThreadPoolConfig(cores: 4)
        config.memoryThreads = -1
        #expect(throws: ThreadPoolError.self) { try PipelineThreadPool(config: config) }
    }

    @Test func threadsPerClass() {
        var config = ThreadPoolConfig(cores: 4)
        config.ioThreads = 3
        config.cpuThreads = 5
        config.memoryThreads = 7
        #expect(config.threads(for: .io) == 3)
        #expect(config.threads(for: .cpu) == 5)
        #expect(config.threads(for: .memory) == 7)
    }
}
