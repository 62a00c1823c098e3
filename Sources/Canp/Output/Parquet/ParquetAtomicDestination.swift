/// A ``ParquetDestination`` on an ``AtomicOutputFile``: the file appears
/// under its name only when the sink commits it.
final class ParquetAtomicDestination: ParquetDestination {
    let file: AtomicOutputFile

    init(_ file: AtomicOutputFile) { self.file = file }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        do {
            try file.write(bytes)
        } catch {
            switch error {
            case let .outputFailed(path, reason): throw .writeFailed(path: path, reason: reason)
            default: throw .writeFailed(path: file.partialPath, reason: error.description)
            }
        }
    }
}
