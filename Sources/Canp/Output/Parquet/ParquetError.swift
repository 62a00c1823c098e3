/// Why a Parquet schema, page or file could not be made.
public enum ParquetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The schema is not valid (an empty or duplicate name, an encoding the type cannot have, ...).
    case invalidSchema(String)
    /// A column buffer does not fit its column (its kind, its row count, an index outside the dictionary).
    case invalidValues(column: String, reason: String)
    /// Memory for a page or an encoder could not be allocated.
    case outOfMemory
    /// The C core refused a page or the footer (`-errno` in `code`); a defect if it ever happens.
    case encodingFailed(column: String, code: Int32)
    /// The bytes could not be written.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidSchema(let reason): "invalid Parquet schema: \(reason)"
        case let .invalidValues(column, reason): "invalid values for Parquet column \(column): \(reason)"
        case .outOfMemory: "out of memory while encoding Parquet"
        case let .encodingFailed(column, code): "Parquet encoding of \(column) failed (error \(-code))"
        case let .writeFailed(path, reason): "cannot write \(path): \(reason)"
        }
    }
}
