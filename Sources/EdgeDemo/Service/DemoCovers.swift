import Foundation

/// GetCover's fixed covers and Download's payload.
enum DemoCovers {
    struct Cover {
        var contentType: String
        var data: Data
    }

    /// A 1×1 red PNG (valid: signature, IHDR, IDAT, IEND with their CRCs).
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
        0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
        0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
        0x44, 0xAE, 0x42, 0x60, 0x82,
    ]

    static let text = "Dune\nby Frank Herbert\n(a cover in plain text)\n"

    static func cover(named name: String) -> Cover? {
        switch name {
        case "sample.png": Cover(contentType: "image/png", data: Data(png))
        case "sample.txt": Cover(contentType: "text/plain; charset=utf-8", data: Data(text.utf8))
        default: nil
        }
    }

    /// `count` bytes where byte `i` is `i % 251`: Download's payload, so a client can check every byte.
    static func pattern(count: Int) -> Data {
        var data = Data(count: count)
        for index in 0..<count { data[index] = UInt8(index % 251) }
        return data
    }
}
