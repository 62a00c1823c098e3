/// A loaded file being cut into chunks for the CPU workers, in file order.
///
/// Driver-side state. A chunk takes up to `blocksPerTask` entries; units
/// that cannot get their memory together are retried one by one
/// (``retryAlone()``).
struct FileSplit {
    let fileIndex: Int
    let file: InputFiles.File
    let loaded: ReadAhead.Loaded
    private(set) var next = 0
    private var alone = false

    init(fileIndex: Int, file: InputFiles.File, loaded: ReadAhead.Loaded) {
        self.fileIndex = fileIndex
        self.file = file
        self.loaded = loaded
    }

    var isDone: Bool { next >= loaded.scan.entries.count }

    /// The entries of the next chunk (not yet taken: ``take(_:)`` does).
    func nextChunk(blocksPerTask: Int) -> Range<Int> {
        let entries = loaded.scan.entries
        let end = min(entries.count, next + (alone ? 1 : blocksPerTask))
        return next..<end
    }

    /// Marks the entries as submitted.
    mutating func take(_ range: Range<Int>) {
        precondition(range.lowerBound == next, "FileSplit: chunks are taken in order")
        next = range.upperBound
        alone = false
    }

    /// Cuts the next chunk down to one entry (its units did not fit together).
    mutating func retryAlone() {
        alone = true
    }

    /// The bytes of the file that entries `range` cover: from the first
    /// entry's offset (0 for the first chunk) to the next entry's (the file's
    /// end for the last chunk), so that the chunks of a file add up to its size.
    func bytes(of range: Range<Int>) -> Int {
        let entries = loaded.scan.entries
        let start = range.lowerBound == 0 ? 0 : Self.offset(of: entries[range.lowerBound])
        let end = range.upperBound >= entries.count ? file.size : Self.offset(of: entries[range.upperBound])
        return max(0, end - start)
    }

    private static func offset(of entry: InputScan.Entry) -> Int {
        switch entry {
        case .unit(let unit): unit.offset
        case .skipped(let issue, _): issue.offset
        }
    }
}
