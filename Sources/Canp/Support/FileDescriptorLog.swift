#if canImport(Glibc)
import Glibc
#endif

/// Writes whole lines to standard error without Foundation.
enum FileDescriptorLog {
    static func standardError(_ line: String) {
        var text = line
        text.append("\n")
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
