/// How far a pipeline decodes each block; every stage includes the ones before it.
public enum PipelineStage: String, Sendable, CaseIterable {
    /// Inflate the gzip members with libdeflate, nothing more (the physical limit).
    case inflate
    /// Inflate with zlib instead (the peer most tools use).
    case inflateWithZlib = "inflate-zlib"
    /// Inflate and walk levels 1-3 (structure checked, frames counted).
    case walk
    /// Inflate, walk and decode the frames into columns.
    case frames
    /// All of that and the DBC signals.
    case signals
}

extension PipelineStage {
    /// How far the input units are decoded for this stage.
    var depth: DecodeDepth {
        switch self {
        case .inflate: .inflate
        case .inflateWithZlib: .inflateWithZlib
        case .walk: .walk
        case .frames, .signals: .frames
        }
    }
}
