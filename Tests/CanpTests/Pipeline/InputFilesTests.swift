import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

@Suite("InputFiles")
struct InputFilesTests {
    @Test func listsFilesAndDirectoriesSortedByPath() throws {
        let directory = TemporaryDirectory()
        let logs = directory.path + "/logs"
        mkdir(logs, 0o755)
        mkdir(logs + "/nested", 0o755)
        let d = TemporaryDirectoryFile(logs)
        d.write("b.bin", 3)
        d.write("a.BIN", 5)                 // the extension matches in any case
        d.write("c.txt", 1)                 // other extensions are not taken from directories
        d.write(".hidden.bin", 1)
        d.write("nested/deep.bin", 1)       // no recursion
        let explicit = directory.write("z.log", [1, 2])     // named files are taken whatever their name
        let files = try InputFiles.expand([explicit, logs + "/"], directoryExtensions: ["bin"])
        #expect(files.map(\.path) == [logs + "/a.BIN", logs + "/b.bin", explicit])
        #expect(files.map(\.name) == ["a.BIN", "b.bin", "z.log"])
        #expect(files.map(\.size) == [5, 3, 2])
        #expect(files.allSatisfy { $0.unreadableReason == nil })
    }

    @Test func emptyExtensionTakesEveryRegularFile() throws {
        let directory = TemporaryDirectory()
        directory.write("x.dat", [1])
        directory.write("y", [1, 2])
        let files = try InputFiles.expand([directory.path], directoryExtensions: [])
        #expect(files.map(\.name) == ["x.dat", "y"])
    }

    @Test func nonRegularEntriesCarryTheirReason() throws {
        let directory = TemporaryDirectory()
        directory.write("ok.bin", [1])
        #expect(mkfifo(directory.path + "/pipe.bin", 0o644) == 0)
        #expect(mkdir(directory.path + "/dir.bin", 0o755) == 0)
        #expect(symlink("/nonexistent/target", directory.path + "/dangling.bin") == 0)
        let files = try InputFiles.expand([directory.path], directoryExtensions: ["bin"])
        let reasons = Dictionary(uniqueKeysWithValues: files.map { ($0.name, $0.unreadableReason) })
        #expect(reasons.count == 4)
        #expect(reasons["ok.bin"] == .some(nil))
        #expect(reasons["pipe.bin"] == "is a FIFO, not a regular file")
        #expect(reasons["dir.bin"] == "is a directory")
        #expect(reasons["dangling.bin"] == String(cString: strerror(ENOENT)))
    }

    @Test func missingInputsAreListedAsUnreadable() throws {
        let directory = TemporaryDirectory()
        let missing = directory.path + "/missing.bin"
        let files = try InputFiles.expand([missing], directoryExtensions: ["bin"])
        #expect(files.map(\.path) == [missing] && files.map(\.name) == ["missing.bin"])
        #expect(files.first?.unreadableReason == String(cString: strerror(ENOENT)))
    }

    @Test func specialInputsAreUnavailable() throws {
        let directory = TemporaryDirectory()
        let fifo = directory.path + "/named.bin"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect {
            try InputFiles.expand([fifo], directoryExtensions: ["bin"])
        } throws: { error in
            guard case PipelineError.inputUnavailable(let path, let why) = error else { return false }
            return path == fifo && why == "not a regular file or directory"
        }
    }

    @Test func namesThatAreNotUTF8AreListedAndOpenedByTheirBytes() async throws {
        let directory = TemporaryDirectory()
        let name: [UInt8] = Array("caf".utf8) + [0xE9] + Array(".bin".utf8)
        let path = InputPath(bytes: Array(directory.path.utf8) + [UInt8(ascii: "/")] + name)
        let bytes = try PipelineFixtures.handBuiltFile(blocks: 2, framesPerBlock: 3).bytes
        let fd = path.withCString { open($0, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        #expect(fd >= 0 && write(fd, bytes, bytes.count) == bytes.count && close(fd) == 0)
        let listed = try InputFiles.expand([directory.path], directoryExtensions: ["bin"])
        #expect(listed.map(\.rawPath) == [path] && listed.map(\.name) == ["caf\u{FFFD}.bin"])
        #expect(!path.isValidUTF8)
        for inputs in [[InputPath(directory.path)], [path]] {
            let report = try await CANPipeline(configuration: PipelineFixtures.configuration(), decoder: nil).process(inputs)
            #expect(report.unreadableFiles.isEmpty && report.files == 1 && report.format.framesDecoded == 6)
        }
    }

    @Test func nothingToProcessIsNoInputFiles() throws {
        let directory = TemporaryDirectory()
        directory.write("readme.md", [1])
        for inputs in [[], [directory.path]] {
            #expect {
                try InputFiles.expand(inputs, directoryExtensions: ["bin"])
            } throws: { error in
                guard case PipelineError.noInputFiles(let message) = error else { return false }
                return inputs.isEmpty ? message.contains("no input") : message.contains(directory.path) && message.contains(".bin")
            }
        }
    }
}

/// Writes files of `size` zero bytes under an existing directory (paths may have subdirectories that exist).
struct TemporaryDirectoryFile {
    let root: String
    init(_ root: String) { self.root = root }
    func write(_ name: String, _ size: Int) {
        let fd = open(root + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(name)")
        precondition(ftruncate(fd, off_t(size)) == 0)
        close(fd)
    }
}
