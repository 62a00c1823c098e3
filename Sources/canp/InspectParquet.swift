import Canp

/// `canp inspect` of a Parquet file: the footer's version, writer and
/// key-value metadata, the schema, then each row group's column chunks
/// (codec, encodings, values, sizes, nulls, minimum and maximum), and the
/// columns' sizes over all row groups.
enum InspectParquet {
    /// Prints the inspection; returns false when the footer cannot be read (said on standard error).
    static func run(_ bytes: [UInt8], path: String, listed: Int) -> Bool {
        let file: ParquetFileInspection
        do {
            file = try ParquetFileInspection(bytes)
        } catch {
            CommandSupport.error("inspect", "\(path): \(error)")
            return false
        }
        print("\(path): \(file.fileSize) bytes, Parquet format version \(file.version), \(file.rowCount) rows in "
              + "\(file.rowGroups.count) row group(s), footer \(file.footerSize) bytes" + (file.createdBy.map { ", created by \($0)" } ?? ""))
        for (key, value) in file.keyValues {
            print("metadata \(key): " + (value.count > 200 ? String(value.prefix(200)) + "... (\(value.utf8.count) bytes)" : value))
        }
        printSchema(file.schema)
        for (index, group) in file.rowGroups.enumerated().prefix(listed) {
            print("row group \(index): \(group.rowCount) rows, \(group.totalBytes) bytes uncompressed")
            for column in group.columns { print("  " + describe(column)) }
        }
        if file.rowGroups.count > listed { print("... \(file.rowGroups.count - listed) more row group(s)") }
        printTotals(file)
        return true
    }

    private static func printSchema(_ schema: [ParquetFileInspection.SchemaElement]) {
        let leaves = schema.filter { $0.physicalType != nil }
        print("schema: \(leaves.count) column(s)")
        for element in schema.dropFirst() {
            guard let type = element.physicalType else {
                print("  \(element.name): group of \(element.childCount)")
                continue
            }
            print("  \(element.name): \(type)" + (element.logicalType.map { " \($0)" } ?? "") + " " + (element.repetition ?? "").lowercased())
        }
    }

    private static func describe(_ c: ParquetFileInspection.ColumnChunk) -> String {
        var text = "\(c.path): \(c.codec), \(c.encodings.joined(separator: "/")), \(c.valueCount) values, "
            + "\(c.compressedBytes) bytes (\(c.uncompressedBytes) uncompressed)"
        if let nulls = c.nullCount { text += ", \(nulls) null" }
        if let minimum = c.minimum, let maximum = c.maximum { text += ", min \(minimum) max \(maximum)" }
        return text
    }

    private static func printTotals(_ file: ParquetFileInspection) {
        guard let first = file.rowGroups.first else { return }
        print("columns over all row groups (compressed / uncompressed bytes):")
        for (index, column) in first.columns.enumerated() {
            let compressed = file.rowGroups.reduce(Int64(0)) { $0 + $1.columns[index].compressedBytes }
            let uncompressed = file.rowGroups.reduce(Int64(0)) { $0 + $1.columns[index].uncompressedBytes }
            print("  \(column.path): \(compressed) / \(uncompressed)")
        }
    }
}
