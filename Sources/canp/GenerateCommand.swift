import ArgumentParser
import Canp

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write realistic CANP files and the DBC that describes their traffic.",
        discussion: """
            Each file is a stream of gzip blocks of about 10 KB compressed, holding the traffic \
            of a delivery van's buses: every DBC message at its cycle time, signals as bounded \
            random walks, counters, multiplexed cells, a CAN FD message, J1939 ids, diagnostic \
            requests on ids the DBC does not describe and remote requests. The DBC is written as \
            fleet.dbc beside the files. The same seed gives the same bytes.

            --damage puts every kind of damage of the spec's error table into the files: gzip \
            corruption (deflate stream, CRC-32, ISIZE), Record1/2/3 lengths that run past their \
            parent, children that do not end at their parent's end, frame errors (classic frame \
            over 8 bytes, FD length not allowed, 11-bit id above 0x7FF, len3 mismatch, frame \
            shorter than 16 bytes) and a truncated tail. The first file gets all of them.

            --truck-bus adds a second bus on channel 3: a truck's J1939 bus described by its own \
            DBC, truck.dbc (BA_ "ProtocolType" "J1939"), written beside fleet.dbc. Its 29-bit \
            frames carry varying source addresses, priorities and PDU1 destinations, two messages \
            share a parameter group, 3% of its frames are groups the DBC does not define, and an \
            11-bit message reuses an identifier of fleet.dbc: decode with \
            --dbc fleet.dbc --dbc truck.dbc@3.
            """)

    @Option(name: .long, help: "Directory to write into (created if missing).")
    var out: String

    @Option(name: .long, help: "Number of files.")
    var files = 1

    @Option(name: .long, help: "Size of each file, e.g. 15MB.")
    var fileSize = ByteSize(bytes: 15_000_000)

    @Option(name: .long, help: "Seed of every random choice.")
    var seed: UInt64 = 1

    @Flag(name: .long, help: "Damage the files (see above).")
    var damage = false

    @Flag(name: .long, help: "Add a second bus: a truck's J1939 bus on channel 3 with its own DBC (truck.dbc; see above).")
    var truckBus = false

    @Option(name: .long, help: "File format: \(DatasetGenerator.FileFormat.allCases.map(\.rawValue).joined(separator: "|")) (default canp); the same traffic in each. Text formats with --damage get lines that do not parse.")
    var format = "canp"

    @Option(name: .long, help: "Target compressed size of a block, e.g. 10KB.")
    var blockSize = ByteSize(bytes: 10_000)

    func run() throws {
        var options = DatasetGenerator.Options(outputDirectory: out)
        options.fileCount = files
        options.fileSize = fileSize.bytes
        options.seed = seed
        options.damage = damage
        options.compressedBlockSize = blockSize.bytes
        options.truckBus = truckBus
        guard let fileFormat = DatasetGenerator.FileFormat(rawValue: format) else {
            CommandSupport.error("generate", "unknown --format \(format) (\(DatasetGenerator.FileFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            throw CommandSupport.fatal
        }
        options.format = fileFormat
        let summary: DatasetGenerator.Summary
        do {
            summary = try DatasetGenerator.run(options)
        } catch {
            CommandSupport.error("generate", "\(error)")
            throw CommandSupport.fatal
        }
        let blocks = summary.files.reduce(0) { $0 + $1.blocks }
        print("wrote \(summary.files.count) file(s), \(summary.totalBytes) bytes, \(blocks) blocks, \(summary.totalFrames) frames to \(out)")
        print("dbc: \(summary.databasePath)")
        if let truck = summary.truckDatabasePath {
            print("dbc: \(truck) (J1939, channel \(SampleTruckDatabase.channel): decode with --dbc \(summary.databasePath) --dbc \(truck)@\(SampleTruckDatabase.channel))")
        }
        for file in summary.files where !file.damage.isEmpty {
            let kinds = file.damage.map { "\($0.kind.rawValue) (block \($0.block))" }.joined(separator: "; ")
            print("damage in \(file.path): \(kinds)")
        }
        for file in summary.files where !file.damagedLines.isEmpty {
            print("damage in \(file.path): \(file.damagedLines.count) line(s) that do not parse, the first at line \(file.damagedLines[0])")
        }
    }
}
