#!/usr/bin/env python3
"""Conformance of canp's decoding with several DBCs and J1939 (spec/DECODING.md).

An oracle of its own: the frames are read by the reference reader
(../shared/reference/canp_ref.py, independent of canp), the message that
DECODING.md selects for each frame is chosen here, in plain Python, from the
DBCs as cantools loads them (channel bindings in the order given, unbound
DBCs for the other channels, J1939 matching by parameter group with the
whole-identifier and DBC-order tie-breaks), and that message decodes the
frame's data with cantools (canp_ref.decode: cantools, or each signal from
its own bits where cantools refuses the whole frame, as FORMAT.md says).
`canp export` with the same --dbc / --j1939-dbc arguments must agree row for
row (canp_ref.py compare), and so must `canp process --format parquet`: the
frames table's `message` column, every message table (its rows, each signal's
value and label, read by pyarrow, DuckDB and polars) and the table names of
PARQUET.md's shared-name rule across all DBCs.

Inputs:
  1. multi-bus files written here: six channels, overlapping 11- and 29-bit
     ids on different channels, a message whose signals do not fit its short
     frames in the first unbound DBC (the second is not asked), J1939
     traffic with random priority, source and destination addresses, two
     messages sharing a parameter group, a whole identifier defined twice,
     11-bit frames in a J1939 database, groups no message defines, other
     data pages, remote frames;
  2. `canp generate --truck-bus` files (the fleet bus and the truck's J1939 bus).
Each is decoded under several bindings (bound and unbound, all bound,
several DBCs on one channel, --j1939-dbc forcing and interleaved with --dbc).

  scripts/decoding_conformance.py [CANP] [--work DIR] [--frames N] [--seed S]

Exit status 1 on any disagreement.
"""
import argparse, collections, csv, glob, logging, math, os, random, shutil, struct, subprocess, sys, tempfile

# cantools logs every whole identifier defined twice (one is, on purpose).
logging.getLogger('cantools').setLevel(logging.ERROR)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.path.join(REPO, '..', 'shared', 'reference')
EFF, RTR = 1 << 31, 1 << 30

J1939_ATTRIBUTE = 'BA_DEF_ "ProtocolType" STRING ;\nBA_ "ProtocolType" "J1939";\n'

# Powertrain (plain): 0x100, 0x120 and the 29-bit 0x18FEF1FE also appear in other DBCs.
POWERTRAIN = '''VERSION ""
BO_ 256 PT_Engine: 8 PCM
 SG_ PT_Rpm : 0|16@1+ (0.25,0) [0|16383] "rpm" X
 SG_ PT_Load : 16|8@1+ (0.5,0) [0|100] "%" X
 SG_ PT_Mode : 24|3@1+ (1,0) [0|7] "" X
BO_ 288 PT_Gear: 2 TCM
 SG_ PT_GearSel : 0|4@1+ (1,0) [0|15] "" X
BO_ 768 PT_Wide: 8 PCM
 SG_ PT_WideValue : 0|64@1+ (1,0) [0|0] "" X
BO_ 2566844926 PT_Ext: 8 PCM
 SG_ PT_ExtSpeed : 8|16@1+ (0.01,0) [0|655] "km/h" X
BO_ 1029 PT_Fd: 24 PCM
 SG_ PT_FdA : 0|32@1- (1,0) [0|0] "" X
 SG_ PT_FdB : 100|12@1+ (1,0) [0|0] "" X
VAL_ 256 PT_Mode 0 "Off" 1 "On, idle" 2 "Drive";
'''
# Body (plain): the same 0x100 and 0x18FEF1FE with other layouts; 0x200 only here.
BODY = '''VERSION ""
BO_ 256 BD_Door: 4 BCM
 SG_ BD_DoorOpen : 0|1@1+ (1,0) [0|1] "" X
 SG_ BD_Window : 8|8@1+ (0.5,0) [0|100] "%" X
BO_ 512 BD_Light: 1 BCM
 SG_ BD_LightOn : 0|1@1+ (1,0) [0|1] "" X
 SG_ BD_Dim : 1|7@1+ (1,0) [0|127] "" X
BO_ 2566844926 BD_Ext: 8 BCM
 SG_ BD_ExtTemp : 0|8@1- (1,0) [0|0] "degC" X
BO_ 2566844672 BD_Ccvs: 8 BCM
 SG_ BD_CcvsSpeed : 8|16@1+ (0.00390625,0) [0|250] "km/h" X
'''
# Gateway (plain): 0x300 with a 1-byte signal, where the powertrain's needs 8 bytes.
GATEWAY = '''VERSION ""
BO_ 768 GW_Short: 1 GW
 SG_ GW_Byte : 0|8@1+ (1,0) [0|255] "" X
BO_ 288 GW_Gear: 2 GW
 SG_ GW_Other : 8|8@1+ (1,0) [0|255] "" X
BO_ 1280 GW_Only: 8 GW
 SG_ GW_Counter : 0|4@1+ (1,0) [0|15] "" X
 SG_ GW_Value : 4|28@1- (0.001,5) [0|0] "" X
'''
# Truck (J1939 when the attribute is appended).
TRUCK = '''VERSION ""
BO_ 2364539904 EEC1: 8 ENGINE
 SG_ EngineSpeed : 24|16@1+ (0.125,0) [0|8031.875] "rpm" X
 SG_ TorqueMode : 0|4@1+ (1,0) [0|15] "" X
BO_ 2566844672 CCVS_Engine: 8 ENGINE
 SG_ WheelSpeed : 8|16@1+ (0.00390625,0) [0|250.996] "km/h" X
BO_ 2566844695 CCVS_Cab: 8 CAB
 SG_ CabSpeed : 8|16@1+ (0.00390625,0) [0|250.996] "km/h" X
 SG_ CabSet : 40|8@1+ (1,0) [0|250] "km/h" X
BO_ 2348810243 TSC1: 8 TCM
 SG_ RequestedSpeed : 8|16@1+ (0.125,0) [0|8031.875] "rpm" X
BO_ 2566843904 ET1_First: 8 ENGINE
 SG_ Coolant : 0|8@1+ (1,-40) [-40|210] "degC" X
BO_ 2566843904 ET1_Second: 8 ENGINE
 SG_ Fuel : 8|8@1+ (1,-40) [-40|210] "degC" X
BO_ 2582643712 DP1Group: 8 ENGINE
 SG_ PageOne : 0|8@1+ (1,0) [0|255] "" X
BO_ 256 TruckStd: 8 CAB
 SG_ TruckStdValue : 0|16@1- (0.1,0) [0|0] "" X
BO_ 2147483904 TruckExtLow: 8 CAB
 SG_ ExtLowValue : 0|8@1+ (1,0) [0|255] "" X
'''

DBCS = {
    'powertrain.dbc': POWERTRAIN,
    'body.dbc': BODY,
    'gateway.dbc': GATEWAY,
    'truck.dbc': TRUCK + J1939_ATTRIBUTE,
    'truck_plain.dbc': TRUCK,   # the same messages without ProtocolType
}

# (name, arguments): the bindings each data set is exported with.
MULTIBUS_CONFIGS = [
    ('bound and unbound', ['--dbc', 'powertrain.dbc', '--dbc', 'body.dbc@1,2', '--dbc', 'truck.dbc@3']),
    ('all bound', ['--dbc', 'powertrain.dbc@0', '--dbc', 'body.dbc@1', '--dbc', 'truck.dbc@3']),
    ('two unbound, first wins', ['--dbc', 'powertrain.dbc', '--dbc', 'gateway.dbc']),
    ('two unbound, reversed', ['--dbc', 'gateway.dbc', '--dbc', 'powertrain.dbc']),
    ('two on one channel', ['--dbc', 'gateway.dbc', '--dbc', 'body.dbc@2,4', '--dbc', 'powertrain.dbc@4,0']),
    ('J1939 everywhere', ['--dbc', 'truck.dbc']),
    ('J1939 before a plain DBC on one channel', ['--dbc', 'truck.dbc@5', '--dbc', 'body.dbc@5', '--dbc', 'powertrain.dbc']),
    ('plain before J1939 on one channel', ['--dbc', 'body.dbc@5,3', '--dbc', 'truck.dbc@3,5']),
    ('--j1939-dbc interleaved', ['--dbc', 'powertrain.dbc@0', '--j1939-dbc', 'body.dbc@5', '--dbc', 'truck_plain.dbc@5',
                                 '--j1939-dbc', 'truck_plain.dbc@3', '--dbc=gateway.dbc']),
    ('no ProtocolType, not forced', ['--dbc', 'truck_plain.dbc@3', '--dbc', 'powertrain.dbc']),
    # Shared names across DBCs (PARQUET.md): the second copy's tables get __0x<id>, the third's __dbc2.
    ('one DBC on three buses', ['--dbc', 'body.dbc@1', '--dbc', 'body.dbc@2', '--dbc', 'body.dbc@4,5']),
]
GENERATED_CONFIGS = [
    ('fleet unbound, truck bound', ['--dbc', 'fleet.dbc', '--dbc', 'truck.dbc@3']),
    ('every bus bound, truck first', ['--dbc', 'truck.dbc@3', '--dbc', 'fleet.dbc@0,1,2']),
    ('fleet alone', ['--dbc', 'fleet.dbc']),
]


def pgn(can_id):
    group = (can_id >> 8) & 0x3FFFF
    return group if ((can_id >> 16) & 0xFF) >= 240 else group & 0x3FF00


class Database:
    """One --dbc or --j1939-dbc argument: the DBC as cantools loads it, its channels, J1939 or not."""

    def __init__(self, argument, forced, directory):
        import cantools
        path, channels = argument, []
        head, at, tail = argument.rpartition('@')
        if at and tail and all(part.isdigit() and part.isascii() for part in tail.split(',')):
            path, channels = head, [int(part) for part in tail.split(',')]
        full = os.path.join(directory, path)
        self.db = cantools.database.load_file(full, strict=False, sort_signals=None)
        attribute = self.db.dbc.attributes.get('ProtocolType') if self.db.dbc else None
        self.j1939 = forced or (attribute is not None and attribute.value == 'J1939')
        self.channels = set(channels)
        self.messages = [m for m in self.db.messages]

    def match(self, can_id, extended):
        """The message of this DBC for a frame, or None (DECODING.md)."""
        if not extended:
            same = [m for m in self.messages if not m.is_extended_frame and m.frame_id == can_id]
            return same[-1] if same else None
        whole = [m for m in self.messages if m.is_extended_frame and m.frame_id == can_id]
        if whole:
            return whole[-1]                       # the same whole id twice: the last
        if self.j1939:
            group = [m for m in self.messages if m.is_extended_frame and pgn(m.frame_id) == pgn(can_id)]
            if group:
                return group[0]                    # no whole-id match: the first in DBC order
        return None


def parse_arguments(arguments):
    """(--dbc / --j1939-dbc value, forced) in command-line order."""
    out, i = [], 0
    while i < len(arguments):
        a = arguments[i]
        for name, forced in (('--dbc', False), ('--j1939-dbc', True)):
            if a == name:
                out.append((arguments[i + 1], forced))
                i += 1
            elif a.startswith(name + '='):
                out.append((a[len(name) + 1:], forced))
        i += 1
    return out


def oracle_export(out, arguments, directory, files, stats, records=None):
    """Writes the oracle's frames.csv, signals.csv and errors.csv; with `records`, also appends one
    (file, block, timestamp_ns, channel, (database index, message index) or None, {signal: (value, label)})
    per frame, for the Parquet check."""
    sys.path.insert(0, REFERENCE)
    import canp_ref
    databases = [Database(text, forced, directory) for text, forced in parse_arguments(arguments)]
    bound_channels = set().union(*(d.channels for d in databases))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'frames.csv'), 'w', newline='') as ff, \
            open(os.path.join(out, 'signals.csv'), 'w', newline='') as sf, \
            open(os.path.join(out, 'errors.csv'), 'w', newline='') as ef:
        fcsv, scsv, ecsv = (csv.writer(f, lineterminator='\n') for f in (ff, sf, ef))
        fcsv.writerow('file,block,timestamp_ns,channel,can_id,extended,rtr,fd,brs,esi,length,data'.split(','))
        scsv.writerow('file,block,timestamp_ns,channel,can_id,message,signal,raw,value,label'.split(','))
        ecsv.writerow('file,block,offset,level,reason'.split(','))
        for path in files:
            name = os.path.basename(path)
            for item in canp_ref.read_file(path):
                if item[0] == 'error':
                    ecsv.writerow([name, *item[1:]])
                    continue
                _, block, fr = item
                ts, cid, flags, ch, n, _ = struct.unpack_from('>QIBBBB', fr, 0)
                data = bytes(fr[16:16 + n])
                ident, ext = cid & 0x1FFFFFFF, bool(cid & EFF)
                hex_id = '0x%X' % ident
                fcsv.writerow([name, block, ts, ch, hex_id, int(ext), int(bool(cid & RTR)), flags & 1,
                               (flags >> 1) & 1, (flags >> 2) & 1, n, data.hex().upper()])
                stats['frames'] += 1
                record = [name, block, ts, ch, None, {}]
                if records is not None:
                    records.append(record)
                if cid & (RTR | (1 << 29)):
                    continue
                serving = [d for d in databases if ch in d.channels] if ch in bound_channels \
                    else [d for d in databases if not d.channels]
                message, how = None, 'no DBC serves the channel' if not serving else 'no message'
                for index, d in enumerate(serving):
                    message = d.match(ident, ext)
                    if message is not None:
                        record[4] = (databases.index(d), d.messages.index(message))
                        whole = message.frame_id == ident
                        how = ('bound' if d.channels else 'unbound') + (', whole id' if whole else ', J1939 group')
                        break
                stats[how] += 1
                if message is None:
                    continue
                raw, phys = canp_ref.decode(message, data)
                for s in message.signals:
                    if s.name not in raw:
                        continue
                    label = str(s.choices[raw[s.name]]) if s.choices and raw[s.name] in s.choices else ''
                    r = canp_ref.fmt_value(raw[s.name]) if s.is_float else str(int(raw[s.name]))
                    scsv.writerow([name, block, ts, ch, hex_id, message.name, s.name, r,
                                   canp_ref.fmt_value(phys[s.name]), label])
                    record[5][s.name] = (float(phys[s.name]), label or None)
                    stats['signals'] += 1
    canp_ref._single.clear()


def parquet_tables(databases):
    """(database index, message index) -> the table's directory under signals/ (PARQUET.md's names:
    the shared-name rule across every DBC in the order given; the same name and id once more: `__dbcK`)."""
    sys.path.insert(0, os.path.join(REPO, 'scripts'))
    from parquet_conformance import escape
    seen, directories, out = set(), set(), {}
    for d_index, d in enumerate(databases):
        for m_index, message in enumerate(d.messages):
            directory = escape(message.name)
            if message.name in seen:
                directory += '__0x%X' % message.frame_id
            seen.add(message.name)
            if directory in directories:
                base = directory = directory + '__dbc%d' % d_index
                count = 2
                while directory in directories:
                    directory = '%s_%d' % (base, count)
                    count += 1
            directories.add(directory)
            out[(d_index, m_index)] = directory
    return out


def check_parquet(parquet, databases, records):
    """The Parquet output of the same run against the oracle's records: frames.message names the message
    that decoded each frame, each message's table holds exactly its frames, with every signal's value
    (1e-12 relative) and label; every file read by pyarrow, DuckDB and polars. Returns the problems."""
    import duckdb
    import polars as pl
    import pyarrow.parquet as pq
    problems = []

    def read(table):
        files = sorted(glob.glob(os.path.join(parquet, table, 'part-*.parquet')))
        if not files:
            return None
        rows = [pq.read_table(f).num_rows for f in files], \
            [len(duckdb.connect().sql(f"SELECT * FROM read_parquet('{f}')").fetchall()) for f in files]
        frame = pl.concat([pl.read_parquet(f) for f in files])
        if not (sum(rows[0]) == sum(rows[1]) == frame.height):
            problems.append(f'{table}: pyarrow {sum(rows[0])} rows, DuckDB {sum(rows[1])}, polars {frame.height}')
        return frame

    frames = read('frames')
    names = {key: databases[key[0]].messages[key[1]].name for key in parquet_tables(databases)}
    want = [names[r[4]] if r[4] is not None else None for r in records]
    if frames is None or frames.height != len(records):
        return problems + [f'frames: {None if frames is None else frames.height} rows, the oracle has {len(records)}']
    bad = [i for i, (a, b) in enumerate(zip(frames['message'].to_list(), want)) if a != b]
    if bad:
        problems.append(f'frames.message: {len(bad)} rows differ, first {bad[0]}: '
                        f'{frames["message"][bad[0]]!r}, expected {want[bad[0]]!r}')
    tables = parquet_tables(databases)
    for key, directory in tables.items():
        mine = [r for r in records if r[4] == key and r[5]]
        table = read('signals/' + directory)
        if table is None:
            if mine:
                problems.append(f'signals/{directory}: missing ({len(mine)} frames decoded)')
            continue
        if table.height != len(mine):
            problems.append(f'signals/{directory}: {table.height} rows, the oracle decoded {len(mine)} frames')
            continue
        keys = list(zip(table['file'].to_list(), table['block'].to_list(), table['timestamp_ns'].to_list(),
                        table['channel'].to_list()))
        if keys != [tuple(r[:4]) for r in mine]:
            problems.append(f'signals/{directory}: the rows\' file, block, timestamp_ns or channel differ')
        taken = {'file', 'block', 'timestamp', 'timestamp_ns', 'channel'}
        message = databases[key[0]].messages[key[1]]
        for signal in message.signals:
            column = signal.name
            while column in taken:
                column += '_'
            taken.add(column)
            got = table[column].to_list() if column in table.columns else None
            expected = [r[5].get(signal.name, (None, None))[0] for r in mine]
            if got is None or any(not (a is None and b is None) and not (
                    a is not None and b is not None and (a == b or (math.isnan(a) and math.isnan(b)) or
                                                         abs(a - b) <= 1e-12 * max(abs(a), abs(b))))
                    for a, b in zip(got, expected)):
                problems.append(f'signals/{directory}.{column}: values differ from the oracle')
            if signal.choices:
                label = signal.name + '_label'
                while label in taken:
                    label += '_'
                taken.add(label)
                labels = [r[5].get(signal.name, (None, None))[1] for r in mine]
                if label not in table.columns or table[label].to_list() != labels:
                    problems.append(f'signals/{directory}.{label}: labels differ from the oracle')
    return problems


def write_multibus(directory, count, seed, files=2):
    """Random traffic over channels 0-5 drawn from the ids of every DBC, and ids no DBC has."""
    sys.path.insert(0, REFERENCE)
    import canp_ref, cantools
    rng = random.Random(seed)
    ids = set()
    for text in DBCS.values():
        for m in cantools.database.load_string(text, strict=False).messages:
            ids.add((m.frame_id, m.is_extended_frame, m.length))
    ids = sorted(ids)
    sources, destinations = [0x00, 0x03, 0x17, 0x21, 0xEE, 0xFE, 0xFF], [0x00, 0x2A, 0xFF]
    paths = []
    for index in range(files):
        ts = 1_700_000_000_000_000_000 + index * 10**12
        frames = []
        for _ in range(count):
            ts += rng.randrange(1, 200_000)
            channel = rng.choice([0, 0, 1, 2, 3, 3, 4, 5, 5, 6])
            roll = rng.random()
            if roll < 0.05:
                can_id, ext, length = rng.randrange(0x800), False, 8                      # no DBC has it, mostly
            elif roll < 0.12:
                # J1939 groups no message defines (DM1, request, proprietary) and other data pages.
                can_id = rng.choice([0x18FECA00, 0x18EA0000 | rng.choice(destinations) << 8, 0x18FF4500,
                                     0x1BFEF100]) | rng.choice(sources)
                ext, length = True, 8
            else:
                can_id, ext, length = rng.choice(ids)
                if ext and rng.random() < 0.7:
                    # Another priority and source; for an addressed group another destination.
                    can_id = (can_id & 0x03FFFF00) | rng.randrange(8) << 26 | rng.choice(sources)
                    if ((can_id >> 16) & 0xFF) < 240:
                        can_id = (can_id & ~0xFF00) | rng.choice(destinations) << 8
                if not ext and rng.random() < 0.05:
                    ext = True                                                             # an 11-bit id as a 29-bit frame
            fd = length > 8
            if rng.random() < 0.25:
                length = rng.randrange(0, length + 1) if not fd else rng.choice([0, 8, 12, 16, 20, 24])
            elif not fd and rng.random() < 0.1:
                length = 8
            flags = 0b011 if fd else 0
            if fd and length not in canp_ref.FD_LENGTHS:
                length = 8
            data = bytes(rng.getrandbits(8) for _ in range(length))
            rawid = can_id | (EFF if ext else 0)
            if rng.random() < 0.01 and not fd:
                rawid, data = rawid | RTR, b''
            frames.append((ts, rawid, flags, channel, data))
        blob, seq = b'', 0
        for start in range(0, len(frames), 300):
            chunk = frames[start:start + 300]
            runs, run = [], []
            for f in chunk:                       # a Record2 holds consecutive frames of one channel
                if run and run[-1][3] != f[3]:
                    runs.append(run)
                    run = []
                run.append(f)
            runs.append(run)
            seqs = [canp_ref.record2(r[0][0], r[0][3], [canp_ref.frame_bytes(*f) for f in r]) for r in runs]
            inflated = b''.join(canp_ref.record1(seqs[i:i + 4]) for i in range(0, len(seqs), 4))
            blob += canp_ref.record0(seq, chunk[0][0], chunk[-1][0], inflated)
            seq += 1
        path = os.path.join(directory, 'multibus_%04d.bin' % index)
        with open(path, 'wb') as f:
            f.write(blob)
        paths.append(path)
    return paths


def find_canp(given):
    if given:
        return given
    for build in ('debug', 'release'):
        candidate = os.path.join(REPO, '.build', build, 'canp')
        if os.access(candidate, os.X_OK):
            return candidate
    sys.exit('decoding_conformance: no canp binary; build it (swift build) or pass its path')


def run_config(canp, label, arguments, directory, files, work):
    out = os.path.join(work, label.replace(' ', '_').replace(',', '').replace('-', ''))
    stats = collections.Counter()
    command = [canp, 'export', *arguments, '--out', os.path.join(out, 'canp'), *files]
    run = subprocess.run(command, cwd=directory, capture_output=True, text=True)
    if run.returncode != 0:
        print(f'decoding_conformance: {label}: canp export failed ({run.returncode}): {run.stderr.strip()[:400]}')
        return False, stats
    records = []
    oracle_export(os.path.join(out, 'oracle'), arguments, directory, files, stats, records)
    compare = subprocess.run([sys.executable, os.path.join(REFERENCE, 'canp_ref.py'), 'compare',
                              os.path.join(out, 'canp'), os.path.join(out, 'oracle')], capture_output=True, text=True)
    ok = compare.returncode == 0
    # The same bindings through the Parquet sink (PARQUET.md's names across every DBC, in order).
    parquet = os.path.join(out, 'parquet')
    run = subprocess.run([canp, 'process', *arguments, '--format', 'parquet', '--out', parquet, '--quiet', *files],
                         cwd=directory, capture_output=True, text=True)
    databases = [Database(text, forced, directory) for text, forced in parse_arguments(arguments)]
    problems = check_parquet(parquet, databases, records) if run.returncode in (0, 2) else \
        [f'canp process --format parquet failed ({run.returncode}): {run.stderr.strip()[:400]}']
    ok = ok and not problems
    ways = ', '.join(f'{stats[k]} {k}' for k in sorted(stats) if k not in ('frames', 'signals'))
    print(f"decoding_conformance: {'agree' if ok else 'DISAGREE'}: {label}: {stats['frames']} frames, "
          f"{stats['signals']} signals ({ways})")
    if compare.returncode != 0:
        print('    ' + '\n    '.join(compare.stdout.strip().splitlines()[:12]))
    for problem in problems[:12]:
        print('    parquet: ' + problem)
    return ok, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('canp', nargs='?', help='the canp binary (default .build/debug/canp, else .build/release/canp)')
    ap.add_argument('--work', help='keep the data and exports here (default: a temporary directory)')
    ap.add_argument('--frames', type=int, default=6000, help='frames per multi-bus file (default 6000)')
    ap.add_argument('--seed', type=int, default=17)
    args = ap.parse_args()
    canp = os.path.abspath(find_canp(args.canp))
    work = args.work or tempfile.mkdtemp(prefix='canp-decoding-')
    try:
        multibus = os.path.join(work, 'multibus')
        os.makedirs(multibus, exist_ok=True)
        for name, text in DBCS.items():
            with open(os.path.join(multibus, name), 'w') as f:
                f.write(text)
        files = write_multibus(multibus, args.frames, args.seed)
        failures, totals = 0, collections.Counter()
        for label, arguments in MULTIBUS_CONFIGS:
            ok, stats = run_config(canp, label, arguments, multibus, files, work)
            failures += not ok
            totals += stats
        generated = os.path.join(work, 'generated')
        subprocess.run([canp, 'generate', '--out', generated, '--files', '2', '--file-size', '200KB',
                        '--seed', str(args.seed), '--truck-bus'], check=True, capture_output=True)
        files = sorted(os.path.join(generated, f) for f in os.listdir(generated) if f.endswith('.bin'))
        for label, arguments in GENERATED_CONFIGS:
            ok, stats = run_config(canp, 'canp generate --truck-bus: ' + label, arguments, generated, files, work)
            failures += not ok
            totals += stats
        # Every rule was exercised: a run that never took one would pass without checking it.
        needed = ['bound, whole id', 'bound, J1939 group', 'unbound, whole id', 'unbound, J1939 group',
                  'no DBC serves the channel', 'no message']
        missing = [k for k in needed if totals[k] == 0]
        if missing:
            print('decoding_conformance: never exercised: ' + ', '.join(missing))
            failures += 1
        checks = len(MULTIBUS_CONFIGS) + len(GENERATED_CONFIGS)
        print(f"decoding_conformance: {checks - failures} of {checks} configurations agree, "
              f"{totals['frames']} frames, {totals['signals']} signals compared")
        sys.exit(1 if failures else 0)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
