// fuzz-dbc: the DBC parser, resolver and compiled decoder on arbitrary text.
//
// Seeds: the real DBC files of ../shared/dbc-corpus (scripts/fuzz copies
// them), with a dictionary of DBC keywords (Fuzz/dbc.dict). A file that
// parses is compiled, and every message (up to 256) is decoded from payloads
// taken from the input itself at lengths 0, 1, 7, 8, its DBC length and 64,
// with every label looked up: a DBC may declare any start bit, length, byte
// order, multiplexer or value table, and none of that may make the decoder
// read or write outside its scratch buffers. The same frames go through the
// C decode kernel, which must give the Swift reference's rows.
import Canp
import FuzzSupport

nonisolated(unsafe) var signals = DBCSignalBatch(capacity: 256)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDBC(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let database: DBCDatabase
    do {
        database = try DBCParser.parse(bytes: bytes, fileName: "fuzz.dbc")
    } catch {
        _ = "\(error)"   // the message names a line and column; building it must not crash either
        return 0
    }
    let decoder = database.compile()
    fuzzCheck(decoder.messageCount == database.messages.count, "compiled \(decoder.messageCount) of \(database.messages.count) messages")
    // Payload bytes from the input, so that the fuzzer steers them too.
    var payload = [UInt8](repeating: 0, count: 64)
    for k in 0..<min(64, size) { payload[k] = bytes[size - 1 - k] }
    for index in 0..<min(decoder.messageCount, 256) {
        let message = database.messages[index]
        let range = decoder.signalRange(ofMessageAt: index)
        fuzzCheck(range.count == message.signals.count, "message \(index): \(range.count) compiled signals of \(message.signals.count)")
        for length in [0, 1, 7, 8, max(0, min(64, message.length)), 64] {
            // An exactly sized copy: ASan sees any read past the frame's bytes.
            let frame = ExactBuffer(count: length)
            for k in 0..<length { frame.bytes[k] = payload[k] }
            signals.removeAll()
            let rows = decoder.decode(messageAt: index, bytes: frame.readOnly, frameIndex: UInt32(length), into: &signals)
            fuzzCheck(rows == signals.count && rows <= range.count, "message \(index): \(rows) rows, \(range.count) signals")
            for row in 0..<rows {
                let signal = signals.signalIndex(at: row)
                fuzzCheck(range.contains(signal), "row of signal \(signal) outside \(range)")
                _ = decoder.label(signalIndex: signal, raw: signals.rawValue(at: row))
                _ = signals.value(at: row)
            }
        }
    }
    checkBindings(database, decoder, sourceAddress: size > 0 ? UInt32(bytes[0]) : 0)
    checkKernel(database, decoder, payload: payload, sourceAddress: size > 0 ? UInt32(bytes[0]) : 0)
    return 0
}

nonisolated(unsafe) var kernelRows = DBCSignalBatch(capacity: 16)
nonisolated(unsafe) var referenceRows = DBCSignalBatch(capacity: 16)

/// The C decode kernel (`decodeSignals`) against the Swift reference
/// (`referenceDecodeSignals`): every message's id (and, extended, another
/// source address) at the lengths above, on channels 0-2, plain, as a remote
/// and an error frame, through the decoder and a decoder with bindings. The
/// payload lies in an exact buffer of 64 + `payloadPadding` bytes: ASan sees
/// any read past what the kernel may read. The rows must be the same, bit for bit.
func checkKernel(_ database: DBCDatabase, _ decoder: DBCDecoder, payload: [UInt8], sourceAddress: UInt32) {
    let data = ExactBuffer(count: 64 + DBCDecoder.payloadPadding)
    for k in 0..<data.bytes.count { data.bytes[k] = k < 64 ? payload[k] : 0xA5 }
    var frames = FrameBatch()
    for message in database.messages.prefix(256) {
        var ids = [message.id]
        if message.isExtended { ids.append(message.id & 0x03FF_FF00 | sourceAddress) }
        for id in ids {
            for length in [0, 1, 7, 8, max(0, min(64, message.length)), 64] {
                for (channel, flags) in [(0, FrameFlags()), (1, []), (2, [.remoteRequest]), (1, [.errorFrame])] as [(Int32, FrameFlags)] {
                    frames.appendFrame(timestamp: 0, identifier: id,
                                       flags: message.isExtended ? flags.union(.extended) : flags, channel: channel,
                                       length: UInt8(length), dataOffset: UInt32(64 - length), block: 0)
                }
            }
        }
    }
    let bound = DBCDecoder(bindings: [DBCBinding(database: database, channels: [1], forcesJ1939: true),
                                      DBCBinding(database: database, channels: [1, 2])])
    let bytes = UnsafeRawBufferPointer(rebasing: data.bytes[0..<64])
    for compiled in [decoder, bound] {
        kernelRows.removeAll()
        referenceRows.removeAll()
        let a = compiled.decodeSignals(of: frames, data: bytes, into: &kernelRows)
        let b = compiled.referenceDecodeSignals(of: frames, data: bytes, into: &referenceRows)
        fuzzCheck(a == b && kernelRows.count == referenceRows.count,
                  "kernel: \(a) frames, \(kernelRows.count) rows; reference: \(b) frames, \(referenceRows.count) rows")
        let same = kernelRows.withUnsafeColumns { f1, s1, r1, k1, v1 in
            referenceRows.withUnsafeColumns { f2, s2, r2, k2, v2 in
                f1.elementsEqual(f2) && s1.elementsEqual(s2) && r1.elementsEqual(r2) && k1.elementsEqual(k2)
                    && v1.map(\.bitPattern) == v2.map(\.bitPattern)
            }
        }
        fuzzCheck(same, "the kernel's rows differ from the reference's")
    }
}

/// The lookup with bindings (spec/DECODING.md): the database read as J1939
/// and bound to channel 1, then again unbound. Every message's own id finds
/// the message of that id on both channels; on channel 1 an extended id with
/// another priority and source finds a message of its parameter group.
func checkBindings(_ database: DBCDatabase, _ decoder: DBCDecoder, sourceAddress: UInt32) {
    let count = database.messages.count
    guard count > 0 else { return }
    let bound = DBCDecoder(bindings: [DBCBinding(database: database, channels: [1], forcesJ1939: true),
                                      DBCBinding(database: database)])
    fuzzCheck(bound.messageCount == 2 * count, "bound decoder: \(bound.messageCount) messages of 2 x \(count)")
    for index in 0..<min(count, 256) {
        let message = database.messages[index]
        guard let plain = decoder.messageIndex(id: message.id, isExtended: message.isExtended) else {
            fuzzCheck(false, "message \(index): its own id finds nothing")
            return
        }
        let found = database.messages[plain]
        fuzzCheck(found.id == message.id && found.isExtended == message.isExtended, "message \(index): id finds \(plain)")
        fuzzCheck(bound.messageIndex(id: message.id, isExtended: message.isExtended, channel: 0) == plain + count,
                  "message \(index): channel 0 is not served by the unbound copy")
        fuzzCheck(bound.messageIndex(id: message.id, isExtended: message.isExtended, channel: 1) == plain,
                  "message \(index): channel 1 does not find the whole id")
        guard message.isExtended else { continue }
        let other = (message.id & 0x03FF_FF00) | (sourceAddress << 26 & 0x1C00_0000) | sourceAddress
        let group = J1939Identifier(other).parameterGroupNumber
        guard let byGroup = bound.messageIndex(id: other, isExtended: true, channel: 1) else {
            fuzzCheck(false, "message \(index): PGN \(group) finds nothing")
            return
        }
        let matched = bound.message(at: byGroup)
        fuzzCheck(byGroup < count && matched.isExtended && J1939Identifier(matched.id).parameterGroupNumber == group,
                  "message \(index): PGN \(group) finds message \(byGroup)")
    }
}

@_cdecl("fuzz_dbc_main")
public func fuzz_dbc_main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzDBC)
}
