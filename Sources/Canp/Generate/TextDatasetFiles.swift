/// The text formats of `canp generate --format candump|asc`: the same
/// traffic as a CANP file of the same seed, written as candump or ASC lines.
extension DatasetGenerator {
    /// Writes file `index` as a text log of about `options.fileSize` bytes.
    /// With damage, one frame line in 1000 gets a time of 10 fraction
    /// digits (more than ns): a line that does not parse.
    static func generateTextFile(index: Int, options: Options, traffic: inout BusTraffic,
                                 path: String) throws(Failure) -> GeneratedFile {
        var candump = CandumpLogWriter()
        var asc = ASCLogWriter()
        var frames = 0
        var damaged: [Int] = []
        func size() -> Int { options.format == .asc ? asc.bytes.count : candump.bytes.count }
        while size() < options.fileSize {
            let frame = traffic.nextFrame()
            let line = options.format == .asc ? asc.lineCount : candump.lineCount
            if options.format == .asc { asc.append(frame) } else { candump.append(frame) }
            frames += 1
            if options.damage && frames % 1_000 == 500 {
                if options.format == .asc { asc.damageLastLine() } else { candump.damageLastLine() }
                damaged.append(line)
            }
        }
        asc.finish()
        let bytes = options.format == .asc ? asc.bytes : candump.bytes
        try writeFile(path, bytes)
        return GeneratedFile(path: path, bytes: bytes.count, blocks: 0, frames: frames, damage: [], damagedLines: damaged)
    }
}

