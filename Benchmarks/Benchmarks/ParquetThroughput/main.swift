// Parquet encode+compress+write throughput on one core, on decoded CANP data.
//
//   ParquetThroughput --data DIR --dbc FILE --out DIR [--compression zstd] [--repetitions N] [--json FILE]
//
// Decodes every file of DIR into memory first (the pipeline's batches), then,
// per repetition and on one thread: fills the column buffers of every table
// (frames, errors, one per message), encodes and compresses their pages, and
// writes the files (DIR/frames.parquet, DIR/errors.parquet, DIR/signals/NAME.parquet).
// Prints the best repetition's times (process CPU time: on a shared machine,
// wall time also counts the time other processes held the core) and the sizes. The peer,
// scripts/peers/pyarrow_parquet_peer.py, loads the written tables with pyarrow
// and times pyarrow writing the same tables.
import Canp
import Foundation

func argument(_ name: String, _ fallback: String? = nil) -> String {
    let arguments = CommandLine.arguments
    if let at = arguments.firstIndex(of: name), at + 1 < arguments.count { return arguments[at + 1] }
    guard let fallback else { fatalError("missing \(name)") }
    return fallback
}

let dataDirectory = argument("--data")
let outDirectory = argument("--out")
let repetitions = Int(argument("--repetitions", "5"))!
let codec = ParquetCompression.Codec(rawValue: argument("--compression", "zstd"))!
let compression = ParquetCompression(codec, level: Int(argument("--level", codec == .gzip ? "6" : "1")))
/// Encode a table as soon as it holds this many rows (0: at the end of each batch only).
let eagerRows = Int(argument("--eager-rows", "0"))!
let decoder = try DBCDatabase(contentsOfFile: argument("--dbc")).compile()

let inputs = try FileManager.default.contentsOfDirectory(atPath: dataDirectory).filter { $0.hasSuffix(".bin") }.sorted()
    .map { dataDirectory + "/" + $0 }
var configuration = PipelineConfiguration()
configuration.cpuThreads = 1
let pipeline = try CANPipeline(configuration: configuration, decoder: decoder)
var batches: [DecodedBatch] = []
let decodeStart = CPUClock().now
for try await batch in pipeline.batches(of: inputs) { batches.append(batch) }
let decodeTime = CPUClock().now - decodeStart
let inputBytes = inputs.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }

let layout = try ParquetOutputLayout(inputNames: inputs.map { ($0 as NSString).lastPathComponent }, decoder: decoder)
try FileManager.default.createDirectory(atPath: outDirectory + "/signals", withIntermediateDirectories: true)

/// Process CPU time (CLOCK_PROCESS_CPUTIME_ID), as a Duration.
struct CPUClock {
    var now: Duration {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return .seconds(spec.tv_sec) + .nanoseconds(spec.tv_nsec)
    }
}

struct Times {
    var fill = Duration.zero
    var encode = Duration.zero
    var write = Duration.zero
    var total: Duration { fill + encode + write }
}

final class FileDestination {
    let descriptor: Int32
    let destination: ParquetFileDescriptorDestination
    init(_ path: String) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(descriptor >= 0, "cannot open \(path)")
        destination = ParquetFileDescriptorDestination(descriptor: descriptor, path: path)
    }
    deinit { close(descriptor) }
}

/// The tables of one pass: buffers, encoder and one writer per table.
@MainActor final class TableSink {
    var times = Times()
    let clock = CPUClock()
    var buffers = ParquetTableBuffers(layout: layout)
    var encoder: ParquetPageEncoder
    let options = ParquetWriterOptions(compression: compression)
    var files: [String: FileDestination] = [:]
    var writers: [String: ParquetFileWriter] = [:]

    init() throws {
        encoder = try ParquetPageEncoder(compression: compression)
        _ = try writer("errors", layout.errors)
    }

    func writer(_ table: String, _ schema: ParquetSchema) throws -> ParquetFileWriter {
        if let writer = writers[table] { return writer }
        let file = FileDestination(outDirectory + "/" + table + ".parquet")
        files[table] = file
        let writer = try ParquetFileWriter(schema: schema, destination: file.destination, options: options)
        writers[table] = writer
        return writer
    }

    func append(_ chunks: ParquetTableChunks) throws {
        if let frames = chunks.frames { try writer("frames", layout.frames).append(frames) }
        if let errors = chunks.errors { try writer("errors", layout.errors).append(errors) }
        for (message, chunk) in chunks.signals {
            let table = layout.signalTables[message]
            try writer("signals/" + table.directoryName, table.schema).append(chunk)
        }
    }

    func consume(_ batch: DecodedBatch) throws {
        var start = clock.now
        for (index, segment) in batch.frames.segments.enumerated() {
            batch.dataBlocks[index].withUnsafeBytes { data in
                buffers.appendFrames(batch.frames, rows: segment.frames, data: data, fileIndex: batch.fileIndex, decoder: decoder)
            }
            if eagerRows > 0 && buffers.frameRowCount >= eagerRows {
                let now = clock.now
                times.fill += now - start
                let early = try buffers.encode(with: &encoder, minimumRows: eagerRows)
                times.encode += clock.now - now
                start = clock.now
                try append(early)
                times.write += clock.now - start
                start = clock.now
            }
        }
        buffers.appendIssues(batch.frames.issues)
        batch.withSignalColumns { frameRows, signalIndices, rawBits, kinds, values in
            buffers.appendSignals(frameIndices: frameRows, signalIndices: signalIndices, rawBits: rawBits, kinds: kinds,
                                  values: values, frames: batch.frames, fileIndex: batch.fileIndex)
        }
        var now = clock.now
        times.fill += now - start
        start = now
        let chunks = try buffers.encode(with: &encoder)
        now = clock.now
        times.encode += now - start
        start = now
        try append(chunks)
        times.write += clock.now - start
    }

    func finish() throws -> ([String: Int], [String: Int]) {
        let start = clock.now
        var sizes: [String: Int] = [:]
        var rows: [String: Int] = [:]
        for (table, writer) in writers {
            let summary = try writer.finish()
            sizes[table] = summary.byteCount
            rows[table] = summary.rowCount
        }
        times.write += clock.now - start
        return (sizes, rows)
    }
}

@MainActor func run() throws -> (Times, [String: Int], [String: Int]) {
    let sink = try TableSink()
    for batch in batches { try sink.consume(batch) }
    let (sizes, rows) = try sink.finish()
    return (sink.times, sizes, rows)
}

/// Read, decode, fill, encode and write in one pass, batches consumed as they
/// come (the decoding worker runs ahead on its thread): the process CPU time of
/// the whole stage, on one CPU worker.
@MainActor func runStreaming() async throws -> Duration {
    let clock = CPUClock()
    let start = clock.now
    let sink = try TableSink()
    for try await batch in pipeline.batches(of: inputs) { try sink.consume(batch) }
    _ = try sink.finish()
    return clock.now - start
}

var best: Times?
var sizes: [String: Int] = [:]
var rows: [String: Int] = [:]
for _ in 0..<repetitions {
    let (times, runSizes, runRows) = try run()
    if best == nil || times.total < best!.total { best = times }
    sizes = runSizes
    rows = runRows
}
var streaming: Duration?
for _ in 0..<repetitions {
    let time = try await runStreaming()
    if streaming == nil || time < streaming! { streaming = time }
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
let total = sizes.values.reduce(0, +)
let framesSize = sizes["frames"] ?? 0
print("input \(inputBytes) bytes, \(rows["frames"] ?? 0) frames; read+decode (1 CPU thread, into memory, process CPU time) \(String(format: "%.1f", ms(decodeTime))) ms")
print(String(format: "parquet %@ (CPU time): fill %.1f ms, encode+compress %.1f ms, assemble+write %.1f ms, total %.1f ms",
             compression.description, ms(best!.fill), ms(best!.encode), ms(best!.write), ms(best!.total)))
print("sizes: total \(total) bytes (\(String(format: "%.3f", Double(total) / Double(inputBytes)))x input), frames \(framesSize), signals \(total - framesSize - (sizes["errors"] ?? 0))")
print(String(format: "whole stage in one pass (read, decode, fill, encode, write; process CPU time): %.1f ms", ms(streaming!)))
let json: [String: Any] = ["input_bytes": inputBytes, "decode_ms": ms(decodeTime), "stage_ms": ms(streaming!), "fill_ms": ms(best!.fill), "encode_ms": ms(best!.encode),
                           "write_ms": ms(best!.write), "total_ms": ms(best!.total), "sizes": sizes, "rows": rows,
                           "compression": compression.description]
if let path = CommandLine.arguments.firstIndex(of: "--json").map({ CommandLine.arguments[$0 + 1] }) {
    try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted]).write(to: URL(fileURLWithPath: path))
}
