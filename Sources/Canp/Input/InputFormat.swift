/// An input format: how files of one kind are recognised, split into units
/// that decode in parallel, and decoded into the neutral frame model
/// (``FrameBatch``).
///
/// The pipeline reads each file whole into pool memory on an IO worker,
/// picks its format by content (``matches(prefix:)``, in the order of
/// ``PipelineConfiguration/inputFormats``) unless one is forced for the run,
/// calls ``scan(unsafeFileBytes:fileName:)`` there, and hands the units to
/// CPU workers, each with a decoder of its own (``makeUnitDecoder()``).
/// Adding a format is a new folder under `Input/` with a type conforming to
/// this protocol; the pipeline is not edited (`docs/ARCHITECTURE.md`).
public protocol InputFormat: Sendable {
    /// The format's name in reports and summaries (`canp`, `blf`, ...).
    var name: String { get }
    /// The extensions (lower case, without the dot) of the files that a
    /// directory contributes for this format.
    var directoryExtensions: [String] { get }
    /// The level reported when the pipeline itself must skip a whole unit
    /// (for example one that cannot fit the memory limit).
    var unitLevel: FormatIssue.Level { get }

    /// Whether a file that starts with these bytes is in this format.
    ///
    /// - Parameter prefix: the file's first ``InputDetection/prefixLength``
    ///   bytes, or the whole file when it is shorter.
    /// - Returns: true to read the file with this format.
    func matches(prefix: UnsafeRawBufferPointer) -> Bool

    /// Splits a whole file into units, cheaply (headers or line ends only):
    /// the decoding happens later, on CPU workers.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - fileName: the file name without directory, for issues.
    /// - Returns: the units and the skipped units found, in file order.
    /// - Complexity: should be O(units), or a fast pass over line ends.
    func scan(unsafeFileBytes bytes: UnsafeRawBufferPointer, fileName: String) -> InputScan

    /// A decoder for one CPU worker; the pipeline keeps and reuses it.
    ///
    /// - Throws: ``InputError`` when its resources cannot be set up.
    func makeUnitDecoder() throws(InputError) -> any InputUnitDecoder
}

/// A failure to set up a reader.
public enum InputError: Error, Sendable, CustomStringConvertible {
    /// A resource (memory, a decompressor) could not be had.
    case resources(String)

    public var description: String {
        switch self {
        case .resources(let why): why
        }
    }
}
