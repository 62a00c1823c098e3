/// The canonical `frames.csv` and `errors.csv` rows of `docs/FORMAT.md`,
/// formatted straight into a `CSVByteWriter`.
///
/// `frames.csv`: `file,block,timestamp_ns,channel,can_id,extended,rtr,fd,brs,esi,length,data`
/// with `can_id` as `0x` and upper-case hex without flag bits, flags as 0/1 and
/// `data` as upper-case hex. `errors.csv`: `file,block,offset,level,reason`.
public enum CanonicalCSV {
    /// The header row of `frames.csv`, with its `\n`.
    public static let framesHeader = "file,block,timestamp_ns,channel,can_id,extended,rtr,fd,brs,esi,length,data\n"
    /// The header row of `signals.csv`, with its `\n`.
    public static let signalsHeader = "file,block,timestamp_ns,channel,can_id,message,signal,raw,value,label\n"
    /// The header row of `errors.csv`, with its `\n`.
    public static let errorsHeader = "file,block,offset,level,reason\n"

    /// Appends one `frames.csv` row per frame of a segment of `batch` (or of
    /// `rows` of it).
    ///
    /// - Parameters:
    ///   - batch: the decoded frames.
    ///   - segment: one of `batch.segments`: the frames of one block.
    ///   - rows: rows of the segment to write; nil writes all of them.
    ///   - encodedFileName: the `file` field, already CSV-encoded with
    ///     `CSVByteWriter.encodedField(_:)` (done once per file, not per row).
    ///   - inflated: the data buffer of the segment (the frames' data lives there).
    ///   - writer: receives the rows.
    /// - Complexity: O(frames + data bytes); no allocation beyond the writer's growth.
    public static func appendFrameRows(
        of batch: FrameBatch, segment: FrameBatch.Segment, rows: Range<Int>? = nil, encodedFileName: [UInt8],
        unsafeInflatedBlock inflated: UnsafeRawBufferPointer, to writer: inout CSVByteWriter
    ) {
        let rows = rows ?? segment.frames
        precondition(rows.clamped(to: segment.frames) == rows, "appendFrameRows: rows outside the segment")
        precondition(inflated.count >= segment.dataByteCount, "appendFrameRows: not the segment's data buffer")
        encodedFileName.withUnsafeBytes { name in
            // Longest row: name, 10 separators and newline, block 20, timestamp 20, channel 11,
            // 0x + 8 hex digits, 5 flags, length 3, and 2 hex digits per data byte (at most 255).
            let fixedRoom = name.count + 11 + 20 + 20 + 11 + 10 + 5 + 3
            for row in rows {
                let length = Int(batch.lengths[row])
                writer.reserveCapacity(fixedRoom + 2 * length)
                let flags = batch.flags[row]
                writer.unsafeAppendUnchecked(unsafeBytes: name)
                writer.unsafeAppendUnchecked(UInt8(ascii: ","))
                writer.unsafeAppendDecimalUnchecked(UInt64(batch.blocks[row]))
                writer.unsafeAppendUnchecked(UInt8(ascii: ","))
                writer.unsafeAppendDecimalUnchecked(batch.timestamps[row])
                writer.unsafeAppendUnchecked(UInt8(ascii: ","))
                let channel = batch.channels[row]
                if channel < 0 { writer.unsafeAppendUnchecked(UInt8(ascii: "-")) }
                writer.unsafeAppendDecimalUnchecked(UInt64(channel.magnitude))
                writer.unsafeAppendUnchecked(UInt8(ascii: ","))
                writer.unsafeAppendHexUnchecked(UInt64(batch.identifiers[row]))
                writer.unsafeAppendUnchecked(UInt8(ascii: ","))
                appendFlagUnchecked(flags.contains(.extended), &writer)
                appendFlagUnchecked(flags.contains(.remoteRequest), &writer)
                appendFlagUnchecked(flags.contains(.fd), &writer)
                appendFlagUnchecked(flags.contains(.bitRateSwitch), &writer)
                appendFlagUnchecked(flags.contains(.errorStateIndicator), &writer)
                writer.unsafeAppendDecimalUnchecked(UInt64(length))
                writer.unsafeAppendUnchecked(UInt8(ascii: ","))
                writer.unsafeAppendHexBytesUnchecked(batch.unsafeData(ofFrame: row, in: inflated))
                writer.unsafeAppendUnchecked(UInt8(ascii: "\n"))
            }
        }
    }

    @inline(__always)
    private static func appendFlagUnchecked(_ flag: Bool, _ writer: inout CSVByteWriter) {
        writer.unsafeAppendUnchecked(flag ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        writer.unsafeAppendUnchecked(UInt8(ascii: ","))
    }

    /// Appends the `errors.csv` row of one issue.
    ///
    /// - Parameters:
    ///   - issue: the skipped unit.
    ///   - writer: receives the row.
    /// - Complexity: O(length of the file name and reason).
    public static func appendErrorRow(_ issue: FormatIssue, to writer: inout CSVByteWriter) {
        writer.appendField(issue.file)
        writer.appendComma()
        writer.appendDecimal(issue.block)
        writer.appendComma()
        writer.appendDecimal(issue.offset)
        writer.appendComma()
        writer.appendRaw(issue.level.description)
        writer.appendComma()
        writer.appendField(issue.reason.description)
        writer.appendNewline()
    }
}
