import Foundation
import Testing
@testable import Canp

@Suite("AtomicOutputFile and OutputDirectory")
struct AtomicOutputFileTests {
    @Test func theFileAppearsOnlyWhenCommitted() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/out.csv"
        let file = try AtomicOutputFile(finalPath: path)
        try file.write(Array("a,b\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(FileManager.default.fileExists(atPath: file.partialPath))
        #expect(file.partialPath.hasSuffix(AtomicOutputFile.partialSuffix))
        try file.commit()
        #expect(try PipelineFixtures.readText(path) == "a,b\n")
        #expect(PipelineFixtures.listing(directory.path) == ["out.csv"])
    }

    @Test func discardingOrDroppingLeavesNothing() throws {
        let directory = TemporaryDirectory()
        do {
            let dropped = try AtomicOutputFile(finalPath: directory.path + "/a.csv")
            try dropped.write(Array("x".utf8))
        }
        let discarded = try AtomicOutputFile(finalPath: directory.path + "/b.csv")
        discarded.discard()
        #expect(PipelineFixtures.listing(directory.path).isEmpty)
    }

    @Test func twoWritersOfOneNameNeverShareATemporaryFile() throws {
        let directory = TemporaryDirectory()
        let first = try AtomicOutputFile(finalPath: directory.path + "/same.csv")
        let second = try AtomicOutputFile(finalPath: directory.path + "/same.csv")
        #expect(first.partialPath != second.partialPath)
        first.discard()
        second.discard()
    }

    @Test func plantedLinksAreNeverFollowed() throws {
        let directory = TemporaryDirectory()
        let victim = directory.write("victim.txt", Array("keep".utf8))
        // Links at the old fixed temporary name and at the final name.
        #expect(symlink(victim, directory.path + "/.frames.csv.partial") == 0)
        #expect(symlink(victim, directory.path + "/frames.csv") == 0)
        let file = try AtomicOutputFile(finalPath: directory.path + "/frames.csv")
        try file.write(Array("rows\n".utf8))
        try file.commit()
        #expect(try PipelineFixtures.readText(victim) == "keep")
        var info = stat()
        #expect(lstat(directory.path + "/frames.csv", &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG)
        #expect(try PipelineFixtures.readText(directory.path + "/frames.csv") == "rows\n")
    }

    @Test func aDirectoryInUseIsRefusedAndFreedAfterwards() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        var first: OutputDirectory? = try OutputDirectory(path: out)
        #expect(throws: OutputError.self) { _ = try OutputDirectory(path: out) }
        do {
            _ = try OutputDirectory(path: out)
        } catch {
            #expect(error.description.contains("in use by another run"))
        }
        _ = first
        first = nil
        _ = try OutputDirectory(path: out)
        #expect(PipelineFixtures.listing(out).isEmpty, "the lock file goes with the lock")
    }

    @Test func staleTemporaryFilesOfEarlierRunsAreRemoved() throws {
        let directory = TemporaryDirectory()
        let out = directory.path + "/out"
        try OutputDirectory.makeDirectories(out + "/signals/Engine")
        let stale = [".frames.csv.1234.0" + AtomicOutputFile.partialSuffix,
                     "signals/Engine/.part-00000.parquet.99.3" + AtomicOutputFile.partialSuffix]
        for name in stale { #expect(FileManager.default.createFile(atPath: out + "/" + name, contents: Data([1]))) }
        #expect(FileManager.default.createFile(atPath: out + "/.keep-me", contents: Data([1])))
        _ = try OutputDirectory(path: out)
        #expect(PipelineFixtures.listing(out) == [".keep-me", "signals"])
        #expect(PipelineFixtures.listing(out + "/signals/Engine").isEmpty)
    }
}
