/// The input formats CANP reads, and detection by content (`docs/INPUTS.md`).
public enum InputFormats {
    /// The formats built in, in detection order: each is asked in turn
    /// whether it matches a file's first bytes; CANP, last, takes what no
    /// other format claims.
    public static var builtIn: [any InputFormat] {
        [BLFFormat(), CandumpFormat(), ASCFormat(), CANPFormat()]
    }

    /// How many leading bytes of a file detection looks at.
    public static let prefixLength = 4096

    /// The index in `formats` of the format that reads a file: the forced
    /// one, or the first that matches the file's first bytes.
    ///
    /// - Parameters:
    ///   - bytes: the whole file (only its first ``prefixLength`` bytes are read).
    ///   - formats: the candidates in order.
    ///   - forced: the name of a format that reads every file, if any.
    /// - Returns: an index into `formats`, or nil when none matches.
    /// - Complexity: O(formats × prefixLength).
    public static func detect(
        unsafeFileBytes bytes: UnsafeRawBufferPointer, among formats: [any InputFormat], forced: String?
    ) -> Int? {
        if let forced { return formats.firstIndex { $0.name == forced } }
        let prefix = UnsafeRawBufferPointer(rebasing: bytes[0..<min(bytes.count, prefixLength)])
        return formats.firstIndex { $0.matches(prefix: prefix) }
    }

    /// The extensions that directories contribute for `formats`.
    ///
    /// - Parameter formats: the run's formats.
    /// - Returns: their lower-case extensions, without duplicates, in order.
    public static func directoryExtensions(of formats: [any InputFormat]) -> [String] {
        var seen = Set<String>()
        return formats.flatMap(\.directoryExtensions).filter { seen.insert($0.lowercased()).inserted }
    }
}
