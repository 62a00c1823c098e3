import Canp

/// `canp inspect` of a BLF file: the header, the containers, the object
/// types and versions counted, then what the reader decodes (frames, bus
/// error events, ignored objects, damage).
enum InspectBLF {
    static func run(_ bytes: [UInt8], path: String, name: String, listed: Int) {
        bytes.withUnsafeBytes { file in
            guard let inspection = BLFInspection(unsafeFileBytes: file) else {
                print("\(path): not a BLF file")
                return
            }
            printHeader(inspection, path: path, size: bytes.count)
            let containers = inspection.topLevel.filter { $0.type == 10 }
            print("top-level objects: \(inspection.topLevel.count), of which \(containers.count) LOG_CONTAINER "
                  + "(\(containers.filter { $0.method == 2 }.count) zlib, \(containers.filter { $0.method == 0 }.count) stored)")
            for object in inspection.topLevel.prefix(listed) { printObject(object) }
            if inspection.topLevel.count > listed { print("... \(inspection.topLevel.count - listed) more") }
            if let stopped = inspection.stopped { print("top-level walk stopped: \(stopped)") }
            print("objects in containers: " + inspection.objectTypes.sorted { $0.key < $1.key }
                .map { "\(BLFInspection.typeName($0.key)) (\($0.key)): \($0.value)" }.joined(separator: ", "))
            print("header versions: " + inspection.headerVersions.sorted { $0.key < $1.key }.map { "v\($0.key): \($0.value)" }
                .joined(separator: ", ") + "; \(inspection.splitObjects) object(s) split across containers")
            printDecoded(file, name: name)
        }
    }

    private static func printHeader(_ i: BLFInspection, path: String, size: Int) {
        print("\(path): \(size) bytes, BLF \(i.blfVersion), application \(i.application.id) \(i.application.version)")
        print("header: file size \(i.declaredFileSize), uncompressed \(i.declaredUncompressedSize), "
              + "objects \(i.declaredObjectCount), start \(i.startNanoseconds) ns, stop \(i.stopNanoseconds) ns")
    }

    private static func printObject(_ o: BLFInspection.TopLevelObject) {
        var text = "object \(o.index) at offset \(o.offset): \(BLFInspection.typeName(o.type)), size \(o.size)"
        if let method = o.method {
            text += ", method \(method) (\(method == 2 ? "zlib" : method == 0 ? "stored" : "unknown")), declared \(o.declaredSize ?? 0)"
            text += o.inflatedSize.map { ", inflated \($0)" } ?? ", does not inflate"
        }
        print(text)
    }

    /// The reader's view, unit after unit (as one worker decodes a chunk).
    private static func printDecoded(_ file: UnsafeRawBufferPointer, name: String) {
        let format = BLFFormat()
        guard let decoder = try? format.makeUnitDecoder() else { return }
        var counts = FormatCounts()
        var issues: [FormatIssue] = []
        var entry = UnitEntry.known(nil)
        for item in format.scan(unsafeFileBytes: file, fileName: name).entries {
            switch item {
            case .skipped(let issue, let c):
                issues.append(issue)
                counts += c
            case .unit(let unit):
                let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: unit.workspaceBytes + InputUnit.padding,
                                                                       alignment: 16)
                defer { workspace.deallocate() }
                var batch = FrameBatch()
                let start = decoder.start(unit, fileBytes: file, fileName: name,
                                          workspace: UnsafeMutableRawBufferPointer(rebasing: workspace[0..<unit.workspaceBytes]),
                                          depth: .frames, entry: entry, into: &batch)
                var more = start.hasFrames
                while more {
                    more = decoder.next(into: &batch, maximumFrames: 4096)
                    counts += batch.counts
                    issues += batch.issues
                    batch.removeAll()
                }
                counts += batch.counts
                issues += batch.issues
                entry = .known(decoder.exitState)
            }
        }
        print("decoded: \(counts)")
        if !counts.ignored.isEmpty {
            print("ignored: " + counts.ignored.sorted { $0.key < $1.key }.map { "\($0.value) x \($0.key)" }.joined(separator: ", "))
        }
        print(issues.isEmpty ? "errors: none" : "errors: \(issues.count)")
        for issue in issues { print("  \(issue)") }
    }
}
