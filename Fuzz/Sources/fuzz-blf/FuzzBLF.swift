// fuzz-blf: the BLF reader on arbitrary bytes.
//
// An input that starts with `LOGG` is read as a whole BLF file (scan,
// containers, zlib, joins, objects, frames); any input is also read as the
// inflated bytes of stored containers cut where its first byte says, because
// random bytes almost never make a zlib stream, and the object walker and the
// joins at container boundaries are where sizes are trusted.
import Canp
import FuzzSupport

nonisolated(unsafe) let harness = BLFHarness()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBLF(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let exact = ExactBuffer(copying: UnsafeRawBufferPointer(start: data, count: size))
    if size >= 4 && exact.readOnly.starts(with: Array("LOGG".utf8)) { harness.checkFile(exact.readOnly) }
    harness.checkContainers(exact.readOnly)
    return 0
}

@_cdecl("fuzz_blf_main")
public func fuzz_blf_main(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv, fuzzBLF)
}
