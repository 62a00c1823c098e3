/// The C type of `LLVMFuzzerTestOneInput`.
public typealias FuzzTestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzTestOneInput
) -> Int32

/// Runs libFuzzer's driver with the process's arguments.
///
/// SwiftPM links every executable on Linux with `--defsym main=<module>_main`,
/// so libFuzzer's own `main` is never pulled from its archive; each target
/// exports `<module>_main` (with `@_cdecl`) and calls this instead, which is
/// what libFuzzer's `main` does (`LLVMFuzzerRunDriver`, LLVM 13 and later).
///
/// - Parameters:
///   - argc: `main`'s argument count.
///   - argv: `main`'s arguments.
///   - test: the target's `LLVMFuzzerTestOneInput`.
/// - Returns: libFuzzer's exit status.
public func runFuzzer(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ test: FuzzTestOneInput
) -> Int32 {
    var count = argc
    var arguments = argv
    // The driver may advance argv past the flags it consumed, hence the copies.
    return LLVMFuzzerRunDriver(&count, &arguments, test)
}
