/// What a ``ParquetSinkEncoder`` emits: the finished pages of some of a
/// chunk's rows for every table that has rows in them, or the reason the
/// encoder could not make them (handed to the sink, which fails the run:
/// encoders cannot throw).
public struct ParquetPiece: Sendable {
    /// The pages.
    public var chunks: ParquetTableChunks
    /// Why encoding failed, if it did.
    public var failure: ParquetError?
}
