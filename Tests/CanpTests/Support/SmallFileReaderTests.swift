import Foundation
import Testing
@testable import Canp

@Suite struct SmallFileReaderTests {
    /// A fresh directory, removed by the caller.
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "canp-small-file-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func readsARegularFileWholeUpToTheLimit() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bytes = (0..<100).map { UInt8($0) }
        _ = FileManager.default.createFile(atPath: dir + "/a", contents: Data(bytes))
        #expect(try SmallFileReader.read(path: dir + "/a", limit: 100) == bytes)
        #expect(throws: SmallFileReader.Failure.tooLarge(path: dir + "/a", limit: 99)) {
            try SmallFileReader.read(path: dir + "/a", limit: 99)
        }
        _ = FileManager.default.createFile(atPath: dir + "/empty", contents: Data())
        #expect(try SmallFileReader.read(path: dir + "/empty", limit: 0) == [])
    }

    /// /dev/zero never ends: refused before a byte is read.
    @Test func refusesACharacterDevice() {
        #expect(throws: SmallFileReader.Failure.notRegularFile(path: "/dev/zero", kind: "a character device")) {
            try SmallFileReader.read(path: "/dev/zero", limit: 1 << 20)
        }
    }

    /// A FIFO without a writer would block the open forever.
    @Test func refusesAFIFOWithoutWaitingForAWriter() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        let error = #expect(throws: SmallFileReader.Failure.self) {
            try SmallFileReader.read(path: dir + "/fifo", limit: 1 << 20)
        }
        #expect(error == .notRegularFile(path: dir + "/fifo", kind: "a FIFO"))
        #expect(error?.description == dir + "/fifo: not a regular file (a FIFO)")
    }

    @Test func refusesADirectoryAndNamesAMissingFile() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: SmallFileReader.Failure.notRegularFile(path: dir, kind: "a directory")) {
            try SmallFileReader.read(path: dir, limit: 1 << 20)
        }
        #expect(throws: SmallFileReader.Failure.unreadable(path: dir + "/nope", reason: "No such file or directory")) {
            try SmallFileReader.read(path: dir + "/nope", limit: 1 << 20)
        }
    }

    /// Files of /proc report a size of 0: they are read to their end all the same.
    @Test func readsAFileWhoseReportedSizeIsZero() throws {
        let bytes = try SmallFileReader.read(path: "/proc/self/status", limit: 1 << 20)
        #expect(String(decoding: bytes, as: UTF8.self).contains("VmRSS"))
        #expect(throws: SmallFileReader.Failure.tooLarge(path: "/proc/self/status", limit: 10)) {
            try SmallFileReader.read(path: "/proc/self/status", limit: 10)
        }
    }

    @Test func sizesAreNamedInBinaryUnits() {
        #expect(SmallFileReader.sizeText(64 << 20) == "64 MiB")
        #expect(SmallFileReader.sizeText(4 << 30) == "4 GiB")
        #expect(SmallFileReader.sizeText(1000) == "1000 bytes")
    }
}
