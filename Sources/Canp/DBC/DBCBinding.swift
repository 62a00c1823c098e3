/// One database of a ``DBCDecoder``: the channels it serves and whether its
/// extended identifiers match by J1939 parameter group number.
///
/// The rules (`spec/DECODING.md`): a frame on a channel that some binding is
/// bound to is looked up in the databases bound to that channel, in the order
/// of the bindings; a frame on any other channel in the unbound databases, in
/// order. The first database that has a matching message decodes the frame,
/// even when none of its signals fits; later ones are not asked. When every
/// database is bound, a frame on another channel is not decoded.
public struct DBCBinding: Sendable {
    /// The database.
    public var database: DBCDatabase
    /// A name for reports and messages: the path as given on the command line.
    public var name: String
    /// The `channel` numbers (as in the exports) the database serves, in
    /// 0...``DBCDecoder/maximumChannel``; empty for a database that serves
    /// every channel no database is bound to.
    public var channels: [Int32]
    /// Whether the database is read as J1939 although it lacks `ProtocolType`
    /// (`--j1939-dbc`).
    public var forcesJ1939: Bool

    /// Creates a binding.
    ///
    /// - Parameters:
    ///   - database: The database.
    ///   - name: A name for reports (the file path).
    ///   - channels: The channels it serves; empty (the default) for every channel no database is bound to.
    ///   - forcesJ1939: Whether to read it as J1939 without its `ProtocolType` attribute.
    public init(database: DBCDatabase, name: String = "", channels: [Int32] = [], forcesJ1939: Bool = false) {
        self.database = database
        self.name = name
        self.channels = channels
        self.forcesJ1939 = forcesJ1939
    }

    /// Whether the database serves only its ``channels``.
    public var isBound: Bool { !channels.isEmpty }

    /// Whether extended frames match its messages by parameter group number:
    /// the database declares `ProtocolType` `J1939`, or ``forcesJ1939``.
    public var isJ1939: Bool { forcesJ1939 || database.declaresJ1939 }

    /// Why a `FILE@C1,C2` argument was refused.
    public enum ArgumentError: Error, Sendable, Equatable, CustomStringConvertible {
        /// A channel number above ``DBCDecoder/maximumChannel``.
        case channelOutOfRange(argument: String, channel: String)

        /// A sentence naming the argument and the channel.
        public var description: String {
            switch self {
            case let .channelOutOfRange(argument, channel):
                return "\(argument): channel \(channel) is not in 0...\(DBCDecoder.maximumChannel)"
            }
        }
    }

    /// Splits a `FILE[@C1,C2...]` argument into the path and its channels.
    ///
    /// The path is split at the last `@` that is followed by a list of decimal
    /// channel numbers (digits separated by commas, nothing else): `bus@1,2`
    /// is `bus` bound to channels 1 and 2; `logs@home/bus.dbc` and `bus@` are
    /// paths. Channels are given once each, in the order written.
    ///
    /// - Parameter argument: The text after `--dbc`.
    /// - Returns: The path, and the channels (empty when the argument names no channels).
    /// - Throws: ``ArgumentError/channelOutOfRange(argument:channel:)``.
    public static func splitArgument(_ argument: String) throws(ArgumentError) -> (path: String, channels: [Int32]) {
        // Only the last `@` can be followed by a list: the text after an earlier one holds an `@`.
        guard let at = argument.lastIndex(of: "@") else { return (argument, []) }
        let list = argument[argument.index(after: at)...]
        let numbers = list.split(separator: ",", omittingEmptySubsequences: false)
        guard !list.isEmpty, numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            return (argument, [])
        }
        var channels: [Int32] = []
        for number in numbers {
            guard number.count <= 10, let value = Int64(number), value <= Int64(DBCDecoder.maximumChannel) else {
                throw .channelOutOfRange(argument: argument, channel: String(number))
            }
            if !channels.contains(Int32(value)) { channels.append(Int32(value)) }
        }
        return (String(argument[..<at]), channels)
    }
}
