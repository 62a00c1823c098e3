/// A ``ParquetDestination`` on an open file descriptor (not closed by it).
public final class ParquetFileDescriptorDestination: ParquetDestination {
    /// The descriptor written to.
    public let descriptor: Int32
    /// The path, for error messages.
    public let path: String
    /// Bytes written so far.
    public private(set) var bytesWritten = 0

    /// Wraps a descriptor open for writing.
    ///
    /// - Parameters:
    ///   - descriptor: the file descriptor.
    ///   - path: its path, named in errors.
    public init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        if let reason = FileDescriptorWriting.writeAll(bytes, to: descriptor) { throw .writeFailed(path: path, reason: reason) }
        bytesWritten += bytes.count
    }
}
