/// Where decoded JSON bytes go: the wire buffer, or an array for slow paths.
protocol JSONReaderByteSink {
    mutating func append(_ b: UInt8)
    mutating func append(contentsOf p: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONReaderByteSink where Element == UInt8 {}
