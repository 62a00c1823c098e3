import CCanpCore

/// Maps a frame's identifier, EFF flag and channel to a global message index,
/// by the rules of `spec/DECODING.md` (several databases bound to channels,
/// J1939 matching by parameter group number), compiled into flat tables so
/// that a frame costs what one database's lookup costs:
///
/// - the channel selects a *table*: one per distinct list of databases that
///   serves a channel (table 0 serves the channels no database is bound to);
///   `routes[channel]` for channels below `routeCount`, table 0 otherwise;
/// - a standard (11-bit) identifier indexes `standard[table << 11 | id]`;
/// - an extended identifier is looked up in one open-addressing hash table
///   (linear probing, load factor at most 1/2, Fibonacci hashing) under the
///   key `table << 32 | id`, which holds for every whole identifier of a
///   message of the table's databases the message that the rules select for
///   it (computed once, here); on a miss, and only when a J1939 database
///   serves the table, a second probe under `table << 32 | pgnFlag | PGN`
///   finds the first J1939 database's first message of that parameter group.
///
/// Why two probes for J1939 instead of one: a frame whose whole identifier is
/// some message's must find that message (or an earlier database's), while
/// any other frame of the group finds the group's first; the exact entries
/// settle the first case in the probe every database pays anyway, and the
/// group probe is taken only by the frames of J1939 buses that no exact
/// entry names. Rejected: one table per database searched in order (one
/// probe per database per frame), and a per-channel branch on the database
/// kind (a branch per frame that the mixed traffic of a logger mispredicts).
///
/// The layout (plain arrays and three integers) is meant to be ported as is
/// to a C decode kernel.
struct DBCMessageLookup {
    /// One database as the lookup sees it.
    struct Source {
        /// Its messages, whose global indices start at `firstIndex`.
        var messages: [DBCMessage]
        var firstIndex: Int
        var isJ1939: Bool
        /// Empty: serves the channels no database is bound to.
        var channels: [Int32]
    }

    private let routes: UnsafeMutablePointer<UInt32>
    private let routeCount: UInt32
    private let standard: UnsafeMutablePointer<Int32>
    private let keys: UnsafeMutablePointer<UInt64>
    private let values: UnsafeMutablePointer<Int32>
    private let mask: UInt64
    private let shift: UInt64
    /// Per table: 1 when a J1939 database serves it (the group probe applies).
    private let groupProbe: UnsafeMutablePointer<UInt8>
    /// The number of tables.
    let tableCount: Int

    private static let empty: UInt64 = .max
    private static let groupFlag: UInt64 = 1 << 62

    /// Compiles the tables.
    ///
    /// - Parameter sources: The databases in the order given; channels in
    ///   0...65535.
    init(sources: [Source]) {
        // The lists of databases that serve a channel, each once: table 0 the unbound ones.
        var lists: [[Int]] = [sources.indices.filter { sources[$0].channels.isEmpty }]
        var listOfChannel: [Int32: [Int]] = [:]
        for (index, source) in sources.enumerated() {
            for channel in source.channels where listOfChannel[channel]?.last != index {
                listOfChannel[channel, default: []].append(index)
            }
        }
        let maximumChannel = listOfChannel.keys.max().map { Int($0) } ?? -1
        routeCount = UInt32(maximumChannel + 1)
        routes = .allocate(capacity: max(maximumChannel + 1, 1))
        routes.initialize(repeating: 0, count: max(maximumChannel + 1, 1))
        for (channel, list) in listOfChannel {
            let table = lists.firstIndex(of: list) ?? {
                lists.append(list)
                return lists.count - 1
            }()
            routes[Int(channel)] = UInt32(table)
        }
        tableCount = lists.count

        // Each database's own matches: the last message of a whole identifier,
        // the first of a parameter group (J1939 databases only).
        var standardOf: [[UInt32: Int32]] = [], extendedOf: [[UInt32: Int32]] = [], groupOf: [[UInt32: Int32]] = []
        for source in sources {
            var standardIds: [UInt32: Int32] = [:], extendedIds: [UInt32: Int32] = [:], groups: [UInt32: Int32] = [:]
            for (offset, message) in source.messages.enumerated() {
                let index = Int32(source.firstIndex + offset)
                if message.isExtended {
                    extendedIds[message.id] = index
                    if source.isJ1939 {
                        let group = J1939Identifier(message.id).parameterGroupNumber
                        if groups[group] == nil { groups[group] = index }
                    }
                } else {
                    standardIds[message.id & 0x7FF] = index
                }
            }
            standardOf.append(standardIds)
            extendedOf.append(extendedIds)
            groupOf.append(groups)
        }

        standard = .allocate(capacity: lists.count << 11)
        standard.initialize(repeating: -1, count: lists.count << 11)
        groupProbe = .allocate(capacity: lists.count)
        var entries: [(key: UInt64, value: Int32)] = []
        for (table, list) in lists.enumerated() {
            let base = UInt64(table) << 32
            // Later databases first, so that the first one that matches is written last.
            for source in list.reversed() {
                for (id, index) in standardOf[source] { standard[table << 11 | Int(id)] = index }
            }
            var exact: Set<UInt32> = []
            for source in list { exact.formUnion(extendedOf[source].keys) }
            for id in exact {
                // The first database that matches this whole identifier, by id or by group.
                let group = J1939Identifier(id).parameterGroupNumber
                let match = list.lazy.compactMap { extendedOf[$0][id] ?? groupOf[$0][group] }.first!
                entries.append((base | UInt64(id), match))
            }
            var groups: [UInt32: Int32] = [:]
            for source in list.reversed() { groups.merge(groupOf[source]) { _, earlier in earlier } }
            for (group, index) in groups { entries.append((base | Self.groupFlag | UInt64(group), index)) }
            groupProbe[table] = list.contains { sources[$0].isJ1939 } ? 1 : 0
        }

        var bits: UInt64 = 4
        while (1 << bits) < entries.count * 2 { bits += 1 }
        let size = 1 << Int(bits)
        mask = UInt64(size - 1)
        shift = 64 - bits
        keys = .allocate(capacity: size)
        keys.initialize(repeating: Self.empty, count: size)
        values = .allocate(capacity: size)
        values.initialize(repeating: -1, count: size)
        for entry in entries {
            var slot = (entry.key &* 0x9E37_79B9_7F4A_7C15) &>> shift
            while keys[Int(slot)] != Self.empty { slot = (slot &+ 1) & mask }
            keys[Int(slot)] = entry.key
            values[Int(slot)] = entry.value
        }
    }

    /// Whether some database is bound to a channel: else every channel is
    /// served by table 0 and a frame loop need not read the channels.
    var routesChannels: Bool { routeCount > 0 }

    /// The table that serves a channel.
    @inline(__always)
    func table(channel: Int32) -> UInt32 {
        let index = UInt32(bitPattern: channel)
        return index < routeCount ? routes[Int(index)] : 0
    }

    /// The global message index, or -1.
    ///
    /// - Parameters:
    ///   - id: The identifier without flag bits.
    ///   - isExtended: The EFF flag.
    ///   - table: From ``table(channel:)``.
    @inline(__always)
    func lookup(id: UInt32, isExtended: Bool, table: UInt32) -> Int {
        if !isExtended {
            return id < 2048 ? Int(standard[Int(table << 11 | id)]) : -1
        }
        let base = UInt64(table) << 32
        let found = probe(base | UInt64(id))
        if found >= 0 || groupProbe[Int(table)] == 0 { return found }
        return probe(base | Self.groupFlag | UInt64(J1939Identifier(id).parameterGroupNumber))
    }

    @inline(__always)
    private func probe(_ key: UInt64) -> Int {
        var slot = (key &* 0x9E37_79B9_7F4A_7C15) &>> shift
        while true {
            let stored = keys[Int(slot)]
            if stored == key { return Int(values[Int(slot)]) }
            if stored == Self.empty { return -1 }
            slot = (slot &+ 1) & mask
        }
    }

    /// Lends the tables to the C decode kernel's plan (valid while this lookup is).
    func export(into plan: inout canp_dbc_plan) {
        plan.routes = UnsafePointer(routes)
        plan.route_count = routeCount
        plan.standard = UnsafePointer(standard)
        plan.keys = UnsafePointer(keys)
        plan.values = UnsafePointer(values)
        plan.group_probe = UnsafePointer(groupProbe)
        plan.mask = mask
        plan.shift = UInt32(shift)
    }

    func deallocate() {
        routes.deallocate()
        standard.deallocate()
        keys.deallocate()
        values.deallocate()
        groupProbe.deallocate()
    }
}
