/// The contents of a DBC file: messages with their signals, value tables,
/// attributes, comments, and the warnings the parser recorded.
///
/// Load one with ``init(bytes:fileName:)`` or ``init(contentsOfFile:)``, then
/// ``compile()`` it into a ``DBCDecoder`` for decoding frames.
public struct DBCDatabase: Sendable {
    /// The `VERSION` string.
    public var version: String = ""
    /// The nodes of the `BU_` line.
    public var nodes: [String] = []
    /// The messages in file order (a message whose id is out of range is left out, with a warning).
    public var messages: [DBCMessage]
    /// The network comment (`CM_ "..."`), all of them concatenated.
    public var comment: String?
    /// `CM_ BU_` comments by node.
    public var nodeComments: [String: String] = [:]
    /// `VAL_TABLE_` tables in file order.
    public var valueTables: [(name: String, entries: [DBCValueDescription])] = []
    /// `BA_DEF_` definitions with their `BA_DEF_DEF_` defaults, in file order.
    public var attributeDefinitions: [DBCAttributeDefinition] = []
    /// Network attributes (`BA_ "name" value;`).
    public var attributes: [String: DBCAttributeValue] = [:]
    /// Node attributes (`BA_ "name" BU_ node value;`) by node.
    public var nodeAttributes: [String: [String: DBCAttributeValue]] = [:]
    /// What the parser worked around, sorted by line.
    public var warnings: [DBCWarning] = []
    /// Whether the file was not valid UTF-8 and was read as Windows-1252.
    public var isWindows1252 = false

    /// Creates a database from messages (for tests and generated data).
    ///
    /// - Parameter messages: The messages.
    public init(messages: [DBCMessage]) {
        self.messages = messages
    }

    /// Parses the bytes of a DBC file.
    ///
    /// - Parameters:
    ///   - bytes: The file contents (UTF-8, or Windows-1252 with a warning).
    ///   - fileName: A name for error messages.
    /// - Throws: ``DBCError/syntax(file:line:column:expected:found:)``.
    /// - Complexity: O(*n*) in the size of the file.
    public init(bytes: [UInt8], fileName: String? = nil) throws(DBCError) {
        self = try DBCParser.parse(bytes: bytes, fileName: fileName)
    }

    /// Parses a DBC string.
    ///
    /// - Parameter text: The file contents.
    /// - Throws: ``DBCError/syntax(file:line:column:expected:found:)``.
    public init(string text: String) throws(DBCError) {
        self = try DBCParser.parse(bytes: Array(text.utf8), fileName: nil)
    }

    /// The largest DBC file read: 64 MiB. The largest of the 182 real-world
    /// DBC files CANP is tested against is 0.8 MB; a file a hundred times that
    /// is still far from the cap, while a device or a runaway file named by
    /// mistake is refused before it exhausts memory.
    public static let maximumFileSize = 64 << 20

    /// Reads and parses a DBC file.
    ///
    /// Only a regular file of at most ``maximumFileSize`` bytes is read (see
    /// ``SmallFileReader``): a FIFO, a device or a directory is refused at once.
    ///
    /// - Parameter path: The file path.
    /// - Throws: ``DBCError/unreadableFile(path:reason:)`` when it cannot be read,
    ///   is not a regular file or is larger than ``maximumFileSize``;
    ///   ``DBCError/syntax(file:line:column:expected:found:)`` when it is not a DBC file.
    public init(contentsOfFile path: String) throws(DBCError) {
        let bytes: [UInt8]
        do {
            bytes = try SmallFileReader.read(path: path, limit: Self.maximumFileSize)
        } catch {
            throw .unreadableFile(path: path, reason: error.reason)
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        self = try DBCParser.parse(bytes: bytes, fileName: name)
    }

    /// The message that frames with this identifier decode as: the last one
    /// in the file when several share it (as cantools does).
    ///
    /// - Parameters:
    ///   - id: The 11-bit or 29-bit identifier without flag bits.
    ///   - isExtended: Whether the frame has the EFF flag.
    /// - Complexity: O(*n*) in the number of messages; compile for fast lookup.
    public func message(id: UInt32, isExtended: Bool) -> DBCMessage? {
        messages.last { $0.id == id && $0.isExtended == isExtended }
    }

    /// The first message with the given name.
    ///
    /// - Parameter name: The message name.
    /// - Complexity: O(*n*) in the number of messages.
    public func message(named name: String) -> DBCMessage? {
        messages.first { $0.name == name }
    }

    /// The database attribute `ProtocolType` (`BA_ "ProtocolType" "J1939";`)
    /// as text, an `ENUM` value by its name; `nil` when the file does not set
    /// it (a `BA_DEF_DEF_` default alone does not count).
    public var protocolType: String? {
        guard let value = attributes["ProtocolType"] else { return nil }
        if case .integer(let index) = value,
           case .enumeration(let choices)? = attributeDefinitions.last(where: { $0.name == "ProtocolType" })?.valueType,
           index >= 0, index < choices.count {
            return choices[Int(index)]
        }
        return value.description
    }

    /// Whether the file declares itself a J1939 database: its ``protocolType``
    /// is exactly `J1939` (`spec/DECODING.md`). A message's `VFrameFormat`
    /// (`J1939PG`) does not count.
    public var declaresJ1939: Bool { protocolType == "J1939" }

    /// Compiles the database into decode plans for fast decoding.
    ///
    /// - Returns: A decoder that can be shared by all threads.
    /// - Complexity: O(*n*) in the number of signals (plus their multiplexer values).
    public func compile() -> DBCDecoder {
        DBCDecoder(bindings: [DBCBinding(database: self)])
    }
}
