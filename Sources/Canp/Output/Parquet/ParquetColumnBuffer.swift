/// The values of one column for a run of rows, as a worker collects them
/// before encoding them into pages (``ParquetPageEncoder``).
///
/// A buffer holds either values of the column's physical type or, for a
/// dictionary column, indices into its dictionary; for an optional column
/// also one definition byte per row (1: a value, 0: null). Nulls take no
/// slot among the values. Reuse a buffer with ``removeAll()``: the arrays
/// keep their storage.
///
/// Appending a value of the wrong kind is a programming error and traps.
public struct ParquetColumnBuffer: Sendable {
    /// What the buffer holds.
    public enum Kind: Sendable, Hashable {
        /// Values of the physical type.
        case values
        /// Dictionary indices.
        case indices
    }

    /// The physical type of the column.
    public let physicalType: ParquetColumn.PhysicalType
    /// Values or indices.
    public let kind: Kind
    /// Whether rows may be null (definition bytes are kept).
    public let isOptional: Bool
    /// Rows, nulls included.
    public internal(set) var rowCount = 0

    var definitions: [UInt8] = []
    var int32Values: [Int32] = []
    var int64Values: [Int64] = []
    var doubleValues: [Double] = []
    /// Booleans as bytes (0 or 1).
    var booleanValues: [UInt8] = []
    var byteData: [UInt8] = []
    /// Where each byte value starts; one more entry than values (starts at [0]).
    var byteOffsets: [UInt32] = [0]
    var indexValues: [UInt32] = []

    /// An empty buffer for a column of the schema.
    ///
    /// - Parameter column: the column.
    public init(for column: ParquetColumn) {
        self.init(physicalType: column.physicalType, kind: column.dictionary == nil ? .values : .indices,
                  isOptional: column.isOptional)
    }

    /// An empty buffer.
    ///
    /// - Parameters:
    ///   - physicalType: the column's type.
    ///   - kind: values or dictionary indices.
    ///   - isOptional: whether nulls are allowed.
    public init(physicalType: ParquetColumn.PhysicalType, kind: Kind, isOptional: Bool) {
        self.physicalType = physicalType
        self.kind = kind
        self.isOptional = isOptional
    }

    /// The number of values (rows that are not null).
    public var valueCount: Int {
        switch kind {
        case .indices: return indexValues.count
        case .values:
            switch physicalType {
            case .boolean: return booleanValues.count
            case .int32: return int32Values.count
            case .int64: return int64Values.count
            case .double: return doubleValues.count
            case .byteArray: return byteOffsets.count - 1
            }
        }
    }

    /// Empties the buffer and keeps its storage.
    public mutating func removeAll() {
        rowCount = 0
        definitions.removeAll(keepingCapacity: true)
        int32Values.removeAll(keepingCapacity: true)
        int64Values.removeAll(keepingCapacity: true)
        doubleValues.removeAll(keepingCapacity: true)
        booleanValues.removeAll(keepingCapacity: true)
        byteData.removeAll(keepingCapacity: true)
        byteOffsets.removeAll(keepingCapacity: true)
        byteOffsets.append(0)
        indexValues.removeAll(keepingCapacity: true)
    }

    /// Reserves room for `count` rows of byte values totalling `byteCount` bytes.
    public mutating func reserveBytes(count: Int, byteCount: Int) {
        byteOffsets.reserveCapacity(byteOffsets.count + count)
        byteData.reserveCapacity(byteData.count + byteCount)
        if isOptional { definitions.reserveCapacity(definitions.count + count) }
    }

    @inline(__always)
    private mutating func defined(_ type: ParquetColumn.PhysicalType, _ kind: Kind) {
        precondition(self.kind == kind && (kind == .indices || physicalType == type),
                     "ParquetColumnBuffer: a \(type) \(kind) appended to a \(physicalType) \(self.kind) buffer")
        if isOptional { definitions.append(1) }
        rowCount += 1
    }

    /// Appends a null row.
    public mutating func appendNull() {
        precondition(isOptional, "ParquetColumnBuffer: null appended to a required column")
        definitions.append(0)
        rowCount += 1
    }

    /// Appends `count` null rows.
    public mutating func appendNulls(_ count: Int) {
        precondition(isOptional, "ParquetColumnBuffer: null appended to a required column")
        definitions.append(contentsOf: repeatElement(0, count: count))
        rowCount += count
    }

    /// Appends a BOOLEAN value.
    public mutating func append(_ value: Bool) {
        defined(.boolean, .values)
        booleanValues.append(value ? 1 : 0)
    }

    /// Appends an INT32 value.
    public mutating func append(_ value: Int32) {
        defined(.int32, .values)
        int32Values.append(value)
    }

    /// Appends an INT64 value.
    public mutating func append(_ value: Int64) {
        defined(.int64, .values)
        int64Values.append(value)
    }

    /// Appends a DOUBLE value.
    public mutating func append(_ value: Double) {
        defined(.double, .values)
        doubleValues.append(value)
    }

    /// Appends a BYTE_ARRAY value.
    public mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        precondition(byteData.count + bytes.count <= Int(UInt32.max), "ParquetColumnBuffer: more than 4 GiB of bytes in one buffer")
        defined(.byteArray, .values)
        if bytes.count > 0 { byteData.append(contentsOf: bytes) }
        byteOffsets.append(UInt32(byteData.count))
    }

    /// Appends a BYTE_ARRAY value held in an array.
    public mutating func append(bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append(bytes: $0) }
    }

    /// Appends a string's UTF-8 bytes as a BYTE_ARRAY value.
    public mutating func append(string: String) {
        var string = string
        string.withUTF8 { append(bytes: $0) }
    }

    /// Appends a dictionary index.
    public mutating func append(index: UInt32) {
        defined(.int32, .indices)
        indexValues.append(index)
    }

    /// Appends a dictionary index with its value (an observed double dictionary).
    public mutating func append(index: UInt32, value: Double) {
        defined(.int32, .indices)
        indexValues.append(index)
        doubleValues.append(value)
    }

    /// Appends `count` rows of the same dictionary index.
    public mutating func append(index: UInt32, count: Int) {
        precondition(kind == .indices, "ParquetColumnBuffer: indices appended to a value buffer")
        if isOptional { definitions.append(contentsOf: repeatElement(1, count: count)) }
        indexValues.append(contentsOf: repeatElement(index, count: count))
        rowCount += count
    }

    /// Appends INT64 values (required or not, every row gets a value).
    public mutating func append(contentsOf values: UnsafeBufferPointer<Int64>) {
        precondition(kind == .values && physicalType == .int64, "ParquetColumnBuffer: INT64 values appended to a \(physicalType) buffer")
        int64Values.append(contentsOf: values)
        if isOptional { definitions.append(contentsOf: repeatElement(1, count: values.count)) }
        rowCount += values.count
    }

    /// Appends INT32 values (required or not, every row gets a value).
    public mutating func append(contentsOf values: UnsafeBufferPointer<Int32>) {
        precondition(kind == .values && physicalType == .int32, "ParquetColumnBuffer: INT32 values appended to a \(physicalType) buffer")
        int32Values.append(contentsOf: values)
        if isOptional { definitions.append(contentsOf: repeatElement(1, count: values.count)) }
        rowCount += values.count
    }
}

extension ParquetColumnBuffer {
    /// Grows `array` by `count` elements and lets `body` write them: bulk
    /// fills of whole columns pay one capacity check, where appending value
    /// by value pays a uniqueness and a capacity check per value. `body`
    /// must write every element, unless `zeroed` (the new elements are then
    /// zero before `body` runs, and `body` writes the others).
    @inline(__always)
    static func extend<T: BitwiseCopyable>(_ array: inout [T], by count: Int, zeroed: Bool = false,
                                           _ body: (UnsafeMutablePointer<T>) -> Void) {
        guard count > 0 else { return }
        array.append(addingCapacity: count) { span in
            span.withUnsafeMutableBufferPointer { buffer, initialized in
                let base = buffer.baseAddress!
                if zeroed { UnsafeMutableRawPointer(base).initializeMemory(as: UInt8.self, repeating: 0, count: count * MemoryLayout<T>.stride) }
                body(base)
                initialized = count
            }
        }
    }

    /// Removes elements from the end of `array` until `count` are left.
    @inline(__always)
    static func truncate<T>(_ array: inout [T], to count: Int) {
        if array.count > count { array.removeSubrange(count...) }
    }
}
