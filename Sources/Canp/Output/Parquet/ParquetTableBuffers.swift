/// The rows of one worker's chunk for every table of a Parquet output, as
/// column buffers: frames, errors and the message tables, filled from
/// decoded frames and signals, then encoded into pages in one go
/// (``encode(with:)``). One per CPU worker, reused from chunk to chunk.
///
/// Columns are filled one at a time, each as a bulk fill of all the rows
/// being added: the per-value cost is a load, a conversion and a store.
/// (Appending row by row through every column's buffer cost about ten times
/// more: a capacity and uniqueness check per value and column.)
public struct ParquetTableBuffers: Sendable {
    /// The output's tables.
    public let layout: ParquetOutputLayout
    private var frames: [ParquetColumnBuffer]
    private var errors: [ParquetColumnBuffer]
    private var signals: [[ParquetColumnBuffer]?]
    private var signalRows: [Int]
    /// Messages with rows in this chunk, in first-seen order.
    private var touched: [Int] = []
    // Scratch of appendSignals, kept from chunk to chunk.
    private var groupMessages: [Int32] = []
    private var groupStarts: [Int32] = []
    private var groupCounts: [Int]
    private var groupOffsets: [Int]
    private var irregular: [Bool]
    private var sortedStarts: [Int32] = []
    private var sortedEnds: [Int32] = []
    private var hits: [Int32] = []
    private var transposedValues: [Double] = []
    private var transposedRaw: [UInt64] = []

    /// Empty buffers for the tables of `layout`.
    public init(layout: ParquetOutputLayout) {
        self.layout = layout
        frames = layout.frames.makeBuffers()
        errors = layout.errors.makeBuffers()
        signals = Array(repeating: nil, count: layout.signalTables.count)
        signalRows = Array(repeating: 0, count: layout.signalTables.count)
        groupCounts = Array(repeating: 0, count: layout.signalTables.count)
        groupOffsets = Array(repeating: 0, count: layout.signalTables.count)
        irregular = Array(repeating: false, count: layout.signalTables.count)
    }

    /// The rows buffered in the frames table.
    public var frameRowCount: Int { frames[0].rowCount }

    /// The rows buffered in the fullest table.
    public var largestTableRowCount: Int { max(frames[0].rowCount, errors[0].rowCount, touched.map { signalRows[$0] }.max() ?? 0) }

    /// The rows buffered in all tables.
    public var rowCount: Int { frames[0].rowCount + errors[0].rowCount + signalRows.reduce(0, +) }

    /// The values buffered in all tables: rows times columns, what the buffers' memory follows
    /// (about 9 bytes a value) whatever the width of the messages.
    public var cellCount: Int {
        frames[0].rowCount * frames.count + errors[0].rowCount * errors.count
            + touched.reduce(0) { $0 + signalRows[$1] * layout.signalTables[$1].schema.columns.count }
    }

    /// The values buffered in the fullest table (rows times columns).
    public var largestTableCellCount: Int {
        max(frames[0].rowCount * frames.count, errors[0].rowCount * errors.count,
            touched.map { signalRows[$0] * layout.signalTables[$0].schema.columns.count }.max() ?? 0)
    }

    // MARK: Frames

    /// Appends frames `rows` of a batch to the frames table.
    ///
    /// - Parameters:
    ///   - batch: decoded frames.
    ///   - rows: the rows to take.
    ///   - data: the buffer that the rows' `dataOffsets` point into.
    ///   - fileIndex: the file's position in the run (its `file` dictionary index).
    ///   - decoder: the DBC decoder, for the `message` column (nil: every message null).
    /// - Complexity: O(rows).
    public mutating func appendFrames(_ batch: FrameBatch, rows: Range<Int>, data: UnsafeRawBufferPointer, fileIndex: Int,
                                      decoder: DBCDecoder?) {
        typealias Column = ParquetOutputLayout.FramesColumn
        guard !rows.isEmpty else { return }
        precondition(fileIndex >= 0 && fileIndex < layout.inputNames.count, "ParquetTableBuffers: file index outside the run")
        let n = rows.count, first = rows.lowerBound
        frames[Column.file.rawValue].append(index: UInt32(fileIndex), count: n)
        for index in 1..<frames.count { frames[index].rowCount += n }
        batch.blocks.withUnsafeBufferPointer { blocks in
            ParquetColumnBuffer.extend(&frames[Column.block.rawValue].int64Values, by: n) { out in
                for k in 0..<n { out[k] = Int64(blocks[first + k]) }
            }
        }
        batch.timestamps.withUnsafeBufferPointer { timestamps in
            ParquetColumnBuffer.extend(&frames[Column.timestamp.rawValue].int64Values, by: n) { out in
                for k in 0..<n { out[k] = Int64(timestamps[first + k] / 1000) }
            }
            ParquetColumnBuffer.extend(&frames[Column.timestampNanoseconds.rawValue].int64Values, by: n) { out in
                for k in 0..<n { out[k] = Int64(bitPattern: timestamps[first + k]) }
            }
        }
        batch.channels.withUnsafeBufferPointer { channels in
            ParquetColumnBuffer.extend(&frames[Column.channel.rawValue].int32Values, by: n) { out in
                for k in 0..<n { out[k] = Int32(channels[first + k]) }
            }
        }
        batch.identifiers.withUnsafeBufferPointer { identifiers in
            ParquetColumnBuffer.extend(&frames[Column.canID.rawValue].int64Values, by: n) { out in
                for k in 0..<n { out[k] = Int64(identifiers[first + k]) }
            }
        }
        batch.flags.withUnsafeBufferPointer { flags in
            let bits: [(Column, FrameFlags)] = [(.extended, .extended), (.rtr, .remoteRequest), (.err, .errorFrame), (.fd, .fd),
                                                (.brs, .bitRateSwitch), (.esi, .errorStateIndicator)]
            for (column, flag) in bits {
                let shift = UInt8(flag.rawValue.trailingZeroBitCount)
                ParquetColumnBuffer.extend(&frames[column.rawValue].booleanValues, by: n) { out in
                    for k in 0..<n { out[k] = (flags[first + k].rawValue >> shift) & 1 }
                }
            }
            appendMessages(flags: flags, first: first, count: n, batch: batch, decoder: decoder)
        }
        appendLengthsAndData(batch, first: first, count: n, data: data)
    }

    /// The `message` column: the message that decodes the frame on its channel (`spec/DECODING.md`: the
    /// DBCs that serve the channel, in order); null for RTR and ERR frames and frames no DBC defines.
    private mutating func appendMessages(flags: UnsafeBufferPointer<FrameFlags>, first: Int, count n: Int, batch: FrameBatch,
                                         decoder: DBCDecoder?) {
        batch.identifiers.withUnsafeBufferPointer { identifiers in
            batch.channels.withUnsafeBufferPointer { channels in
                Self.fillMessages(&frames[ParquetOutputLayout.FramesColumn.message.rawValue], flags: flags,
                                  identifiers: identifiers, channels: channels, first: first, count: n, decoder: decoder)
            }
        }
    }

    private static func fillMessages(_ column: inout ParquetColumnBuffer, flags: UnsafeBufferPointer<FrameFlags>,
                                     identifiers: UnsafeBufferPointer<UInt32>, channels: UnsafeBufferPointer<Int32>,
                                     first: Int, count n: Int, decoder: DBCDecoder?) {
        let before = column.indexValues.count
        var defined = 0
        let skip = FrameFlags.remoteRequest.rawValue | FrameFlags.errorFrame.rawValue
        ParquetColumnBuffer.extend(&column.definitions, by: n, zeroed: true) { definitions in
            ParquetColumnBuffer.extend(&column.indexValues, by: n) { indices in
                guard let decoder else { return }
                for k in 0..<n {
                    let frameFlags = flags[first + k]
                    if frameFlags.rawValue & skip == 0,
                       let message = decoder.messageIndex(id: identifiers[first + k], isExtended: frameFlags.contains(.extended),
                                                          channel: channels[first + k]) {
                        indices[defined] = UInt32(message)
                        definitions[k] = 1
                        defined += 1
                    }
                }
            }
        }
        ParquetColumnBuffer.truncate(&column.indexValues, to: before + defined)
    }

    /// The `length` and `data` columns.
    private mutating func appendLengthsAndData(_ batch: FrameBatch, first: Int, count n: Int, data: UnsafeRawBufferPointer) {
        let dataColumn = ParquetOutputLayout.FramesColumn.data.rawValue
        batch.lengths.withUnsafeBufferPointer { lengths in
            batch.dataOffsets.withUnsafeBufferPointer { offsets in
                ParquetColumnBuffer.extend(&frames[ParquetOutputLayout.FramesColumn.length.rawValue].indexValues, by: n) { out in
                    for k in 0..<n { out[k] = UInt32(lengths[first + k]) }
                }
                var total = 0
                for k in 0..<n {
                    let end = Int(offsets[first + k]) + Int(lengths[first + k])
                    precondition(end <= data.count, "ParquetTableBuffers: a frame's data lies outside its buffer")
                    total += Int(lengths[first + k])
                }
                var at = frames[dataColumn].byteData.count
                ParquetColumnBuffer.extend(&frames[dataColumn].byteOffsets, by: n) { out in
                    for k in 0..<n {
                        at += Int(lengths[first + k])
                        out[k] = UInt32(at)
                    }
                }
                guard total > 0, let source = data.baseAddress else { return }
                ParquetColumnBuffer.extend(&frames[dataColumn].byteData, by: total) { out in
                    var to = 0
                    for k in 0..<n {
                        let length = Int(lengths[first + k])
                        (UnsafeMutableRawPointer(out) + to).copyMemory(from: source + Int(offsets[first + k]), byteCount: length)
                        to += length
                    }
                }
            }
        }
    }

    // MARK: Errors

    /// Appends the skipped units to the errors table.
    ///
    /// - Parameter issues: the issues, in file order.
    public mutating func appendIssues(_ issues: some Sequence<FormatIssue>) {
        typealias Column = ParquetOutputLayout.ErrorsColumn
        for issue in issues {
            errors[Column.file.rawValue].append(string: issue.file)
            errors[Column.block.rawValue].append(Int64(issue.block))
            errors[Column.offset.rawValue].append(Int64(issue.offset))
            errors[Column.level.rawValue].append(string: issue.level.description)
            errors[Column.reason.rawValue].append(string: issue.reason.description)
        }
    }

    // MARK: Signals

    /// Appends one row per frame to the message tables, for the frames that have signal rows.
    ///
    /// - Parameters:
    ///   - signals: decoded signals whose frame indices are rows of `batch`, in frame order and,
    ///     within a frame, in `SG_` order (as ``DBCDecoder`` appends them).
    ///   - batch: the frames.
    ///   - fileIndex: the file's position in the run.
    /// - Complexity: O(signal rows + table rows × columns).
    public mutating func appendSignals(_ signals: borrowing DBCSignalBatch, frames batch: FrameBatch, fileIndex: Int) {
        guard !signals.isEmpty else { return }
        signals.withUnsafeColumns { frameIndices, signalIndices, rawBits, kinds, values in
            appendSignals(frameIndices: frameIndices, signalIndices: signalIndices, rawBits: rawBits, kinds: kinds, values: values,
                          frames: batch, fileIndex: fileIndex)
        }
    }

    /// Appends one row per frame to the message tables, from signal columns
    /// (as ``DBCSignalBatch/withUnsafeColumns(_:)`` and ``DecodedBatch/withSignalColumns(_:)`` give them).
    ///
    /// One pass finds each frame's signal rows (its group) and counts the
    /// groups per message; a counting sort lines up each table's groups in
    /// frame order. A table whose every frame has all its signals (no
    /// multiplexing, no truncated frame) is regular: signal `s` of table row
    /// `k` is signal row `start[k] + s`, so each column is one gather. The
    /// others walk a cursor per table row through its frame's signal rows,
    /// which are in `SG_` order. A table's signal rows are a few hundred KB,
    /// so its column passes stay in the cache. (Scattering every signal row
    /// into per-column scratch first was twice as slow: four writes per row
    /// to a hundred streams.)
    ///
    /// - Parameters:
    ///   - frameIndices: each signal row's frame (a row of `batch`), ascending.
    ///   - signalIndices: the decoder's global signal index, in `SG_` order within a frame.
    ///   - rawBits: raw values.
    ///   - kinds: how to read the raw bits.
    ///   - values: physical values.
    ///   - batch: the frames.
    ///   - fileIndex: the file's position in the run.
    /// - Complexity: O(signal rows + table rows × columns of the messages that occur).
    public mutating func appendSignals(frameIndices: UnsafeBufferPointer<UInt32>, signalIndices: UnsafeBufferPointer<UInt32>,
                                       rawBits: UnsafeBufferPointer<UInt64>, kinds: UnsafeBufferPointer<DBCRawKind>,
                                       values: UnsafeBufferPointer<Double>, frames batch: FrameBatch, fileIndex: Int) {
        let rows = frameIndices.count
        guard rows > 0 else { return }
        groupMessages.removeAll(keepingCapacity: true)
        groupStarts.removeAll(keepingCapacity: true)
        var order: [Int32] = []
        layout.messageOfSignal.withUnsafeBufferPointer { owner in
            layout.signalCounts.withUnsafeBufferPointer { signalCounts in
                groupCounts.withUnsafeMutableBufferPointer { counts in
                    irregular.withUnsafeMutableBufferPointer { irregular in
                        var row = 0
                        while row < rows {
                            let frame = frameIndices[row]
                            let start = row
                            let message = Int(owner[Int(signalIndices[row])])
                            if counts[message] == 0 { order.append(Int32(message)) }
                            counts[message] += 1
                            groupMessages.append(Int32(message))
                            groupStarts.append(Int32(row))
                            row += 1
                            while row < rows && frameIndices[row] == frame { row += 1 }
                            if row - start != Int(signalCounts[message]) { irregular[message] = true }
                        }
                    }
                }
            }
        }
        groupStarts.append(Int32(rows))
        // Counting sort of the groups by message.
        var offset = 0
        for message in order {
            groupOffsets[Int(message)] = offset
            offset += groupCounts[Int(message)]
        }
        sortedStarts.removeAll(keepingCapacity: true)
        sortedEnds.removeAll(keepingCapacity: true)
        ParquetColumnBuffer.extend(&sortedStarts, by: offset) { starts in
            ParquetColumnBuffer.extend(&sortedEnds, by: offset) { ends in
                groupOffsets.withUnsafeMutableBufferPointer { next in
                    groupStarts.withUnsafeBufferPointer { groupStarts in
                        for (group, message) in groupMessages.enumerated() {
                            let at = next[Int(message)]
                            next[Int(message)] = at + 1
                            starts[at] = groupStarts[group]
                            ends[at] = groupStarts[group + 1]
                        }
                    }
                }
            }
        }
        var start = 0
        for message in order {
            let count = groupCounts[Int(message)]
            fillTable(Int(message), groups: start..<(start + count), regular: !irregular[Int(message)], frameIndices: frameIndices,
                      signalIndices: signalIndices, rawBits: rawBits, kinds: kinds, values: values, batch: batch, fileIndex: fileIndex)
            start += count
            groupCounts[Int(message)] = 0
            irregular[Int(message)] = false
        }
    }

    /// Fills the table of `message` with the frames `sortedStarts[groups]` (their signal rows up to `sortedEnds`).
    private mutating func fillTable(_ message: Int, groups: Range<Int>, regular: Bool, frameIndices: UnsafeBufferPointer<UInt32>,
                                    signalIndices: UnsafeBufferPointer<UInt32>, rawBits: UnsafeBufferPointer<UInt64>,
                                    kinds: UnsafeBufferPointer<DBCRawKind>, values: UnsafeBufferPointer<Double>,
                                    batch: FrameBatch, fileIndex: Int) {
        let table = layout.signalTables[message]
        if signalRows[message] == 0 { touched.append(message) }
        let n = groups.count
        signalRows[message] += n
        // Taken out of the array for the fill, so that the column buffers are uniquely referenced (no copy).
        var columns = signals[message].take() ?? table.schema.makeBuffers()
        defer { signals[message] = columns }
        fillKeys(&columns, groups: groups, frameIndices: frameIndices, batch: batch, fileIndex: fileIndex)
        if regular {
            fillRegular(&columns, table: table, groups: groups, rawBits: rawBits, kinds: kinds, values: values)
            return
        }
        // hits[k]: the signal row of table row k for the signal at hand, or -1.
        hits.removeAll(keepingCapacity: true)
        ParquetColumnBuffer.extend(&hits, by: n) { hits in
            for k in 0..<n { hits[k] = -1 }
        }
        for (local, plan) in table.signals.enumerated() {
            var present = 0
            do {
                // Cursors: the next unread signal row of each table row (kept in sortedStarts, advanced in place).
                let global = UInt32(table.firstSignal + local)
                sortedStarts.withUnsafeMutableBufferPointer { cursors in
                    sortedEnds.withUnsafeBufferPointer { ends in
                        hits.withUnsafeMutableBufferPointer { hits in
                            for k in 0..<n {
                                let at = cursors[groups.lowerBound + k]
                                if at < ends[groups.lowerBound + k] && signalIndices[Int(at)] == global {
                                    hits[k] = at
                                    cursors[groups.lowerBound + k] = at + 1
                                    present += 1
                                } else {
                                    hits[k] = -1
                                }
                            }
                        }
                    }
                }
            }
            hits.withUnsafeBufferPointer { hits in
                Self.fillValues(&columns[plan.value], plan: plan, hits: hits, present: present, rawBits: rawBits, values: values)
                if let label = plan.label {
                    Self.fillLabels(&columns[label], plan: plan, hits: hits, rawBits: rawBits, kinds: kinds)
                }
            }
        }
        for k in groups {
            precondition(sortedStarts[k] == sortedEnds[k], "ParquetTableBuffers: signal rows of a frame out of SG_ order")
        }
    }

    /// A table whose every frame has all its signals: signal `s` of table row `k` is signal row
    /// `start[k] + s`. The rows are first transposed into column-major scratch (each frame's signals
    /// are adjacent, so every source line is read once), then every column is a sequential copy.
    private mutating func fillRegular(_ columns: inout [ParquetColumnBuffer], table: ParquetSignalTable, groups: Range<Int>,
                                      rawBits: UnsafeBufferPointer<UInt64>, kinds: UnsafeBufferPointer<DBCRawKind>,
                                      values: UnsafeBufferPointer<Double>) {
        let n = groups.count, width = table.signals.count
        guard n > 0, width > 0 else { return }
        let needsRaw = table.signals.contains { $0.label != nil || $0.encoding == .rawIndex || $0.encoding == .zigzagIndex }
        transposedValues.removeAll(keepingCapacity: true)
        transposedRaw.removeAll(keepingCapacity: true)
        sortedStarts.withUnsafeBufferPointer { starts in
            ParquetColumnBuffer.extend(&transposedValues, by: n * width) { out in
                for k in 0..<n {
                    let source = Int(starts[groups.lowerBound + k])
                    for s in 0..<width { out[s * n + k] = values[source + s] }
                }
            }
            if needsRaw {
                ParquetColumnBuffer.extend(&transposedRaw, by: n * width) { out in
                    for k in 0..<n {
                        let source = Int(starts[groups.lowerBound + k])
                        for s in 0..<width { out[s * n + k] = rawBits[source + s] }
                    }
                }
            }
        }
        let first = Int(sortedStarts[groups.lowerBound])
        for (local, plan) in table.signals.enumerated() {
            transposedValues.withUnsafeBufferPointer { allValues in
                transposedRaw.withUnsafeBufferPointer { allRaw in
                    let segment = (local * n)..<((local + 1) * n)
                    let raw = needsRaw ? UnsafeBufferPointer(rebasing: allRaw[segment]) : UnsafeBufferPointer(start: nil, count: 0)
                    Self.fillDense(&columns[plan.value], plan: plan, values: UnsafeBufferPointer(rebasing: allValues[segment]), raw: raw)
                    if let label = plan.label {
                        // A signal's raw kind is the same in every frame (it follows from the DBC).
                        Self.fillDenseLabels(&columns[label], plan: plan, raw: raw, kind: kinds[first + local])
                    }
                }
            }
        }
    }

    /// A value column of `values.count` rows, every one present.
    private static func fillDense(_ column: inout ParquetColumnBuffer, plan: ParquetSignalTable.SignalColumns,
                                  values: UnsafeBufferPointer<Double>, raw: UnsafeBufferPointer<UInt64>) {
        let n = values.count
        column.rowCount += n
        ParquetColumnBuffer.extend(&column.definitions, by: n) { $0.update(repeating: 1, count: n) }
        column.doubleValues.append(contentsOf: values)
        switch plan.encoding {
        case .rawIndex:
            ParquetColumnBuffer.extend(&column.indexValues, by: n) { out in
                for k in 0..<n { out[k] = UInt32(truncatingIfNeeded: raw[k]) }
            }
        case .zigzagIndex:
            ParquetColumnBuffer.extend(&column.indexValues, by: n) { out in
                for k in 0..<n {
                    let value = Int64(bitPattern: raw[k])
                    out[k] = UInt32(truncatingIfNeeded: (value << 1) ^ (value >> 63))
                }
            }
        case .byteStreamSplit, .plain:
            break
        }
    }

    /// A `_label` column of `raw.count` rows, every one with a raw value.
    private static func fillDenseLabels(_ column: inout ParquetColumnBuffer, plan: ParquetSignalTable.SignalColumns,
                                        raw: UnsafeBufferPointer<UInt64>, kind: DBCRawKind) {
        let n = raw.count
        column.rowCount += n
        let before = column.indexValues.count
        var labelled = 0
        ParquetColumnBuffer.extend(&column.definitions, by: n, zeroed: true) { definitions in
            ParquetColumnBuffer.extend(&column.indexValues, by: n) { out in
                for k in 0..<n {
                    if let key = DBCRawValue(bits: raw[k], kind: kind).tableKey, let text = plan.label(of: key) {
                        definitions[k] = 1
                        out[labelled] = text
                        labelled += 1
                    }
                }
            }
        }
        ParquetColumnBuffer.truncate(&column.indexValues, to: before + labelled)
    }

    /// The five key columns of a message table, gathered from the first signal row of each of its frames.
    private func fillKeys(_ columns: inout [ParquetColumnBuffer], groups: Range<Int>, frameIndices: UnsafeBufferPointer<UInt32>,
                          batch: FrameBatch, fileIndex: Int) {
        let n = groups.count, base = groups.lowerBound
        columns[0].append(index: UInt32(fileIndex), count: n)
        for index in 1..<ParquetSignalTable.keyColumnCount { columns[index].rowCount += n }
        sortedStarts.withUnsafeBufferPointer { starts in
            batch.blocks.withUnsafeBufferPointer { blocks in
                ParquetColumnBuffer.extend(&columns[1].int64Values, by: n) { out in
                    for k in 0..<n { out[k] = Int64(blocks[Int(frameIndices[Int(starts[base + k])])]) }
                }
            }
            batch.timestamps.withUnsafeBufferPointer { timestamps in
                ParquetColumnBuffer.extend(&columns[2].int64Values, by: n) { out in
                    for k in 0..<n { out[k] = Int64(timestamps[Int(frameIndices[Int(starts[base + k])])] / 1000) }
                }
                ParquetColumnBuffer.extend(&columns[3].int64Values, by: n) { out in
                    for k in 0..<n { out[k] = Int64(bitPattern: timestamps[Int(frameIndices[Int(starts[base + k])])]) }
                }
            }
            batch.channels.withUnsafeBufferPointer { channels in
                ParquetColumnBuffer.extend(&columns[4].int32Values, by: n) { out in
                    for k in 0..<n { out[k] = Int32(channels[Int(frameIndices[Int(starts[base + k])])]) }
                }
            }
        }
    }

    /// One signal's value column for the table rows of `hits` (a signal row, or -1: null).
    private static func fillValues(_ column: inout ParquetColumnBuffer, plan: ParquetSignalTable.SignalColumns,
                                   hits: UnsafeBufferPointer<Int32>, present: Int, rawBits: UnsafeBufferPointer<UInt64>,
                                   values: UnsafeBufferPointer<Double>) {
        let n = hits.count
        column.rowCount += n
        ParquetColumnBuffer.extend(&column.definitions, by: n) { definitions in
            if present == n {
                definitions.update(repeating: 1, count: n)
            } else {
                for k in 0..<n { definitions[k] = hits[k] >= 0 ? 1 : 0 }
            }
        }
        // The gathers below skip the null rows; with every row present they are branch-free.
        ParquetColumnBuffer.extend(&column.doubleValues, by: present) { out in
            if present == n {
                for k in 0..<n { out[k] = values[Int(hits[k])] }
            } else {
                var v = 0
                for k in 0..<n where hits[k] >= 0 {
                    out[v] = values[Int(hits[k])]
                    v += 1
                }
            }
        }
        switch plan.encoding {
        case .rawIndex:
            ParquetColumnBuffer.extend(&column.indexValues, by: present) { out in
                var v = 0
                for k in 0..<n where hits[k] >= 0 {
                    out[v] = UInt32(truncatingIfNeeded: rawBits[Int(hits[k])])
                    v += 1
                }
            }
        case .zigzagIndex:
            ParquetColumnBuffer.extend(&column.indexValues, by: present) { out in
                var v = 0
                for k in 0..<n where hits[k] >= 0 {
                    let raw = Int64(bitPattern: rawBits[Int(hits[k])])
                    out[v] = UInt32(truncatingIfNeeded: (raw << 1) ^ (raw >> 63))
                    v += 1
                }
            }
        case .byteStreamSplit, .plain:
            break
        }
    }

    /// One signal's `_label` column for the table rows of `hits`.
    private static func fillLabels(_ column: inout ParquetColumnBuffer, plan: ParquetSignalTable.SignalColumns,
                                   hits: UnsafeBufferPointer<Int32>, rawBits: UnsafeBufferPointer<UInt64>,
                                   kinds: UnsafeBufferPointer<DBCRawKind>) {
        let n = hits.count
        column.rowCount += n
        let before = column.indexValues.count
        var labelled = 0
        ParquetColumnBuffer.extend(&column.definitions, by: n, zeroed: true) { definitions in
            ParquetColumnBuffer.extend(&column.indexValues, by: n) { out in
                for k in 0..<n where hits[k] >= 0 {
                    let at = Int(hits[k])
                    if let key = DBCRawValue(bits: rawBits[at], kind: kinds[at]).tableKey, let text = plan.label(of: key) {
                        definitions[k] = 1
                        out[labelled] = text
                        labelled += 1
                    }
                }
            }
        }
        ParquetColumnBuffer.truncate(&column.indexValues, to: before + labelled)
    }

    // MARK: Encoding

    /// The pages of every table that holds at least `minimumRows` rows, and empties those tables'
    /// buffers; the other tables keep their rows. Encoding a table while its rows are still in the
    /// cache, rather than at the end of a long chunk, saves the second trip through memory.
    ///
    /// - Parameters:
    ///   - encoder: the worker's page encoder.
    ///   - minimumRows: the rows a table needs to be encoded now.
    /// - Returns: the encoded chunks (the tables with fewer rows are absent).
    /// - Throws: what ``ParquetPageEncoder/encode(_:schema:)`` throws.
    public mutating func encode(with encoder: inout ParquetPageEncoder, minimumRows: Int,
                                makeBuffer: (Int) -> EncodedBytes = { EncodedBytes(heapCapacity: $0) }) throws(ParquetError) -> ParquetTableChunks {
        try encode(with: &encoder, minimumRows: minimumRows, minimumCells: 0, makeBuffer: makeBuffer)
    }

    /// The pages of every table that holds at least `minimumRows` rows and `minimumCells` values
    /// (rows times columns), and empties those tables' buffers.
    ///
    /// - Parameters:
    ///   - encoder: the worker's page encoder.
    ///   - minimumRows: the rows a table needs to be encoded now.
    ///   - minimumCells: the values a table needs to be encoded now.
    ///   - makeBuffer: where the pages go.
    /// - Returns: the encoded chunks (the other tables are absent).
    /// - Throws: what ``ParquetPageEncoder/encode(_:schema:)`` throws.
    public mutating func encode(with encoder: inout ParquetPageEncoder, minimumRows: Int, minimumCells: Int,
                                makeBuffer: (Int) -> EncodedBytes = { EncodedBytes(heapCapacity: $0) }) throws(ParquetError) -> ParquetTableChunks {
        var result = ParquetTableChunks()
        if frames[0].rowCount > 0 && frames[0].rowCount >= minimumRows && frames[0].rowCount * frames.count >= minimumCells {
            result.frames = try encoder.encode(frames, schema: layout.frames, makeBuffer: makeBuffer)
            for index in frames.indices { frames[index].removeAll() }
        }
        if errors[0].rowCount > 0 && errors[0].rowCount >= minimumRows && errors[0].rowCount * errors.count >= minimumCells {
            result.errors = try encoder.encode(errors, schema: layout.errors, makeBuffer: makeBuffer)
            for index in errors.indices { errors[index].removeAll() }
        }
        var kept: [Int] = []
        for message in touched {
            let columns = layout.signalTables[message].schema.columns.count
            guard signalRows[message] >= minimumRows && signalRows[message] * columns >= minimumCells else {
                kept.append(message)
                continue
            }
            result.signals.append((message, try encoder.encode(signals[message]!, schema: layout.signalTables[message].schema,
                                                               makeBuffer: makeBuffer)))
            for index in signals[message]!.indices { signals[message]![index].removeAll() }
            signalRows[message] = 0
        }
        touched = kept
        return result
    }

    /// The pages of every table with rows, and empties the buffers.
    ///
    /// - Parameter encoder: the worker's page encoder.
    /// - Returns: the encoded chunks.
    /// - Throws: what ``ParquetPageEncoder/encode(_:schema:)`` throws.
    public mutating func encode(with encoder: inout ParquetPageEncoder) throws(ParquetError) -> ParquetTableChunks {
        try encode(with: &encoder, minimumRows: 0)
    }
}
