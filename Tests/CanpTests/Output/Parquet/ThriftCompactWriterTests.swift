import CCanpCore
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The Thrift compact protocol writer (`canp_thrift_*`) against bytes
/// worked out by hand from the protocol's specification
/// (thrift/doc/specs/thrift-compact-protocol.md).
@Suite("Thrift compact writer (C)")
struct ThriftCompactWriterTests {
    /// Runs `body` on a writer over a buffer of `capacity` bytes; returns the result code, the size and the bytes.
    static func write(capacity: Int = 256, _ body: (UnsafeMutablePointer<canp_thrift_writer_t>) -> Void) -> (Int32, Int, [UInt8]) {
        var buffer = [UInt8](repeating: 0xEE, count: capacity)
        var writer = canp_thrift_writer_t()
        var needed = 0
        let rc = buffer.withUnsafeMutableBufferPointer { bytes -> Int32 in
            canp_thrift_writer_init(&writer, bytes.baseAddress, bytes.count)
            body(&writer)
            return canp_thrift_writer_finish(&writer, &needed)
        }
        return (rc, needed, Array(buffer.prefix(min(needed, capacity))))
    }

    @Test func shortFieldHeadersCarryTheDeltaAndTheType() {
        let (rc, _, bytes) = Self.write { w in
            canp_thrift_field_i32(w, 1, 1)           // delta 1, type 5; zigzag(1) = 2
            canp_thrift_field_i64(w, 3, -1)          // delta 2, type 6; zigzag(-1) = 1
            canp_thrift_field_bool(w, 4, true)       // delta 1, BOOLEAN_TRUE 1
            canp_thrift_field_bool(w, 5, false)      // delta 1, BOOLEAN_FALSE 2
            canp_thrift_field_binary(w, 6, "abc", 3) // delta 1, type 8; length 3
            canp_thrift_struct_end(w)
        }
        #expect(rc == 0)
        #expect(bytes == [0x15, 0x02, 0x26, 0x01, 0x11, 0x12, 0x18, 0x03, 0x61, 0x62, 0x63, 0x00])
    }

    @Test func aDeltaAbove15TakesTheLongForm() {
        let (rc, _, bytes) = Self.write { w in
            canp_thrift_field_i32(w, 1, 0)
            canp_thrift_field_i32(w, 20, 0) // delta 19: type byte, then zigzag(20) = 40
            canp_thrift_struct_end(w)
        }
        #expect(rc == 0)
        #expect(bytes == [0x15, 0x00, 0x05, 0x28, 0x00, 0x00])
    }

    @Test func varintsAreLittleEndianGroupsOfSeven() {
        // The specification's example: 50399 = 0xDF 0x89 0x03; zigzag(-25200) = 50399.
        let (rc, _, bytes) = Self.write { w in
            canp_thrift_field_i32(w, 1, -25200)
            canp_thrift_field_i64(w, 2, Int64.min) // zigzag: 2^64 - 1, ten bytes
            canp_thrift_struct_end(w)
        }
        #expect(rc == 0)
        #expect(bytes == [0x15, 0xDF, 0x89, 0x03, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00])
    }

    @Test func listsAndNestedStructs() {
        let (rc, _, bytes) = Self.write { w in
            canp_thrift_field_list_begin(w, 2, UInt8(CANP_THRIFT_I32), 3) // size 3, element type 5
            canp_thrift_element_i32(w, 0)
            canp_thrift_element_i32(w, 3)
            canp_thrift_element_i32(w, 8)
            canp_thrift_field_list_begin(w, 3, UInt8(CANP_THRIFT_BINARY), 20) // long form: 0xF8, size 20
            for _ in 0..<20 { canp_thrift_element_binary(w, "x", 1) }
            canp_thrift_field_struct_begin(w, 5) // delta 2, type 12
            canp_thrift_field_i32(w, 1, 7)       // ids restart at 0 inside
            canp_thrift_struct_end(w)
            canp_thrift_field_list_begin(w, 6, UInt8(CANP_THRIFT_STRUCT), 1)
            canp_thrift_element_struct_begin(w)
            canp_thrift_field_i16(w, 7, -1)      // type 4, zigzag(-1) = 1
            canp_thrift_struct_end(w)
            canp_thrift_struct_end(w)
        }
        #expect(rc == 0)
        let strings: [UInt8] = (0..<20).flatMap { _ in [UInt8(0x01), 0x78] }
        let head: [UInt8] = [0x29, 0x35, 0x00, 0x06, 0x10, 0x19, 0xF8, 0x14]
        let tail: [UInt8] = [0x2C, 0x15, 0x0E, 0x00, 0x19, 0x1C, 0x74, 0x01, 0x00, 0x00]
        #expect(bytes == head + strings + tail)
    }

    @Test func aShortBufferReportsTheSizeNeededAndWritesNothingPastIt() {
        let (full, size, whole) = Self.write { w in
            canp_thrift_field_binary(w, 1, "0123456789", 10)
            canp_thrift_struct_end(w)
        }
        #expect(full == 0 && size == 13)
        var buffer = [UInt8](repeating: 0xEE, count: 8)
        var writer = canp_thrift_writer_t()
        var needed = 0
        let rc = buffer.withUnsafeMutableBufferPointer { bytes -> Int32 in
            canp_thrift_writer_init(&writer, bytes.baseAddress, 5) // 5 of the 8 bytes offered
            canp_thrift_field_binary(&writer, 1, "0123456789", 10)
            canp_thrift_struct_end(&writer)
            return canp_thrift_writer_finish(&writer, &needed)
        }
        #expect(rc == -ENOBUFS && needed == 13)
        #expect(Array(buffer.prefix(5)) == Array(whole.prefix(5)))
        #expect(buffer.suffix(3).allSatisfy { $0 == 0xEE })
    }

    @Test func misuseIsReported() {
        let (decreasing, _, _) = Self.write { w in
            canp_thrift_field_i32(w, 2, 0)
            canp_thrift_field_i32(w, 1, 0)
            canp_thrift_struct_end(w)
        }
        #expect(decreasing == -EINVAL)
        let (unended, _, _) = Self.write { w in
            canp_thrift_field_struct_begin(w, 1)
            canp_thrift_struct_end(w)
        }
        #expect(unended == -EINVAL)
        let (tooDeep, _, _) = Self.write { w in
            for _ in 0..<Int(CANP_THRIFT_MAX_DEPTH) { canp_thrift_field_struct_begin(w, 1) }
        }
        #expect(tooDeep == -EINVAL)
    }
}

