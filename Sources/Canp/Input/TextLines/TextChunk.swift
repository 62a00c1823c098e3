#if canImport(Glibc)
import Glibc
#endif

/// A run of whole lines of a text log: the unit that text formats decode in
/// parallel. It ends at a line end (or at the end of the file), and knows the
/// 0-based number of its first line, so that issues name exact lines.
struct TextChunk: Sendable, Hashable {
    /// The byte offset of its first line.
    var offset: Int
    /// Its bytes, line ends included.
    var length: Int
    /// The 0-based number of its first line in the file.
    var firstLine: Int
}

/// Splits text into chunks of whole lines and walks the lines of a chunk.
enum TextLines {
    /// The default target size of a chunk: about a thousand log lines.
    static let defaultChunkBytes = 64 << 10

    /// The offset just past the line that starts at or before `start`: after
    /// its `\n`, or `bytes.count` when the text ends without one.
    ///
    /// - Complexity: O(line length), with `memchr`.
    @inline(__always)
    static func lineEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard start < bytes.count, let base = bytes.baseAddress else { return bytes.count }
        guard let found = memchr(base + start, 0x0A, bytes.count - start) else { return bytes.count }
        return UnsafeRawPointer(found) - base + 1
    }

    /// The number of `\n` bytes in `bytes[range]`, eight bytes at a time.
    ///
    /// - Complexity: O(range.count).
    static func countNewlines(in bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        guard let base = bytes.baseAddress, !range.isEmpty else { return 0 }
        var count = 0
        var index = range.lowerBound
        let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        let newlines: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        while index + 8 <= range.upperBound {
            let word = (base + index).loadUnaligned(as: UInt64.self) ^ newlines
            // Exact zero-byte mask (no carries between bytes): a byte's high
            // bit ends up set exactly when the byte is zero, i.e. was `\n`.
            let zero = ~((((word & lows) &+ lows) | word) | lows)
            count += zero.nonzeroBitCount
            index += 8
        }
        while index < range.upperBound {
            if bytes[index] == 0x0A { count += 1 }
            index += 1
        }
        return count
    }

    /// Cuts `bytes[start...]` into chunks of whole lines of about
    /// `targetBytes` each (a line longer than that is a chunk of its own).
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - start: where the first chunk begins (a line start).
    ///   - firstLine: the number of the line at `start`.
    ///   - targetBytes: the size a chunk reaches before it ends at the next line end.
    /// - Returns: the chunks in file order, covering `start..<bytes.count`.
    /// - Complexity: O(bytes), eight bytes at a time.
    static func chunks(of bytes: UnsafeRawBufferPointer, from start: Int, firstLine: Int, targetBytes: Int) -> [TextChunk] {
        var chunks: [TextChunk] = []
        var offset = start
        var line = firstLine
        let target = max(1, targetBytes)
        while offset < bytes.count {
            let end = offset + target >= bytes.count ? bytes.count : lineEnd(in: bytes, from: offset + target - 1)
            chunks.append(TextChunk(offset: offset, length: end - offset, firstLine: line))
            line += countNewlines(in: bytes, offset..<end)
            offset = end
        }
        return chunks
    }
}

/// Cuts chunks for a scan that visits every line itself (ASC): fed each
/// line's end in order, it says when a chunk is complete.
struct TextChunkCutter {
    private let target: Int
    private var start: Int
    private var line: Int
    private var lines = 0

    /// A cutter whose first chunk starts at `start`, line `firstLine`.
    init(start: Int, firstLine: Int, targetBytes: Int) {
        target = max(1, targetBytes)
        self.start = start
        line = firstLine
    }

    /// The chunk that starts next (its offset and first line).
    var nextStart: (offset: Int, line: Int) { (start, line) }

    /// Records a line that ends at `end`; returns the chunk it completes, if any.
    mutating func addLine(endingAt end: Int, fileEnd: Int) -> TextChunk? {
        lines += 1
        guard end - start >= target || end >= fileEnd else { return nil }
        let chunk = TextChunk(offset: start, length: end - start, firstLine: line)
        line += lines
        lines = 0
        start = end
        return chunk
    }
}
