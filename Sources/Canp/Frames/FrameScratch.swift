/// Raw column buffers that a reader decodes one unit's frames into before
/// they join a `FrameBatch` in bulk (appending to seven arrays frame by
/// frame costs more than CANP's whole walk over a block).
///
/// Owned by one decoder (so used by one thread at a time); grows to the
/// largest block seen and is freed with the decoder.
final class FrameScratch: @unchecked Sendable {
    /// Pointers to the columns, valid until the next `columns(capacity:)` call.
    struct Columns {
        var timestamps: UnsafeMutablePointer<UInt64>
        var identifiers: UnsafeMutablePointer<UInt32>
        var flags: UnsafeMutablePointer<FrameFlags>
        var channels: UnsafeMutablePointer<Int32>
        var lengths: UnsafeMutablePointer<UInt8>
        var dataOffsets: UnsafeMutablePointer<UInt32>
    }

    private var capacity = 0
    private var current: Columns?

    /// Columns with room for at least `capacity` rows.
    func columns(capacity needed: Int) -> Columns {
        if let current, needed <= capacity { return current }
        release()
        capacity = max(needed, 1024)
        let columns = Columns(
            timestamps: .allocate(capacity: capacity), identifiers: .allocate(capacity: capacity),
            flags: .allocate(capacity: capacity), channels: .allocate(capacity: capacity),
            lengths: .allocate(capacity: capacity), dataOffsets: .allocate(capacity: capacity))
        current = columns
        return columns
    }

    private func release() {
        guard let columns = current else { return }
        columns.timestamps.deallocate()
        columns.identifiers.deallocate()
        columns.flags.deallocate()
        columns.channels.deallocate()
        columns.lengths.deallocate()
        columns.dataOffsets.deallocate()
        current = nil
    }

    deinit { release() }
}
