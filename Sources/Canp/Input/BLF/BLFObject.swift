/// Object types and the object header of BLF (`docs/INPUTS.md`, "Vector BLF").
enum BLFObjectType {
    static let canMessage: UInt32 = 1
    static let canError: UInt32 = 2
    static let logContainer: UInt32 = 10
    static let canErrorExt: UInt32 = 73
    static let canMessage2: UInt32 = 86
    static let canFDMessage: UInt32 = 100
    static let canFDMessage64: UInt32 = 101
    static let canFDError64: UInt32 = 104

    /// Whether objects of this type are frames.
    @inline(__always)
    static func isFrame(_ type: UInt32) -> Bool {
        type == canMessage || type == canMessage2 || type == canFDMessage || type == canFDMessage64
    }

    /// Whether objects of this type are bus error events.
    static func isError(_ type: UInt32) -> Bool {
        type == canError || type == canErrorExt || type == canFDError64
    }
}

/// The `LOBJ` signature, as a little-endian 32-bit word.
let blfSignature: UInt32 = 0x4A42_4F4C

/// The 16-byte base header every object starts with (`<4sHHLL`).
struct BLFObjectHeader {
    /// The base header's size.
    static let baseSize = 16

    var headerSize: Int
    var version: UInt16
    var size: UInt32
    var type: UInt32

    /// Reads the base header at `offset`; the caller has checked that 16 bytes are there.
    @inline(__always)
    init(_ base: UnsafeRawPointer, at offset: Int) {
        headerSize = Int(base.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self).littleEndian)
        version = base.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self).littleEndian
        size = base.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self).littleEndian
        type = base.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self).littleEndian
    }

    /// The bytes of the versioned header after the base one (v1: 16, v2: 24; 0 otherwise).
    var versionedSize: Int {
        switch version {
        case 1: 16
        case 2: 24
        default: 0
        }
    }

    /// The smallest size the object may have: its header (the stored header
    /// size, and what its version's header needs).
    var minimumSize: Int { max(Self.baseSize + versionedSize, headerSize) }

    /// Whether the header is valid: a size not smaller than the header.
    var isValid: Bool { Int(size) >= minimumSize && headerSize >= Self.baseSize }
}

/// Where the next object starts: the first `LOBJ` at or after `from`
/// before `limit` (exclusive, as the signature's first byte), nil when none.
@inline(__always)
func blfFindSignature(_ base: UnsafeRawPointer, from: Int, limit: Int, count: Int) -> Int? {
    var at = from
    let stop = min(limit, count - 3)
    while at < stop {
        if base.loadUnaligned(fromByteOffset: at, as: UInt32.self) == blfSignature.littleEndian { return at }
        at += 1
    }
    return nil
}
