import Foundation
import Testing
@testable import Canp

/// Shared builders for the Format tests: deterministic frames and whole files.
enum FormatFixtures {
    static let baseTime: UInt64 = 1_700_000_000_000_000_000

    /// A deterministic mix of frames: classic and FD, standard and extended, RTR, TX, empty data.
    static func frames(count: Int, seed: UInt64 = 1, start: UInt64 = baseTime) -> [CANFrame] {
        var rng = SplitMix64(seed: seed)
        let fdLengths: [Int] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]
        return (0..<count).map { i in
            let kind = rng.next() % 6
            var flags: FrameFlags = []
            var identifier = UInt32(truncatingIfNeeded: rng.next()) & 0x7FF
            var length = Int(rng.next() % 9)
            switch kind {
            case 0: break
            case 1:
                flags.insert(.extended)
                identifier = UInt32(truncatingIfNeeded: rng.next()) & 0x1FFF_FFFF
            case 2:
                flags.formUnion([.fd, .bitRateSwitch])
                length = fdLengths[Int(rng.next() % UInt64(fdLengths.count))]
            case 3:
                flags.formUnion([.fd, .extended, .errorStateIndicator])
                identifier = 0x18FE_F1FE
                length = 64
            case 4:
                flags.insert(.remoteRequest)
                length = 0
            default:
                flags.insert(.transmitted)
            }
            let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            return CANFrame(
                timestamp: start + UInt64(i) * 1_000_000, identifier: identifier, flags: flags,
                channel: UInt8(truncatingIfNeeded: rng.next() % 4), data: data)
        }
    }

    /// A block payload: the frames split into Record1s of `perRecord1` sequences of `perSequence` frames.
    static func payload(_ frames: [CANFrame], perSequence: Int = 7, perRecord1: Int = 3) -> BlockPayloadBuilder {
        var payload = BlockPayloadBuilder()
        var sequences: [FrameSequenceBuilder] = []
        var index = 0
        while index < frames.count {
            var sequence = FrameSequenceBuilder(channel: frames[index].channel)
            for frame in frames[index..<min(index + perSequence, frames.count)] { sequence.append(frame) }
            sequences.append(sequence)
            index += perSequence
            if sequences.count == perRecord1 {
                payload.appendRecord1(sequences)
                sequences = []
            }
        }
        if !sequences.isEmpty { payload.appendRecord1(sequences) }
        return payload
    }

    /// What a reader should report for a frame, as the fields it decodes.
    struct DecodedFrame: Hashable, CustomStringConvertible {
        var timestamp: UInt64
        var identifier: UInt32
        var flags: FrameFlags
        var channel: UInt8
        var data: [UInt8]
        var description: String { "\(timestamp) \(identifier) \(flags.rawValue) \(channel) \(data)" }

        init(_ frame: CANFrame) {
            timestamp = frame.timestamp
            identifier = frame.rawIdentifier & 0x1FFF_FFFF
            flags = FrameFlags(rawIdentifier: frame.rawIdentifier, flagsByte: frame.flagsByte)
            channel = frame.channel
            data = frame.data
        }

        init(timestamp: UInt64, identifier: UInt32, flags: FrameFlags, channel: UInt8, data: [UInt8]) {
            self.timestamp = timestamp
            self.identifier = identifier
            self.flags = flags
            self.channel = channel
            self.data = data
        }
    }

    /// Decodes a whole file and returns the frames with their data, plus the batch.
    static func decode(
        _ bytes: [UInt8], file: String = "test.bin", configuration: BlockDecoder.Configuration = .default
    ) throws -> (frames: [DecodedFrame], batch: FrameBatch, inflated: [[UInt8]]) {
        var decoder = try BlockDecoder(configuration: configuration)
        var batch = FrameBatch()
        let inflated = decoder.decodeFile(bytes, file: file, into: &batch)
        #expect(decoder.counts == batch.counts)
        return (frames(of: batch, inflated: inflated), batch, inflated)
    }

    static func frames(of batch: FrameBatch, inflated: [[UInt8]]) -> [DecodedFrame] {
        var out: [DecodedFrame] = []
        for (segment, block) in zip(batch.segments, inflated) {
            block.withUnsafeBytes { bytes in
                for row in segment.frames {
                    out.append(DecodedFrame(
                        timestamp: batch.timestamps[row], identifier: batch.identifiers[row], flags: batch.flags[row],
                        channel: UInt8(batch.channels[row]), data: Array(batch.unsafeData(ofFrame: row, in: bytes))))
                }
            }
        }
        return out
    }

    /// frames.csv and errors.csv of some files, as `CanonicalCSV` writes them.
    static func export(files: [(name: String, bytes: [UInt8])]) throws -> (frames: String, errors: String) {
        var decoder = try BlockDecoder()
        var framesCSV = CSVByteWriter()
        var errorsCSV = CSVByteWriter()
        framesCSV.appendRaw(CanonicalCSV.framesHeader)
        errorsCSV.appendRaw(CanonicalCSV.errorsHeader)
        var batch = FrameBatch()
        for file in files {
            batch.removeAll()
            let inflated = decoder.decodeFile(file.bytes, file: file.name, into: &batch)
            let name = CSVByteWriter.encodedField(file.name)
            for (segment, block) in zip(batch.segments, inflated) {
                block.withUnsafeBytes { bytes in
                    CanonicalCSV.appendFrameRows(
                        of: batch, segment: segment, encodedFileName: name, unsafeInflatedBlock: bytes, to: &framesCSV)
                }
            }
            for issue in batch.issues { CanonicalCSV.appendErrorRow(issue, to: &errorsCSV) }
        }
        return (framesCSV.text, errorsCSV.text)
    }
}

