import ArgumentParser
import Canp
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a CANP, BLF or Parquet file's structure: blocks or containers, records or object types, frames, damage; row groups.",
        discussion: """
            Lists the first blocks with their header fields (magic, version, sequence number, \
            timestamps, inflated size, payload length) and what they unpack into, then totals for \
            the file: blocks, Record1/2/3 counts, frames by kind, channels, identifiers, and every \
            skipped unit with its offset, level and reason.

            A BLF file (it starts with LOGG) shows its header (versions, sizes, object count, \
            start and stop times), its top-level objects (containers with compression method, \
            declared and inflated sizes), the object types and header versions inside the \
            containers with their counts, the objects split across containers, and what the \
            reader decodes.

            A Parquet file (PAR1 at both ends) shows its footer: format version, writer, \
            key-value metadata (CANP's files carry the table and the run), the schema, and each \
            row group's column chunks with codec, encodings, values, compressed and uncompressed \
            sizes, nulls, minimum and maximum; then each column's bytes over all row groups.
            """)

    @Argument(help: "The CANP, BLF or Parquet file.")
    var file: String

    @Option(name: .long, help: "How many blocks, top-level BLF objects or row groups to list in detail.")
    var blocks = 5

    func run() throws {
        let bytes: [UInt8]
        do {
            // The whole file is held (and listed) in memory: at most 4 GiB, a regular file.
            bytes = try SmallFileReader.read(path: file, limit: 4 << 30)
        } catch {
            CommandSupport.error("inspect", "\(error)")
            throw CommandSupport.fatal
        }
        let name = (file as NSString).lastPathComponent
        if bytes.starts(with: Array("PAR1".utf8)) {
            guard InspectParquet.run(bytes, path: file, listed: blocks) else { throw CommandSupport.fatal }
            return
        }
        if bytes.starts(with: Array("LOGG".utf8)) {
            InspectBLF.run(bytes, path: file, name: name, listed: blocks)
            return
        }
        let scan = Record0Scanner.scan(bytes)
        var decoder: BlockDecoder
        do {
            decoder = try BlockDecoder()
        } catch {
            CommandSupport.error("inspect", "\(error)")
            throw CommandSupport.fatal
        }
        var batch = FrameBatch()
        let inflated = decoder.decodeFile(bytes, file: name, into: &batch)
        print("\(file): \(bytes.count) bytes, \(scan.blocks.count) complete Record0 block(s)" + (scan.truncatedTail != nil ? " and a truncated tail" : ""))
        var segmentByBlock: [Int: Int] = [:]
        for (index, segment) in batch.segments.enumerated() { segmentByBlock[segment.unit] = index }
        for block in scan.blocks.prefix(blocks) {
            let h = block.header
            print("block \(block.index) at offset \(block.offset): magic \(Self.magicText(h.magic)) version \(h.version) seq \(h.sequenceNumber) "
                  + "first \(h.firstTimestamp) last \(h.lastTimestamp) inflated \(h.inflatedSize) payload \(h.payloadLength)")
            if let s = segmentByBlock[block.index] {
                let structure = Self.structure(of: inflated[s])
                print("  -> \(structure.record1) Record1, \(structure.record2) Record2, \(structure.record3) Record3, \(batch.segments[s].frames.count) frames")
            } else {
                print("  -> skipped (see errors below)")
            }
        }
        if scan.blocks.count > blocks { print("... \(scan.blocks.count - blocks) more block(s)") }
        var totals = (record1: 0, record2: 0, record3: 0)
        for bytes in inflated {
            let s = Self.structure(of: bytes)
            totals.record1 += s.record1
            totals.record2 += s.record2
            totals.record3 += s.record3
        }
        let counts = batch.counts
        print("totals: \(counts.blocksDecoded) blocks decoded, \(counts.blocksSkipped) skipped; \(totals.record1) Record1, \(totals.record2) Record2, \(totals.record3) Record3; \(counts.framesDecoded) frames decoded, \(counts.framesSkipped) skipped; \(counts.inflatedBytes) bytes inflated")
        var fd = 0, extended = 0, remote = 0
        var channels: [Int32: Int] = [:]
        var identifiers: [UInt32: Int] = [:]
        for row in 0..<batch.count {
            let flags = batch.flags[row]
            if flags.contains(.fd) { fd += 1 }
            if flags.contains(.extended) { extended += 1 }
            if flags.contains(.remoteRequest) { remote += 1 }
            channels[batch.channels[row], default: 0] += 1
            identifiers[batch.identifiers[row] | (flags.contains(.extended) ? 0x8000_0000 : 0), default: 0] += 1
        }
        print("frames: \(fd) CAN FD, \(extended) extended id, \(remote) remote request; channels " + channels.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
        let top = identifiers.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10)
        print("identifiers: \(identifiers.count) distinct; most frequent " + top.map { (key, count) in
            (key & 0x8000_0000 != 0 ? "0x" + String(key & 0x1FFF_FFFF, radix: 16, uppercase: true) + "x" : "0x" + String(key, radix: 16, uppercase: true)) + " (\(count))"
        }.joined(separator: ", "))
        if batch.issues.isEmpty {
            print("errors: none")
        } else {
            print("errors: \(batch.issues.count)")
            for issue in batch.issues { print("  \(issue)") }
        }
    }

    /// The magic as ASCII when printable (`CANP`), else hexadecimal.
    static func magicText(_ magic: UInt32) -> String {
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: magic >> (24 - 8 * $0)) }
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(decoding: bytes, as: UTF8.self) }
        return "0x" + String(magic, radix: 16, uppercase: true)
    }

    /// Counts the records of an inflated block (already validated by the decoder).
    static func structure(of bytes: [UInt8]) -> (record1: Int, record2: Int, record3: Int) {
        func be32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        var result = (record1: 0, record2: 0, record3: 0)
        var p = 0
        while p + 20 <= bytes.count {
            let end1 = p + 20 + be32(p + 16)
            result.record1 += 1
            var q = p + 20
            while q + 20 <= end1 {
                let end2 = q + 20 + be32(q + 16)
                result.record2 += 1
                var r = q + 20
                while r + 4 <= end2 {
                    result.record3 += 1
                    r += 4 + be32(r)
                }
                q = end2
            }
            p = end1
        }
        return result
    }
}
