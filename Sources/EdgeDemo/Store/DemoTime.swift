import Foundation
import SwiftProtobuf

/// Wall-clock timestamps for the demo data: the current time for `create_time`/`update_time`,
/// and fixed civil dates for the seeded books.
enum DemoTime {
    /// The current time, truncated to microseconds so JSON round trips stay short.
    static func now() -> Google_Protobuf_Timestamp {
        let seconds = Date().timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = Int32(((seconds - whole) * 1_000_000).rounded(.down))
        return Google_Protobuf_Timestamp(seconds: Int64(whole), nanos: micros * 1000)
    }

    /// Midnight UTC of a proleptic Gregorian date (days-from-civil, so no calendar API).
    static func date(_ year: Int, _ month: Int, _ day: Int) -> Google_Protobuf_Timestamp {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Google_Protobuf_Timestamp(seconds: Int64(days) * 86_400, nanos: 0)
    }
}
