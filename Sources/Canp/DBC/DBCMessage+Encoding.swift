extension DBCMessage {
    /// Encodes physical values into a frame payload.
    ///
    /// Each value is converted to raw (`(value - offset) / scale`, rounded half
    /// to even for integer signals) and clamped to what the signal's bits can
    /// hold; a NaN becomes 0. Signals without a value are left as `padding`
    /// bits. The caller chooses which multiplexed signals to give, normally the
    /// multiplexer and the signals its value selects.
    ///
    /// - Parameters:
    ///   - values: Physical values by signal name; names the message does not have are ignored.
    ///   - padding: The byte that bits without a signal value start from.
    /// - Returns: `length` bytes (at most 64).
    /// - Complexity: O(*b*) in the total number of bits written.
    public func encode(_ values: [String: Double], padding: UInt8 = 0) -> [UInt8] {
        var raws: [String: DBCRawValue] = [:]
        for signal in signals {
            guard let value = values[signal.name] else { continue }
            raws[signal.name] = signal.rawValue(forPhysical: value)
        }
        return encode(rawValues: raws, padding: padding)
    }

    /// Encodes raw values into a frame payload.
    ///
    /// - Parameters:
    ///   - rawValues: Raw values by signal name; integers are truncated to the
    ///     signal's length, a `.float` is stored in the signal's float width
    ///     (or rounded and clamped for an integer signal).
    ///   - padding: The byte that bits without a signal value start from.
    /// - Returns: `length` bytes (at most 64).
    /// - Complexity: O(*b*) in the total number of bits written.
    public func encode(rawValues: [String: DBCRawValue], padding: UInt8 = 0) -> [UInt8] {
        let size = min(length, 64)
        var bytes = [UInt8](repeating: padding, count: size)
        for signal in signals where signal.length >= 1 && signal.length <= 64 && signal.startBit >= 0 && signal.requiredByteCount <= size {
            guard let raw = rawValues[signal.name] else { continue }
            let bits: UInt64
            switch (raw, signal.valueType) {
            case (.float(let f), .float):
                switch signal.length {
                case 64: bits = f.bitPattern
                case 32: bits = UInt64(Float(f).bitPattern)
                case 16: bits = UInt64(Float16(f).bitPattern)
                default: continue
                }
            case (.float(let f), .integer):
                bits = signal.clampedBits(f)
            case (.unsigned(let u), .float):
                bits = signal.length == 64 ? Double(u).bitPattern : signal.length == 32 ? UInt64(Float(u).bitPattern) : u
            case (.signed(let i), .float):
                bits = signal.length == 64 ? Double(i).bitPattern : signal.length == 32 ? UInt64(Float(i).bitPattern) : UInt64(bitPattern: i)
            case (.unsigned(let u), .integer): bits = u
            case (.signed(let i), .integer): bits = UInt64(bitPattern: i)
            }
            signal.insert(bits, into: &bytes)
        }
        return bytes
    }
}

extension DBCSignal {
    /// The raw value for a physical value: `(value - offset) / scale`, rounded
    /// half to even and clamped to the signal's range for integer signals.
    ///
    /// - Parameter value: The physical value.
    public func rawValue(forPhysical value: Double) -> DBCRawValue {
        let raw = (value - offset) / scale
        if valueType == .float { return .float(raw) }
        let bits = clampedBits(raw)
        return isSigned ? .signed((Int64(bitPattern: bits) << (64 - length)) >> (64 - length)) : .unsigned(bits)
    }

    /// The bits of a raw value rounded half to even and clamped to the signal's range.
    func clampedBits(_ raw: Double) -> UInt64 {
        let r = raw.rounded(.toNearestOrEven)
        guard !r.isNaN, length >= 1, length <= 64 else { return 0 }
        let mask: UInt64 = length == 64 ? .max : (1 << UInt64(length)) - 1
        if isSigned {
            let limit = Double(sign: .plus, exponent: length - 1, significand: 1)   // 2^(length-1)
            if r <= -limit { return UInt64(bitPattern: -Int64(1) << (length - 1)) & mask }
            if r >= limit { return (UInt64(1) << (length - 1)) - 1 }
            return UInt64(bitPattern: Int64(r)) & mask
        }
        if r <= 0 { return 0 }
        if r >= Double(sign: .plus, exponent: length, significand: 1) { return mask }
        return UInt64(r)
    }

    /// Writes the low `length` bits of `bits` at the signal's position.
    func insert(_ bits: UInt64, into bytes: inout [UInt8]) {
        switch byteOrder {
        case .littleEndian:
            for i in 0..<length {
                let position = startBit + i
                let bit = UInt8(truncatingIfNeeded: bits >> UInt64(i)) & 1
                bytes[position / 8] = bytes[position / 8] & ~(1 << UInt8(position % 8)) | bit << UInt8(position % 8)
            }
        case .bigEndian:
            let msb = (startBit / 8) * 8 + (7 - startBit % 8)
            for i in 0..<length {
                let position = msb + i   // network order: most significant bit first
                let bit = UInt8(truncatingIfNeeded: bits >> UInt64(length - 1 - i)) & 1
                let shift = UInt8(7 - position % 8)
                bytes[position / 8] = bytes[position / 8] & ~(1 << shift) | bit << shift
            }
        }
    }
}
