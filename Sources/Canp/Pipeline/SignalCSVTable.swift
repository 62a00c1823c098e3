/// The per-signal text of `signals.csv`, encoded once per run: the message
/// and signal name fields and the value-table labels, already CSV-quoted, so
/// that writing a row copies bytes and formats numbers only.
final class SignalCSVTable: Sendable {
    let messageFields: [[UInt8]]
    let signalFields: [[UInt8]]
    let labelFields: [[Int64: [UInt8]]]

    init(decoder: DBCDecoder) {
        var messages: [[UInt8]] = []
        var signals: [[UInt8]] = []
        var labels: [[Int64: [UInt8]]] = []
        messages.reserveCapacity(decoder.signalCount)
        for index in 0..<decoder.signalCount {
            let signal = decoder.signal(at: index)
            messages.append(CSVByteWriter.encodedField(decoder.message(ofSignalAt: index).name))
            signals.append(CSVByteWriter.encodedField(signal.name))
            var table: [Int64: [UInt8]] = [:]
            for entry in signal.valueDescriptions {
                table[entry.value] = CSVByteWriter.encodedField(entry.text)
            }
            labels.append(table)
        }
        messageFields = messages
        signalFields = signals
        labelFields = labels
    }

    /// Appends the `signals.csv` rows of `rows` of a signal batch whose
    /// frame indices are rows of `frames`.
    func appendRows(
        _ rows: Range<Int>, of signals: borrowing DBCSignalBatch, frames: FrameBatch, encodedFileName: [UInt8],
        to writer: inout CSVByteWriter
    ) {
        signals.withUnsafeColumns { frameIndices, signalIndices, rawBits, kinds, values in
            for row in rows {
                let frame = Int(frameIndices[row])
                let signal = Int(signalIndices[row])
                writer.appendRaw(encodedFileName)
                writer.appendComma()
                writer.appendDecimal(UInt64(frames.blocks[frame]))
                writer.appendComma()
                writer.appendDecimal(frames.timestamps[frame])
                writer.appendComma()
                writer.appendDecimal(UInt64(frames.channels[frame]))
                writer.appendComma()
                writer.appendHexadecimal(UInt64(frames.identifiers[frame]))
                writer.appendComma()
                writer.appendRaw(messageFields[signal])
                writer.appendComma()
                writer.appendRaw(signalFields[signal])
                writer.appendComma()
                let bits = rawBits[row]
                let key: Int64?
                switch kinds[row] {
                case .unsigned:
                    writer.appendDecimal(bits)
                    key = Int64(exactly: bits)
                case .signed:
                    writer.appendDecimal(Int64(bitPattern: bits))
                    key = Int64(bitPattern: bits)
                case .float:
                    let value = Double(bitPattern: bits)
                    writer.appendDouble(value)
                    key = value.isFinite && value.rounded(.towardZero) == value ? Int64(exactly: value) : nil
                }
                writer.appendComma()
                writer.appendDouble(values[row])
                writer.appendComma()
                if let key, !labelFields[signal].isEmpty, let label = labelFields[signal][key] {
                    writer.appendRaw(label)
                }
                writer.appendNewline()
            }
        }
    }
}
