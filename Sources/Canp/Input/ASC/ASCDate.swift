/// The dates of ASC `date` and `Begin Triggerblock` lines, read as
/// python-can's `ASCReader` reads them (`<weekday> <month> <day>
/// <h:mm:ss[.fraction]> [AM|PM] <year>`, English or German month
/// abbreviations or numbers), as UTC.
enum ASCDate {
    private static let months: [(StaticString, Int)] = [
        ("Jan", 1), ("Feb", 2), ("Mar", 3), ("Apr", 4), ("May", 5), ("Jun", 6), ("Jul", 7), ("Aug", 8),
        ("Sep", 9), ("Oct", 10), ("Nov", 11), ("Dec", 12), ("Mär", 3), ("Mai", 5), ("Okt", 10), ("Dez", 12),
    ]

    /// The µs since the Unix epoch of the date that follows the weekday at
    /// `cursor` (the rest of the line), or nil when it does not parse or
    /// lies before 1970.
    static func microseconds(_ start: LineCursor) -> Int64? {
        var cursor = start
        guard !cursor.token().isEmpty else { return nil }  // the weekday
        let monthToken = cursor.token(), dayToken = cursor.token(), timeToken = cursor.token()
        var next = cursor.token()
        var meridiem: Bool?  // true: PM
        if cursor.equals(next, "AM") || cursor.equals(next, "PM") {
            meridiem = cursor.equals(next, "PM")
            next = cursor.token()
        }
        guard cursor.token().isEmpty, next.count == 4,
              let month = month(cursor, monthToken), let year = cursor.number(next, radix: 10, limit: 9999),
              dayToken.count <= 2, let day = cursor.number(dayToken, radix: 10, limit: 31), day >= 1,
              let time = clock(cursor, timeToken, twelveHour: meridiem != nil) else { return nil }
        var hour = time.hour
        if let pm = meridiem { hour = hour % 12 + (pm ? 12 : 0) }
        guard day <= daysInMonth(month, year: Int(year)) else { return nil }
        let days = daysFromCivil(year: Int(year), month: month, day: Int(day))
        guard days >= 0 else { return nil }
        let seconds = Int64(days) * 86_400 + Int64(hour * 3_600 + time.minute * 60 + time.second)
        return seconds * 1_000_000 + Int64(time.microsecond)
    }

    private static func month(_ cursor: LineCursor, _ token: Range<Int>) -> Int? {
        if cursor.isDigits(token) {
            guard token.count <= 2, let value = cursor.number(token, radix: 10, limit: 12), value >= 1 else { return nil }
            return Int(value)
        }
        return months.first { cursor.equals(token, $0.0, ignoringCase: false) }?.1
    }

    /// `h:mm:ss[.ffffff]` (each of h, m, s one or two digits, 1-6 fraction digits).
    private static func clock(_ cursor: LineCursor, _ token: Range<Int>, twelveHour: Bool)
        -> (hour: Int, minute: Int, second: Int, microsecond: Int)? {
        var parts: [Range<Int>] = []
        var start = token.lowerBound
        for position in token where cursor.bytes[position] == 0x3A || cursor.bytes[position] == 0x2E {
            parts.append(start..<position)
            start = position + 1
        }
        parts.append(start..<token.upperBound)
        guard parts.count == 3 || parts.count == 4,
              parts.prefix(3).allSatisfy({ $0.count >= 1 && $0.count <= 2 }),
              parts.count == 3 || (parts[3].count >= 1 && parts[3].count <= 6),
              cursor.bytes[parts[0].upperBound] == 0x3A, cursor.bytes[parts[1].upperBound] == 0x3A,
              parts.count == 3 || cursor.bytes[parts[2].upperBound] == 0x2E,
              let hour = cursor.number(parts[0], radix: 10, limit: twelveHour ? 12 : 23),
              let minute = cursor.number(parts[1], radix: 10, limit: 59),
              let second = cursor.number(parts[2], radix: 10, limit: 59) else { return nil }
        guard !twelveHour || hour >= 1 else { return nil }
        var microsecond = 0
        if parts.count == 4 {
            guard let fraction = cursor.number(parts[3], radix: 10, limit: 999_999) else { return nil }
            microsecond = Int(fraction)
            for _ in parts[3].count..<6 { microsecond *= 10 }
        }
        return (Int(hour), Int(minute), Int(second), microsecond)
    }

    private static func daysInMonth(_ month: Int, year: Int) -> UInt64 {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return UInt64(days[month - 1])
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
