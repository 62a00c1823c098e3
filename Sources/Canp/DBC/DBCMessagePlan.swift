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
    /// The payload bytes from which every signal is decoded by the compact
    /// loop over the decoder's `DBCFastSignal` table; `Int32.max` when the
    /// message cannot use it (multiplexed, a float or a slow integer signal,
    /// a signal that is never decodable).
    var fastRequired: Int32 = .max
    /// The first of this message's entries in the decoder's `DBCFastSignal`
    /// table, and their number: `signalCount` rounded up to the fast group.
    var fastStart: Int32 = 0
    var fastPadded: Int32 = 0
}

/// A signal of a message that every frame of full length decodes on the
/// fast path: the fields of `DBCSignalPlan` that path needs, in 32 bytes,
/// with the byte order folded into the shifts.
struct DBCFastSignal {
    var scale: Double
    var offset: Double
    var globalIndex: UInt32
    /// The first payload byte of the 8-byte load.
    var loadByte: UInt8
    /// The loaded word (byte-swapped when big-endian) is shifted right by
    /// this, then left by `leftShift`, to put the signal's bits at the top.
    var rightShift: UInt8
    var leftShift: UInt8
    /// 64 - length: the final logical or arithmetic shift.
    var topShift: UInt8
    var isBigEndian: Bool
    /// `.signed` (the raw value is sign-extended) or `.unsigned`.
    var kind: DBCRawKind

    /// The fast form of a plan; meaningful only when the plan has `isFastInteger`.
    init(_ plan: DBCSignalPlan) {
        scale = plan.scale
        offset = plan.offset
        globalIndex = plan.globalIndex
        loadByte = UInt8(plan.loadByte)
        isBigEndian = plan.isBigEndian
        rightShift = plan.isBigEndian ? 0 : plan.shift
        leftShift = plan.isBigEndian ? plan.shift : plan.topShift
        topShift = plan.topShift
        kind = plan.kind == .signed ? .signed : .unsigned
    }

    /// The raw value's bits (sign-extended when signed).
    ///
    /// - Parameter payload: Readable to `loadByte + 8`.
    /// - Precondition: made from a plan with `isFastInteger` (one load is enough).
    @inline(__always)
    func raw(_ payload: UnsafeRawPointer) -> Int64 {
        let word = (payload + Int(loadByte)).loadUnaligned(as: UInt64.self)
        let ordered = isBigEndian ? UInt64(bigEndian: word) : UInt64(littleEndian: word)
        let aligned = (ordered &>> rightShift) &<< leftShift
        return kind == .signed ? Int64(bitPattern: aligned) &>> topShift : Int64(bitPattern: aligned &>> topShift)
    }
}
