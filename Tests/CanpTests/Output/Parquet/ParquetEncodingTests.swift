import CCanpCore
import Testing
@testable import Canp
#if canImport(Glibc)
import Glibc
#endif

/// The value encodings of the C core against bytes worked out by hand from
/// the format's Encodings.md (bit order, run headers, delta blocks), not
/// from this encoder's output.
@Suite("Parquet value encodings (C)")
struct ParquetEncodingTests {
    /// A negated errno from the C core.
    struct CError: Error, Equatable {
        var code: Int32
    }

    static func rle(_ values: [UInt32], width: UInt32) -> Result<[UInt8], CError> {
        var out = [UInt8](repeating: 0, count: canp_parquet_rle_bound(values.count, width))
        var length = 0
        let rc = values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { canp_parquet_rle_encode(v.baseAddress, v.count, width, $0.baseAddress, $0.count, &length) }
        }
        return rc == 0 ? .success(Array(out.prefix(length))) : .failure(CError(code: rc))
    }

    @Test func bitPackingMatchesTheSpecificationsExample() {
        // Encodings.md: 0..7 at width 3 pack to 10001000 11000110 11111010.
        #expect(Self.rle([0, 1, 2, 3, 4, 5, 6, 7], width: 3) == .success([0x03, 0x88, 0xC6, 0xFA]))
    }

    @Test func runsOfEightOrMoreBecomeRLERuns() {
        // 10 x 5 at width 3: header 10 << 1 = 0x14, the value in one byte.
        #expect(Self.rle(Array(repeating: 5, count: 10), width: 3) == .success([0x14, 0x05]))
        // Width 9 needs two bytes for the repeated value, little-endian.
        #expect(Self.rle(Array(repeating: 0x123, count: 300), width: 9) == .success([0xD8, 0x04, 0x23, 0x01]))
    }

    @Test func literalsAreToppedUpToAGroupFromTheRunThatFollows() {
        // 3 literals then 13 x 1 (width 1): 5 of the run complete the first group
        // (values 0,1,0,1,1,1,1,1 -> 0b11111010), the 8 left are an RLE run.
        let values: [UInt32] = [0, 1, 0] + Array(repeating: 1, count: 13)
        #expect(Self.rle(values, width: 1) == .success([0x03, 0xFA, 0x10, 0x01]))
        // 3 literals then 10 x 1: after topping up only 5 are left, too few: all 13 stay literal,
        // two groups, the second padded with zero bits (0,1,0,1,1,1,1,1 | 1,1,1,1,1,0,0,0).
        let short: [UInt32] = [0, 1, 0] + Array(repeating: 1, count: 10)
        #expect(Self.rle(short, width: 1) == .success([0x05, 0xFA, 0x1F]))
    }

    @Test func rleRejectsValuesWiderThanTheWidth() {
        #expect(Self.rle([8], width: 3) == .failure(CError(code: -EINVAL)))
        #expect(Self.rle([1], width: 33) == .failure(CError(code: -EINVAL)))
        #expect(Self.rle([], width: 0) == .success([]))
    }

    static func delta64(_ values: [Int64]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: canp_parquet_delta_bound(values.count, 8))
        var length = 0
        let rc = values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { canp_parquet_delta_encode_int64(v.baseAddress, v.count, $0.baseAddress, $0.count, &length) }
        }
        #expect(rc == 0)
        return Array(out.prefix(length))
    }

    static func delta32(_ values: [Int32]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: canp_parquet_delta_bound(values.count, 4))
        var length = 0
        let rc = values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { canp_parquet_delta_encode_int32(v.baseAddress, v.count, $0.baseAddress, $0.count, &length) }
        }
        #expect(rc == 0)
        return Array(out.prefix(length))
    }

    @Test func deltaOfASteadyIncreaseIsAHeaderAndAMinimum() {
        // Encodings.md example 1 with this writer's block of 128 in 4 miniblocks:
        // header 128 (0x80 0x01), 4, 5 values, first zigzag(1) = 2; block: min delta zigzag(1) = 2,
        // four widths of 0, no miniblock bytes.
        #expect(Self.delta64([1, 2, 3, 4, 5]) == [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00])
    }

    @Test func deltaPacksTheDifferencesFromTheMinimum() {
        // Example 2: 7,5,3,1,2,3,4,5: deltas -2,-2,-2,1,1,1,1, min -2 (zigzag 3), relative 0,0,0,3,3,3,3
        // at width 2 in the first miniblock of 32 values (8 bytes: 0b11000000, 0b00111111, then zeros).
        #expect(Self.delta64([7, 5, 3, 1, 2, 3, 4, 5])
            == [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0])
    }

    @Test func deltaOfOneValueIsTheHeaderOnly() {
        #expect(Self.delta64([42]) == [0x80, 0x01, 0x04, 0x01, 0x54])
        #expect(Self.delta64([]) == [0x80, 0x01, 0x04, 0x00, 0x00])
    }

    @Test func int32DeltasWrapInThirtyTwoBits() {
        // Int32.max then Int32.min: the delta wraps to +1, so the block is min 1 (zigzag 2), widths 0.
        #expect(Self.delta32([Int32.max, Int32.min])
            == [0x80, 0x01, 0x04, 0x02, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x02, 0x00, 0x00, 0x00, 0x00])
    }

    @Test func deltaStartsABlockEvery128Deltas() {
        // 0...129 then 1000: 130 deltas, 129 of 1 and one of 871: a full block of 128 and one of 2.
        var values = (0..<130).map { Int64($0) }
        values.append(1000)
        let bytes = Self.delta64(values)
        // header 128 (0x80 0x01), 4, 131 (0x83 0x01), first 0; block 1: min 1 (0x02), widths 0 0 0 0.
        #expect(Array(bytes.prefix(11)) == [0x80, 0x01, 0x04, 0x83, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00])
        // block 2: the last two deltas are 1 and 871: min 1, relative 0 and 870 (10 bits) in miniblock 0.
        #expect(bytes[11] == 0x02 && bytes[12] == 10 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] == 0)
        #expect(bytes.count == 16 + 40) // 32 values of 10 bits
        // 0 then 870 = 0b1101100110, LSB first from bit 10: byte 1 = 0b10011000 (0x98), byte 2 = 0b00001101 (0x0D).
        #expect(Array(bytes[16..<19]) == [0x00, 0x98, 0x0D])
    }

    @Test func deltaLengthByteArrayIsTheLengthsThenTheBytes() {
        // Encodings.md's example "Hello", "World", "Foobar", "ABCDEF": lengths 5,5,6,6 as DELTA_BINARY_PACKED
        // (header 128, 4, 4 values, first zigzag(5) = 10; deltas 0,1,0: min 0, width 1, packed 0b010),
        // then "HelloWorldFoobarABCDEF".
        let text = Array("HelloWorldFoobarABCDEF".utf8)
        let offsets: [UInt32] = [0, 5, 10, 16, 22]
        var out = [UInt8](repeating: 0, count: canp_parquet_delta_bound(4, 4) + text.count)
        var length = 0
        let rc = text.withUnsafeBytes { bytes in
            out.withUnsafeMutableBytes { canp_parquet_delta_length_encode(bytes.baseAddress, offsets, 4, $0.baseAddress, $0.count, &length) }
        }
        #expect(rc == 0)
        #expect(Array(out.prefix(length)) == [0x80, 0x01, 0x04, 0x04, 0x0A, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00] + text)
    }

    @Test func packingOfEveryWidthRoundTrips() {
        // Each width 1-32 over 8 values: unpack LSB first and compare (the layout of bitPackingMatchesTheSpecificationsExample).
        for width in UInt32(1)...32 {
            let mask: UInt64 = width == 32 ? 0xFFFF_FFFF : (1 << UInt64(width)) - 1
            let values: [UInt32] = (0..<24).map { UInt32(truncatingIfNeeded: (UInt64($0) &* 0x9E37_79B9_7F4A_7C15 >> 17) & mask) }
            guard case .success(let bytes) = Self.rle(values, width: width) else {
                Issue.record("width \(width) failed")
                continue
            }
            #expect(bytes[0] == 0x07, "width \(width): one run of 3 groups")
            var decoded: [UInt32] = []
            var bit = 0
            let body = Array(bytes.dropFirst())
            for _ in 0..<24 {
                var value: UInt64 = 0
                for b in 0..<Int(width) where body[(bit + b) / 8] & (1 << UInt8((bit + b) % 8)) != 0 { value |= 1 << UInt64(b) }
                decoded.append(UInt32(value))
                bit += Int(width)
            }
            #expect(decoded == values, "width \(width)")
        }
    }

    @Test func byteStreamSplitGathersTheKthBytes() {
        // 1.0 = 00..00 F0 3F, 2.0 = 00..00 00 40 (little-endian): streams 0-5 are zero, 6 = F0 00, 7 = 3F 40.
        let values: [Double] = [1.0, 2.0]
        var out = [UInt8](repeating: 0xEE, count: 16)
        values.withUnsafeBytes { v in out.withUnsafeMutableBytes { canp_parquet_byte_stream_split(v.baseAddress, 2, 8, $0.baseAddress) } }
        #expect(out == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x00, 0x3F, 0x40])
        let ints: [Int32] = [0x0403_0201, 0x0807_0605, 0x0C0B_0A09]
        var split = [UInt8](repeating: 0, count: 12)
        ints.withUnsafeBytes { v in split.withUnsafeMutableBytes { canp_parquet_byte_stream_split(v.baseAddress, 3, 4, $0.baseAddress) } }
        #expect(split == [1, 5, 9, 2, 6, 10, 3, 7, 11, 4, 8, 12])
    }

    @Test func plainBooleansArePackedLeastSignificantBitFirst() {
        let values: [UInt8] = [1, 0, 1, 1, 0, 0, 0, 0, 1]
        var out = [UInt8](repeating: 0xEE, count: 2)
        values.withUnsafeBufferPointer { v in out.withUnsafeMutableBytes { canp_parquet_plain_booleans(v.baseAddress, 9, $0.baseAddress) } }
        #expect(out == [0x0D, 0x01])
    }
}

/// The C encoders on seeded random inputs: every `*_bound` capacity suffices
/// (the page is encoded into exactly that many bytes, with guard bytes after
/// it that must stay untouched), and one byte less than the page needs is
/// -ENOBUFS, never an overrun. (ASan runs of the suite check the reads.)
@Suite("Parquet encoders on random inputs (C)")
struct ParquetEncoderBoundsTests {
    @Test func boundsSufficeAndShortBuffersAreRefused() throws {
        var random = SplitMix64(seed: 77)
        let codecs = [CANP_PARQUET_UNCOMPRESSED, CANP_PARQUET_SNAPPY, CANP_PARQUET_GZIP, CANP_PARQUET_ZSTD]
        for round in 0..<200 {
            let codec = Int32(codecs[round % codecs.count])
            var encoder: OpaquePointer?
            #expect(canp_parquet_encoder_create(codec, codec == Int32(CANP_PARQUET_GZIP) ? 6 : 1, &encoder) == 0)
            defer { canp_parquet_encoder_destroy(encoder) }
            let rows = Int(random.next() % 3000)
            let optional = random.next() % 2 == 0
            let defined: [UInt8] = (0..<rows).map { _ in optional && random.next() % 4 == 0 ? 0 : 1 }
            let count = defined.filter { $0 != 0 }.count
            let kind = round % 6
            let width = UInt64(random.next() % 64)
            let mask: UInt64 = width == 0 ? 0 : ~0 >> (64 - width)
            let int64s: [Int64] = (0..<count).map { _ in Int64(bitPattern: random.next() & mask) }
            let indices: [UInt32] = (0..<count).map { _ in UInt32(truncatingIfNeeded: random.next() & mask & 0xFFFF) }
            var bytes: [UInt8] = []
            var offsets: [UInt32] = [0]
            for _ in 0..<count {
                for _ in 0..<Int(random.next() % 20) { bytes.append(UInt8(truncatingIfNeeded: random.next())) }
                offsets.append(UInt32(bytes.count))
            }
            let (type, encoding): (Int32, Int32) = switch kind {
            case 0: (Int32(CANP_PARQUET_INT64), Int32(CANP_PARQUET_DELTA_BINARY_PACKED))
            case 1: (Int32(CANP_PARQUET_INT64), Int32(CANP_PARQUET_BYTE_STREAM_SPLIT))
            case 2: (Int32(CANP_PARQUET_INT64), Int32(CANP_PARQUET_RLE_DICTIONARY))
            case 3: (Int32(CANP_PARQUET_BYTE_ARRAY), Int32(CANP_PARQUET_PLAIN))
            case 4: (Int32(CANP_PARQUET_BYTE_ARRAY), Int32(CANP_PARQUET_DELTA_LENGTH_BYTE_ARRAY))
            default: (Int32(CANP_PARQUET_INT64), Int32(CANP_PARQUET_PLAIN))
            }
            var options = canp_parquet_page_options_t(physical_type: type, encoding: encoding, index_bit_width: 0,
                                                      dictionary_page: false, statistics: true)
            let guardBytes = 64
            int64s.withUnsafeBytes { i64 in
                indices.withUnsafeBytes { idx in
                    bytes.withUnsafeBytes { data in
                        offsets.withUnsafeBufferPointer { off in
                            defined.withUnsafeBufferPointer { def in
                                let values = kind == 2 ? idx.baseAddress : (kind == 3 || kind == 4 ? data.baseAddress : i64.baseAddress)
                                var input = canp_parquet_values_t(
                                    num_rows: UInt32(rows), num_values: UInt32(count), defined: optional ? def.baseAddress : nil,
                                    values: values ?? UnsafeRawPointer(off.baseAddress!), offsets: off.baseAddress)
                                let bound = canp_parquet_page_bound(encoder, &options, &input)
                                #expect(bound > 0, "round \(round)")
                                var out = [UInt8](repeating: 0xA5, count: bound + guardBytes)
                                var result = canp_parquet_page_result_t()
                                let rc = out.withUnsafeMutableBytes { canp_parquet_page_encode(encoder, &options, &input, $0.baseAddress, bound, &result) }
                                #expect(rc == 0, "round \(round): \(rc)")
                                #expect(out.suffix(guardBytes).allSatisfy { $0 == 0xA5 }, "round \(round): wrote past the bound")
                                #expect(result.page_size <= bound && Int(result.null_count) == rows - count)
                                if rc == 0 && result.page_size > 0 {
                                    var short = [UInt8](repeating: 0xA5, count: result.page_size - 1 + guardBytes)
                                    let again = short.withUnsafeMutableBytes {
                                        canp_parquet_page_encode(encoder, &options, &input, $0.baseAddress, result.page_size - 1, &result)
                                    }
                                    #expect(again == -ENOBUFS, "round \(round): \(again)")
                                    #expect(short.suffix(guardBytes).allSatisfy { $0 == 0xA5 }, "round \(round): wrote past a short buffer")
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
