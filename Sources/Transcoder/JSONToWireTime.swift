/// Parsing of the string forms of `google.protobuf.Timestamp` (RFC 3339)
/// and `google.protobuf.Duration` (`"-1.5s"`). Pure functions over bytes.
enum JSONToWireTime {
    enum Failure: Error {
        case invalid
        case outOfRange
    }

    static let minTimestampSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    static let maxTimestampSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z
    static let maxDurationSeconds: Int64 = 315_576_000_000

    /// `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` -> (seconds, nanos) since the epoch.
    static func timestamp(_ p: UnsafePointer<UInt8>, _ count: Int) throws(Failure) -> (Int64, Int32) {
        var i = 0
        func digits(_ n: Int) throws(Failure) -> Int {
            guard i + n <= count else { throw .invalid }
            var v = 0
            for k in 0..<n {
                let c = p[i + k]
                guard c >= 0x30 && c <= 0x39 else { throw .invalid }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func literal(_ c: UInt8) throws(Failure) {
            guard i < count, p[i] == c else { throw .invalid }
            i += 1
        }
        let year = try digits(4)
        try literal(UInt8(ascii: "-"))
        let month = try digits(2)
        try literal(UInt8(ascii: "-"))
        let day = try digits(2)
        try literal(UInt8(ascii: "T"))
        let hour = try digits(2)
        try literal(UInt8(ascii: ":"))
        let minute = try digits(2)
        try literal(UInt8(ascii: ":"))
        let second = try digits(2)
        guard year >= 1, month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year),
            hour <= 23, minute <= 59, second <= 59
        else { throw .invalid }
        var nanos = 0
        if i < count && p[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < count, p[i] >= 0x30 && p[i] <= 0x39 {
                guard n < 9 else { throw .invalid }
                nanos = nanos * 10 + Int(p[i] - 0x30)
                n += 1
                i += 1
            }
            guard n > 0 else { throw .invalid }
            for _ in n..<9 { nanos *= 10 }
        }
        guard i < count else { throw .invalid }
        var offset = 0
        if p[i] == UInt8(ascii: "Z") {
            i += 1
        } else if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
            let negative = p[i] == UInt8(ascii: "-")
            i += 1
            let oh = try digits(2)
            try literal(UInt8(ascii: ":"))
            let om = try digits(2)
            guard oh <= 23, om <= 59 else { throw .invalid }
            offset = (oh * 60 + om) * 60
            if negative { offset = -offset }
        } else {
            throw .invalid
        }
        guard i == count else { throw .invalid }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        guard seconds >= minTimestampSeconds && seconds <= maxTimestampSeconds else { throw .outOfRange }
        return (seconds, Int32(nanos))
    }

    /// `-?\d+(\.\d{1,9})?s` -> (seconds, nanos), both carrying the sign.
    static func duration(_ p: UnsafePointer<UInt8>, _ count: Int) throws(Failure) -> (Int64, Int32) {
        guard count >= 2, p[count - 1] == UInt8(ascii: "s") else { throw .invalid }
        let end = count - 1
        var i = 0
        let negative = p[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var seconds: Int64 = 0
        let digitsStart = i
        while i < end, p[i] >= 0x30 && p[i] <= 0x39 {
            if seconds > maxDurationSeconds { throw .outOfRange }
            seconds = seconds * 10 + Int64(p[i] - 0x30)
            i += 1
        }
        guard i > digitsStart else { throw .invalid }
        var nanos: Int32 = 0
        if i < end && p[i] == UInt8(ascii: ".") {
            i += 1
            var n = 0
            while i < end, p[i] >= 0x30 && p[i] <= 0x39 {
                guard n < 9 else { throw .invalid }
                nanos = nanos * 10 + Int32(p[i] - 0x30)
                n += 1
                i += 1
            }
            guard n > 0 else { throw .invalid }
            for _ in n..<9 { nanos *= 10 }
        }
        guard i == end else { throw .invalid }
        guard seconds <= maxDurationSeconds else { throw .outOfRange }
        return negative ? (-seconds, -nanos) : (seconds, nanos)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
