extension RunSummary.Database {
    /// The entries of a decoder's bindings, in order: what a sink's summary
    /// lists as the run's DBCs (here, beside the sinks, because the report
    /// itself knows nothing of DBCs).
    ///
    /// - Parameter decoder: the run's decoder, or nil (no DBC).
    /// - Returns: one entry per binding.
    public static func of(_ decoder: DBCDecoder?) -> [RunSummary.Database] {
        (decoder?.bindings ?? []).map { RunSummary.Database(path: $0.name, channels: $0.channels, isJ1939: $0.isJ1939) }
    }
}
