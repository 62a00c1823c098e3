import CCanpCore
import CCanpInternal
import Testing
@testable import Canp

@Suite("GzipInflater")
struct GzipInflaterTests {
    static let text: [UInt8] = Array((0..<5000).map { UInt8(truncatingIfNeeded: $0 * 7 % 251) })

    static func member(_ input: [UInt8] = text, level: Int = 6) throws -> [UInt8] {
        try GzipDeflater(level: level).compress(input)
    }

    /// What an inflate gave: the output's length and FNV-1a hash (short to print when a test fails).
    struct Inflated: Hashable {
        var count: Int
        var hash: UInt64
        init(_ bytes: [UInt8]) {
            count = bytes.count
            hash = bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
        }
    }

    /// Inflates with libdeflate and with zlib into `capacity` bytes; both must agree.
    static func inflateBoth(_ member: [UInt8], capacity: Int) throws -> Result<Inflated, GzipError> {
        let inflater = try GzipInflater()
        func run(_ zlib: Bool) -> Result<Inflated, GzipError> {
            var out = [UInt8](repeating: 0, count: capacity)
            let result = member.withUnsafeBytes { input in
                out.withUnsafeMutableBytes { output in
                    Result { () throws(GzipError) -> Int in
                        zlib ? try GzipInflater.unsafeInflateWithZlib(member: input, into: output)
                            : try inflater.unsafeInflate(member: input, into: output)
                    }
                }
            }
            return result.map { Inflated(Array(out[0..<$0])) }
        }
        let libdeflate = run(false), zlib = run(true)
        #expect(libdeflate == zlib, "libdeflate and zlib disagree")
        return libdeflate
    }

    static func declaredSize(_ member: [UInt8]) -> Result<UInt32, GzipError> {
        member.withUnsafeBytes { bytes in
            Result { () throws(GzipError) in try GzipInflater.unsafeDeclaredSize(ofMember: bytes) }
        }
    }

    @Test func roundTripsAtEveryLevel() throws {
        for level in 0...12 {
            let member = try Self.member(level: level)
            #expect(member[0] == 0x1F && member[1] == 0x8B)
            #expect(try GzipInflater().inflate(member) == Self.text, "level \(level)")
            #expect(try Self.inflateBoth(member, capacity: Self.text.count) == .success(Inflated(Self.text)))
        }
    }

    @Test func emptyInputRoundTrips() throws {
        let member = try Self.member([])
        #expect(Self.declaredSize(member) == .success(0))
        #expect(try GzipInflater().inflate(member) == [])
        #expect(try Self.inflateBoth(member, capacity: 0) == .success(Inflated([])))
    }

    @Test func declaredSizeReadsTheTrailer() throws {
        let member = try Self.member()
        #expect(Self.declaredSize(member) == .success(UInt32(Self.text.count)))
        var notGzip = member
        notGzip[0] = 0x1E
        #expect(Self.declaredSize(notGzip) == .failure(.invalidData))
        let tooShort = Array(member[0..<17])
        #expect(Self.declaredSize(tooShort) == .failure(.invalidData))
        var reservedFlag = member
        reservedFlag[3] = 0x20
        #expect(throws: GzipError.invalidData) { try GzipInflater().inflate(reservedFlag) }
    }

    @Test func checksumMismatchIsReported() throws {
        var member = try Self.member()
        member[member.count - 8] ^= 0x01
        #expect(try Self.inflateBoth(member, capacity: Self.text.count) == .failure(.checksumMismatch))
    }

    @Test func inflatedSizeMismatchIsReported() throws {
        // ISIZE one larger: the stream ends early.
        var larger = try Self.member()
        larger[larger.count - 4] &+= 1
        #expect(try Self.inflateBoth(larger, capacity: Self.text.count + 1) == .failure(.sizeMismatch))
        // ISIZE one smaller: the stream overflows a buffer of ISIZE bytes.
        var smaller = try Self.member()
        smaller[smaller.count - 4] &-= 1
        #expect(try Self.inflateBoth(smaller, capacity: Self.text.count - 1) == .failure(.sizeMismatch))
        #expect(throws: GzipError.sizeMismatch) { try GzipInflater().inflate(smaller) }
    }

    @Test func shortOutputIsReported() throws {
        let member = try Self.member()
        #expect(throws: GzipError.outputTooSmall) { try GzipInflater().inflate(member, limit: Self.text.count - 1) }
        #expect(try GzipInflater().inflate(member, limit: Self.text.count).count == Self.text.count)
        #expect(try Self.inflateBoth(member, capacity: 100) == .failure(.outputTooSmall))
    }

    @Test func trailingBytesAreReported() throws {
        let member = try Self.member()
        #expect(try Self.inflateBoth(member + [0], capacity: Self.text.count) == .failure(.trailingBytes))
        // A second member is also "after the end" of the one Payload0 member.
        #expect(try Self.inflateBoth(member + member, capacity: 2 * Self.text.count) == .failure(.trailingBytes))
    }

    @Test func corruptAndTruncatedStreamsAreInvalidData() throws {
        let member = try Self.member()
        #expect(try Self.inflateBoth(Array(member[0..<(member.count / 2)]), capacity: 10_000) == .failure(.invalidData))
        #expect(try Self.inflateBoth([UInt8](repeating: 0x41, count: 64), capacity: 10_000) == .failure(.invalidData))
        #expect(try Self.inflateBoth([], capacity: 10) == .failure(.invalidData))
        // A member whose trailer is cut off: the DEFLATE data runs into where the trailer must be.
        #expect(try Self.inflateBoth(Array(member.dropLast(3)), capacity: 10_000) != .success(Inflated(Self.text)))
    }

    @Test func optionalHeaderFieldsAreSkipped() throws {
        let plain = try Self.member()
        // FEXTRA (2 bytes), FNAME, FCOMMENT, FHCRC, as RFC 1952 orders them.
        var member = Array(plain[0..<10])
        member[3] = 0x04 | 0x08 | 0x10 | 0x02
        member += [2, 0, 0xAB, 0xCD]
        member += Array("drive.bin".utf8) + [0]
        member += Array("a comment".utf8) + [0]
        let headerCRC = crc32(member) & 0xFFFF
        let badHeaderCRC = member + [UInt8(headerCRC & 0xFF) ^ 1, UInt8(headerCRC >> 8)] + plain[10...]
        member += [UInt8(headerCRC & 0xFF), UInt8(headerCRC >> 8)]
        member += plain[10...]
        #expect(try Self.inflateBoth(member, capacity: Self.text.count) == .success(Inflated(Self.text)))
        #expect(try Self.inflateBoth(badHeaderCRC, capacity: Self.text.count) == .failure(.invalidData))
        // A file name without its terminating zero runs into the trailer: invalid.
        var unterminated = Array(plain[0..<10])
        unterminated[3] = 0x08
        unterminated += [UInt8](repeating: 0x41, count: 30)
        #expect(try Self.inflateBoth(unterminated, capacity: 100) == .failure(.invalidData))
    }

    @Test func cFunctionsRejectMissingArguments() throws {
        var out: OpaquePointer?
        #expect(canp_inflater_create(nil) == -EINVAL_VALUE)
        #expect(canp_deflater_create(13, &out) == -EINVAL_VALUE && out == nil)
        #expect(canp_deflater_create(-1, &out) == -EINVAL_VALUE)
        var isize: UInt32 = 0
        #expect(canp_gzip_member_isize(nil, 10, &isize) == -EINVAL_VALUE)
        #expect(canp_inflater_gzip(nil, nil, 0, nil, 0, nil) == -EINVAL_VALUE)
        var written = 0
        #expect(_canp_inflate_gzip_zlib(nil, 0, nil, 0, &written) == -EBADMSG_VALUE)
        canp_inflater_destroy(nil)
        canp_deflater_destroy(nil)
        #expect(CANP_GZIP_MIN_MEMBER == 20)
        #expect(try Self.member([]).count >= Int(CANP_GZIP_MIN_MEMBER))
    }
}

// Linux errno values, spelled here so the test does not lean on the code under test.
let EINVAL_VALUE: Int32 = 22
let EBADMSG_VALUE: Int32 = 74

/// A plain bitwise CRC-32 (the gzip polynomial), independent of the code under test.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
