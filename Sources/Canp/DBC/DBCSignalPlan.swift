/// A signal compiled for decoding: where to load its bits, how to align,
/// sign-extend and convert them, and when it is present.
///
/// Bits are read from a copy of the payload padded to 80 bytes with one
/// unaligned 8-byte load at `loadByte` (plus the 9th byte when the signal
/// straddles it), then moved to the top of a 64-bit word ("aligned"), from
/// where a logical or arithmetic shift by `topShift` yields the unsigned or
/// signed raw value. Both byte orders share this tail.
struct DBCSignalPlan {
    enum Kind: UInt8 { case unsigned, signed, float16, float32, float64 }
    enum Conversion: UInt8 {
        /// `value = raw` (scale 1, offset 0).
        case identity
        /// Integral scale and offset on an integer signal: exact integer arithmetic,
        /// rounded once to `Double` (cantools computes with Python integers).
        case integer
        /// `value = Double(raw) * scale + offset`, two roundings, as Python floats do.
        case linear
    }

    /// The first payload byte of the 8-byte load.
    var loadByte: Int32 = 0
    /// Intel: right shift of the loaded word; Motorola: left shift.
    var shift: UInt8 = 0
    /// 64 - length.
    var topShift: UInt8 = 0
    /// Shift of the 9th byte (Intel: left by 64 - shift; Motorola: right by 8 - shift).
    var ninthShift: UInt8 = 0
    var isBigEndian = false
    var needsNinthByte = false
    var kind: Kind = .unsigned
    var conversion: Conversion = .identity
    /// Payload bytes needed to decode the signal; `Int32.max` when never decodable.
    var requiredBytes: Int32 = .max
    /// The slot of this signal when it is a multiplexer, else -1.
    var multiplexerSlot: Int16 = -1
    /// The slot of its multiplexer; -1 when always present, -2 when never present.
    var parentSlot: Int16 = -1
    /// Its multiplexer values: `rangeCount` ranges from `rangeStart` in the decoder's range table.
    var rangeStart: Int32 = 0
    var rangeCount: Int32 = 0
    /// The decoder's global signal index.
    var globalIndex: UInt32 = 0
    var scale: Double = 1
    var offset: Double = 0
    var scaleInteger: Int64 = 1
    var offsetInteger: Int64 = 0
    /// The common case, decoded without branching on kind and conversion: an
    /// integer signal whose raw value fits an Int64 and whose physical value
    /// `Double(raw) * scale + offset` is exact or rounded once exactly as
    /// the slow path rounds (see `init`).
    var isFastInteger = false

    static let never: Int32 = .max

    /// Compiles the layout and conversion of a signal.
    init(signal: DBCSignal, messageLength: Int, globalIndex: UInt32) {
        self.globalIndex = UInt32(globalIndex)
        self.scale = signal.scale
        self.offset = signal.offset
        let length = signal.length
        let decodable = length >= 1 && length <= 64
            && (signal.valueType == .integer || [16, 32, 64].contains(length))
        // A signal starting past the largest payload (64 bytes) is never
        // decoded; rejecting it here also keeps absurd start bits (the parser
        // accepts any integer) out of the Int32/UInt8 fields below.
        guard decodable, signal.startBit >= 0, signal.startBit < 64 * 8 else { return }
        switch signal.valueType {
        case .integer: kind = signal.isSigned ? .signed : .unsigned
        case .float: kind = length == 16 ? .float16 : length == 32 ? .float32 : .float64
        }
        topShift = UInt8(64 - length)
        switch signal.byteOrder {
        case .littleEndian:
            guard signal.startBit >= 0 else { return }
            loadByte = Int32(signal.startBit / 8)
            shift = UInt8(signal.startBit % 8)
            needsNinthByte = Int(shift) + length > 64
            ninthShift = needsNinthByte ? 64 - shift : 0
        case .bigEndian:
            guard signal.startBit >= 0 else { return }
            let msb = (signal.startBit / 8) * 8 + (7 - signal.startBit % 8)
            isBigEndian = true
            loadByte = Int32(msb / 8)
            shift = UInt8(msb % 8)
            needsNinthByte = Int(shift) + length > 64
            ninthShift = needsNinthByte ? 8 - shift : 0
        }
        let required = signal.requiredByteCount
        // A signal outside its message is never decoded: cantools cuts the payload to the
        // message length before decoding. Payloads are at most 64 bytes.
        if required <= min(messageLength, 64) { requiredBytes = Int32(required) }

        let integral = { (v: Double) in v.rounded(.towardZero) == v && abs(v) < 9.2e18 }
        if signal.scale == 1 && signal.offset == 0 {
            conversion = .identity
        } else if signal.valueType == .integer && integral(signal.scale) && integral(signal.offset) {
            conversion = .integer
            scaleInteger = Int64(signal.scale)
            offsetInteger = Int64(signal.offset)
        } else {
            conversion = .linear
        }
        // The fast path computes Double(raw) * scale + offset. For identity and
        // linear conversions that is the slow path's formula. For integer
        // conversions it equals the exact integer result rounded once when
        // |raw| * |scale| + |offset| stays below 2^53: every step is exact.
        // A signal that needs a 9th byte (a 58- to 64-bit signal not starting
        // on a byte boundary) takes the slow path: the fast one loads one word.
        if signal.valueType == .integer && !(kind == .unsigned && length == 64) && !needsNinthByte {
            let magnitude = Double(sign: .plus, exponent: length, significand: 1)
            isFastInteger = conversion != .integer
                || magnitude * abs(signal.scale) + abs(signal.offset) < 0x1p53
        }
    }

    /// The signal's bits moved to the top of a 64-bit word.
    ///
    /// - Parameter payload: The padded payload copy (at least `loadByte + 9` bytes).
    @inline(__always)
    func alignedBits(_ payload: UnsafeRawPointer) -> UInt64 {
        let p = payload + Int(loadByte)
        let word = p.loadUnaligned(as: UInt64.self)
        if isBigEndian {
            var v = UInt64(bigEndian: word) &<< shift
            if needsNinthByte { v |= UInt64(p.load(fromByteOffset: 8, as: UInt8.self)) &>> ninthShift }
            return v
        } else {
            var v = UInt64(littleEndian: word) &>> shift
            if needsNinthByte { v |= UInt64(p.load(fromByteOffset: 8, as: UInt8.self)) &<< ninthShift }
            return v &<< topShift
        }
    }

    /// Decodes the signal from the payload.
    ///
    /// - Returns: The raw bits (see ``DBCRawKind``), the kind, and the physical value.
    @inline(__always)
    func decode(_ payload: UnsafeRawPointer) -> (bits: UInt64, kind: DBCRawKind, value: Double) {
        let aligned = alignedBits(payload)
        switch kind {
        case .unsigned:
            let raw = aligned &>> topShift
            switch conversion {
            case .identity: return (raw, .unsigned, Double(raw))
            case .linear: return (raw, .unsigned, Double(raw) * scale + offset)
            case .integer:
                if raw <= UInt64(Int64.max) {
                    return (raw, .unsigned, Self.exact(Int64(raw), scaleInteger, offsetInteger))
                }
                return (raw, .unsigned, Double(Int128(raw) * Int128(scaleInteger) + Int128(offsetInteger)))
            }
        case .signed:
            let raw = Int64(bitPattern: aligned) &>> topShift
            let bits = UInt64(bitPattern: raw)
            switch conversion {
            case .identity: return (bits, .signed, Double(raw))
            case .linear: return (bits, .signed, Double(raw) * scale + offset)
            case .integer: return (bits, .signed, Self.exact(raw, scaleInteger, offsetInteger))
            }
        case .float32:
            let f = Double(Float(bitPattern: UInt32(truncatingIfNeeded: aligned &>> 32)))
            return (f.bitPattern, .float, conversion == .identity ? f : f * scale + offset)
        case .float64:
            let f = Double(bitPattern: aligned)
            return (f.bitPattern, .float, conversion == .identity ? f : f * scale + offset)
        case .float16:
            let f = Double(Self.halfToFloat(UInt16(truncatingIfNeeded: aligned &>> 48)))
            return (f.bitPattern, .float, conversion == .identity ? f : f * scale + offset)
        }
    }

    /// `raw * scale + offset` computed exactly, rounded once.
    @inline(__always)
    static func exact(_ raw: Int64, _ scale: Int64, _ offset: Int64) -> Double {
        let (product, o1) = raw.multipliedReportingOverflow(by: scale)
        let (sum, o2) = product.addingReportingOverflow(offset)
        if !o1 && !o2 { return Double(sum) }
        return Double(Int128(raw) * Int128(scale) + Int128(offset))
    }

    /// IEEE 754 binary16 to binary32 (exact).
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1p-24
            return sign != 0 ? -magnitude : magnitude
        }
        return Float(bitPattern: sign | UInt32(exponent + 112) << 23 | mantissa << 13)
    }
}
