/// The 144-byte `LOGG` header of a BLF file: where the objects start and the
/// start time that object timestamps count from.
struct BLFFileHeader {
    /// The bytes of the fixed part of the header (`<4sLBBBBBBBBQQLL8H8H`).
    static let fixedSize = 72
    /// The header size that writers use.
    static let standardSize = 144

    /// The offset of the first object.
    var firstObject: Int
    /// The start time, ns since the Unix epoch (0 when it is not a valid date).
    var startNanoseconds: UInt64
    /// The stored header size, when it is unusable (objects then start at 144).
    var invalidSize: UInt32?

    /// Reads the header; nil when the file is shorter than its fixed part.
    init?(unsafeFileBytes bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.fixedSize, let base = bytes.baseAddress else { return nil }
        let size = base.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
        if Int(size) >= Self.fixedSize && Int(size) <= bytes.count {
            firstObject = Int(size)
            invalidSize = nil
        } else {
            firstObject = Self.standardSize
            invalidSize = size
        }
        var time = [Int](repeating: 0, count: 8)
        for field in 0..<8 {
            time[field] = Int(base.loadUnaligned(fromByteOffset: 40 + 2 * field, as: UInt16.self).littleEndian)
        }
        startNanoseconds = Self.nanoseconds(systemTime: time)
    }

    /// A SYSTEMTIME (year, month, day of week, day, hour, minute, second,
    /// millisecond) read as UTC, in ns since the Unix epoch; 0 when it is not
    /// a valid date (as python-can reads it), or before 1970.
    static func nanoseconds(systemTime t: [Int]) -> UInt64 {
        let (year, month, day) = (t[0], t[1], t[3])
        guard (1...9999).contains(year), (1...12).contains(month), t[4] < 24, t[5] < 60, t[6] < 60, t[7] < 1000,
              day >= 1, day <= daysIn(month: month, year: year) else { return 0 }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + t[4] * 3600 + t[5] * 60 + t[6]
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(t[7]) * 1_000_000
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
