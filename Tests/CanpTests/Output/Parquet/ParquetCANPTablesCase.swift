import Foundation
@testable import Canp

/// The frames, errors and message tables of ``ParquetTableBuffers`` for
/// hand-built traffic on ``ParquetOutputLayoutTests/dbc`` (multiplexing,
/// labels, truncated frames, RTR and unknown ids, a shared message name),
/// with the values the checker expects worked out independently: frames
/// from the batch itself, messages by the database's own lookup, and each
/// frame's signals by the decoder's one-frame API (`decode(id:isExtended:bytes:)`).
enum ParquetCANPTablesCase {
    struct Traffic {
        var frames = FrameBatch()
        var data: [UInt8] = []
    }

    static func traffic(count: Int, seed: UInt64) -> Traffic {
        var random = SplitMix64(seed: seed)
        var traffic = Traffic()
        let ids: [(UInt32, FrameFlags)] = [(256, []), (257, []), (0x18FE_F1FE, [.extended]), (512, []), (0x7DF, []), (256, [.remoteRequest]),
                                           (257, [.fd, .bitRateSwitch])]
        for row in 0..<count {
            let (id, flags) = ids[Int(random.next() % UInt64(ids.count))]
            // Mostly full frames; some cut short, so that their last signals are missing.
            var length = flags.contains(.remoteRequest) ? 0 : (random.next() % 5 == 0 ? Int(random.next() % 8) : 8)
            if flags.contains(.fd) { length = 12 }
            let offset = traffic.data.count
            for byte in 0..<length {
                // Byte 0 of Cells is its multiplexer: cycle 0, 1, 2 (2 selects nothing).
                traffic.data.append(id == 257 && byte == 0 ? UInt8(row % 3) : UInt8(truncatingIfNeeded: random.next()))
            }
            traffic.frames.appendFrame(timestamp: 1_700_000_000_123_456_789 + UInt64(row) * 997_003, identifier: id, flags: flags,
                                       channel: Int32(row % 3), length: UInt8(length), dataOffset: UInt32(offset), block: UInt32(row / 50))
        }
        traffic.data.append(contentsOf: repeatElement(0, count: 16)) // the decoder's payload padding
        return traffic
    }

    static func frameData(_ traffic: Traffic, _ row: Int) -> [UInt8] {
        let start = Int(traffic.frames.dataOffsets[row])
        return Array(traffic.data[start..<(start + Int(traffic.frames.lengths[row]))])
    }

    /// Writes the tables into `directory` and returns their expectations for the checker.
    static func write(into directory: String) throws -> [[String: Any]] {
        let (layout, decoder) = try ParquetOutputLayoutTests.layout()
        let inputs = ["a.bin", "b.bin"]
        let files = [traffic(count: 700, seed: 21), traffic(count: 500, seed: 22)]
        var buffers = ParquetTableBuffers(layout: layout)
        var encoder = try ParquetPageEncoder(pageRowLimit: 64)
        var writers: [String: (ParquetFileWriter, ParquetMemoryDestination, ParquetSchema)] = [:]
        func writer(_ name: String, _ schema: ParquetSchema) throws -> ParquetFileWriter {
            if let entry = writers[name] { return entry.0 }
            let destination = ParquetMemoryDestination()
            let made = try ParquetFileWriter(schema: schema, destination: destination, options: ParquetWriterOptions(rowGroupRowLimit: 300))
            writers[name] = (made, destination, schema)
            return made
        }
        _ = try writer("errors", layout.errors)
        let issues = [FormatIssue(file: "a.bin", block: 3, offset: 1234, level: .record0, reason: .truncatedHeader(available: 7)),
                      FormatIssue(file: "b.bin", block: 1, offset: 99, level: .frame, reason: .classicFrameTooLong(dataLength: 12))]
        for (fileIndex, file) in files.enumerated() {
            // Chunks of 230 frames: several chunks per file, several pages and row groups per table.
            var start = 0
            while start < file.frames.count {
                let rows = start..<min(file.frames.count, start + 230)
                var signals = DBCSignalBatch(capacity: 64)
                file.data.withUnsafeBytes { data in
                    for row in rows where !file.frames.flags[row].contains(.remoteRequest) {
                        let offset = Int(file.frames.dataOffsets[row])
                        let bytes = UnsafeRawBufferPointer(rebasing: data[offset..<(offset + Int(file.frames.lengths[row]))])
                        decoder.decode(id: file.frames.identifiers[row], isExtended: file.frames.flags[row].contains(.extended),
                                       bytes: bytes, frameIndex: UInt32(row), into: &signals)
                    }
                    buffers.appendFrames(file.frames, rows: rows, data: data, fileIndex: fileIndex, decoder: decoder)
                }
                buffers.appendSignals(signals, frames: file.frames, fileIndex: fileIndex)
                if start == 0 { buffers.appendIssues([issues[fileIndex]]) }
                let chunks = try buffers.encode(with: &encoder)
                if let frames = chunks.frames { try writer("frames", layout.frames).append(frames) }
                if let errors = chunks.errors { try writer("errors", layout.errors).append(errors) }
                for (message, chunk) in chunks.signals {
                    let table = layout.signalTables[message]
                    try writer("signals_" + table.directoryName, table.schema).append(chunk)
                }
                start = rows.upperBound
            }
        }

        var expectations: [[String: Any]] = []
        func expectation(_ name: String, columns: [(ParquetColumn, [ParquetTestValue?])]) throws {
            let (made, destination, schema) = writers[name]!
            let summary = try made.finish()
            let file = "canp_" + name + ".parquet"
            try Data(destination.bytes).write(to: URL(fileURLWithPath: directory + "/" + file))
            precondition(schema.columns.map(\.name) == columns.map(\.0.name), "expectation columns out of order for \(name)")
            let table = ParquetTestTable(name: "canp_" + name, columns: columns.map { ParquetTestColumn(column: $0.0, rows: $0.1) })
            var json = table.expectation(file: file, summary: summary)
            json["key_value"] = [String: String]()
            expectations.append(json)
        }

        // frames
        var frameColumns = layout.frames.columns.map { ($0, [ParquetTestValue?]()) }
        func put(_ column: Int, _ value: ParquetTestValue?) { frameColumns[column].1.append(value) }
        for (fileIndex, file) in files.enumerated() {
            for row in 0..<file.frames.count {
                let f = file.frames, flags = f.flags[row]
                put(0, .string(inputs[fileIndex]))
                put(1, .integer(Int64(f.blocks[row])))
                put(2, .integer(Int64(f.timestamps[row] / 1000)))
                put(3, .integer(Int64(f.timestamps[row])))
                put(4, .integer(Int64(f.channels[row])))
                put(5, .integer(Int64(f.identifiers[row])))
                for (column, flag) in [(6, FrameFlags.extended), (7, .remoteRequest), (8, .errorFrame), (9, .fd), (10, .bitRateSwitch),
                                       (11, .errorStateIndicator)] {
                    put(column, .boolean(flags.contains(flag)))
                }
                put(12, .integer(Int64(f.lengths[row])))
                put(13, .bytes(frameData(file, row)))
                let message = flags.contains(.remoteRequest) ? nil
                    : decoder.database.message(id: f.identifiers[row], isExtended: flags.contains(.extended))
                put(14, message.map { .string($0.name) })
            }
        }
        try expectation("frames", columns: frameColumns)

        try expectation("errors", columns: [
            (layout.errors.columns[0], issues.map { .string($0.file) }),
            (layout.errors.columns[1], issues.map { .integer(Int64($0.block)) }),
            (layout.errors.columns[2], issues.map { .integer(Int64($0.offset)) }),
            (layout.errors.columns[3], issues.map { .string($0.level.description) }),
            (layout.errors.columns[4], issues.map { .string($0.reason.description) }),
        ])

        // message tables: one row per frame with at least one signal
        for table in layout.signalTables {
            var columns = table.schema.columns.map { ($0, [ParquetTestValue?]()) }
            for (fileIndex, file) in files.enumerated() {
                for row in 0..<file.frames.count where !file.frames.flags[row].contains(.remoteRequest) {
                    let f = file.frames
                    guard decoder.messageIndex(id: f.identifiers[row], isExtended: f.flags[row].contains(.extended)) == table.messageIndex
                    else { continue }
                    let decoded = decoder.decode(id: f.identifiers[row], isExtended: f.flags[row].contains(.extended), bytes: frameData(file, row))
                    guard !decoded.isEmpty else { continue }
                    columns[0].1.append(.string(inputs[fileIndex]))
                    columns[1].1.append(.integer(Int64(f.blocks[row])))
                    columns[2].1.append(.integer(Int64(f.timestamps[row] / 1000)))
                    columns[3].1.append(.integer(Int64(f.timestamps[row])))
                    columns[4].1.append(.integer(Int64(f.channels[row])))
                    let message = decoder.database.messages[table.messageIndex]
                    for (local, signal) in message.signals.enumerated() {
                        let plan = table.signals[local]
                        let found = decoded.first { $0.name == signal.name }
                        columns[plan.value].1.append(found.map { .double($0.value) })
                        if let label = plan.label { columns[label].1.append(found?.label.map { .string($0) }) }
                    }
                }
            }
            if columns[0].1.isEmpty {
                precondition(writers["signals_" + table.directoryName] == nil, "a table file for a message without rows")
                continue
            }
            try expectation("signals_" + table.directoryName, columns: columns)
        }
        return expectations
    }
}
