/// Objects split across two containers: the decoder of the container an
/// object starts in inflates the start of the next container (as many bytes
/// as the object needs, plus the window where the next object starts),
/// decodes the object in the workspace's join area, and leaves the next
/// container's decoder the offset of its first object as its exit state.
extension BLFUnitDecoder {
    /// The object whose signature starts at `at` runs past the end of the
    /// container's data (or only its first signature bytes are there).
    func crossing(at: Int, into frames: inout FrameBatch, columns: FrameScratch.Columns, row: Int) -> Bool {
        walk = .finished
        let have = dataCount - at
        // Fewer than 4 bytes: the end of the data may be a signature's start, or padding.
        let complete = have >= 4
        guard let next = followingContainer() else {
            if complete { objectIssue(.blfRunsPastFile(size: sizeIfKnown(at: at)), at: at, into: &frames) }
            return false
        }
        let declared = Int(next.declaredSize)
        guard next.method == 0 || next.method == 2, var got = fetchPrefix(of: next, count: min(declared, Self.firstJoinBytes)) else {
            // The next readable container starts inside lost data: it resumes at its first LOBJ.
            exitState = BLFEntryState.resync(from: 0)
            if complete { objectIssue(.blfFollowingContainerUnreadable, at: at, into: &frames) }
            return false
        }
        guard have + got >= BLFObjectHeader.baseSize else {
            if complete { objectIssue(.blfRunsPastFollowingContainer(size: sizeIfKnown(at: at)), at: at, into: &frames) }
            return false
        }
        let join = dataCount
        copyJoined(from: at, count: BLFObjectHeader.baseSize, available: got)
        let base = UnsafeRawPointer(objects.base)
        guard base.loadUnaligned(fromByteOffset: join, as: UInt32.self) == blfSignature.littleEndian else { return false }
        let header = BLFObjectHeader(base, at: join)
        guard header.isValid else {
            objectIssue(.blfSizeBelowHeader(size: header.size, header: header.minimumSize), at: at, into: &frames)
            walk = .resync(at + 1)
            return false
        }
        let remainder = at + Int(header.size) - dataCount
        guard remainder <= declared else {
            objectIssue(.blfRunsPastFollowingContainer(size: header.size), at: at, into: &frames)
            walk = .resync(at + 1)
            return false
        }
        if remainder + 12 <= Self.maximumPrefixBytes {
            if remainder + 12 > got && got < declared {
                got = fetchPrefix(of: next, count: min(declared, remainder + 12)) ?? 0
            }
            guard got >= remainder else {
                exitState = BLFEntryState.resync(from: 0)
                objectIssue(.blfFollowingContainerUnreadable, at: at, into: &frames)
                return false
            }
            exitState = exit(afterRemainder: remainder, prefixBytes: got)
        } else {
            // A large object (not a frame: frames are at most 256 bytes): the next
            // container searches for its first object from the end of this one.
            exitState = UInt64(remainder)
        }
        copyJoined(from: at, count: min(Int(header.size), Self.joinAreaBytes), available: got)
        let outcome = objects.decode(header, at: join, into: columns, row: row)
        return count(outcome, at: at, into: &frames)
    }

    /// The state the next container starts from: its first `LOBJ` within 8
    /// bytes of the end of the joined object (normalised), else that end.
    private func exit(afterRemainder remainder: Int, prefixBytes: Int) -> UInt64? {
        prefix.withUnsafeBytes { bytes in
            let base = bytes.baseAddress!
            guard let first = blfFindSignature(base, from: remainder, limit: remainder + 8, count: prefixBytes) else {
                return UInt64(remainder)
            }
            return BLFEntryState.normalised(objectAt: first, base, count: prefixBytes)
        }
    }

    /// The object size at `at` when its base header lies in the data, else 0.
    private func sizeIfKnown(at: Int) -> UInt32 {
        at + BLFObjectHeader.baseSize <= dataCount ? BLFObjectHeader(UnsafeRawPointer(objects.base), at: at).size : 0
    }

    /// The container after this unit's, when there is one.
    private func followingContainer() -> BLFContainer? {
        guard unit.tag != 0, unit.tag & BLFFormat.runTag == 0 else { return nil }
        return BLFContainer(fileBytes: fileBytes, offset: Int(unit.tag - 1))
    }

    /// The first `count` decoded bytes of `container` into `prefix`; how many
    /// there are (fewer when it ends first), nil when it does not inflate.
    private func fetchPrefix(of container: BLFContainer, count: Int) -> Int? {
        if prefix.count < count { prefix = [UInt8](repeating: 0, count: count) }
        return prefix.withUnsafeMutableBytes { bytes -> Int? in
            let output = UnsafeMutableRawBufferPointer(rebasing: bytes[0..<count])
            if container.method == 0 {
                let n = min(count, container.payload.count)
                if n > 0 { output.baseAddress!.copyMemory(from: container.payload.baseAddress!, byteCount: n) }
                return n
            }
            return try? ZlibInflater.unsafeInflatePrefix(stream: container.payload, into: output)
        }
    }

    /// Copies the first `count` bytes of the object at `at`, which continues
    /// in `prefix` (`available` bytes), into the join area.
    private func copyJoined(from at: Int, count: Int, available: Int) {
        let join = objects.base + dataCount
        let own = min(dataCount - at, count)
        join.copyMemory(from: objects.base + at, byteCount: own)
        let rest = min(count - own, available)
        guard rest > 0 else { return }
        prefix.withUnsafeBytes { bytes in (join + own).copyMemory(from: bytes.baseAddress!, byteCount: rest) }
    }
}
