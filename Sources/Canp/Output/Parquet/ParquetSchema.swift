/// The columns of a flat Parquet table, in order.
///
/// Build it column by column (``append(_:)``) or from a list; both check
/// that names are unique and that every column's encoding and annotation
/// suit its type. The schema of each table is known before the run, so a
/// caller can show or check it before a row is decoded.
public struct ParquetSchema: Sendable {
    /// The columns, in file order.
    public private(set) var columns: [ParquetColumn] = []
    private var positions: [String: Int] = [:]

    /// An empty schema.
    public init() {}

    /// A schema of these columns.
    ///
    /// - Parameter columns: the columns in order.
    /// - Throws: ``ParquetError/invalidSchema(_:)`` naming the first problem.
    public init(_ columns: [ParquetColumn]) throws(ParquetError) {
        for column in columns { try append(column) }
    }

    /// Adds a column at the end.
    ///
    /// - Parameter column: the column.
    /// - Returns: its position.
    /// - Throws: ``ParquetError/invalidSchema(_:)`` for a duplicate name or an invalid column.
    @discardableResult
    public mutating func append(_ column: ParquetColumn) throws(ParquetError) -> Int {
        if let problem = column.validationError() { throw .invalidSchema(problem) }
        if positions[column.name] != nil { throw .invalidSchema("two columns are named \(column.name)") }
        positions[column.name] = columns.count
        columns.append(column)
        return columns.count - 1
    }

    /// The position of the column named `name`.
    public func position(of name: String) -> Int? { positions[name] }

    /// Empty buffers for every column, in order.
    public func makeBuffers() -> [ParquetColumnBuffer] { columns.map(ParquetColumnBuffer.init(for:)) }
}
