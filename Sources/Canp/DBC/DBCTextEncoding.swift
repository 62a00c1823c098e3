/// The text encoding of a DBC file: UTF-8 when the bytes are valid UTF-8,
/// Windows-1252 otherwise (what older CANdb++ versions write).
///
/// Rejected alternative: decoding every file as cp1252, as cantools does. That
/// turns the UTF-8 files of opendbc (`°`, `ä`) into mojibake.
enum DBCTextEncoding: Sendable {
    case utf8
    case windows1252

    /// Code points of bytes 0x80...0x9F in Windows-1252. The five bytes that
    /// Windows-1252 leaves undefined map to the C1 control of the same value,
    /// as in ISO 8859-1 (and as the WHATWG encoding standard does).
    private static let upperControlRange: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Decodes bytes of the file into a string.
    ///
    /// - Parameter bytes: Bytes of a UTF-8 file must already be known to be valid.
    func decode(_ bytes: ArraySlice<UInt8>) -> String {
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .windows1252:
            var scalars = String.UnicodeScalarView()
            scalars.reserveCapacity(bytes.count)
            for byte in bytes {
                let code = (0x80...0x9F).contains(byte) ? Self.upperControlRange[Int(byte) - 0x80] : UInt32(byte)
                scalars.append(Unicode.Scalar(code)!)
            }
            return String(scalars)
        }
    }

    /// The offset of the first byte that does not start or continue a valid
    /// UTF-8 sequence (overlong forms, surrogates and code points above
    /// U+10FFFF are invalid), or `nil` when all bytes are valid.
    ///
    /// - Complexity: O(*n*).
    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 { i += 1; continue }
            let count: Int
            let minimum: UInt32
            var scalar: UInt32
            switch b0 {
            case 0xC2...0xDF: count = 2; minimum = 0x80; scalar = UInt32(b0 & 0x1F)
            case 0xE0...0xEF: count = 3; minimum = 0x800; scalar = UInt32(b0 & 0x0F)
            case 0xF0...0xF4: count = 4; minimum = 0x10000; scalar = UInt32(b0 & 0x07)
            default: return i
            }
            guard i + count <= n else { return i }
            for k in 1..<count {
                let b = bytes[i + k]
                guard b & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(b & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            i += count
        }
        return nil
    }
}
