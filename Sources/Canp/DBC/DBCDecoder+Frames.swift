import CCanpCore

extension DBCDecoder {
    /// Decodes the signals of every frame of a batch and appends them to
    /// `signals` (each row's frame index is the frame's row in `frames`).
    /// Each frame is looked up in the databases that serve its channel
    /// (``messageIndex(id:isExtended:channel:)``). Remote and error frames,
    /// and frames that no such database has a message for, carry no signals.
    ///
    /// The frames are decoded by the C decode kernel (`canp_dbc.h`) in one
    /// call (more only when the batch has to grow), with exactly the rows of
    /// ``referenceDecodeSignals(of:data:into:)``.
    ///
    /// - Parameters:
    ///   - frames: the frames; their data lies in `data`.
    ///   - data: the data buffer of the frames' segment, with
    ///     ``DBCDecoder/payloadPadding`` readable bytes after its end (the
    ///     payloads are read in place).
    ///   - signals: receives the rows.
    /// - Returns: how many frames had at least one signal.
    /// - Complexity: O(frames + signals); without bound databases the
    ///   channels are not read (the lookup of a single database).
    public func decodeSignals(of frames: FrameBatch, data: UnsafeRawBufferPointer, into signals: inout DBCSignalBatch) -> Int {
        guard let base = data.baseAddress, !frames.isEmpty else { return 0 }
        return frames.withKernelFrames(data: base) { input in
            var withSignals = 0
            var next = 0
            repeat {
                signals.reserve(additional: kernel.maximumRows)
                var rows = signals.kernelRows()
                withSignals += canp_dbc_decode_frames(kernel.plan, &input, next, &rows, &next)
                signals.count = rows.count
            } while next < input.count
            return withSignals
        }
    }

    /// The Swift reference of ``decodeSignals(of:data:into:)``: the same rows,
    /// decoded frame by frame through ``decode(messageAt:bytes:frameIndex:into:)``'s
    /// plans. For tests and fuzzing, which compare it with the C kernel.
    ///
    /// - Parameters:
    ///   - frames: the frames; their data lies in `data`.
    ///   - data: the data buffer, with ``DBCDecoder/payloadPadding`` readable bytes after its end.
    ///   - signals: receives the rows.
    /// - Returns: how many frames had at least one signal.
    public func referenceDecodeSignals(of frames: FrameBatch, data: UnsafeRawBufferPointer,
                                       into signals: inout DBCSignalBatch) -> Int {
        guard let base = data.baseAddress, !frames.isEmpty else { return 0 }
        var withSignals = 0
        let lookup = self.lookup
        let routed = lookup.routesChannels
        for row in 0..<frames.count {
            let flag = frames.flags[row]
            if flag.contains(.remoteRequest) || flag.contains(.errorFrame) { continue }
            let table = routed ? lookup.table(channel: frames.channels[row]) : 0
            let message = lookup.lookup(id: frames.identifiers[row], isExtended: flag.contains(.extended), table: table)
            if message < 0 { continue }
            let added = decode(messageAt: message, paddedPayload: base + Int(frames.dataOffsets[row]),
                               count: Int(frames.lengths[row]), frameIndex: UInt32(row), into: &signals)
            if added > 0 { withSignals += 1 }
        }
        return withSignals
    }
}

extension FrameBatch {
    /// Calls `body` with the columns the decode kernel reads.
    func withKernelFrames<R>(data: UnsafeRawPointer, _ body: (inout canp_dbc_frames) -> R) -> R {
        identifiers.withUnsafeBufferPointer { identifiers in
            flags.withUnsafeBufferPointer { flags in
                channels.withUnsafeBufferPointer { channels in
                    dataOffsets.withUnsafeBufferPointer { offsets in
                        lengths.withUnsafeBufferPointer { lengths in
                            var frames = canp_dbc_frames(
                                identifiers: identifiers.baseAddress,
                                flags: UnsafeRawPointer(flags.baseAddress)?.assumingMemoryBound(to: UInt8.self),
                                channels: channels.baseAddress, data_offsets: offsets.baseAddress,
                                lengths: lengths.baseAddress, data: data.assumingMemoryBound(to: UInt8.self),
                                count: identifiers.count)
                            return body(&frames)
                        }
                    }
                }
            }
        }
    }
}
