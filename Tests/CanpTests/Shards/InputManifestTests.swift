import Testing
@testable import Canp

#if canImport(Glibc)
import Glibc
#endif

@Suite("InputManifest")
struct InputManifestTests {
    @Test func oneExactPathPerLineAndBlankLinesSkipped() throws {
        let bytes = Array("a.bin\n\n  \n\t\r\nsub dir/b c.bin\n".utf8) + [0x78, 0xFF, 0x2E, 0x62, 0x69, 0x6E] + Array("\n\n".utf8)
        let manifest = try InputManifest(manifest: "m.txt", bytes: bytes)
        #expect(manifest.entries.map(\.line) == [1, 5, 6])
        #expect(manifest.paths == [InputPath("a.bin"), InputPath("sub dir/b c.bin"), InputPath(bytes: [0x78, 0xFF, 0x2E, 0x62, 0x69, 0x6E])])
        #expect(try InputManifest(manifest: "m", bytes: []).entries.isEmpty)
        #expect(try InputManifest(manifest: "m", bytes: Array("x".utf8)).paths == [InputPath("x")], "no final newline")
    }

    @Test func aNulByteNamesTheManifestAndLine() {
        #expect(throws: ShardError.manifestEntry(manifest: "m.txt", line: 2, path: "b\\x00c", reason: "a path holds no NUL byte")) {
            try InputManifest(manifest: "m.txt", bytes: Array("a\nb".utf8) + [0] + Array("c\n".utf8))
        }
    }

    @Test func aMissingFileNamesTheManifestAndLine() throws {
        let directory = TemporaryDirectory()
        let present = directory.write("here.bin", [1, 2, 3])
        let text = "\(present)\n\n\(directory.path)/gone.bin\n"
        let manifest = directory.write("list.txt", Array(text.utf8))
        do {
            _ = try InputManifest(contentsOf: manifest)
            Issue.record("a manifest naming a missing file was accepted")
        } catch {
            #expect(error == .manifestEntry(manifest: manifest, line: 3, path: directory.path + "/gone.bin",
                                            reason: String(cString: strerror(ENOENT))))
            #expect(error.description.hasPrefix(manifest + ":3: " + directory.path + "/gone.bin: "))
        }
    }

    @Test func aCarriageReturnIsKeptAndExplained() throws {
        let directory = TemporaryDirectory()
        let present = directory.write("here.bin", [1])
        let manifest = directory.write("list.txt", Array("\(present)\r\n".utf8))
        do {
            _ = try InputManifest(contentsOf: manifest)
            Issue.record("a path with a carriage return matched a file without one")
        } catch {
            #expect(error.description.contains("here.bin\\x0D"))
            #expect(error.description.contains("CR LF"))
        }
    }

    @Test func theManifestItselfMustBeARegularFile() throws {
        let directory = TemporaryDirectory()
        #expect(throws: ShardError.self) { try InputManifest(contentsOf: directory.path + "/none.txt") }
        #expect(mkfifo(directory.path + "/fifo", 0o644) == 0)
        do {
            _ = try InputManifest(contentsOf: directory.path + "/fifo")
            Issue.record("a FIFO was read as a manifest")
        } catch {
            #expect(error.description.contains("FIFO"))
        }
    }

    @Test func aPathThatIsNotUTF8OpensItsFile() throws {
        let directory = TemporaryDirectory()
        let name: [UInt8] = Array((directory.path + "/caf").utf8) + [0xE9] + Array(".bin".utf8)
        let fd = InputPath(bytes: name).withCString { open($0, O_WRONLY | O_CREAT, 0o644) }
        #expect(fd >= 0)
        close(fd)
        let manifest = directory.write("list.txt", name + [0x0A])
        let read = try InputManifest(contentsOf: manifest)
        #expect(read.paths == [InputPath(bytes: name)])
    }
}
