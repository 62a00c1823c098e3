import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Writes realistic CANP data sets: files of gzip blocks of about 10 KB
/// compressed, with plausible signal traces from a DBC that is written
/// beside them, and optionally every kind of damage the spec lists.
///
/// What `canp generate` runs. Deterministic for a seed: the same options
/// give the same bytes.
public enum DatasetGenerator {
    /// What to generate.
    public struct Options: Sendable {
        /// The directory to write into (created if missing).
        public var outputDirectory: String
        /// How many files. Default 1.
        public var fileCount: Int = 1
        /// The size of each file in bytes (the last block may go a little past it). Default 15 MB.
        public var fileSize: Int = 15_000_000
        /// The seed of every random choice. Default 1.
        public var seed: UInt64 = 1
        /// Whether to damage the files (see ``DamageKind``). Default false.
        public var damage: Bool = false
        /// Target compressed size of a block. Default 10,000 bytes.
        public var compressedBlockSize: Int = 10_000
        /// The DBC text the traffic is drawn from, written as ``dbcFileName``.
        public var databaseText: String = SampleDatabase.text
        /// The DBC's file name in the output directory.
        public var dbcFileName: String = SampleDatabase.fileName
        /// Whether to add a second bus: a truck's J1939 bus on channel 3,
        /// described by its own DBC (``SampleTruckDatabase``, written beside
        /// the fleet DBC), whose 29-bit frames carry varying source
        /// addresses, priorities and destinations. Default false.
        public var truckBus: Bool = false
        /// The file format written. Default CANP.
        public var format: FileFormat = .canp
        /// Files generated at once. Default: the number of cores.
        public var parallelism: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

        /// Options for `outputDirectory`, everything else by default.
        public init(outputDirectory: String) {
            self.outputDirectory = outputDirectory
        }
    }

    /// The file formats the generator writes (`canp generate --format`).
    public enum FileFormat: String, Sendable, CaseIterable {
        /// CANP's own format (`docs/FORMAT.md`), `.bin` files.
        case canp
        /// Vector BLF (``BLFFileWriter``), `.blf` files.
        case blf
        /// candump log lines (``CandumpLogWriter``), `.log` files.
        case candump
        /// Vector ASC lines (``ASCLogWriter``), `.asc` files.
        case asc

        /// The extension of its files, with the dot.
        public var fileExtension: String {
            switch self {
            case .canp: ".bin"
            case .blf: ".blf"
            case .candump: ".log"
            case .asc: ".asc"
            }
        }

        /// Whether the files are text logs (written by ``DatasetGenerator/generateTextFile``).
        public var isText: Bool { self == .candump || self == .asc }
    }

    /// The kinds of damage a generated file can carry: one per rule of the spec's error table.
    public enum DamageKind: String, Sendable, CaseIterable {
        case flippedDeflateByte = "flipped byte in the deflate stream"
        case badChecksum = "gzip CRC-32 mismatch"
        case badInflatedSize = "gzip ISIZE mismatch"
        case record1Overrun = "Record1 length runs past the block"
        case record2Overrun = "Record2 length runs past its Record1"
        case record3Overrun = "Record3 length runs past its Record2"
        case childrenShortOfParent = "Record3s do not end at their Record2's end"
        case classicFrameTooLong = "classic frame longer than 8 bytes"
        case fdLengthNotAllowed = "CAN FD length not in the list"
        case standardIdentifierTooLarge = "11-bit identifier above 0x7FF"
        case recordLengthMismatch = "len3 differs from 16 + length"
        case frameTooShort = "frame shorter than 16 bytes"
        case truncatedTail = "file cut short"

        /// Whether this damage skips a whole Record0 (else a single frame or the tail).
        public var skipsBlock: Bool {
            switch self {
            case .flippedDeflateByte, .badChecksum, .badInflatedSize, .record1Overrun, .record2Overrun,
                 .record3Overrun, .childrenShortOfParent:
                return true
            default:
                return false
            }
        }
    }

    /// Damage put into a file.
    public struct InjectedDamage: Sendable, Hashable {
        public var kind: DamageKind
        /// The block that carries it (for a truncated tail: the first block cut).
        public var block: Int
    }

    /// One generated file.
    public struct GeneratedFile: Sendable {
        public var path: String
        public var bytes: Int
        /// Complete Record0s written (before any truncation).
        public var blocks: Int
        /// Frames written, damaged ones included.
        public var frames: Int
        public var damage: [InjectedDamage]
        /// The 0-based numbers of the lines damaged so that they do not
        /// parse (text formats with damage only).
        public var damagedLines: [Int] = []
    }

    /// What was generated.
    public struct Summary: Sendable {
        public var databasePath: String
        /// The truck bus's DBC, when ``Options/truckBus`` is set.
        public var truckDatabasePath: String?
        public var files: [GeneratedFile]
        public var totalBytes: Int { files.reduce(0) { $0 + $1.bytes } }
        public var totalFrames: Int { files.reduce(0) { $0 + $1.frames } }
    }

    /// Why generation failed.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case invalidOptions(String)
        case database(DBCError)
        case io(path: String, reason: String)
        case compression(String)

        public var description: String {
            switch self {
            case .invalidOptions(let why): return "invalid options: \(why)"
            case .database(let error): return "the DBC does not parse: \(error)"
            case let .io(path, reason): return "\(path): \(reason)"
            case .compression(let why): return "compression failed: \(why)"
            }
        }
    }

    /// The channel a generated message is sent on: 1 for CAN FD messages, 2
    /// for the other extended ones, 0 for the rest (the sample DBC's
    /// powertrain, ADAS and J1939 sides; `canp bench` splits the DBC so).
    ///
    /// - Parameter message: A message of the DBC the traffic is drawn from.
    public static func channel(of message: DBCMessage) -> UInt8 {
        message.isFD ? 1 : (message.isExtended ? 2 : 0)
    }

    /// The name of file `index` of a data set with `seed`.
    public static func fileName(seed: UInt64, index: Int, format: FileFormat = .canp) -> String {
        let seedText = String(seed)
        let indexText = String(index)
        return "drive_" + String(repeating: "0", count: max(0, 4 - seedText.count)) + seedText + "_"
            + String(repeating: "0", count: max(0, 4 - indexText.count)) + indexText + format.fileExtension
    }

    /// Generates the data set.
    ///
    /// - Parameters:
    ///   - options: what to generate.
    ///   - progress: called with the number of files finished so far, from any thread.
    /// - Returns: the files written, with the damage each carries.
    /// - Throws: ``Failure``.
    public static func run(_ options: Options, progress: (@Sendable (Int) -> Void)? = nil) throws(Failure) -> Summary {
        guard options.fileCount >= 0 else { throw .invalidOptions("--files must not be negative") }
        guard options.fileSize >= 1_000 else { throw .invalidOptions("--file-size must be at least 1000 bytes") }
        guard !options.damage || options.format != .blf else { throw .invalidOptions("--damage is for CANP and text files, not BLF") }
        guard options.compressedBlockSize >= 200 else { throw .invalidOptions("blocks must be at least 200 bytes") }
        let database: DBCDatabase
        do {
            database = try DBCDatabase(string: options.databaseText)
        } catch {
            throw .database(error)
        }
        try makeDirectory(options.outputDirectory)
        let databasePath = options.outputDirectory + "/" + options.dbcFileName
        try writeFile(databasePath, Array(options.databaseText.utf8))
        let truck: DBCDatabase?
        let truckPath: String?
        if options.truckBus {
            do {
                truck = try DBCDatabase(string: SampleTruckDatabase.text)
            } catch {
                throw .database(error)
            }
            truckPath = options.outputDirectory + "/" + SampleTruckDatabase.fileName
            try writeFile(truckPath!, Array(SampleTruckDatabase.text.utf8))
        } else {
            (truck, truckPath) = (nil, nil)
        }

        let results = LockedState<[Int: Result<GeneratedFile, Failure>]>.make([:])
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        let workers = max(1, min(options.parallelism, options.fileCount))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                if index >= options.fileCount { return }
                let result: Result<GeneratedFile, Failure>
                do throws(Failure) {
                    result = .success(try generateFile(index: index, options: options, database: database, truck: truck))
                } catch {
                    result = .failure(error)
                }
                results.withLock { $0[index] = result }
                let done = finished.add(1, ordering: .relaxed).newValue
                progress?(done)
            }
        }
        var files: [GeneratedFile] = []
        for index in 0..<options.fileCount {
            switch results.withLock({ $0[index] })! {
            case .success(let file): files.append(file)
            case .failure(let error): throw error
            }
        }
        return Summary(databasePath: databasePath, truckDatabasePath: truckPath, files: files)
    }

    /// The damage kinds a CANP file `index` carries: all of them in the first file,
    /// three (rotating through the kinds) in each other one.
    static func damageKinds(forFile index: Int) -> [DamageKind] {
        let all = DamageKind.allCases
        if index == 0 { return all }
        var kinds: [DamageKind] = []
        for k in 0..<3 {
            let kind = all[(index * 3 + k) % all.count]
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }

    private static func generateFile(index: Int, options: Options, database: DBCDatabase,
                                     truck: DBCDatabase?) throws(Failure) -> GeneratedFile {
        if options.format == .blf { return try generateBLFFile(index: index, options: options, database: database, truck: truck) }
        let path = options.outputDirectory + "/" + fileName(seed: options.seed, index: index, format: options.format)
        let start: UInt64 = 1_700_000_000_000_000_000 + options.seed &* 3_600_000_000_000 + UInt64(index) * 600_000_000_000
        let seed = options.seed &* 1_000_003 &+ UInt64(index)
        var traffic = BusTraffic(fleet: TrafficModel(database: database, start: start, seed: seed),
                                 truck: truck.map { TruckTrafficModel(database: $0, start: start, seed: seed &+ 0x7275_636B) })
        if options.format.isText {
            return try generateTextFile(index: index, options: options, traffic: &traffic, path: path)
        }
        return try generateCANPFile(index: index, options: options, traffic: &traffic, path: path)
    }

    /// A CANP file of blocks of about the options' compressed block size, with the damage the options ask for.
    private static func generateCANPFile(index: Int, options: Options, traffic: inout BusTraffic,
                                         path: String) throws(Failure) -> GeneratedFile {
        var random = SplitMix64(seed: (options.seed ^ (UInt64(index) &* 0xA24B_AED4_963E_E407)) &+ 0x9E37_79B9_7F4A_7C15)
        var writer: CANPFileWriter
        do {
            writer = try CANPFileWriter()
        } catch {
            throw .compression("\(error)")
        }
        let (pending, cutTail) = options.damage ? damagePlan(forFile: index, random: &random) : ([:], false)
        var injected: [InjectedDamage] = []
        var framesPerBlock = 300
        var frames = 0
        // Past the last damaged block by one more, so that a cut tail never hides one.
        while writer.bytes.count < options.fileSize || pending.keys.contains(where: { $0 + 1 >= writer.blockCount }) {
            let blockIndex = writer.blockCount
            var sequences = blockSequences(frames: framesPerBlock, traffic: &traffic, random: &random)
            frames += framesPerBlock
            var damage = BlockDamage()
            if let kind = pending[blockIndex] {
                injected.append(InjectedDamage(kind: kind, block: blockIndex))
                damage = inject(kind, into: &sequences, now: traffic.now, random: &random)
            }
            let before = writer.bytes.count
            do {
                try writer.appendBlock(blockPayload(sequences, damage: damage), damage: damage.gzip)
            } catch {
                throw .compression("\(error)")
            }
            // Steer the frames per block toward the target compressed size.
            let compressed = max(writer.bytes.count - before - Record0Header.size, 1)
            let scaled = Double(framesPerBlock) * Double(options.compressedBlockSize) / Double(compressed)
            framesPerBlock = min(max(Int((Double(framesPerBlock) * 0.5 + scaled * 0.5).rounded()), 20), 50_000)
        }
        if cutTail {
            let cut = min(1_000, max(1, writer.bytes.count / 3))
            writer.truncate(removingLast: cut)
            injected.append(InjectedDamage(kind: .truncatedTail, block: writer.blockCount - 1))
        }
        do {
            try writer.write(toPath: path)
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
        return GeneratedFile(path: path, bytes: writer.bytes.count, blocks: writer.blockCount, frames: frames, damage: injected)
    }

    /// Where a damaged file's damage goes: spread over its first blocks; a cut tail at the end.
    private static func damagePlan(forFile index: Int, random: inout SplitMix64) -> (blocks: [Int: DamageKind], cutTail: Bool) {
        var pending: [Int: DamageKind] = [:]
        var cutTail = false
        var block = 1
        for kind in damageKinds(forFile: index) {
            if kind == .truncatedTail { cutTail = true; continue }
            pending[block] = kind
            block += 2 + Int(random.next() % 3)
        }
        return (pending, cutTail)
    }

    /// The next `count` frames of the traffic as Record2 sequences: each channel's frames in runs of 40-119.
    private static func blockSequences(frames count: Int, traffic: inout BusTraffic,
                                       random: inout SplitMix64) -> [FrameSequenceBuilder] {
        var channelFrames: [UInt8: [CANFrame]] = [:]
        var channelOrder: [UInt8] = []
        for _ in 0..<count {
            let frame = traffic.nextFrame()
            if channelFrames[frame.channel] == nil { channelOrder.append(frame.channel) }
            channelFrames[frame.channel, default: []].append(frame)
        }
        var sequences: [FrameSequenceBuilder] = []
        for channel in channelOrder {
            let list = channelFrames[channel]!
            var offset = 0
            while offset < list.count {
                let run = min(list.count - offset, 40 + Int(random.next() % 80))
                var sequence = FrameSequenceBuilder(channel: channel)
                for frame in list[offset..<(offset + run)] { sequence.append(frame) }
                sequences.append(sequence)
                offset += run
            }
        }
        return sequences
    }

    /// How a block is damaged beyond its sequences' contents.
    private struct BlockDamage {
        var record2Overrides: [Int: UInt32] = [:]
        var record1Length: UInt32?
        var gzip: CANPFileWriter.Damage?
    }

    /// Damages a block's sequences (or says how its records or gzip member are to be damaged).
    private static func inject(_ kind: DamageKind, into sequences: inout [FrameSequenceBuilder], now: UInt64,
                               random: inout SplitMix64) -> BlockDamage {
        var damage = BlockDamage()
        let victim = Int(random.next() % UInt64(sequences.count))
        let time = sequences[victim].timestampRange?.upperBound ?? now
        switch kind {
        case .flippedDeflateByte: damage.gzip = .flipDeflateByte(mask: 0x5A)
        case .badChecksum: damage.gzip = .corruptChecksum
        case .badInflatedSize: damage.gzip = .corruptInflatedSize(delta: 17)
        case .record1Overrun:
            // Placed on the last Record1: its length runs past the block.
            let lastGroup = sequences[((sequences.count - 1) / 4 * 4)...]
            damage.record1Length = UInt32(lastGroup.reduce(0) { $0 + $1.encodedSize }) + 9
        case .record2Overrun:
            // The last Record2 of the first Record1 claims 7 bytes more than its Record1 holds.
            let last = min(4, sequences.count) - 1
            damage.record2Overrides[last] = UInt32(sequences[last].payload.count) + 7
        case .record3Overrun:
            sequences[victim].append(CANFrame(timestamp: time, identifier: 0x123, data: [1, 2]), recordLength: 250)
        case .childrenShortOfParent:
            sequences[victim].appendRawBytes([0, 0, 1])
        case .classicFrameTooLong:
            sequences[victim].append(CANFrame(timestamp: time, identifier: 0x123, data: [UInt8](repeating: 7, count: 12)))
        case .fdLengthNotAllowed:
            sequences[victim].append(CANFrame(timestamp: time, identifier: 0x124, flags: .fd, data: [UInt8](repeating: 7, count: 9)))
        case .standardIdentifierTooLarge:
            sequences[victim].append(CANFrame(timestamp: time, rawIdentifier: 0x900, flagsByte: 0, channel: 0, data: [0, 1, 2, 3]))
        case .recordLengthMismatch:
            var frame = CANFrame(timestamp: time, identifier: 0x125, data: [1, 2, 3, 4, 5, 6, 7, 8])
            frame.lengthOverride = 6
            sequences[victim].append(frame)
        case .frameTooShort:
            sequences[victim].appendRecord3(payload: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        case .truncatedTail:
            break
        }
        return damage
    }

    /// A block's payload: its sequences in Record1s of four, with the damage of the records.
    private static func blockPayload(_ sequences: [FrameSequenceBuilder], damage: BlockDamage) -> BlockPayloadBuilder {
        var payload = BlockPayloadBuilder()
        var first = 0
        while first < sequences.count {
            let group = Array(sequences[first..<min(first + 4, sequences.count)])
            let isLast = first + 4 >= sequences.count
            payload.appendRecord1(group, declaredLength: isLast ? damage.record1Length : nil,
                                  record2LengthOverrides: first == 0 ? damage.record2Overrides : [:])
            first += 4
        }
        return payload
    }

    static func makeDirectory(_ path: String) throws(Failure) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .io(path: path, reason: "exists and is not a directory") }
            return
        }
        var prefix = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            prefix += prefix.isEmpty && path.hasPrefix("/") && component.isEmpty ? "/" : (prefix.isEmpty || prefix == "/" ? "" : "/") + component
            if component.isEmpty { continue }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw .io(path: prefix, reason: String(cString: strerror(errno)))
            }
        }
    }

    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            guard n > 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
            done += n
        }
    }
}
