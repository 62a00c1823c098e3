import Foundation
import Testing
@testable import Canp

@Suite struct DBCDatabaseTests {
    @Test func aDeviceOrAFIFOIsRefusedAtOnce() throws {
        #expect(throws: DBCError.unreadableFile(path: "/dev/zero", reason: "not a regular file (a character device)")) {
            try DBCDatabase(contentsOfFile: "/dev/zero")
        }
        let dir = try SmallFileReaderTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/bus.dbc", 0o600) == 0)
        #expect(throws: DBCError.unreadableFile(path: dir + "/bus.dbc", reason: "not a regular file (a FIFO)")) {
            try DBCDatabase(contentsOfFile: dir + "/bus.dbc")
        }
    }

    /// A file one byte above the cap (sparse: no disk space used) is refused before it is read.
    @Test func aFileAboveTheCapIsRefused() throws {
        let dir = try SmallFileReaderTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/huge.dbc"
        _ = FileManager.default.createFile(atPath: path, contents: Data("VERSION \"\"\n".utf8))
        #expect(truncate(path, off_t(DBCDatabase.maximumFileSize + 1)) == 0)
        let error = #expect(throws: DBCError.self) { try DBCDatabase(contentsOfFile: path) }
        #expect(error?.description == "\(path): cannot read DBC file: larger than the 64 MiB limit")
        #expect(DBCDatabase.maximumFileSize == 64 << 20)
    }
}
