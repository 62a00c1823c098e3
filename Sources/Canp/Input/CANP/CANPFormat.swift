/// CANP's own layered format (`docs/FORMAT.md`): gzip blocks (Record0s)
/// that unpack into frame sequences and frames. Each Record0 is a unit.
///
/// The fallback of detection: a file that no other format claims is read as
/// CANP (a damaged or foreign file then shows as truncated or bad blocks).
public struct CANPFormat: InputFormat {
    /// The largest inflated block accepted: a member whose ISIZE is larger
    /// is a level-0 error. Default: what ISIZE can state (4 GiB - 1); the
    /// pipeline's memory limit bounds it further (a block that cannot fit
    /// is skipped and reported).
    public var maximumInflatedSize: Int
    /// Blocks that may hold more frames than this (`ISIZE / 20 + 1`) are
    /// checked as a whole first and then decoded in slices, so that the
    /// frames of one block never all sit in memory; smaller blocks are
    /// decoded in one pass (faster). Default 65,536 (blocks up to 1.3 MB
    /// inflated); 0 slices every block.
    public var onePassFrameLimit: Int

    /// Creates the format.
    ///
    /// - Parameters:
    ///   - maximumInflatedSize: the largest ISIZE accepted, in bytes.
    ///   - onePassFrameLimit: the most frames a block decoded in one pass may hold.
    public init(maximumInflatedSize: Int = Int(UInt32.max), onePassFrameLimit: Int = 1 << 16) {
        self.maximumInflatedSize = maximumInflatedSize
        self.onePassFrameLimit = onePassFrameLimit
    }

    public var name: String { "canp" }
    public var directoryExtensions: [String] { ["bin"] }
    public var unitLevel: FormatIssue.Level { .record0 }

    /// Always true: CANP is what a file is when no other format claims it.
    public func matches(prefix: UnsafeRawBufferPointer) -> Bool { true }

    /// The Record0s of the file, from their headers alone; each unit's
    /// workspace is its member's ISIZE when that passes the checks of
    /// ``BlockDecoder/requiredCapacity(for:unsafeFileBytes:file:)`` (else 0:
    /// the decoder reports the block).
    public func scan(unsafeFileBytes bytes: UnsafeRawBufferPointer, fileName: String) -> InputScan {
        var scan = InputScan()
        var scanner = Record0Scanner()
        while let step = scanner.next(unsafeFileBytes: bytes) {
            switch step {
            case .block(let block):
                let capacity = (try? BlockDecoder.requiredCapacity(
                    for: block, unsafeFileBytes: bytes, file: fileName, maximumInflatedSize: maximumInflatedSize)) ?? 0
                scan.entries.append(.unit(InputUnit(
                    index: block.index, offset: block.offset, length: block.endOffset - block.offset,
                    workspaceBytes: capacity, firstBlock: block.index)))
            case .truncatedTail(let tail):
                var counts = FormatCounts()
                counts.truncatedTails = 1
                scan.entries.append(.skipped(tail.issue(file: fileName), counts))
            }
        }
        return scan
    }

    public func makeUnitDecoder() throws(InputError) -> any InputUnitDecoder {
        do {
            return try CANPUnitDecoder(maximumInflatedSize: maximumInflatedSize, onePassFrameLimit: onePassFrameLimit)
        } catch {
            throw .resources("cannot create a gzip inflater: \(error)")
        }
    }
}
