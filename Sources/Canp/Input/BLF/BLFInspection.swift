/// What `canp inspect` shows of a BLF file: the file header, the top-level
/// objects (containers with their compression and sizes), and the object
/// types and header versions inside the containers, counted. The objects
/// are walked over the containers' data joined end to end (a serial walk,
/// for people; the pipeline's reader is ``BLFFormat``).
public struct BLFInspection: Sendable {
    /// One top-level object.
    public struct TopLevelObject: Sendable {
        /// Its index (the `block` of its frames).
        public var index: Int
        /// Its byte offset in the file.
        public var offset: Int
        /// Its object type.
        public var type: UInt32
        /// Its object size.
        public var size: UInt32
        /// For a container: its compression method.
        public var method: UInt16?
        /// For a container: its declared inflated size.
        public var declaredSize: UInt32?
        /// For a container: the bytes it inflated to (nil when it did not inflate).
        public var inflatedSize: Int?
    }

    /// The application id and version, from the header.
    public var application: (id: UInt8, version: String)
    /// The BLF version, from the header.
    public var blfVersion: String
    /// The header's file size field.
    public var declaredFileSize: UInt64
    /// The header's uncompressed size field.
    public var declaredUncompressedSize: UInt64
    /// The header's object count field.
    public var declaredObjectCount: UInt32
    /// The start time, ns since the Unix epoch (0: not a date).
    public var startNanoseconds: UInt64
    /// The stop time, ns since the Unix epoch (0: not a date).
    public var stopNanoseconds: UInt64
    /// The top-level objects, in file order (a walk that stops at the first damage).
    public var topLevel: [TopLevelObject] = []
    /// Where the top-level walk stopped early, and why.
    public var stopped: String?
    /// Objects inside the containers by type number.
    public var objectTypes: [UInt32: Int] = [:]
    /// Objects inside the containers by header version.
    public var headerVersions: [UInt16: Int] = [:]
    /// Objects that run from one container into the next.
    public var splitObjects = 0

    /// Inspects a whole file; nil when it is not a BLF file (no `LOGG` header).
    ///
    /// - Parameter bytes: the file.
    /// - Complexity: O(file + inflated bytes).
    public init?(unsafeFileBytes bytes: UnsafeRawBufferPointer) {
        guard BLFFormat().matches(prefix: bytes), let header = BLFFileHeader(unsafeFileBytes: bytes) else { return nil }
        let base = bytes.baseAddress!
        func u8(_ at: Int) -> UInt8 { base.load(fromByteOffset: at, as: UInt8.self) }
        application = (u8(8), "\(u8(9)).\(u8(10)).\(u8(11))")
        blfVersion = "\(u8(12)).\(u8(13)).\(u8(14)).\(u8(15))"
        declaredFileSize = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        declaredUncompressedSize = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
        declaredObjectCount = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
        startNanoseconds = header.startNanoseconds
        stopNanoseconds = BLFFileHeader.nanoseconds(systemTime: (0..<8).map {
            Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 56 + 2 * $0, as: UInt16.self)))
        })
        var joined: [UInt8] = []
        var boundaries: [Int] = []
        walkTopLevel(bytes, from: header.firstObject, joined: &joined, boundaries: &boundaries)
        countObjects(joined, boundaries: boundaries)
    }

    private mutating func walkTopLevel(_ bytes: UnsafeRawBufferPointer, from first: Int, joined: inout [UInt8],
                                       boundaries: inout [Int]) {
        let base = bytes.baseAddress!
        guard let inflater = try? ZlibInflater() else { return }
        var at = first
        while at + BLFObjectHeader.baseSize <= bytes.count {
            guard base.loadUnaligned(fromByteOffset: at, as: UInt32.self) == blfSignature.littleEndian else {
                stopped = "no LOBJ signature at offset \(at)"
                return
            }
            let header = BLFObjectHeader(base, at: at)
            guard header.isValid, at + Int(header.size) <= bytes.count else {
                stopped = "object at offset \(at): size \(header.size) invalid or past the end of the file"
                return
            }
            var object = TopLevelObject(index: topLevel.count, offset: at, type: header.type, size: header.size)
            if header.type == BLFObjectType.logContainer {
                let container = BLFContainer(fileBytes: bytes, offset: at)
                object.method = container.method
                object.declaredSize = container.declaredSize
                object.inflatedSize = Self.inflate(container, inflater, into: &joined)
                if object.inflatedSize != nil { boundaries.append(joined.count) }
            }
            topLevel.append(object)
            at += Int(header.size) + Int(header.size % 4)
        }
    }

    private static func inflate(_ container: BLFContainer, _ inflater: borrowing ZlibInflater, into joined: inout [UInt8]) -> Int? {
        switch container.method {
        case 0:
            joined.append(contentsOf: container.payload)
            return container.payload.count
        case 2:
            var out = [UInt8](repeating: 0, count: Int(container.declaredSize))
            let count = out.withUnsafeMutableBytes { try? inflater.unsafeInflate(stream: container.payload, into: $0) }
            guard let count else { return nil }
            joined.append(contentsOf: out.prefix(count))
            return count
        default:
            return nil
        }
    }

    private mutating func countObjects(_ joined: [UInt8], boundaries: [Int]) {
        joined.withUnsafeBytes { data in
            guard let base = data.baseAddress else { return }
            var at = 0
            var boundary = 0
            while let found = blfFindSignature(base, from: at, limit: at + 8, count: data.count),
                  found + BLFObjectHeader.baseSize <= data.count {
                let header = BLFObjectHeader(base, at: found)
                guard header.isValid else { return }
                objectTypes[header.type, default: 0] += 1
                headerVersions[header.version, default: 0] += 1
                let end = found + Int(header.size)
                while boundary < boundaries.count && boundaries[boundary] <= found { boundary += 1 }
                if boundary < boundaries.count && end > boundaries[boundary] { splitObjects += 1 }
                at = end
            }
        }
    }

    /// A name for an object type number, where BLF's are known here.
    public static func typeName(_ type: UInt32) -> String {
        switch type {
        case 1: "CAN_MESSAGE"
        case 2: "CAN_ERROR"
        case 10: "LOG_CONTAINER"
        case 65: "APP_TEXT"
        case 73: "CAN_ERROR_EXT"
        case 86: "CAN_MESSAGE2"
        case 96: "GLOBAL_MARKER"
        case 100: "CAN_FD_MESSAGE"
        case 101: "CAN_FD_MESSAGE_64"
        case 104: "CAN_FD_ERROR_64"
        default: "type \(type)"
        }
    }
}
