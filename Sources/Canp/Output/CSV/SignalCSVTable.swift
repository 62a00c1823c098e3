/// The per-signal text of `signals.csv`, encoded once per run, so that
/// writing a row copies bytes and formats few numbers.
///
/// - `message,signal,` of every signal is one CSV-quoted byte run in a flat
///   buffer (no per-row array to retain);
/// - the row prefix `file,block,timestamp_ns,channel,can_id,` is formatted
///   once per frame and copied for each of its signals;
/// - value-table labels are encoded once.
final class SignalCSVTable: @unchecked Sendable {
    // @unchecked: immutable after init; the buffers are freed in deinit.
    private let names: UnsafeMutablePointer<UInt8>
    private let nameStarts: [Int]
    private let labelFields: [[Int128: [UInt8]]]

    init(decoder: DBCDecoder) {
        var bytes: [UInt8] = []
        var starts: [Int] = [0]
        var labels: [[Int128: [UInt8]]] = []
        for index in 0..<decoder.signalCount {
            let signal = decoder.signal(at: index)
            bytes += CSVByteWriter.encodedField(decoder.message(ofSignalAt: index).name)
            bytes.append(UInt8(ascii: ","))
            bytes += CSVByteWriter.encodedField(signal.name)
            bytes.append(UInt8(ascii: ","))
            starts.append(bytes.count)
            var table: [Int128: [UInt8]] = [:]
            for entry in signal.valueDescriptions { table[entry.value] = CSVByteWriter.encodedField(entry.text) }
            labels.append(table)
        }
        names = .allocate(capacity: max(bytes.count, 1))
        names.initialize(from: bytes, count: bytes.count)
        nameStarts = starts
        labelFields = labels
    }

    deinit { names.deallocate() }

    /// Appends the `signals.csv` rows of `rows` of a signal batch whose
    /// frame indices are rows of `frames`.
    func appendRows(
        _ rows: Range<Int>, of signals: borrowing DBCSignalBatch, frames: FrameBatch, encodedFileName: [UInt8],
        cache: inout DoubleTextCache, to writer: inout CSVByteWriter
    ) {
        guard !rows.isEmpty else { return }
        var prefix = CSVByteWriter(capacity: 128)
        var prefixFrame = -1
        signals.withUnsafeColumns { frameIndices, signalIndices, rawBits, kinds, values in
            nameStarts.withUnsafeBufferPointer { starts in
                for row in rows {
                    let frame = Int(frameIndices[row])
                    if frame != prefixFrame {
                        prefixFrame = frame
                        prefix.removeAll()
                        prefix.appendRaw(encodedFileName)
                        prefix.appendComma()
                        prefix.appendDecimal(UInt64(frames.blocks[frame]))
                        prefix.appendComma()
                        prefix.appendDecimal(frames.timestamps[frame])
                        prefix.appendComma()
                        prefix.appendDecimal(Int64(frames.channels[frame]))
                        prefix.appendComma()
                        prefix.appendHexadecimal(UInt64(frames.identifiers[frame]))
                        prefix.appendComma()
                    }
                    prefix.withUnsafeBytes { writer.appendRaw(unsafeBytes: $0) }
                    let signal = Int(signalIndices[row])
                    writer.appendRaw(unsafeBytes: UnsafeRawBufferPointer(
                        start: names + starts[signal], count: starts[signal + 1] - starts[signal]))
                    let bits = rawBits[row]
                    let key: Int128?
                    switch kinds[row] {
                    case .unsigned:
                        writer.appendDecimal(bits)
                        key = Int128(bits)
                    case .signed:
                        writer.appendDecimal(Int64(bitPattern: bits))
                        key = Int128(Int64(bitPattern: bits))
                    case .float:
                        let value = Double(bitPattern: bits)
                        cache.append(value, to: &writer)
                        key = value.isFinite && value.rounded(.towardZero) == value ? Int128(exactly: value) : nil
                    }
                    writer.appendComma()
                    cache.append(values[row], to: &writer)
                    writer.appendComma()
                    if let key, !labelFields[signal].isEmpty, let label = labelFields[signal][key] {
                        writer.appendRaw(label)
                    }
                    writer.appendNewline()
                }
            }
        }
    }
}

/// Remembers the shortest round-trip text of recently formatted doubles.
///
/// A signal's physical value is a function of its raw value, and signals
/// change slowly, so the same doubles recur: a direct-mapped table of 4096
/// entries avoids most of the formatting (the slowest part of a row).
struct DoubleTextCache: ~Copyable {
    private static let slots = 4096
    private static let slotBytes = 32
    private let keys: UnsafeMutablePointer<UInt64>
    private let lengths: UnsafeMutablePointer<UInt8>
    private let texts: UnsafeMutablePointer<UInt8>

    init() {
        keys = .allocate(capacity: Self.slots)
        lengths = .allocate(capacity: Self.slots)
        lengths.initialize(repeating: 0, count: Self.slots)
        keys.initialize(repeating: 0, count: Self.slots)
        texts = .allocate(capacity: Self.slots * Self.slotBytes)
    }

    deinit {
        keys.deallocate()
        lengths.deallocate()
        texts.deallocate()
    }

    /// Appends the shortest text that reads back to `value` (as `CSVByteWriter.appendDouble`).
    mutating func append(_ value: Double, to writer: inout CSVByteWriter) {
        let bits = value.bitPattern
        let slot = Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> 52)
        let text = texts + slot * Self.slotBytes
        if lengths[slot] != 0 && keys[slot] == bits {
            writer.appendRaw(unsafeBytes: UnsafeRawBufferPointer(start: text, count: Int(lengths[slot])))
            return
        }
        var description = value.description
        description.withUTF8 { utf8 in
            writer.appendRaw(unsafeBytes: UnsafeRawBufferPointer(utf8))
            if utf8.count < Self.slotBytes {
                text.update(from: utf8.baseAddress!, count: utf8.count)
                keys[slot] = bits
                lengths[slot] = UInt8(utf8.count)
            }
        }
    }
}
