/// The tables of a Parquet output and their schemas (`spec/PARQUET.md`):
/// `frames`, `errors`, and one wide table per DBC message, known before the
/// run from the run's input names and the DBC.
///
/// The string columns are dictionary-encoded against dictionaries fixed
/// here: `file` against the run's input names (index = the file's position
/// in the run), `frames.message` against the DBC's message names (index =
/// the message's position), each `_label` column against its value table.
public struct ParquetOutputLayout: Sendable {
    /// The `frames` table.
    public let frames: ParquetSchema
    /// The `errors` table.
    public let errors: ParquetSchema
    /// The message tables, by message position in the DBC (empty without a DBC).
    public let signalTables: [ParquetSignalTable]
    /// The input file names of the run, in run order.
    public let inputNames: [String]
    /// For every global signal index of the decoder, its message position.
    let messageOfSignal: [Int32]
    /// For every message, its number of signals.
    let signalCounts: [Int32]

    /// Column positions of `frames` (the order of the spec).
    enum FramesColumn: Int, CaseIterable {
        case file, block, timestamp, timestampNanoseconds, channel, canID, extended, rtr, err, fd, brs, esi, length, data, message
    }

    /// Column positions of `errors`.
    enum ErrorsColumn: Int, CaseIterable {
        case file, block, offset, level, reason
    }

    /// The layout of a run.
    ///
    /// - Parameters:
    ///   - inputNames: the `file` values, in the order of the run's inputs (`DecodedSlice.fileIndex`).
    ///   - decoder: the DBC decoder, or nil when no signals are decoded.
    /// - Throws: ``ParquetError/invalidSchema(_:)`` (not for any DBC the parser accepts: names are made unique).
    /// - Complexity: O(files + signals).
    public init(inputNames: [String], decoder: DBCDecoder?) throws(ParquetError) {
        self.inputNames = inputNames
        let files = ParquetDictionary(strings: inputNames)
        let messages = decoder?.messages ?? []
        var frames = ParquetSchema()
        for column in Self.keyColumns(fileDictionary: files).prefix(4) { try frames.append(column) }
        try frames.append(ParquetColumn("channel", .int32, encoding: .deltaBinaryPacked))
        // can_id: a few distinct values whose set is not known before the run (ids the DBC does
        // not define occur): byte-stream split lets zstd see the constant high bytes.
        try frames.append(ParquetColumn("can_id", .int64, encoding: .byteStreamSplit))
        for flag in ["extended", "rtr", "err", "fd", "brs", "esi"] { try frames.append(ParquetColumn(flag, .boolean)) }
        try frames.append(ParquetColumn("length", .int32, encoding: .dictionary(ParquetDictionary(int32Values: (0...64).map { Int32($0) }))))
        // data: short payloads (0-64 bytes): without PLAIN's 4-byte length per value, zstd has a third less to read.
        try frames.append(ParquetColumn("data", .byteArray, encoding: .deltaLengthByteArray, statistics: false))
        try frames.append(ParquetColumn("message", .byteArray, logicalType: .string, repetition: .optional,
                                        encoding: .dictionary(ParquetDictionary(strings: messages.map(\.name)))))
        self.frames = frames

        self.errors = try ParquetSchema([
            ParquetColumn("file", .byteArray, logicalType: .string),
            ParquetColumn("block", .int64),
            ParquetColumn("offset", .int64),
            ParquetColumn("level", .byteArray, logicalType: .string),
            ParquetColumn("reason", .byteArray, logicalType: .string),
        ])

        var tables: [ParquetSignalTable] = []
        var owners: [Int32] = []
        var seen = Set<String>()
        var directories = Set<String>()
        for (index, message) in messages.enumerated() {
            var directory = Self.escapedName(message.name)
            if !seen.insert(message.name).inserted {
                directory += "__0x" + String(message.id, radix: 16, uppercase: true)
            }
            // The same name and id twice more (one DBC given twice, or bound to two channel sets):
            // PARQUET.md's suffix no longer tells them apart, so the later one also gets the number
            // of its DBC in the order given (`__dbc2`), and a count if even that repeats.
            if !directories.insert(directory).inserted, let decoder {
                let base = directory + "__dbc" + String(decoder.bindingIndex(ofMessageAt: index))
                directory = base
                var repeatCount = 2
                while !directories.insert(directory).inserted {
                    directory = base + "_" + String(repeatCount)
                    repeatCount += 1
                }
            }
            let first = decoder!.signalRange(ofMessageAt: index).lowerBound
            tables.append(try ParquetSignalTable(messageIndex: index, message: message, directoryName: directory,
                                                 firstSignal: first, fileDictionary: files))
            owners.append(contentsOf: repeatElement(Int32(index), count: message.signals.count))
        }
        signalTables = tables
        messageOfSignal = owners
        signalCounts = messages.map { Int32($0.signals.count) }
    }

    /// `file`, `block`, `timestamp`, `timestamp_ns`, `channel`: the first columns of frames and of every signal table.
    static func keyColumns(fileDictionary: ParquetDictionary) -> [ParquetColumn] {
        [
            ParquetColumn("file", .byteArray, logicalType: .string, encoding: .dictionary(fileDictionary)),
            ParquetColumn("block", .int64, encoding: .deltaBinaryPacked),
            ParquetColumn("timestamp", .int64, logicalType: .timestampMicrosecondsUTC, encoding: .deltaBinaryPacked),
            ParquetColumn("timestamp_ns", .int64, encoding: .deltaBinaryPacked),
            ParquetColumn("channel", .int32, encoding: .deltaBinaryPacked),
        ]
    }

    /// A message name as a directory name: bytes outside `[A-Za-z0-9_-]` become `%` and two upper-case hex digits.
    ///
    /// - Parameter name: the DBC message name.
    /// - Returns: the escaped name.
    public static func escapedName(_ name: String) -> String {
        var result = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "-"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }
}
