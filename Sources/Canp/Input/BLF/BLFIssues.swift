/// The levels of a BLF file's damage (`docs/INPUTS.md`, "Vector BLF").
extension FormatIssue.Level {
    /// A container or the file itself: a container that does not inflate or
    /// whose inflated size differs from its header, an unknown compression
    /// method, a cut file (the rest of the file).
    public static let blfContainer = FormatIssue.Level(name: "0", isStructural: true)
    /// One object: an invalid object header (bad signature, a size smaller
    /// than its header, a size running past the end of the following
    /// container or of the file), or a frame object too small for its type;
    /// reading resumes at the next `LOBJ` signature.
    public static let blfObject = FormatIssue.Level(name: "1", isStructural: false)
}

/// The reasons a BLF reader gives (the `reason` column of `errors.csv`).
extension FormatIssue.Reason {
    /// Fewer bytes than the file header needs.
    static func blfTruncatedFileHeader(available: Int, needed: Int) -> Self {
        Self("truncated BLF file header: \(available) bytes, \(needed) needed")
    }

    /// The file header's size field is impossible.
    static func blfFileHeaderSize(_ size: UInt32, fileSize: Int) -> Self {
        Self("BLF file header size \(size) is invalid for a file of \(fileSize) bytes; objects read from offset 144")
    }

    /// Fewer than 16 bytes are left for a top-level object header: the rest of the file is lost.
    static func blfTruncatedObjectHeader(available: Int) -> Self {
        Self("cut file: \(available) bytes left, an object header needs 16")
    }

    /// A top-level object runs past the end of the file: the rest of the file is lost.
    static func blfCutObject(size: UInt32, available: Int) -> Self {
        Self("cut file: object size \(size) but \(available) bytes are left")
    }

    /// No `LOBJ` signature where an object must start.
    static var blfBadSignature: Self { Self("bad object signature (no LOBJ within 8 bytes)") }

    /// An object's size is smaller than its header.
    static func blfSizeBelowHeader(size: UInt32, header: Int) -> Self {
        Self("object size \(size) smaller than its header (\(header))")
    }

    /// An object runs past the end of the container after its own.
    static func blfRunsPastFollowingContainer(size: UInt32) -> Self {
        Self("object size \(size) runs past the end of the following container")
    }

    /// An object runs past the end of the last container of the file.
    static func blfRunsPastFile(size: UInt32) -> Self {
        Self("object size \(size) runs past the end of the file")
    }

    /// An object continues into a container that cannot be read.
    static var blfFollowingContainerUnreadable: Self {
        Self("object continues into a container that does not inflate")
    }

    /// A container whose compression method is neither 0 (stored) nor 2 (zlib).
    static func blfUnknownCompression(method: UInt16) -> Self {
        Self("unknown compression method \(method)")
    }

    /// A container too small for its own header.
    static func blfContainerTooSmall(size: UInt32) -> Self {
        Self("container size \(size) smaller than its 32-byte header")
    }

    /// A container whose inflated size is above the format's limit.
    static func blfInflatedSizeTooLarge(declared: UInt32, limit: Int) -> Self {
        Self("declared inflated size \(declared) above the limit of \(limit) bytes")
    }

    /// A zlib container that does not inflate.
    static var blfZlibInvalid: Self { Self("zlib: invalid or truncated data") }

    /// A container that inflates to another size than its header says.
    static func blfInflatedSizeMismatch(declared: UInt32, actual: Int?) -> Self {
        if let actual { return Self("inflated size \(actual) differs from the declared \(declared)") }
        return Self("inflates to more than the declared \(declared) bytes")
    }

    /// A frame object too small for the fields of its type.
    static func blfFrameObjectTooSmall(type: UInt32, size: UInt32) -> Self {
        Self("object of type \(type) too small for its fields (size \(size))")
    }

    /// A CAN FD object claiming more than 64 data bytes.
    static func blfValidBytesAbove64(_ valid: UInt8) -> Self {
        Self("CAN FD valid byte count \(valid) above 64")
    }

    /// A timestamp that does not fit 64 bits of ns since the epoch.
    static var blfTimestampOverflow: Self { Self("timestamp beyond 64 bits of ns") }
}
