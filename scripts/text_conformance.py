#!/usr/bin/env python3
"""Conformance of canp's candump and ASC readers with python-can (INPUTS.md).

  text_conformance.py write --dbc DBC --seed S --frames N --out DIR
      random traffic drawn from the DBC's messages (classic and CAN FD with
      random BRS/ESI, 11- and 29-bit ids as the DBC says, frames shorter
      than their message, remote frames, error frames, ids the DBC lacks,
      channels 0-3), written by python-can's CanutilsLogWriter (DIR/<stem>.log)
      and ASCWriter (DIR/<stem>.asc). Run under TZ=UTC (ASCWriter writes local dates).
  text_conformance.py expect --dbc DBC --out OUT FILE...
      the canonical frames.csv, signals.csv and errors.csv of the files as
      python-can's CanutilsLogReader / ASCReader(relative_timestamp=False)
      read them, decoded with cantools (canp_ref.decode of
      ../shared/reference, FORMAT.md's rules), mapped as INPUTS.md says:
      block = the 0-based line the reader took the message from, timestamps
      in ns (the files have 6 fraction digits, so python-can's float rounds
      back to the exact µs), channel = trailing digits of the interface
      (candump) or python-can's channel (ASC), remote frames without data,
      error frames as events (no rows; their number is printed).
"""
import argparse, csv, io, logging, os, random, sys

logging.getLogger('cantools').setLevel(logging.ERROR)
logging.getLogger('can').setLevel(logging.ERROR)
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REFERENCE = os.environ.get('CANP_REFERENCE_DIR', os.path.join(REPO, '..', 'shared', 'reference'))
FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]


def load(path):
    sys.path.insert(0, REFERENCE)
    import canp_ref, cantools
    return canp_ref, cantools.database.load_file(path, strict=False, sort_signals=None,
                                                 encoding=canp_ref.dbc_encoding(path))


def traffic(db, seed, count):
    import can
    rng = random.Random(seed)
    messages = [m for m in db.messages if m.length <= 64]
    t = 1_700_000_000 + seed * 3600 + rng.random()
    out = []
    for _ in range(count):
        t += rng.randrange(1, 5000) / 1e6
        roll = rng.random()
        channel = rng.randrange(4)
        if roll < 0.01:
            out.append(can.Message(timestamp=t, is_error_frame=True, channel=channel))
            continue
        if roll < 0.04:
            ext = rng.random() < 0.5
            ident = rng.randrange(1 << 29) if ext else rng.randrange(1 << 11)
            remote = roll < 0.025
            out.append(can.Message(timestamp=t, arbitration_id=ident, is_extended_id=ext, channel=channel,
                                   is_remote_frame=remote, dlc=rng.randrange(9) if remote else None,
                                   data=None if remote else bytes(rng.randrange(256) for _ in range(rng.randrange(9)))))
            continue
        m = rng.choice(messages)
        fd = m.is_fd or m.length > 8
        length = m.length
        if rng.random() < 0.05:
            length = rng.choice([n for n in FD_LENGTHS if n < length] or [0]) if fd else rng.randrange(length + 1)
        if fd and length not in FD_LENGTHS:
            length = min(n for n in FD_LENGTHS if n >= length)
        data = bytes(rng.randrange(256) for _ in range(length))
        if not fd and rng.random() < 0.02:
            out.append(can.Message(timestamp=t, arbitration_id=m.frame_id, is_extended_id=m.is_extended_frame,
                                   is_remote_frame=True, dlc=min(8, m.length), channel=channel))
            continue
        out.append(can.Message(timestamp=t, arbitration_id=m.frame_id, is_extended_id=m.is_extended_frame,
                               is_fd=fd, bitrate_switch=fd and rng.random() < 0.7,
                               error_state_indicator=fd and rng.random() < 0.2, data=data, channel=channel,
                               is_rx=rng.random() < 0.9))
    return out


def write(args):
    import can
    _, db = load(args.dbc)
    os.makedirs(args.out, exist_ok=True)
    messages = traffic(db, args.seed, args.frames)
    stem = os.path.join(args.out, args.stem)
    with can.CanutilsLogWriter(stem + '.log') as writer:
        for message in messages:
            writer.on_message_received(message)
    with can.ASCWriter(stem + '.asc') as writer:
        for message in messages:
            writer.on_message_received(message)


class Lines(io.StringIO):
    """A text file that knows the 0-based number of the line last read."""
    line = -1

    def __next__(self):
        text = super().__next__()
        self.line += 1
        return text


def channel_of(channel):
    if isinstance(channel, int):
        return channel
    digits = ''
    for ch in reversed(str(channel or '')):
        if not ch.isdigit():
            break
        digits = ch + digits
    return int(digits) if digits else 0


def expect(args):
    import can
    canp_ref, db = load(args.dbc)
    by_id = {}
    for m in db.messages:
        by_id.setdefault((m.frame_id, m.is_extended_frame), m)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'frames.csv'), 'w', newline='') as ff, \
            open(os.path.join(args.out, 'signals.csv'), 'w', newline='') as sf, \
            open(os.path.join(args.out, 'errors.csv'), 'w', newline='') as ef:
        fcsv, scsv, ecsv = (csv.writer(f, lineterminator='\n') for f in (ff, sf, ef))
        fcsv.writerow('file,block,timestamp_ns,channel,can_id,extended,rtr,fd,brs,esi,length,data'.split(','))
        scsv.writerow('file,block,timestamp_ns,channel,can_id,message,signal,raw,value,label'.split(','))
        ecsv.writerow('file,block,offset,level,reason'.split(','))
        errors = 0
        for path in sorted(args.files):
            name = os.path.basename(path)
            lines = Lines(open(path, encoding='utf-8').read())
            reader = can.ASCReader(lines, relative_timestamp=False) if path.endswith('.asc') else can.CanutilsLogReader(lines)
            for msg in reader:
                if msg.is_error_frame:
                    errors += 1
                    continue
                ts = round(msg.timestamp * 1e6) * 1000
                data = b'' if msg.is_remote_frame else bytes(msg.data)
                ch = channel_of(msg.channel)
                hex_id = '0x%X' % msg.arbitration_id
                fcsv.writerow([name, lines.line, ts, ch, hex_id, int(msg.is_extended_id), int(msg.is_remote_frame),
                               int(msg.is_fd), int(msg.bitrate_switch), int(msg.error_state_indicator),
                               len(data), data.hex().upper()])
                m = by_id.get((msg.arbitration_id, msg.is_extended_id))
                if m is None or msg.is_remote_frame:
                    continue
                raw, phys = canp_ref.decode(m, data)
                for s in m.signals:
                    if s.name not in raw:
                        continue
                    label = str(s.choices[raw[s.name]]) if s.choices and raw[s.name] in s.choices else ''
                    r = canp_ref.fmt_value(raw[s.name]) if s.is_float else str(int(raw[s.name]))
                    scsv.writerow([name, lines.line, ts, ch, hex_id, m.name, s.name, r,
                                   canp_ref.fmt_value(phys[s.name]), label])
    print(f'bus error events {errors}')


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='command', required=True)
    w = sub.add_parser('write')
    w.add_argument('--dbc', required=True)
    w.add_argument('--seed', type=int, default=1)
    w.add_argument('--frames', type=int, default=5000)
    w.add_argument('--out', required=True)
    w.add_argument('--stem', default='traffic')
    e = sub.add_parser('expect')
    e.add_argument('--dbc', required=True)
    e.add_argument('--out', required=True)
    e.add_argument('files', nargs='+')
    args = parser.parse_args()
    (write if args.command == 'write' else expect)(args)


if __name__ == '__main__':
    main()
