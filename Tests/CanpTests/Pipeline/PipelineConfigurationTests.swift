import Testing
@testable import Canp

@Suite("PipelineConfiguration")
struct PipelineConfigurationTests {
    @Test func defaultsAreTheDocumentedOnes() throws {
        let configuration = PipelineConfiguration()
        #expect(configuration.cpuThreads >= 1)
        #expect(configuration.ioThreads == max(1, configuration.cpuThreads / 2))
        #expect(configuration.memoryLimit == 1 << 30)
        #expect(configuration.blocksPerTask == 64)
        #expect(configuration.maximumTasksInFlight == 0)
        #expect(configuration.tasksInFlight == 4 * configuration.cpuThreads)
        #expect(configuration.readAheadFiles == 2)
        #expect(!configuration.strict && configuration.decodesSignals && !configuration.forcesPread)
        #expect(configuration.inputFormats.map(\.name) == ["blf", "candump", "asc", "canp"] && configuration.forcedInputFormat == nil)
        #expect(InputFormats.directoryExtensions(of: configuration.inputFormats) == ["blf", "log", "asc", "bin"])
        #expect(configuration.maximumReportedIssues == 100_000)
        #expect(configuration.stage == .signals)
        try configuration.validate()
        #expect(configuration.memoryPoolConfig.maxTotalMemory == configuration.memoryLimit)
    }

    @Test func explicitTasksInFlightWin() {
        var configuration = PipelineConfiguration()
        configuration.maximumTasksInFlight = 3
        #expect(configuration.tasksInFlight == 3)
    }

    static let broken: [(String, @Sendable (inout PipelineConfiguration) -> Void)] = [
        ("cpuThreads", { $0.cpuThreads = 0 }),
        ("cpuThreads", { $0.cpuThreads = 1025 }),
        ("ioThreads", { $0.ioThreads = 0 }),
        ("memoryLimit", { $0.memoryLimit = (16 << 20) - 1 }),
        ("blocksPerTask", { $0.blocksPerTask = 0 }),
        ("maximumTasksInFlight", { $0.maximumTasksInFlight = -1 }),
        ("readAheadFiles", { $0.readAheadFiles = -1 }),
        ("inputFormats", { $0.inputFormats = [] }),
        ("no input format is named", { $0.forcedInputFormat = "mdf4" }),
        ("maximumReportedIssues", { $0.maximumReportedIssues = -1 }),
    ]

    @Test func validationNamesTheBadField() {
        for (field, breakIt) in Self.broken {
            var configuration = PipelineConfiguration()
            breakIt(&configuration)
            #expect {
                try configuration.validate()
            } throws: { error in
                guard case PipelineError.invalidConfiguration(let message) = error else { return false }
                return message.hasPrefix(field)
            }
            #expect(throws: PipelineError.self) { try CANPipeline(configuration: configuration, decoder: nil) }
        }
    }

    @Test func limitsThatAreJustAllowed() throws {
        var configuration = PipelineConfiguration()
        configuration.cpuThreads = 1
        configuration.ioThreads = 1
        configuration.memoryLimit = 16 << 20
        configuration.blocksPerTask = 1
        configuration.readAheadFiles = 0
        configuration.maximumReportedIssues = 0
        try configuration.validate()
        _ = try CANPipeline(configuration: configuration, decoder: nil)
    }

    @Test func stageNamesAreTheCommandLineOnes() {
        #expect(PipelineStage.allCases.map(\.rawValue) == ["inflate", "inflate-zlib", "walk", "frames", "signals"])
    }
}
