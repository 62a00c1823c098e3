/// An independent, deliberately naive reading of levels 1-3 of
/// `docs/FORMAT.md`, written from the spec and not from `BlockDecoder`: one
/// recursive function over bounds-checked byte subscripts, no unsafe loads.
/// The fuzz targets compare `BlockDecoder` with it on every inflated block,
/// so a frame that the fast reader drops, invents or misreads is a failure
/// even when nothing crashes ("never lose data silently").
public enum ReferenceWalker {
    /// One frame as the spec defines it.
    public struct Frame: Equatable, CustomStringConvertible {
        /// Bytes 0..<8.
        public var timestamp: UInt64
        /// `can_id` as stored (identifier plus EFF/RTR/ERR bits).
        public var rawIdentifier: UInt32
        /// Byte 12.
        public var flagsByte: UInt8
        /// Byte 13.
        public var channel: UInt8
        /// Byte 14.
        public var length: UInt8
        /// Where the data bytes start in the inflated block.
        public var dataOffset: Int

        public var description: String {
            "ts \(timestamp) id 0x\(String(rawIdentifier, radix: 16)) flags \(flagsByte) ch \(channel) len \(length) at \(dataOffset)"
        }
    }

    /// What the spec says about one inflated block.
    public enum Outcome: Equatable {
        /// A structural error at level 1, 2 or 3: the whole Record0 is lost.
        case skipped
        /// The frames in order, and how many Record3s were frame errors.
        case decoded(frames: [Frame], frameErrors: Int)
    }

    /// Reads one inflated Payload0 (a Stream1).
    ///
    /// - Parameter bytes: exactly the inflated bytes.
    /// - Returns: the outcome the spec requires.
    public static func walk(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var frames: [Frame] = []
        var frameErrors = 0

        func u32(_ at: Int) -> Int {
            Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        }

        func u64(_ at: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[at + $1]) }
        }

        // Record3 payload: a frame of `count` bytes at `start`.
        func frame(at start: Int, count: Int) {
            guard count >= 16 else { frameErrors += 1; return }
            let length = Int(bytes[start + 14])
            guard count == 16 + length else { frameErrors += 1; return }
            let flags = bytes[start + 12]
            if flags & 1 != 0 {
                guard length <= 8 || [12, 16, 20, 24, 32, 48, 64].contains(length) else { frameErrors += 1; return }
            } else {
                guard length <= 8 else { frameErrors += 1; return }
            }
            let raw = UInt32(u32(start + 8))
            if raw & 0x8000_0000 == 0 && raw & 0x1FFF_FFFF > 0x7FF { frameErrors += 1; return }
            frames.append(Frame(
                timestamp: u64(start), rawIdentifier: raw, flagsByte: flags, channel: bytes[start + 13],
                length: UInt8(length), dataOffset: start + 16))
        }

        // The children of one parent that spans start..<end; level 1, 2 or 3.
        func children(from start: Int, to end: Int, level: Int) -> Bool {
            let headerSize = level == 3 ? 4 : 20
            let lengthAt = level == 3 ? 0 : 16
            var position = start
            while position < end {
                guard end - position >= headerSize else { return false }
                let length = u32(position + lengthAt)
                guard length <= end - position - headerSize else { return false }
                let childStart = position + headerSize
                if level == 3 {
                    frame(at: childStart, count: length)
                } else if !children(from: childStart, to: childStart + length, level: level + 1) {
                    return false
                }
                position = childStart + length
            }
            return true
        }

        guard children(from: 0, to: bytes.count, level: 1) else { return .skipped }
        return .decoded(frames: frames, frameErrors: frameErrors)
    }
}
