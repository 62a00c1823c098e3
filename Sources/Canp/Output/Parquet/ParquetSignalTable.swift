/// The wide table of one DBC message (`signals/MESSAGE/part-P.parquet`):
/// the five key columns, then one DOUBLE column per signal in `SG_` order,
/// each followed by its `_label` STRING column when the signal has a value
/// table (`spec/PARQUET.md`).
///
/// Known before the run: the schema, the directory name and how each signal
/// is encoded follow from the DBC alone.
public struct ParquetSignalTable: Sendable {
    /// How a signal's physical values are stored.
    enum ValueEncoding: Sendable, Hashable {
        /// Indices into an observed dictionary: the raw value (unsigned).
        case rawIndex
        /// Indices into an observed dictionary: the raw value zigzag-mapped (0, -1, 1, -2, ...),
        /// so that a signed signal near zero uses the low entries.
        case zigzagIndex
        /// The doubles, byte-stream split.
        case byteStreamSplit
        /// The doubles as they are.
        case plain
    }

    /// One signal's columns.
    struct SignalColumns: Sendable {
        var value: Int
        var encoding: ValueEncoding
        /// The `_label` column, if the signal has a value table.
        var label: Int?
        /// Raw value (as `DBCRawValue.tableKey`) to label index.
        var labels: [Int128: UInt32]
        /// The same for keys `denseBase..<denseBase + dense.count` (`UInt32.max`: no label), when the
        /// keys span a small range: an array load instead of a hash lookup per value.
        var dense: [UInt32] = []
        var denseBase: Int128 = 0

        @inline(__always)
        func label(of key: Int128) -> UInt32? {
            if !dense.isEmpty {
                let offset = key &- denseBase
                guard offset >= 0 && offset < Int128(dense.count) else { return nil }
                let text = dense[Int(offset)]
                return text == .max ? nil : text
            }
            return labels[key]
        }
    }

    /// The message's position in the DBC (`DBCDecoder.database.messages`).
    public let messageIndex: Int
    /// The message name.
    public let messageName: String
    /// The directory under `signals/`: the name escaped, plus `__0x<id>` for every
    /// message but the first of those sharing a name.
    public let directoryName: String
    /// The columns.
    public let schema: ParquetSchema
    /// The decoder's global index of the message's first signal.
    let firstSignal: Int
    let signals: [SignalColumns]

    /// The key columns every signal table starts with.
    static let keyColumnCount = 5

    /// The encoding of a signal's values, from what the DBC says of it.
    ///
    /// Measured on CANP's generated fleet data against pyarrow (README,
    /// Parquet section): an integer signal of up to 8 bits, or of up to 16
    /// bits with a scale that is not a power of two, is smallest as indices
    /// of its raw value (at most 65,536 entries; a row group's dictionary
    /// page holds the values it used), byte-aligned so that zstd sees the
    /// value's high and low bytes. A scale that is a power of two (1, 0.5,
    /// 2^-5) makes doubles whose low mantissa bytes are zero: those compress
    /// best byte-stream split, as do float signals. Wider integer signals
    /// with other scales have random low mantissa bits and stay plain.
    static func valueEncoding(of signal: DBCSignal) -> ValueEncoding {
        let dyadic = signal.scale != 0 && signal.scale.significandWidth == 0
        guard signal.valueType == .integer else { return .byteStreamSplit }
        if signal.length <= 8 || (signal.length <= 16 && !dyadic) {
            return signal.isSigned ? .zigzagIndex : .rawIndex
        }
        return dyadic ? .byteStreamSplit : .plain
    }

    init(messageIndex: Int, message: DBCMessage, directoryName: String, firstSignal: Int,
         fileDictionary: ParquetDictionary) throws(ParquetError) {
        self.messageIndex = messageIndex
        messageName = message.name
        self.directoryName = directoryName
        self.firstSignal = firstSignal
        var schema = ParquetSchema()
        for column in ParquetOutputLayout.keyColumns(fileDictionary: fileDictionary) { try schema.append(column) }
        var taken = Set(schema.columns.map(\.name))
        func free(_ name: String) -> String {
            var name = name
            while taken.contains(name) { name += "_" }
            taken.insert(name)
            return name
        }
        var signals: [SignalColumns] = []
        for signal in message.signals {
            let encoding = Self.valueEncoding(of: signal)
            let columnEncoding: ParquetColumn.Encoding
            switch encoding {
            case .rawIndex, .zigzagIndex:
                columnEncoding = .dictionary(ParquetDictionary(observedDoubleCount: 1 << signal.length))
            case .byteStreamSplit: columnEncoding = .byteStreamSplit
            case .plain: columnEncoding = .plain
            }
            let value = try schema.append(ParquetColumn(free(signal.name), .double, repetition: .optional, encoding: columnEncoding))
            var label: Int?
            var labels: [Int128: UInt32] = [:]
            if !signal.valueDescriptions.isEmpty {
                // Unique texts in first-seen order; several raw values may share one. A raw
                // value listed twice takes its last text, as DBCDecoder.label does.
                var texts: [String] = []
                var positions: [String: UInt32] = [:]
                for entry in signal.valueDescriptions {
                    let position = positions[entry.text] ?? {
                        texts.append(entry.text)
                        positions[entry.text] = UInt32(texts.count - 1)
                        return UInt32(texts.count - 1)
                    }()
                    labels[entry.value] = position
                }
                label = try schema.append(ParquetColumn(
                    free(signal.name + "_label"), .byteArray, logicalType: .string, repetition: .optional,
                    encoding: .dictionary(ParquetDictionary(strings: texts))))
            }
            var columns = SignalColumns(value: value, encoding: encoding, label: label, labels: labels)
            if let low = labels.keys.min(), let high = labels.keys.max(), high &- low >= 0, high &- low < 4096 {
                columns.denseBase = low
                columns.dense = Array(repeating: .max, count: Int(high - low) + 1)
                for (key, text) in labels { columns.dense[Int(key - low)] = text }
            }
            signals.append(columns)
        }
        self.schema = schema
        self.signals = signals
    }
}
