/// Vector's Binary Logging Format (`docs/INPUTS.md`, "Vector BLF"): a
/// `LOGG` file header and objects, almost all inside `LOG_CONTAINER`s
/// (zlib or stored). Each container is a unit; a run of objects outside
/// containers is a unit too. An object split across two containers is
/// finished by the decoder of the container it starts in, which inflates
/// only the start of the next container; that decoder's exit state tells
/// the next one where its first object starts (``UnitEntry``).
public struct BLFFormat: InputFormat {
    /// The largest inflated container accepted: a container declaring more
    /// is a level-0 error. Default: what the header can state (4 GiB - 1);
    /// the pipeline's memory limit bounds it further.
    public var maximumInflatedSize: Int
    /// The most top-level objects outside containers that form one unit.
    public var objectsPerRun: Int

    /// Creates the format.
    ///
    /// - Parameters:
    ///   - maximumInflatedSize: the largest declared inflated size accepted, in bytes.
    ///   - objectsPerRun: the most top-level objects outside containers in one unit.
    public init(maximumInflatedSize: Int = Int(UInt32.max), objectsPerRun: Int = 4096) {
        self.maximumInflatedSize = maximumInflatedSize
        self.objectsPerRun = max(1, objectsPerRun)
    }

    public var name: String { "blf" }
    public var directoryExtensions: [String] { ["blf"] }
    public var unitLevel: FormatIssue.Level { .blfContainer }

    /// A file that starts with `LOGG`.
    public func matches(prefix: UnsafeRawBufferPointer) -> Bool {
        prefix.count >= 4 && prefix[0] == 0x4C && prefix[1] == 0x4F && prefix[2] == 0x47 && prefix[3] == 0x47
    }

    /// The top-level objects of the file, from their headers alone.
    public func scan(unsafeFileBytes bytes: UnsafeRawBufferPointer, fileName: String) -> InputScan {
        var scanner = BLFScanner(bytes: bytes, fileName: fileName, format: self)
        return scanner.scanFile()
    }

    public func makeUnitDecoder() throws(InputError) -> any InputUnitDecoder {
        do {
            return try BLFUnitDecoder()
        } catch {
            throw .resources("cannot create a zlib inflater: \(error)")
        }
    }

    /// The workspace a unit of `dataBytes` decoded bytes needs: the data, the
    /// joined-object area and the pad area (64 bytes for every object that
    /// could be a zero-padded frame, at least 72 bytes each).
    static func workspaceBytes(forData dataBytes: Int) -> Int {
        dataBytes + BLFUnitDecoder.joinAreaBytes + 64 * (dataBytes / 72 + 2)
    }

    /// Unit tags: a container's is 1 + the offset of the next container (0:
    /// none); a run of top-level objects has bit 63 set.
    static let runTag: UInt64 = 1 << 63
}

/// The walk over a file's top-level objects that ``BLFFormat/scan(unsafeFileBytes:fileName:)`` makes.
struct BLFScanner {
    let bytes: UnsafeRawBufferPointer
    let fileName: String
    let format: BLFFormat
    private var scan = InputScan()
    private var index = 0
    private var run: (start: Int, end: Int, firstIndex: Int, objects: Int)?
    /// Entries of container units, to fill in their tags.
    private var containerEntries: [Int] = []
    /// Offsets of every top-level container, readable or not.
    private var containerOffsets: [Int] = []

    init(bytes: UnsafeRawBufferPointer, fileName: String, format: BLFFormat) {
        self.bytes = bytes
        self.fileName = fileName
        self.format = format
    }

    mutating func scanFile() -> InputScan {
        guard let header = BLFFileHeader(unsafeFileBytes: bytes) else {
            skip(.blfTruncatedFileHeader(available: bytes.count, needed: BLFFileHeader.fixedSize), at: 0, level: .blfContainer,
                 tail: true)
            return scan
        }
        if let size = header.invalidSize {
            skip(.blfFileHeaderSize(size, fileSize: bytes.count), at: 0, level: .blfObject)
        }
        var pos = header.firstObject
        while pos < bytes.count {
            guard let next = object(at: pos) else { break }
            pos = next
        }
        flushRun()
        fillTags()
        return scan
    }

    /// Handles the top-level object at `pos`; returns where the next one starts, nil at the end.
    private mutating func object(at pos: Int) -> Int? {
        let base = bytes.baseAddress!
        let left = bytes.count - pos
        guard left >= BLFObjectHeader.baseSize else {
            if !UnsafeRawBufferPointer(rebasing: bytes[pos...]).allSatisfy({ $0 == 0 }) {
                skip(.blfTruncatedObjectHeader(available: left), at: pos, level: .blfContainer, tail: true)
            }
            return nil
        }
        guard base.loadUnaligned(fromByteOffset: pos, as: UInt32.self) == blfSignature.littleEndian else {
            return resync(after: pos, reason: .blfBadSignature)
        }
        let header = BLFObjectHeader(base, at: pos)
        guard header.isValid else {
            return resync(after: pos, reason: .blfSizeBelowHeader(size: header.size, header: header.minimumSize))
        }
        guard Int(header.size) <= left else {
            skip(.blfCutObject(size: header.size, available: left), at: pos, level: .blfContainer, tail: true)
            return nil
        }
        if header.type == BLFObjectType.logContainer {
            container(header, at: pos)
        } else {
            addToRun(header, at: pos)
        }
        index += 1
        return pos + Int(header.size) + Int(header.size % 4)
    }

    private mutating func container(_ header: BLFObjectHeader, at pos: Int) {
        flushRun()
        containerOffsets.append(pos)
        let base = bytes.baseAddress!
        let method = UInt16(littleEndian: base.loadUnaligned(fromByteOffset: pos + 16, as: UInt16.self))
        let declared = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: pos + 24, as: UInt32.self))
        if method != 0 && method != 2 {
            skip(.blfUnknownCompression(method: method), at: pos, level: .blfContainer)
        } else if Int(declared) > format.maximumInflatedSize {
            skip(.blfInflatedSizeTooLarge(declared: declared, limit: format.maximumInflatedSize), at: pos,
                 level: .blfContainer)
        } else {
            containerEntries.append(scan.entries.count)
            scan.entries.append(.unit(InputUnit(
                index: index, offset: pos, length: Int(header.size),
                workspaceBytes: BLFFormat.workspaceBytes(forData: Int(declared)), firstBlock: index)))
        }
    }

    private mutating func addToRun(_ header: BLFObjectHeader, at pos: Int) {
        let end = pos + Int(header.size)
        if var current = run {
            current.end = end
            current.objects += 1
            run = current
        } else {
            run = (pos, end, index, 1)
        }
        if let current = run, current.objects >= format.objectsPerRun { flushRun() }
    }

    private mutating func flushRun() {
        guard let current = run else { return }
        run = nil
        scan.entries.append(.unit(InputUnit(
            index: current.firstIndex, offset: current.start, length: current.end - current.start,
            workspaceBytes: BLFFormat.workspaceBytes(forData: current.end - current.start),
            firstBlock: current.firstIndex, tag: BLFFormat.runTag)))
    }

    /// Reports an invalid top-level header and resumes at the next `LOBJ`.
    private mutating func resync(after pos: Int, reason: FormatIssue.Reason) -> Int? {
        flushRun()
        skip(reason, at: pos, level: .blfObject)
        return blfFindSignature(bytes.baseAddress!, from: pos + 1, limit: bytes.count, count: bytes.count)
    }

    private mutating func skip(_ reason: FormatIssue.Reason, at pos: Int, level: FormatIssue.Level, tail: Bool = false) {
        flushRun()
        var counts = FormatCounts()
        if tail {
            counts.truncatedTails = 1
        } else if level.isStructural {
            counts.blocksSkipped = 1
        } else {
            counts.framesSkipped = 1
        }
        let issue = FormatIssue(file: fileName, block: index, offset: pos, level: level, reason: reason)
        scan.entries.append(.skipped(issue, counts))
    }

    /// Gives every container unit the offset of the next container.
    private mutating func fillTags() {
        var next = 0
        for entry in containerEntries {
            guard case .unit(var unit) = scan.entries[entry] else { continue }
            while next < containerOffsets.count && containerOffsets[next] <= unit.offset { next += 1 }
            unit.tag = next < containerOffsets.count ? UInt64(containerOffsets[next]) + 1 : 0
            scan.entries[entry] = .unit(unit)
        }
    }
}
