// fuzz-text: the candump and ASC readers on arbitrary bytes.
//
// Each input is read with both text formats, in chunks of 1-97 bytes (drawn
// from its first byte) decoded in slices of 1-5 frames, and again as one
// chunk: TextHarness checks the tiling, the line numbers and offsets, the
// counts, the data bounds and that both readings agree.
import Canp
import FuzzSupport

nonisolated(unsafe) let harness = TextHarness()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let exact = ExactBuffer(copying: UnsafeRawBufferPointer(start: data, count: size))
    harness.check(exact.readOnly)
    return 0
}

@_cdecl("fuzz_text_main")
public func fuzz_text_main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzText)
}
