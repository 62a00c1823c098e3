/// A message compiled for decoding: its signals' plans in `SG_` order and,
/// for multiplexed messages, the order in which multiplexers are evaluated.
struct DBCMessagePlan {
    /// The first of this message's plans in the decoder's signal plan table.
    var signalStart: Int32
    var signalCount: Int32
    /// The DBC length, at most 64: bytes after it are ignored.
    var length: Int32
    /// The first of `multiplexerCount` entries of the decoder's multiplexer order
    /// table: local signal indices, each multiplexer after its own multiplexer.
    var multiplexerOrderStart: Int32
    var multiplexerCount: Int32
}
