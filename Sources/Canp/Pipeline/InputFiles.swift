#if canImport(Glibc)
import Glibc
#endif

/// Expands the inputs of a run (files and directories) into the list of
/// files to process, in a stable order.
public enum InputFiles {
    /// One file to process.
    public struct File: Sendable, Hashable {
        /// The path as given or found, as text (bytes that are not valid
        /// UTF-8 shown as U+FFFD; ``rawPath`` is exact).
        public var path: String
        /// The exact path, which the file is opened with.
        public var rawPath: InputPath
        /// The file name without directory (the `file` column of the exports;
        /// bytes that are not valid UTF-8 are written as U+FFFD).
        public var name: String
        /// The size at the time of listing.
        public var size: Int
        /// Why the entry cannot be read, when the listing already knows: a
        /// path that does not exist or cannot be examined, an entry of a
        /// directory with a format's extension that is not a regular file (a
        /// subdirectory, a FIFO, a dangling link). The run reports it in
        /// ``PipelineReport/unreadableFiles`` instead of dropping it silently.
        public var unreadableReason: String?

        init(rawPath: InputPath, size: Int, unreadableReason: String? = nil) {
            self.rawPath = rawPath
            path = rawPath.description
            name = String(decoding: rawPath.lastComponent, as: UTF8.self)
            self.size = size
            self.unreadableReason = unreadableReason
        }
    }

    /// Lists the files: each input file as is, and for each directory its
    /// entries with one of the extensions (not recursing), all sorted by
    /// path bytes. An input that does not exist or cannot be examined, and an
    /// entry that is not a regular file, is listed with its
    /// ``File/unreadableReason`` (the run goes on with the others and reports it).
    ///
    /// - Throws: ``PipelineError/inputUnavailable(path:reason:)`` for a
    ///   directory that cannot be listed or an input that is neither a file
    ///   nor a directory; ``PipelineError/noInputFiles(_:)`` when nothing is
    ///   left to process.
    public static func expand(_ inputs: [String], directoryExtensions: [String]) throws(PipelineError) -> [File] {
        try expand(inputs.map { InputPath($0) }, directoryExtensions: directoryExtensions)
    }

    /// ``expand(_:directoryExtensions:)`` for exact paths.
    public static func expand(_ inputs: [InputPath], directoryExtensions: [String]) throws(PipelineError) -> [File] {
        guard !inputs.isEmpty else { throw .noInputFiles("no input: name files or directories to process") }
        let suffixes = directoryExtensions.map { Array(("." + $0.lowercased()).utf8) }
        var files: [File] = []
        var emptyDirectories: [String] = []
        for input in inputs {
            var info = stat()
            guard input.withCString({ stat($0, &info) }) == 0 else {
                files.append(File(rawPath: input, size: 0, unreadableReason: String(cString: strerror(errno))))
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                let found = try list(input, suffixes: suffixes, into: &files)
                if found == 0 { emptyDirectories.append(input.description) }
            } else if (info.st_mode & S_IFMT) == S_IFREG {
                files.append(File(rawPath: input, size: Int(info.st_size)))
            } else {
                throw .inputUnavailable(path: input.description, reason: "not a regular file or directory")
            }
        }
        if files.isEmpty {
            let which = emptyDirectories.isEmpty ? inputs.map(\.description).joined(separator: ", ")
                : emptyDirectories.joined(separator: ", ")
            throw .noInputFiles("no \(Self.listing(directoryExtensions)) files to process in \(which)")
        }
        files.sort { $0.rawPath.bytes.lexicographicallyPrecedes($1.rawPath.bytes) }
        return files
    }

    /// Appends a directory's entries with one of the suffixes (compared
    /// without regard to ASCII case); returns how many.
    private static func list(_ directory: InputPath, suffixes: [[UInt8]], into files: inout [File]) throws(PipelineError) -> Int {
        guard let handle = directory.withCString({ opendir($0) }) else {
            throw .inputUnavailable(path: directory.description, reason: String(cString: strerror(errno)))
        }
        defer { closedir(handle) }
        var found = 0
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name.first == UInt8(ascii: ".") { continue }
            let lower = name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
            if !suffixes.isEmpty && !suffixes.contains(where: { lower.count > $0.count && lower.suffix($0.count).elementsEqual($0) }) {
                continue
            }
            let path = directory.appending(name)
            var child = stat()
            if path.withCString({ stat($0, &child) }) != 0 {
                files.append(File(rawPath: path, size: 0, unreadableReason: String(cString: strerror(errno))))
            } else if (child.st_mode & S_IFMT) != S_IFREG {
                files.append(File(rawPath: path, size: 0, unreadableReason: Self.kindDescription(child.st_mode)))
            } else {
                files.append(File(rawPath: path, size: Int(child.st_size)))
            }
            found += 1
        }
        return found
    }

    /// `.bin`, `.bin or .blf`, `.bin, .blf or .log`.
    static func listing(_ extensions: [String]) -> String {
        let dotted = extensions.map { "." + $0 }
        guard dotted.count > 1 else { return dotted.first ?? "input" }
        return dotted.dropLast().joined(separator: ", ") + " or " + dotted.last!
    }

    static func kindDescription(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "is a directory"
        case S_IFIFO: return "is a FIFO, not a regular file"
        case S_IFSOCK: return "is a socket, not a regular file"
        case S_IFCHR, S_IFBLK: return "is a device, not a regular file"
        default: return "not a regular file"
        }
    }
}
