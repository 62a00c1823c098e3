/// Where a ``ParquetFileWriter`` puts the file's bytes, in order.
///
/// The writer only appends; making the file final (sync, rename) is the
/// destination's owner's job after ``ParquetFileWriter/finish()``.
public protocol ParquetDestination: AnyObject {
    /// Appends bytes.
    ///
    /// - Parameter bytes: the next bytes of the file.
    /// - Throws: ``ParquetError/writeFailed(path:reason:)``.
    func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError)
}
