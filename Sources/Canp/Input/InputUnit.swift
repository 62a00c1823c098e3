/// One unit of a file that a CPU worker decodes on its own: a CANP
/// Record0, a BLF container, a chunk of text lines.
///
/// It holds offsets, not pointers, so it can be sent to any thread; it
/// describes bytes of the file that the pipeline keeps alive.
public struct InputUnit: Sendable, Hashable {
    /// The unit's number in its file, from 0 in file order.
    public var index: Int
    /// The byte offset of the unit in the file (the `offset` of its issues).
    public var offset: Int
    /// The unit's bytes in the file.
    public var length: Int
    /// The bytes of memory its decoding needs (CANP: the inflated size);
    /// the pipeline takes them from its pool, under the memory limit, before
    /// the unit is decoded, and adds ``InputUnit/padding`` bytes after them.
    public var workspaceBytes: Int
    /// The block number of the unit's first frame (CANP: the unit's index; a
    /// text chunk: its first line number).
    public var firstBlock: Int
    /// A value the format keeps for itself (the scan's finding that the
    /// decoder needs again).
    public var tag: UInt64

    /// Bytes after every workspace that a decoder may read but never writes,
    /// so that payloads can be decoded in place with wide loads (the signal
    /// decoder reads a payload's bits with 8-byte loads plus a ninth byte).
    public static let padding = 16

    /// Creates a unit.
    ///
    /// - Parameters:
    ///   - index: its number in the file.
    ///   - offset: its byte offset in the file.
    ///   - length: its bytes in the file.
    ///   - workspaceBytes: the memory its decoding needs.
    ///   - firstBlock: the block number of its first frame.
    ///   - tag: a value for the format's decoder.
    public init(index: Int, offset: Int, length: Int, workspaceBytes: Int, firstBlock: Int, tag: UInt64 = 0) {
        self.index = index
        self.offset = offset
        self.length = length
        self.workspaceBytes = workspaceBytes
        self.firstBlock = firstBlock
        self.tag = tag
    }

    /// The unit's bytes in the file.
    public var byteRange: Range<Int> { offset..<(offset + length) }
}

/// What a format's scan found in a file, in file order.
public struct InputScan: Sendable {
    /// One thing in the file.
    public enum Entry: Sendable {
        /// A unit to decode.
        case unit(InputUnit)
        /// A unit the scan already knows is lost (a cut file's tail), with
        /// its counts (for example one truncated tail).
        case skipped(FormatIssue, FormatCounts)
    }

    /// The units and skipped units, in file order.
    public var entries: [Entry]

    /// Creates a scan result.
    ///
    /// - Parameter entries: the units and skipped units in file order.
    public init(entries: [Entry] = []) {
        self.entries = entries
    }
}

/// How far a unit is decoded: every depth includes the ones before it. The
/// shallower depths measure the cost of each layer (`canp bench`).
public enum DecodeDepth: Sendable, Hashable {
    /// Decompress only (libdeflate): the physical limit. Formats without a
    /// compression layer do nothing.
    case inflate
    /// Decompress with zlib instead (the peer most tools use).
    case inflateWithZlib
    /// Decompress and check the structure (frames are counted, not decoded).
    case walk
    /// Decode the frames.
    case frames
}

/// State passed from one unit of a file to the next, for formats in which a
/// unit's decoding depends on where its predecessor ended (BLF: an object
/// split across two containers). Formats without such a dependency ignore it.
public struct UnitEntry: Sendable, Hashable {
    /// The predecessor's ``InputUnitDecoder/exitState`` (nil at the start of
    /// a file, or for formats without state), when ``isKnown``.
    public var state: UInt64?
    /// Whether ``state`` is known. When it is not, the decoder assumes one
    /// and reports it in ``UnitStart/assumedEntry``; the pipeline checks the
    /// assumption against the predecessor's exit state before the unit's
    /// output is used, and decodes the unit again on a mismatch.
    public var isKnown: Bool

    /// Creates an entry.
    ///
    /// - Parameters:
    ///   - state: the predecessor's exit state.
    ///   - isKnown: whether it is known.
    public init(state: UInt64?, isKnown: Bool) {
        self.state = state
        self.isKnown = isKnown
    }

    /// A known state.
    public static func known(_ state: UInt64?) -> UnitEntry { UnitEntry(state: state, isKnown: true) }

    /// No state known: the decoder assumes one.
    public static let unknown = UnitEntry(state: nil, isKnown: false)
}

/// How the decoding of a unit began.
public struct UnitStart: Sendable, Hashable {
    /// Whether frames may follow (false: the unit was skipped as a whole,
    /// its issue and counts are in the batch, or the depth decodes no frames).
    public var hasFrames: Bool
    /// The entry state the decoder assumed when the one it was given was not
    /// known (nil: it assumed none, or it was given a known one).
    public var assumedEntry: UInt64?

    /// Creates a start.
    ///
    /// - Parameters:
    ///   - hasFrames: whether frames may follow.
    ///   - assumedEntry: the entry state assumed, if any.
    public init(hasFrames: Bool, assumedEntry: UInt64? = nil) {
        self.hasFrames = hasFrames
        self.assumedEntry = assumedEntry
    }
}

/// Decodes the units of one format on one CPU worker, one unit at a time,
/// incrementally: ``start(_:fileBytes:fileName:workspace:depth:entry:into:)``
/// then ``next(into:maximumFrames:)`` until it returns false, so that the
/// memory of the frames in flight stays bounded whatever a unit holds.
///
/// A decoder is used by one thread at a time and reused for unit after unit.
/// It never reads outside `fileBytes` and the workspace, whatever the bytes.
public protocol InputUnitDecoder: AnyObject {
    /// Begins a unit: decompress it into `workspace`, check what must be
    /// checked before any frame is emitted, and report a unit lost as a
    /// whole (an issue and counts in `frames`).
    ///
    /// - Parameters:
    ///   - unit: the unit, from this format's scan of `fileBytes`.
    ///   - fileBytes: the whole file.
    ///   - fileName: the file name, for issues.
    ///   - workspace: `unit.workspaceBytes` writable bytes, followed by
    ///     ``InputUnit/padding`` readable bytes; the frames' data must lie here
    ///     (their `dataOffsets` count from its start), and bytes that emitted
    ///     frames point to are never written again.
    ///   - depth: how far to decode.
    ///   - entry: the state its predecessor left (see ``UnitEntry``).
    ///   - frames: receives issues and counts (and frames, from ``next(into:maximumFrames:)``).
    /// - Returns: whether frames follow, and the entry state assumed.
    func start(
        _ unit: InputUnit, fileBytes: UnsafeRawBufferPointer, fileName: String,
        workspace: UnsafeMutableRawBufferPointer, depth: DecodeDepth, entry: UnitEntry, into frames: inout FrameBatch
    ) -> UnitStart

    /// Appends up to `maximumFrames` more frames of the started unit (with a
    /// segment for them), and their issues and counts.
    ///
    /// - Parameters:
    ///   - frames: receives the frames.
    ///   - maximumFrames: at most this many frames (at least 1).
    /// - Returns: whether the unit has more frames.
    func next(into frames: inout FrameBatch, maximumFrames: Int) -> Bool

    /// The state the next unit starts from, once the unit is done (nil for
    /// formats without one).
    var exitState: UInt64? { get }
}
