/// Maps a frame's identifier and EFF flag to a message index.
///
/// Standard (11-bit) identifiers index a 2048-entry array directly; extended
/// identifiers go through an open-addressing hash table with linear probing
/// at a load factor of at most 1/2. Rejected alternative: `Dictionary`, whose
/// hashing (SipHash) and existential-free but generic lookup cost several
/// times more per frame.
struct DBCIdentifierTable {
    private let standard: UnsafeMutablePointer<Int32>
    private let extendedKeys: UnsafeMutablePointer<UInt32>
    private let extendedValues: UnsafeMutablePointer<Int32>
    private let extendedMask: UInt32
    private let extendedShift: UInt32

    private static let empty: UInt32 = .max

    /// Builds the table; a later message overrides an earlier one with the same identifier.
    init(messages: [DBCMessage]) {
        standard = .allocate(capacity: 2048)
        standard.initialize(repeating: -1, count: 2048)
        let extendedCount = messages.filter(\.isExtended).count
        var bits: UInt32 = 4
        while (1 << bits) < extendedCount * 2 { bits += 1 }
        let size = 1 << Int(bits)
        extendedMask = UInt32(size - 1)
        extendedShift = 32 - bits
        extendedKeys = .allocate(capacity: size)
        extendedKeys.initialize(repeating: Self.empty, count: size)
        extendedValues = .allocate(capacity: size)
        extendedValues.initialize(repeating: -1, count: size)
        for (index, message) in messages.enumerated() {
            if message.isExtended {
                var slot = hash(message.id)
                while extendedKeys[Int(slot)] != Self.empty && extendedKeys[Int(slot)] != message.id {
                    slot = (slot &+ 1) & extendedMask
                }
                extendedKeys[Int(slot)] = message.id
                extendedValues[Int(slot)] = Int32(index)
            } else {
                standard[Int(message.id & 0x7FF)] = Int32(index)
            }
        }
    }

    /// Fibonacci hashing: the top bits of the product are well mixed.
    @inline(__always)
    private func hash(_ id: UInt32) -> UInt32 { (id &* 0x9E37_79B1) &>> extendedShift }

    /// The message index, or -1.
    @inline(__always)
    func lookup(id: UInt32, isExtended: Bool) -> Int {
        if !isExtended {
            return id < 2048 ? Int(standard[Int(id)]) : -1
        }
        var slot = hash(id)
        while true {
            let key = extendedKeys[Int(slot)]
            if key == id { return Int(extendedValues[Int(slot)]) }
            if key == Self.empty { return -1 }
            slot = (slot &+ 1) & extendedMask
        }
    }

    func deallocate() {
        standard.deallocate()
        extendedKeys.deallocate()
        extendedValues.deallocate()
    }
}
