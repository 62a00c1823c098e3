#if canImport(Glibc)
import Glibc
#endif

/// Writes the canonical exports of the spec (`frames.csv`, `signals.csv`,
/// `errors.csv`) in file and block order.
///
/// Each file is written under a temporary name (`.frames.csv.partial`) and
/// renamed into place only when the run is complete, after `fsync`, so that
/// a crash never leaves a file that looks finished. ``discard()`` removes
/// the temporary files of a failed run.
final class CSVExport {
    private struct Output {
        var finalPath: String
        var partialPath: String
        var descriptor: Int32
    }

    private var outputs: [Output] = []
    private(set) var bytesWritten = 0
    private var errorRows = CSVByteWriter(capacity: 1 << 16)

    /// Creates the directory if needed and opens the three partial files with their header rows.
    init(directory: String) throws(PipelineError) {
        do {
            try DatasetGenerator.makeDirectory(directory)
        } catch {
            throw .outputFailed(path: directory, reason: "\(error)")
        }
        let names: [(String, String)] = [("frames.csv", CanonicalCSV.framesHeader),
                                         ("signals.csv", CanonicalCSV.signalsHeader),
                                         ("errors.csv", CanonicalCSV.errorsHeader)]
        for (name, header) in names {
            let finalPath = directory + "/" + name
            let partialPath = directory + "/." + name + ".partial"
            let fd = open(partialPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                discard()
                throw .outputFailed(path: partialPath, reason: reason)
            }
            outputs.append(Output(finalPath: finalPath, partialPath: partialPath, descriptor: fd))
            try write(Array(header.utf8), to: outputs.count - 1)
        }
    }

    deinit { discard() }

    /// Appends a chunk's rows.
    func append(_ result: ChunkResult) throws(PipelineError) {
        if !result.framesCSV.isEmpty { try write(result.framesCSV, to: 0) }
        if !result.signalsCSV.isEmpty { try write(result.signalsCSV, to: 1) }
        if !result.issues.isEmpty {
            errorRows.removeAll()
            for issue in result.issues { CanonicalCSV.appendErrorRow(issue, to: &errorRows) }
            try write(errorRows.bytes, to: 2)
        }
    }

    /// Flushes, closes and renames the files into place. Returns their paths.
    func finish() throws(PipelineError) -> [String] {
        var paths: [String] = []
        for index in outputs.indices {
            let output = outputs[index]
            if fsync(output.descriptor) != 0 || close(output.descriptor) != 0 {
                let reason = String(cString: strerror(errno))
                outputs[index].descriptor = -1
                throw .outputFailed(path: output.partialPath, reason: reason)
            }
            outputs[index].descriptor = -1
        }
        for output in outputs {
            if rename(output.partialPath, output.finalPath) != 0 {
                throw .outputFailed(path: output.finalPath, reason: String(cString: strerror(errno)))
            }
            paths.append(output.finalPath)
        }
        outputs.removeAll()
        return paths
    }

    /// Closes and removes the partial files (a failed or cancelled run).
    func discard() {
        for output in outputs {
            if output.descriptor >= 0 { close(output.descriptor) }
            unlink(output.partialPath)
        }
        outputs.removeAll()
    }

    private func write(_ bytes: [UInt8], to index: Int) throws(PipelineError) {
        let output = outputs[index]
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(output.descriptor, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .outputFailed(path: output.partialPath, reason: String(cString: strerror(errno))) }
            done += n
        }
        bytesWritten += bytes.count
    }
}
