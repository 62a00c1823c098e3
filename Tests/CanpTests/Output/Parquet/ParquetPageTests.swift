import CCanpCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Page headers, whole uncompressed pages and the footer of the C core
/// against bytes worked out by hand from parquet.thrift and the compact
/// protocol.
@Suite("Parquet pages and footer (C)")
struct ParquetPageTests {
    @Test func dataPageHeader() {
        var header = canp_parquet_page_header_t(
            page_type: Int32(CANP_PARQUET_DATA_PAGE), uncompressed_size: 100, compressed_size: 50, num_values: 10,
            encoding: Int32(CANP_PARQUET_PLAIN), definition_level_encoding: Int32(CANP_PARQUET_RLE),
            repetition_level_encoding: Int32(CANP_PARQUET_RLE))
        var out = [UInt8](repeating: 0, count: 64)
        var length = 0
        #expect(out.withUnsafeMutableBytes { canp_parquet_page_header_encode(&header, $0.baseAddress, $0.count, &length) } == 0)
        // type 0; sizes 100 (zigzag 200 = C8 01) and 50 (100 = 0x64); field 5 struct (delta 2):
        // num_values 10 (0x14), PLAIN 0, RLE 3 (6), RLE 3 (6), stop; stop.
        #expect(Array(out.prefix(length)) == [0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0x64, 0x2C,
                                              0x15, 0x14, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00])
    }

    @Test func dictionaryPageHeader() {
        var header = canp_parquet_page_header_t(
            page_type: Int32(CANP_PARQUET_DICTIONARY_PAGE), uncompressed_size: 8, compressed_size: 8, num_values: 2,
            encoding: Int32(CANP_PARQUET_PLAIN), definition_level_encoding: 0, repetition_level_encoding: 0)
        var out = [UInt8](repeating: 0, count: 64)
        var length = 0
        #expect(out.withUnsafeMutableBytes { canp_parquet_page_header_encode(&header, $0.baseAddress, $0.count, &length) } == 0)
        // type 2 (4); sizes 8 (16 = 0x10); field 7 struct (delta 4): num_values 2 (4), PLAIN, stop; stop.
        #expect(Array(out.prefix(length)) == [0x15, 0x04, 0x15, 0x10, 0x15, 0x10, 0x4C, 0x15, 0x04, 0x15, 0x00, 0x00, 0x00])
    }

    /// Encodes one uncompressed page.
    static func page(_ options: canp_parquet_page_options_t, rows: Int, values: [Int32], defined: [UInt8]?) -> ([UInt8], canp_parquet_page_result_t) {
        var encoder: OpaquePointer?
        #expect(canp_parquet_encoder_create(Int32(CANP_PARQUET_UNCOMPRESSED), 0, &encoder) == 0)
        defer { canp_parquet_encoder_destroy(encoder) }
        var options = options
        var result = canp_parquet_page_result_t()
        var out = [UInt8](repeating: 0xEE, count: 256)
        let rc = values.withUnsafeBufferPointer { v in
            (defined ?? []).withUnsafeBufferPointer { d in
                var input = canp_parquet_values_t(num_rows: UInt32(rows), num_values: UInt32(values.count),
                                                  defined: defined == nil ? nil : d.baseAddress, values: v.baseAddress, offsets: nil)
                #expect(canp_parquet_page_bound(encoder, &options, &input) <= 256)
                return out.withUnsafeMutableBytes { canp_parquet_page_encode(encoder, &options, &input, $0.baseAddress, $0.count, &result) }
            }
        }
        #expect(rc == 0)
        return (Array(out.prefix(result.page_size)), result)
    }

    @Test func requiredPlainPage() {
        let options = canp_parquet_page_options_t(physical_type: Int32(CANP_PARQUET_INT32), encoding: Int32(CANP_PARQUET_PLAIN),
                                                  index_bit_width: 0, dictionary_page: false, statistics: true)
        let (bytes, result) = Self.page(options, rows: 2, values: [1, -2], defined: nil)
        // header: sizes 8 (0x10), num_values 2 (4); body: 1 and -2 as 4 bytes little-endian each.
        #expect(bytes == [0x15, 0x00, 0x15, 0x10, 0x15, 0x10, 0x2C, 0x15, 0x04, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00,
                          0x01, 0x00, 0x00, 0x00, 0xFE, 0xFF, 0xFF, 0xFF])
        #expect(result.header_size == 17 && result.body_size == 8 && result.null_count == 0)
        #expect(result.has_min_max && result.min_int == -2 && result.max_int == 1)
    }

    @Test func optionalPageHasLengthPrefixedLevels() {
        let options = canp_parquet_page_options_t(physical_type: Int32(CANP_PARQUET_INT32), encoding: Int32(CANP_PARQUET_PLAIN),
                                                  index_bit_width: 0, dictionary_page: false, statistics: true)
        let (bytes, result) = Self.page(options, rows: 3, values: [1, 2], defined: [1, 0, 1])
        // levels 1,0,1 at width 1: one bit-packed group (0x03) of 0b101; 4-byte length 2 in front.
        // body 14 bytes (zigzag 28 = 0x1C); num_values 3 rows (6).
        #expect(bytes == [0x15, 0x00, 0x15, 0x1C, 0x15, 0x1C, 0x2C, 0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00,
                          0x02, 0x00, 0x00, 0x00, 0x03, 0x05, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00])
        #expect(result.null_count == 1)
    }

    @Test func dictionaryIndicesStartWithTheirBitWidth() {
        let options = canp_parquet_page_options_t(physical_type: Int32(CANP_PARQUET_BYTE_ARRAY), encoding: Int32(CANP_PARQUET_RLE_DICTIONARY),
                                                  index_bit_width: 8, dictionary_page: false, statistics: false)
        let indices: [UInt32] = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
        let (bytes, result) = indices.withUnsafeBufferPointer { raw in
            Self.page(options, rows: 10, values: raw.map { Int32(bitPattern: $0) }, defined: nil)
        }
        // body: width 8, then an RLE run of 10 (0x14) of the byte 3; encoding RLE_DICTIONARY 8 (0x10).
        #expect(bytes == [0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x2C, 0x15, 0x14, 0x15, 0x10, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00,
                          0x08, 0x14, 0x03])
        #expect(result.max_index == 3 && result.index_bit_width == 8)
    }

    @Test func inconsistentPagesAreRefused() {
        var encoder: OpaquePointer?
        #expect(canp_parquet_encoder_create(Int32(CANP_PARQUET_ZSTD), 1, &encoder) == 0)
        defer { canp_parquet_encoder_destroy(encoder) }
        var out = [UInt8](repeating: 0, count: 256)
        var result = canp_parquet_page_result_t()
        let values: [Int32] = [1, 2]
        let defined: [UInt8] = [1, 1, 1] // three defined rows for two values
        var delta = canp_parquet_page_options_t(physical_type: Int32(CANP_PARQUET_DOUBLE), encoding: Int32(CANP_PARQUET_DELTA_BINARY_PACKED),
                                                index_bit_width: 0, dictionary_page: false, statistics: false)
        var plain = canp_parquet_page_options_t(physical_type: Int32(CANP_PARQUET_INT32), encoding: Int32(CANP_PARQUET_PLAIN),
                                                index_bit_width: 0, dictionary_page: false, statistics: false)
        values.withUnsafeBufferPointer { v in
            defined.withUnsafeBufferPointer { d in
                var required = canp_parquet_values_t(num_rows: 2, num_values: 2, defined: nil, values: v.baseAddress, offsets: nil)
                var mismatch = canp_parquet_values_t(num_rows: 3, num_values: 2, defined: d.baseAddress, values: v.baseAddress, offsets: nil)
                out.withUnsafeMutableBytes { o in
                    #expect(canp_parquet_page_encode(encoder, &delta, &required, o.baseAddress, o.count, &result) == -EINVAL)
                    #expect(canp_parquet_page_encode(encoder, &plain, &mismatch, o.baseAddress, o.count, &result) == -EINVAL)
                    #expect(canp_parquet_page_encode(encoder, &plain, &required, o.baseAddress, 10, &result) == -ENOBUFS)
                    #expect(canp_parquet_page_encode(encoder, &plain, &required, o.baseAddress, o.count, &result) == 0)
                }
            }
        }
        var unknown: OpaquePointer?
        #expect(canp_parquet_encoder_create(3 /* LZO */, 0, &unknown) == -EINVAL)
        #expect(canp_parquet_encoder_create(Int32(CANP_PARQUET_GZIP), 13, &unknown) == -EINVAL)
    }

    @Test func doubleStatisticsLeaveNaNOutAndNormalizeZeros() {
        var encoder: OpaquePointer?
        #expect(canp_parquet_encoder_create(Int32(CANP_PARQUET_UNCOMPRESSED), 0, &encoder) == 0)
        defer { canp_parquet_encoder_destroy(encoder) }
        var options = canp_parquet_page_options_t(physical_type: Int32(CANP_PARQUET_DOUBLE), encoding: Int32(CANP_PARQUET_BYTE_STREAM_SPLIT),
                                                  index_bit_width: 0, dictionary_page: false, statistics: true)
        func stats(_ values: [Double]) -> canp_parquet_page_result_t {
            var result = canp_parquet_page_result_t()
            var out = [UInt8](repeating: 0, count: 512)
            values.withUnsafeBufferPointer { v in
                var input = canp_parquet_values_t(num_rows: UInt32(v.count), num_values: UInt32(v.count), defined: nil,
                                                  values: v.baseAddress, offsets: nil)
                #expect(out.withUnsafeMutableBytes { canp_parquet_page_encode(encoder, &options, &input, $0.baseAddress, $0.count, &result) } == 0)
            }
            return result
        }
        let mixed = stats([3, .nan, -1, .nan])
        #expect(mixed.has_min_max && mixed.min_double == -1 && mixed.max_double == 3 && mixed.nan_count == 2)
        let zeros = stats([0.0, -0.0])
        #expect(zeros.min_double.sign == .minus && zeros.min_double == 0 && zeros.max_double.sign == .plus)
        let nans = stats([.nan])
        #expect(!nans.has_min_max && nans.nan_count == 1)
    }

    /// The footer of a file without row groups.
    static func footer(_ columns: [canp_parquet_column_schema_t]) -> [UInt8] {
        columns.withUnsafeBufferPointer { c in
            var metadata = canp_parquet_file_metadata_t(columns: c.baseAddress, column_count: c.count, row_groups: nil, row_group_count: 0,
                                                        num_rows: 0, key_values: nil, key_value_count: 0, created_by: nil)
            var out = [UInt8](repeating: 0, count: 128)
            var length = 0
            #expect(out.withUnsafeMutableBytes { canp_parquet_file_metadata_encode(&metadata, $0.baseAddress, $0.count, &length) } == 0)
            return Array(out.prefix(length))
        }
    }

    @Test func footerOfOneColumnAndNoRowGroups() {
        let name = Array("a".utf8CString)
        let bytes: [UInt8] = name.withUnsafeBufferPointer { n in
            let columns = [canp_parquet_column_schema_t(name: n.baseAddress, name_len: 1, physical_type: Int32(CANP_PARQUET_INT64),
                                                        optional: false, logical_type: Int32(CANP_PARQUET_LOGICAL_NONE))]
            return Self.footer(columns)
        }
        #expect(bytes == [
            0x15, 0x04,                                      // 1: version 2
            0x19, 0x2C,                                      // 2: list of 2 SchemaElement
            0x48, 0x06, 0x73, 0x63, 0x68, 0x65, 0x6D, 0x61,  //    root: 4 name "schema"
            0x15, 0x02, 0x00,                                //          5 num_children 1
            0x15, 0x04, 0x25, 0x00, 0x18, 0x01, 0x61, 0x00,  //    leaf: 1 INT64, 3 REQUIRED, 4 "a"
            0x16, 0x00,                                      // 3: num_rows 0
            0x19, 0x0C,                                      // 4: no row groups
            0x39, 0x1C, 0x1C, 0x00, 0x00,                    // 7: one ColumnOrder { TYPE_ORDER {} }
            0x00,
        ])
    }

    @Test func logicalTypesCarryTheirConvertedTypes() {
        let names = Array("sts".utf8CString)
        let bytes: [UInt8] = names.withUnsafeBufferPointer { n in
            let columns = [
                canp_parquet_column_schema_t(name: n.baseAddress, name_len: 1, physical_type: Int32(CANP_PARQUET_BYTE_ARRAY),
                                             optional: true, logical_type: Int32(CANP_PARQUET_LOGICAL_STRING)),
                canp_parquet_column_schema_t(name: n.baseAddress! + 1, name_len: 1, physical_type: Int32(CANP_PARQUET_INT64),
                                             optional: false, logical_type: Int32(CANP_PARQUET_LOGICAL_TIMESTAMP_MICROS_UTC)),
            ]
            return Self.footer(columns)
        }
        let string: [UInt8] = [0x15, 0x0C, 0x25, 0x02, 0x18, 0x01, 0x73,  // BYTE_ARRAY 6, OPTIONAL 1, "s"
                               0x25, 0x00,                               // 6: converted UTF8 0
                               0x4C, 0x1C, 0x00, 0x00, 0x00]             // 10: LogicalType { 1: STRING {} }
        let timestamp: [UInt8] = [0x15, 0x04, 0x25, 0x00, 0x18, 0x01, 0x74, // INT64, REQUIRED, "t"
                                  0x25, 0x14,                               // 6: TIMESTAMP_MICROS 10
                                  0x4C, 0x8C,                               // 10: LogicalType { 8: TIMESTAMP {
                                  0x11, 0x1C, 0x2C, 0x00, 0x00,             //   1: true, 2: unit { 2: MICROS {} } }
                                  0x00, 0x00]                               // }
        #expect(bytes.count > 12)
        let leaves = Array(bytes.dropFirst(2 + 2 + 8 + 3))
        #expect(Array(leaves.prefix(string.count)) == string)
        #expect(Array(leaves.dropFirst(string.count).prefix(timestamp.count)) == timestamp)
    }
}
