// fuzz-reader: the Record0..frame reader on arbitrary bytes.
//
// Each input is read twice: as a whole CANP file (scanner, gzip check,
// inflate, walk, frames, signals, CSV rows) and as an already inflated
// Stream1, because random bytes almost never make a gzip member with a valid
// CRC, and the level 1-3 walker is where lengths are trusted.
import Canp
import FuzzSupport

nonisolated(unsafe) let harness = ReaderHarness()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    // libFuzzer's input is a heap copy of exactly `size` bytes: ASan guards its end.
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let exact = ExactBuffer(copying: bytes)
    harness.checkFile(exact.readOnly)
    harness.checkInflated(exact.readOnly)
    return 0
}

@_cdecl("fuzz_reader_main")
public func fuzz_reader_main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzReader)
}
