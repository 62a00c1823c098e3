/// The files of one run of a sharded job: the inputs named on the command
/// line and in manifests, listed and sorted as for any run
/// (``InputFiles/expand(_:directoryExtensions:)``), then the shard's share.
public enum InputSelection {
    /// Lists the run's files.
    ///
    /// - Parameters:
    ///   - inputs: files and directories named directly.
    ///   - manifests: manifests read with ``InputManifest/init(contentsOf:)``; their paths follow `inputs`.
    ///   - shard: the shard whose share is taken, or nil for every file.
    ///   - directoryExtensions: the extensions taken from directories.
    /// - Returns: the files, sorted by path bytes (a file named twice is
    ///   listed twice, as in a run over all of them); empty when manifests name
    ///   nothing or the shard's share is empty (the part is then written with no rows).
    /// - Throws: ``PipelineError/noInputFiles(_:)`` when nothing is named at
    ///   all and no manifest is given, or the named directories hold no file;
    ///   ``PipelineError/inputUnavailable(path:reason:)`` as the listing does.
    public static func files(
        inputs: [InputPath], manifests: [InputManifest], shard: Shard?, directoryExtensions: [String]
    ) throws(PipelineError) -> [InputFiles.File] {
        let named = inputs + manifests.flatMap(\.paths)
        if named.isEmpty && !manifests.isEmpty { return [] }
        let files = try InputFiles.expand(named, directoryExtensions: directoryExtensions)
        guard let shard else { return files }
        return shard.share(of: files)
    }
}
