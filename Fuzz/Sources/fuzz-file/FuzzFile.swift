// fuzz-file: the reader on valid CANP files with mutations.
//
// The seeds are files written by `canp generate` (scripts/fuzz makes them).
// A plain byte mutation of a gzip member almost always breaks its CRC-32, so
// the reader would only ever see level-0 errors. This target therefore has a
// structure-aware mutator: most mutations inflate one Record0, mutate the
// inflated Stream1 (libFuzzer's own byte mutations, or a nudge of one
// Record1/2/3 length field), deflate it again and fix len0 and ISIZE, so
// that the damage reaches levels 1-3 and the frames behind a valid gzip
// member. The rest damage the file itself: raw byte mutations, a dropped,
// duplicated or swapped Record0, a cut at any byte.
import Canp
import FuzzSupport

#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) let harness = ReaderHarness()
nonisolated(unsafe) let mutator = FileMutator()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let exact = ExactBuffer(copying: UnsafeRawBufferPointer(start: data, count: size))
    harness.checkFile(exact.readOnly)
    return 0
}

@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzFileMutator(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    mutator.mutate(data, size, maxSize, seed)
}

@_silgen_name("LLVMFuzzerMutate")
func LLVMFuzzerMutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int) -> Int

final class FileMutator {
    let inflater: GzipInflater
    let deflater: GzipDeflater

    init() {
        do {
            inflater = try GzipInflater()
            deflater = try GzipDeflater(level: 1)
        } catch {
            fatalError("mutator setup failed: \(error)")
        }
    }

    /// SplitMix64: the mutation must depend only on libFuzzer's seed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    func mutate(_ data: UnsafeMutablePointer<UInt8>, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
        var random = Random(state: UInt64(seed))
        let file = Array(UnsafeBufferPointer(start: data, count: size))
        let blocks = Record0Scanner.scan(file).blocks
        let choice = random.below(10)
        var result: [UInt8]?
        if !blocks.isEmpty {
            switch choice {
            case 0: result = nil                     // raw byte mutation below
            case 1: result = rearrange(file, blocks, &random)
            case 2: result = Array(file[0..<random.below(file.count)])
            default: result = mutateInflated(file, blocks[random.below(blocks.count)], &random)
            }
        }
        guard let result, result.count <= maxSize else { return LLVMFuzzerMutate(data, size, maxSize) }
        result.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: result.count) }
        return result.count
    }

    /// Drops, duplicates or swaps whole Record0s.
    func rearrange(_ file: [UInt8], _ blocks: [BlockDescriptor], _ random: inout Random) -> [UInt8] {
        var pieces = blocks.map { Array(file[$0.offset..<$0.endOffset]) }
        let tail = Array(file[blocks.last!.endOffset...])
        let i = random.below(pieces.count)
        switch random.below(3) {
        case 0: pieces.remove(at: i)
        case 1: pieces.insert(pieces[i], at: random.below(pieces.count + 1))
        default: pieces.swapAt(i, random.below(pieces.count))
        }
        return pieces.flatMap { $0 } + tail
    }

    /// Inflates one block, mutates its Stream1, deflates it back with a consistent header.
    func mutateInflated(_ file: [UInt8], _ block: BlockDescriptor, _ random: inout Random) -> [UInt8]? {
        let member = Array(file[block.payloadRange])
        guard var inflated = try? inflater.inflate(member, limit: ReaderHarness.maximumInflatedSize) else { return nil }
        let lengthFields = Self.lengthFields(of: inflated)
        if !lengthFields.isEmpty && random.below(3) == 0 {
            // A nudge of one length field: off-by-a-few is where readers go wrong.
            let at = lengthFields[random.below(lengthFields.count)]
            let old = UInt32(inflated[at]) << 24 | UInt32(inflated[at + 1]) << 16 | UInt32(inflated[at + 2]) << 8 | UInt32(inflated[at + 3])
            let deltas: [Int64] = [-20, -16, -4, -1, 1, 4, 16, 20, 1 << 31, Int64(UInt32.max) - Int64(old)]
            let new = UInt32(truncatingIfNeeded: Int64(old) + deltas[random.below(deltas.count)])
            for k in 0..<4 { inflated[at + k] = UInt8(truncatingIfNeeded: new >> (24 - 8 * k)) }
        } else {
            let room = inflated.count + 64
            inflated.append(contentsOf: repeatElement(0, count: 64))
            let count = inflated.withUnsafeMutableBufferPointer { LLVMFuzzerMutate($0.baseAddress!, room - 64, room) }
            inflated.removeLast(inflated.count - count)
        }
        guard let compressed = try? deflater.compress(inflated) else { return nil }
        var header = block.header
        header.inflatedSize = UInt32(inflated.count)
        header.payloadLength = UInt32(compressed.count)
        var out = Array(file[0..<block.offset])
        header.append(to: &out)
        out += compressed
        out += file[block.endOffset...]
        return out
    }

    /// Offsets of the Record1, Record2 and Record3 length fields, as far as the structure holds.
    static func lengthFields(of bytes: [UInt8]) -> [Int] {
        var fields: [Int] = []
        func u32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        func walk(_ start: Int, _ end: Int, _ level: Int) {
            let headerSize = level == 3 ? 4 : 20
            let lengthAt = level == 3 ? 0 : 16
            var p = start
            while p < end, end - p >= headerSize, fields.count < 4096 {
                let length = u32(p + lengthAt)
                fields.append(p + lengthAt)
                guard length <= end - p - headerSize else { return }
                if level < 3 { walk(p + headerSize, p + headerSize + length, level + 1) }
                p += headerSize + length
            }
        }
        walk(0, bytes.count, 1)
        return fields
    }
}

@_cdecl("fuzz_file_main")
public func fuzz_file_main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzFile)
}
