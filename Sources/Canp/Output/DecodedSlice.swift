/// One slice of decoded data for a sink: the frames of one unit (or of a
/// part of a large unit) of one file, with the unit's issues.
///
/// Valid only during the ``SinkEncoder/encode(_:signals:to:)`` call, except
/// ``sharedData``, which a sink that retains unit data may keep.
public struct DecodedSlice {
    /// The file's position in the run's inputs (``SinkRun/inputs``).
    public var fileIndex: Int
    /// The file name without directory (the `file` column).
    public var fileName: String
    /// The frames: at most one segment, whose data buffer is ``data``; and
    /// the skipped units found in the same stretch of the file, in order.
    public var frames: FrameBatch
    /// The data buffer of the frames (their `dataOffsets` count from its start).
    public var data: UnsafeRawBufferPointer
    /// The same buffer as shared pool memory, for sinks whose
    /// ``OutputSink/retainsUnitData`` is true (nil otherwise).
    public var sharedData: SharedBlock?

    /// Creates a slice.
    public init(fileIndex: Int, fileName: String, frames: FrameBatch, data: UnsafeRawBufferPointer, sharedData: SharedBlock?) {
        self.fileIndex = fileIndex
        self.fileName = fileName
        self.frames = frames
        self.data = data
        self.sharedData = sharedData
    }
}
