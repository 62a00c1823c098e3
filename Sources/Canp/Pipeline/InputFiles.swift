#if canImport(Glibc)
import Glibc
#endif

/// Expands the inputs of a run (files and directories) into the list of
/// files to process, in a stable order.
public enum InputFiles {
    /// One file to process.
    public struct File: Sendable, Hashable {
        /// The path as given or found.
        public var path: String
        /// The file name without directory (the `file` column of the CSVs).
        public var name: String
        /// The size at the time of listing.
        public var size: Int
        /// Why the entry cannot be read, when the listing already knows: an
        /// entry of a directory with the extension that is not a regular file
        /// (a subdirectory, a FIFO, a dangling link). The run reports it in
        /// ``PipelineReport/unreadableFiles`` instead of dropping it silently.
        public var unreadableReason: String?
    }

    /// Lists the files: each input file as is, and for each directory its
    /// entries with the extension (not recursing), all sorted by path. An
    /// entry that is not a regular file is listed with its
    /// ``File/unreadableReason``.
    ///
    /// - Throws: ``PipelineError/inputUnavailable(path:reason:)`` for a
    ///   missing or unreadable path; ``PipelineError/noInputFiles(_:)`` when
    ///   nothing is left to process.
    public static func expand(_ inputs: [String], directoryExtension: String) throws(PipelineError) -> [File] {
        guard !inputs.isEmpty else { throw .noInputFiles("no input: name files or directories to process") }
        var files: [File] = []
        var emptyDirectories: [String] = []
        for input in inputs {
            var info = stat()
            guard stat(input, &info) == 0 else {
                throw .inputUnavailable(path: input, reason: String(cString: strerror(errno)))
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                guard let directory = opendir(input) else {
                    throw .inputUnavailable(path: input, reason: String(cString: strerror(errno)))
                }
                defer { closedir(directory) }
                var found = 0
                while let entry = readdir(directory) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if name.hasPrefix(".") { continue }
                    if !directoryExtension.isEmpty && !name.lowercased().hasSuffix("." + directoryExtension.lowercased()) { continue }
                    let path = input.hasSuffix("/") ? input + name : input + "/" + name
                    var child = stat()
                    if stat(path, &child) != 0 {
                        files.append(File(path: path, name: name, size: 0, unreadableReason: String(cString: strerror(errno))))
                    } else if (child.st_mode & S_IFMT) != S_IFREG {
                        files.append(File(path: path, name: name, size: 0, unreadableReason: Self.kindDescription(child.st_mode)))
                    } else {
                        files.append(File(path: path, name: name, size: Int(child.st_size)))
                    }
                    found += 1
                }
                if found == 0 { emptyDirectories.append(input) }
            } else if (info.st_mode & S_IFMT) == S_IFREG {
                let name = input.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? input
                files.append(File(path: input, name: name, size: Int(info.st_size)))
            } else {
                throw .inputUnavailable(path: input, reason: "not a regular file or directory")
            }
        }
        if files.isEmpty {
            let which = emptyDirectories.isEmpty ? inputs.joined(separator: ", ") : emptyDirectories.joined(separator: ", ")
            throw .noInputFiles("no .\(directoryExtension) files to process in \(which)")
        }
        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return files
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
