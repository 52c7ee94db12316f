/// Validates the base64 text of a `-bin` header before it goes upstream.
///
/// gRPC accepts padded and unpadded standard base64; this refuses anything else
/// (wrong alphabet, misplaced padding, impossible length), so that a backend
/// never sees a value its decoder would reject silently.
package enum Base64Check {
    package static func isValid(_ text: Substring) -> Bool {
        var count = 0
        var padding = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                if padding > 0 { return false }
            case UInt8(ascii: "="):
                padding += 1
                if padding > 2 { return false }
            default:
                return false
            }
            count += 1
        }
        if padding > 0 { return count % 4 == 0 }
        return count % 4 != 1
    }
}
