// fuzz-dbc: the DBC parser, resolver and compiled decoder on arbitrary text.
//
// Seeds: the real DBC files of ../shared/dbc-corpus (scripts/fuzz copies
// them), with a dictionary of DBC keywords (Fuzz/dbc.dict). A file that
// parses is compiled, and every message (up to 256) is decoded from payloads
// taken from the input itself at lengths 0, 1, 7, 8, its DBC length and 64,
// with every label looked up: a DBC may declare any start bit, length, byte
// order, multiplexer or value table, and none of that may make the decoder
// read or write outside its scratch buffers.
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
    return 0
}

@_cdecl("fuzz_dbc_main")
public func fuzz_dbc_main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzDBC)
}
