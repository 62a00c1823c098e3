/// The levels of `docs/FORMAT.md` ("Errors and what is lost"): the record
/// level at which damage in a CANP file was found.
extension FormatIssue.Level {
    /// The Record0: a truncated tail, a gzip failure, an absurd ISIZE.
    public static let record0 = FormatIssue.Level(name: "0", isStructural: true)
    /// A Record1 header or length.
    public static let record1 = FormatIssue.Level(name: "1", isStructural: true)
    /// A Record2 header or length.
    public static let record2 = FormatIssue.Level(name: "2", isStructural: true)
    /// A Record3 header or length.
    public static let record3 = FormatIssue.Level(name: "3", isStructural: true)
    /// One frame (the payload of a Record3); only that frame is skipped.
    public static let frame = FormatIssue.Level(name: "frame", isStructural: false)
}

/// The reasons a CANP reader gives (the `reason` column of `errors.csv`).
extension FormatIssue.Reason {
    /// Fewer than 35 bytes are left for a Record0 header; the rest of the file is lost.
    public static func truncatedHeader(available: Int) -> Self {
        Self("truncated header: \(available) bytes left, a Record0 header needs 35")
    }

    /// `len0` runs past the end of the file; the rest of the file is lost.
    public static func truncatedPayload(declared: UInt32, available: Int) -> Self {
        Self("truncated payload: len0 is \(declared) but \(available) bytes are left")
    }

    /// The gzip member's ISIZE is above the limit or impossible for its size.
    public static func inflatedSizeTooLarge(declared: UInt32, limit: Int) -> Self {
        Self("gzip ISIZE \(declared) is above the limit of \(limit) bytes for this member")
    }

    /// The gzip member does not inflate, or its CRC-32 or ISIZE does not match.
    public static func gzip(_ error: GzipError) -> Self {
        Self(error.description)
    }

    /// A Record1/2/3 header does not fit in what is left of its parent.
    public static func headerRunsPastParent(available: Int) -> Self {
        Self("header runs past its parent (\(available) bytes left)")
    }

    /// A Record1/2/3 length runs past the end of its parent.
    public static func lengthRunsPastParent(declared: UInt32, available: Int) -> Self {
        Self("length \(declared) runs past its parent (\(available) bytes left)")
    }

    /// A Record3 too short to hold the 16-byte fixed part of a frame.
    public static func frameShorterThan16Bytes(recordLength: UInt32) -> Self {
        Self("frame shorter than 16 bytes (\(recordLength))")
    }

    /// `len3` is not `16 + length`.
    public static func lengthFieldMismatch(recordLength: UInt32, dataLength: UInt8) -> Self {
        Self("len3 \(recordLength) is not 16 + length \(dataLength)")
    }

    /// A classic (non-FD) frame with more than 8 data bytes.
    public static func classicFrameTooLong(dataLength: UInt8) -> Self {
        Self("classic frame longer than 8 bytes (\(dataLength))")
    }

    /// A CAN FD frame whose length is not 0-8, 12, 16, 20, 24, 32, 48 or 64.
    public static func fdLengthNotAllowed(dataLength: UInt8) -> Self {
        Self("CAN FD length \(dataLength) not allowed")
    }

    /// An 11-bit (EFF clear) identifier above 0x7FF.
    public static func standardIdentifierTooLarge(identifier: UInt32) -> Self {
        Self("11-bit id 0x\(String(identifier, radix: 16, uppercase: true)) above 0x7FF")
    }
}
