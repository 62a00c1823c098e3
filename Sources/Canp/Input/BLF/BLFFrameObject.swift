/// Decodes one object of a BLF file that is not a container: a frame into
/// scratch columns (its data left in place, or copied zero-padded into the
/// workspace's pad area), an error event, or a type or header version that
/// is not a frame. Reads only inside the object (`offset..<offset + size`).
struct BLFFrameObject {
    /// What one object was.
    enum Outcome {
        case frame
        case busError
        case ignored(String)
        case damaged(FormatIssue.Reason)
    }

    /// The fields of a frame, as the object stores them.
    private struct Fields {
        var channel: Int32
        var rawIdentifier: UInt32
        var remote: Bool
        var fd = false
        var brs = false
        var esi = false
        var transmitted: Bool
        var length: Int
        var dataOffset: Int
        /// Bytes of data stored in the object (fewer than `length`: zero padding).
        var storedLength: Int
    }

    /// The workspace: the container's data, the joined-object area and the pad area.
    var base: UnsafeMutableRawPointer
    /// The file header's start time.
    var startNanoseconds: UInt64
    /// The next free byte of the pad area, and its end.
    var padCursor: Int
    var padEnd: Int

    /// Decodes the object at `offset` (its header already checked: valid,
    /// and `header.size` bytes lie in the workspace) into row `row`.
    @inline(__always)
    mutating func decode(_ header: BLFObjectHeader, at offset: Int, into columns: FrameScratch.Columns, row: Int) -> Outcome {
        if BLFObjectType.isError(header.type) { return .busError }
        guard header.versionedSize > 0 else { return .ignored("BLF object header version \(header.version)") }
        let fields: Fields?
        let payload = offset + BLFObjectHeader.baseSize + header.versionedSize
        let end = offset + Int(header.size)
        switch header.type {
        case BLFObjectType.canMessage, BLFObjectType.canMessage2:
            fields = payload + 16 <= end ? classic(at: payload) : nil
        case BLFObjectType.canFDMessage:
            fields = payload + 84 <= end ? fd(at: payload) : nil
        case BLFObjectType.canFDMessage64:
            fields = payload + 40 <= end ? fd64(header, at: payload, end: end) : nil
        default:
            return .ignored("BLF object type \(header.type)")
        }
        guard var frame = fields else { return .damaged(.blfFrameObjectTooSmall(type: header.type, size: header.size)) }
        guard frame.length <= 64 else { return .damaged(.blfValidBytesAbove64(UInt8(frame.length))) }
        guard let timestamp = timestamp(at: offset) else { return .damaged(.blfTimestampOverflow) }
        if frame.storedLength < frame.length {
            guard padCursor + 64 <= padEnd else { return .damaged(.blfFrameObjectTooSmall(type: header.type, size: header.size)) }
            (base + padCursor).copyMemory(from: base + frame.dataOffset, byteCount: frame.storedLength)
            (base + padCursor + frame.storedLength).initializeMemory(as: UInt8.self, repeating: 0,
                                                                      count: frame.length - frame.storedLength)
            frame.dataOffset = padCursor
            padCursor += 64
        }
        var flags = FrameFlags(rawIdentifier: frame.rawIdentifier & 0x8000_0000, flagsByte: 0)
        if frame.remote { flags.insert(.remoteRequest) }
        if frame.fd { flags.insert(.fd) }
        if frame.brs { flags.insert(.bitRateSwitch) }
        if frame.esi { flags.insert(.errorStateIndicator) }
        if frame.transmitted { flags.insert(.transmitted) }
        columns.timestamps[row] = timestamp
        columns.identifiers[row] = frame.rawIdentifier & 0x1FFF_FFFF
        columns.flags[row] = flags
        columns.channels[row] = frame.channel
        columns.lengths[row] = UInt8(frame.length)
        columns.dataOffsets[row] = UInt32(frame.dataOffset)
        return .frame
    }

    /// The start time plus the object timestamp (10 µs units when the header's flags are 1, else ns).
    @inline(__always)
    private func timestamp(at offset: Int) -> UInt64? {
        let flags = load(UInt32.self, offset + 16)
        let raw = load(UInt64.self, offset + 24)
        var delta = raw
        if flags == 1 {
            let (product, overflow) = raw.multipliedReportingOverflow(by: 10_000)
            if overflow { return nil }
            delta = product
        }
        let (sum, overflow) = startNanoseconds.addingReportingOverflow(delta)
        return overflow ? nil : sum
    }

    /// `CAN_MESSAGE` and `CAN_MESSAGE2`: channel u16, flags u8, dlc u8, id u32, data 8.
    @inline(__always)
    private func classic(at p: Int) -> Fields {
        let flags = load(UInt8.self, p + 2)
        let remote = flags & 0x80 != 0
        let length = remote ? 0 : min(Int(load(UInt8.self, p + 3)), 8)
        return Fields(channel: Int32(load(UInt16.self, p)) - 1, rawIdentifier: load(UInt32.self, p + 4), remote: remote,
                      transmitted: flags & 1 != 0, length: length, dataOffset: p + 8, storedLength: length)
    }

    /// `CAN_FD_MESSAGE`: channel u16, flags u8, dlc u8, id u32, frame length
    /// u32, bit count u8, FD flags u8, valid bytes u8, 5 reserved, data 64.
    private func fd(at p: Int) -> Fields {
        let flags = load(UInt8.self, p + 2)
        let fdFlags = load(UInt8.self, p + 13)
        let remote = flags & 0x80 != 0
        let length = remote ? 0 : min(Int(load(UInt8.self, p + 14)), 64)
        var fields = Fields(channel: Int32(load(UInt16.self, p)) - 1, rawIdentifier: load(UInt32.self, p + 4),
                            remote: remote, transmitted: flags & 1 != 0, length: length, dataOffset: p + 20,
                            storedLength: length)
        (fields.fd, fields.brs, fields.esi) = (fdFlags & 1 != 0, fdFlags & 2 != 0, fdFlags & 4 != 0)
        return fields
    }

    /// `CAN_FD_MESSAGE_64`: channel u8, dlc u8, valid bytes u8, tx count u8,
    /// id u32, frame length u32, flags u32, four u32 timings, bit count u16,
    /// direction u8, extended data offset u8, crc u32, then the data: as
    /// many of the valid bytes as the object holds, zero-padded.
    private func fd64(_ header: BLFObjectHeader, at p: Int, end: Int) -> Fields {
        let flags = load(UInt32.self, p + 12)
        let remote = flags & 0x10 != 0
        let valid = Int(load(UInt8.self, p + 2))
        let extOffset = Int(load(UInt8.self, p + 35))
        let field = (extOffset != 0 ? extOffset : Int(header.size)) - header.headerSize - 40
        let stored = max(0, min(valid, field, end - (p + 40)))
        var fields = Fields(channel: Int32(load(UInt8.self, p)) - 1, rawIdentifier: load(UInt32.self, p + 4),
                            remote: remote, transmitted: load(UInt8.self, p + 34) != 0,
                            length: remote ? 0 : valid, dataOffset: p + 40, storedLength: remote ? 0 : stored)
        (fields.fd, fields.brs, fields.esi) = (flags & 0x1000 != 0, flags & 0x2000 != 0, flags & 0x4000 != 0)
        return fields
    }

    @inline(__always)
    private func load<T: FixedWidthInteger>(_ type: T.Type, _ offset: Int) -> T {
        T(littleEndian: UnsafeRawPointer(base).loadUnaligned(fromByteOffset: offset, as: T.self))
    }
}
