/// Writes Vector BLF files (`docs/INPUTS.md`, "Vector BLF") for tests and
/// `canp generate --format blf`: the 144-byte `LOGG` header, frames as
/// `CAN_MESSAGE`, `CAN_MESSAGE2`, `CAN_FD_MESSAGE` or `CAN_FD_MESSAGE_64`
/// objects with v1 or v2 headers, error and other objects, packed into
/// `LOG_CONTAINER`s of a fixed inflated size (zlib or stored), so that
/// objects are split across containers wherever a boundary falls, as
/// Vector's tools and python-can write them.
public struct BLFFileWriter: ~Copyable {
    /// How a frame is stored.
    public enum FrameObject: Sendable, Hashable {
        /// `CAN_MESSAGE` (1).
        case canMessage
        /// `CAN_MESSAGE2` (86).
        case canMessage2
        /// `CAN_FD_MESSAGE` (100).
        case canFDMessage
        /// `CAN_FD_MESSAGE_64` (101); `storedBytes` data bytes are written of
        /// the frame's valid ones (fewer: a reader zero-pads the rest).
        case canFDMessage64(storedBytes: Int? = nil)
    }

    /// How one object is written.
    public struct ObjectStyle: Sendable, Hashable {
        /// The object header version, 1 or 2.
        public var headerVersion: Int
        /// Whether the timestamp is stored in 10 µs units (when it is a whole
        /// number of them; else in ns).
        public var tenMicroseconds: Bool
        /// Zero bytes written after the object inside its container (below 8).
        public var padding: Int

        /// Creates a style.
        ///
        /// - Parameters:
        ///   - headerVersion: 1 or 2.
        ///   - tenMicroseconds: whether to use 10 µs units where exact.
        ///   - padding: zero bytes after the object (0-7).
        public init(headerVersion: Int = 1, tenMicroseconds: Bool = false, padding: Int = 0) {
            precondition(headerVersion == 1 || headerVersion == 2, "BLFFileWriter: header version 1 or 2")
            precondition((0..<8).contains(padding), "BLFFileWriter: padding below 8 bytes")
            self.headerVersion = headerVersion
            self.tenMicroseconds = tenMicroseconds
            self.padding = padding
        }
    }

    /// The start time of the file header, ns since the Unix epoch (whole ms).
    public let startNanoseconds: UInt64
    /// The inflated size of every container but the last.
    public let containerSize: Int
    /// Which containers (by their number in the file, from 0) are stored rather than zlib.
    public var isStored: @Sendable (Int) -> Bool

    private let deflater: ZlibDeflater
    private var pending: [UInt8] = []
    private var body: [UInt8] = []
    private var containers = 0
    private var objectCount = 0
    private var uncompressedSize = 144
    private var lastTimestamp: UInt64

    /// Creates a writer.
    ///
    /// - Parameters:
    ///   - startNanoseconds: the file's start time (rounded down to whole ms).
    ///   - containerSize: the inflated bytes of every full container (default 128 KiB).
    ///   - compressionLevel: the zlib level (1-12) of compressed containers.
    ///   - isStored: which containers are stored uncompressed (default: none).
    /// - Throws: `GzipError` when the compressor cannot be created.
    public init(startNanoseconds: UInt64, containerSize: Int = 128 * 1024, compressionLevel: Int = 6,
                isStored: @escaping @Sendable (Int) -> Bool = { _ in false }) throws(GzipError) {
        precondition(containerSize >= 1, "BLFFileWriter: containers hold at least one byte")
        self.startNanoseconds = startNanoseconds / 1_000_000 * 1_000_000
        self.containerSize = containerSize
        self.isStored = isStored
        lastTimestamp = self.startNanoseconds
        deflater = try ZlibDeflater(level: compressionLevel)
    }

    /// The bytes of the file's objects written so far (full containers only).
    public var writtenBytes: Int { body.count }
    /// The containers written so far.
    public var containerCount: Int { containers }

    /// Appends a frame.
    ///
    /// - Parameters:
    ///   - frame: the frame; its channel is BLF channel - 1, its timestamp not before the start.
    ///   - object: the object type to store it as.
    ///   - style: the object header's version, timestamp unit and padding.
    /// - Throws: `GzipError` when a container cannot be compressed.
    public mutating func append(_ frame: CANFrame, as object: FrameObject = .canMessage, style: ObjectStyle = ObjectStyle())
        throws(GzipError) {
        let (type, payload) = BLFFrameEncoding.payload(of: frame, as: object)
        try appendObject(type: type, payload: payload, timestamp: frame.timestamp, style: style)
    }

    /// Appends any object inside the containers: an error event, a type that is not a frame.
    ///
    /// - Parameters:
    ///   - type: the object type.
    ///   - payload: the bytes after the object header.
    ///   - timestamp: ns since the Unix epoch.
    ///   - style: the object header's version, timestamp unit and padding.
    ///   - headerVersionField: a version number to store instead of the style's (an unknown version).
    /// - Throws: `GzipError` when a container cannot be compressed.
    public mutating func appendObject(type: UInt32, payload: [UInt8], timestamp: UInt64, style: ObjectStyle = ObjectStyle(),
                                      headerVersionField: UInt16? = nil) throws(GzipError) {
        lastTimestamp = max(lastTimestamp, timestamp)
        let relative = timestamp >= startNanoseconds ? timestamp - startNanoseconds : 0
        let headerSize = style.headerVersion == 1 ? 32 : 40
        let size = headerSize + payload.count
        pending.append(contentsOf: Array("LOBJ".utf8))
        pending.appendLittleEndian(UInt16(headerSize))
        pending.appendLittleEndian(headerVersionField ?? UInt16(style.headerVersion))
        pending.appendLittleEndian(UInt32(size))
        pending.appendLittleEndian(type)
        let tenMicro = style.tenMicroseconds && relative % 10_000 == 0
        pending.appendLittleEndian(UInt32(tenMicro ? 1 : 2))
        if style.headerVersion == 1 {
            pending.appendLittleEndian(UInt32(0))
        } else {
            pending.append(contentsOf: [0, 0, 0, 0])
        }
        pending.appendLittleEndian(tenMicro ? relative / 10_000 : relative)
        if style.headerVersion == 2 { pending.appendLittleEndian(UInt64(0)) }
        pending.append(contentsOf: payload)
        pending.append(contentsOf: repeatElement(0, count: style.padding))
        objectCount += 1
        while pending.count >= containerSize { try flushContainer(count: containerSize) }
    }

    /// Writes what is pending as a last, shorter container.
    ///
    /// - Throws: `GzipError` when it cannot be compressed.
    public mutating func flush() throws(GzipError) {
        if !pending.isEmpty { try flushContainer(count: pending.count) }
    }

    /// Appends a top-level object outside any container (pending data is
    /// flushed first), padded to its size modulo 4 as at the top level.
    ///
    /// - Parameters:
    ///   - frame: the frame.
    ///   - object: the object type.
    /// - Throws: `GzipError` when the pending container cannot be compressed.
    public mutating func appendTopLevel(_ frame: CANFrame, as object: FrameObject = .canMessage) throws(GzipError) {
        try flush()
        let saved = pending
        let (type, payload) = BLFFrameEncoding.payload(of: frame, as: object)
        pending = []
        try appendObject(type: type, payload: payload, timestamp: frame.timestamp)
        let size = pending.count
        uncompressedSize += size
        body.append(contentsOf: pending)
        body.append(contentsOf: repeatElement(0, count: size % 4))
        pending = saved
    }

    /// The whole file: header and objects (pending data flushed).
    ///
    /// - Returns: the file's bytes.
    /// - Throws: `GzipError` when the last container cannot be compressed.
    public mutating func finish() throws(GzipError) -> [UInt8] {
        try flush()
        var file = BLFFrameEncoding.fileHeader(fileSize: 144 + body.count, uncompressedSize: uncompressedSize,
                                               objectCount: objectCount,
                                               start: startNanoseconds, stop: lastTimestamp)
        file.append(contentsOf: body)
        return file
    }

    private mutating func flushContainer(count: Int) throws(GzipError) {
        let data = Array(pending[0..<count])
        pending.removeFirst(count)
        let stored = isStored(containers)
        let payload = stored ? data : try deflater.compress(data)
        let size = 32 + payload.count
        body.append(contentsOf: Array("LOBJ".utf8))
        body.appendLittleEndian(UInt16(16))
        body.appendLittleEndian(UInt16(1))
        body.appendLittleEndian(UInt32(size))
        body.appendLittleEndian(UInt32(10))
        body.appendLittleEndian(UInt16(stored ? 0 : 2))
        body.append(contentsOf: repeatElement(0, count: 6))
        body.appendLittleEndian(UInt32(data.count))
        body.append(contentsOf: repeatElement(0, count: 4))
        body.append(contentsOf: payload)
        body.append(contentsOf: repeatElement(0, count: size % 4))
        containers += 1
        uncompressedSize += 32 + data.count
    }
}

/// The byte layouts of the BLF writer.
enum BLFFrameEncoding {
    /// The object type and the bytes after the object header for a frame.
    static func payload(of frame: CANFrame, as object: BLFFileWriter.FrameObject) -> (UInt32, [UInt8]) {
        let flags = FrameFlags(rawIdentifier: frame.rawIdentifier, flagsByte: frame.flagsByte)
        let id = (frame.rawIdentifier & 0x1FFF_FFFF) | (flags.contains(.extended) ? 0x8000_0000 : 0)
        let channel = UInt16(frame.channel) + 1
        let remote = flags.contains(.remoteRequest)
        let tx = flags.contains(.transmitted)
        var bytes: [UInt8] = []
        switch object {
        case .canMessage, .canMessage2:
            bytes.appendLittleEndian(channel)
            bytes.append((remote ? 0x80 : 0) | (tx ? 1 : 0))
            bytes.append(UInt8(min(frame.data.count, 15)))
            bytes.appendLittleEndian(id)
            bytes.append(contentsOf: frame.data.prefix(8) + repeatElement(0, count: max(0, 8 - frame.data.count)))
            if object == .canMessage2 { bytes.append(contentsOf: [UInt8](repeating: 0, count: 8)) }
            return (object == .canMessage ? 1 : 86, bytes)
        case .canFDMessage:
            bytes.appendLittleEndian(channel)
            bytes.append((remote ? 0x80 : 0) | (tx ? 1 : 0))
            bytes.append(dlc(of: frame.data.count))
            bytes.appendLittleEndian(id)
            bytes.append(contentsOf: [UInt8](repeating: 0, count: 5))
            let fd: UInt8 = (flags.contains(.fd) ? 1 : 0) | (flags.contains(.bitRateSwitch) ? 2 : 0)
                | (flags.contains(.errorStateIndicator) ? 4 : 0)
            bytes.append(fd)
            bytes.append(UInt8(frame.data.count))
            bytes.append(contentsOf: [UInt8](repeating: 0, count: 5))
            bytes.append(contentsOf: frame.data.prefix(64) + repeatElement(0, count: max(0, 64 - frame.data.count)))
            return (100, bytes)
        case .canFDMessage64(let storedBytes):
            return (101, fd64(frame, id: id, flags: flags, storedBytes: storedBytes ?? frame.data.count))
        }
    }

    private static func fd64(_ frame: CANFrame, id: UInt32, flags: FrameFlags, storedBytes: Int) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(truncatingIfNeeded: frame.channel + 1), dlc(of: frame.data.count),
                              UInt8(frame.data.count), 0]
        bytes.appendLittleEndian(id)
        bytes.appendLittleEndian(UInt32(0))
        var fdFlags: UInt32 = flags.contains(.remoteRequest) ? 0x10 : 0
        if flags.contains(.fd) { fdFlags |= 0x1000 }
        if flags.contains(.bitRateSwitch) { fdFlags |= 0x2000 }
        if flags.contains(.errorStateIndicator) { fdFlags |= 0x4000 }
        bytes.appendLittleEndian(fdFlags)
        bytes.append(contentsOf: [UInt8](repeating: 0, count: 16 + 2))
        bytes.append(flags.contains(.transmitted) ? 1 : 0)
        bytes.append(0)
        bytes.appendLittleEndian(UInt32(0))
        bytes.append(contentsOf: frame.data.prefix(min(storedBytes, frame.data.count)))
        return bytes
    }

    /// The DLC of a data length (CAN FD lengths above 8 map to 9-15).
    static func dlc(of length: Int) -> UInt8 {
        let lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]
        return UInt8(lengths.firstIndex { $0 >= length } ?? 15)
    }

    /// The 144-byte file header.
    static func fileHeader(fileSize: Int, uncompressedSize: Int, objectCount: Int, start: UInt64, stop: UInt64) -> [UInt8] {
        var header = Array("LOGG".utf8)
        header.appendLittleEndian(UInt32(144))
        header.append(contentsOf: [5, 0, 0, 0, 4, 0, 0, 0])
        header.appendLittleEndian(UInt64(fileSize))
        header.appendLittleEndian(UInt64(uncompressedSize))
        header.appendLittleEndian(UInt32(truncatingIfNeeded: objectCount))
        header.appendLittleEndian(UInt32(0))
        header.append(contentsOf: systemTime(start))
        header.append(contentsOf: systemTime(stop))
        header.append(contentsOf: [UInt8](repeating: 0, count: 144 - header.count))
        return header
    }

    /// A SYSTEMTIME (UTC) of ns since the epoch, to the millisecond.
    static func systemTime(_ nanoseconds: UInt64) -> [UInt8] {
        let ms = Int(nanoseconds / 1_000_000)
        let seconds = ms / 1000
        let days = seconds / 86_400
        let (year, month, day) = civil(fromDays: days)
        let fields = [year, month, (days + 4) % 7, day, seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60, ms % 1000]
        var bytes: [UInt8] = []
        for field in fields { bytes.appendLittleEndian(UInt16(field)) }
        return bytes
    }

    /// The proleptic Gregorian date of a day number since 1970-01-01 (not before it).
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Array where Element == UInt8 {
    /// Appends an integer in little-endian byte order.
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var v = value.littleEndian
        Swift.withUnsafeBytes(of: &v) { append(contentsOf: $0) }
    }
}
