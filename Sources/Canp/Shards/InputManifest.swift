#if canImport(Glibc)
import Glibc
#endif

/// A list of inputs read from a file (`canp process --files-from FILE`):
/// one path per line, so that an orchestrator can hand each task its files
/// without a command line of thousands of arguments.
///
/// Lines are separated by LF and each line is a path's exact bytes (a name
/// that is not valid UTF-8 is kept as it is, ``InputPath``): nothing is
/// trimmed, unquoted or expanded. Empty lines and lines of only spaces, tabs
/// and carriage returns are skipped. A relative path is relative to the
/// current directory, as on the command line. Every path must exist when the
/// manifest is read: a manifest that names a missing file is refused with
/// the manifest's name and the line, before anything is processed, so that
/// a part never completes without one of its files.
public struct InputManifest: Sendable, Equatable {
    /// One path of the manifest and the line it is on (1-based).
    public struct Entry: Sendable, Equatable {
        /// The path, exact bytes.
        public var path: InputPath
        /// Its line number in the manifest.
        public var line: Int
    }

    /// The manifest's path, as given.
    public let manifest: String
    /// The paths, in the manifest's order.
    public let entries: [Entry]

    /// The largest manifest accepted (about a million paths).
    public static let sizeLimit = 256 << 20

    /// Reads and checks a manifest.
    ///
    /// - Parameter manifest: the manifest's path.
    /// - Throws: ``ShardError/manifestUnreadable(manifest:reason:)``,
    ///   ``ShardError/manifestEntry(manifest:line:path:reason:)`` for the
    ///   first line whose path cannot be examined.
    public init(contentsOf manifest: String) throws(ShardError) {
        let bytes: [UInt8]
        do {
            bytes = try SmallFileReader.read(path: manifest, limit: Self.sizeLimit)
        } catch {
            throw .manifestUnreadable(manifest: manifest, reason: error.reason)
        }
        try self.init(manifest: manifest, bytes: bytes)
        try checkPathsExist()
    }

    /// Parses a manifest's bytes without looking at the paths.
    ///
    /// - Parameters:
    ///   - manifest: the manifest's name, for messages.
    ///   - bytes: its content.
    /// - Throws: ``ShardError/manifestEntry(manifest:line:path:reason:)`` for a line with a NUL byte.
    public init(manifest: String, bytes: [UInt8]) throws(ShardError) {
        self.manifest = manifest
        var entries: [Entry] = []
        var line = 0
        for text in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            line += 1
            if text.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }) {
                continue
            }
            if text.contains(0) {
                throw .manifestEntry(manifest: manifest, line: line, path: Self.shown(Array(text)),
                                     reason: "a path holds no NUL byte")
            }
            entries.append(Entry(path: InputPath(bytes: Array(text)), line: line))
        }
        self.entries = entries
    }

    /// The paths, in order.
    public var paths: [InputPath] { entries.map(\.path) }

    /// Checks that every path exists and can be examined (`stat`).
    ///
    /// - Throws: ``ShardError/manifestEntry(manifest:line:path:reason:)`` for the first that does not.
    public func checkPathsExist() throws(ShardError) {
        for entry in entries {
            var info = stat()
            guard entry.path.withCString({ stat($0, &info) }) != 0 else { continue }
            var reason = String(cString: strerror(errno))
            if entry.path.bytes.last == UInt8(ascii: "\r") {
                reason += " (the line ends in a carriage return: are the manifest's lines ended with CR LF?)"
            }
            throw .manifestEntry(manifest: manifest, line: entry.line, path: Self.shown(entry.path.bytes), reason: reason)
        }
    }

    /// A path for a message: its text, with control bytes as `\xHH` so that
    /// a carriage return or an escape sequence shows instead of acting.
    static func shown(_ bytes: [UInt8]) -> String {
        var out = ""
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
