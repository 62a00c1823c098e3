#!/usr/bin/env python3
"""Parity of canp's DBC parser and signal decoder with cantools (the oracle).

For every DBC file of the corpus that cantools loads (strict=False,
sort_signals=None), random frames are generated for each message (payload of
the message length, some shorter, and for multiplexed messages half of them
with a valid multiplexer value); the frames cantools decodes (decode_choices=
False, allow_truncated=True, scaling False and True) are decoded once more by
`canp dbc decode`, and the two are compared: the signals present and their
order, raw values (exact for integers), physical values (1e-12 relative) and
value-table labels.

With --fallback, the frames cantools refuses as a whole are compared too,
against the reference reader's decode() (/work/shared/reference/canp_ref.py:
every signal from its own bits, multiplexing applied by hand).

  scripts/dbc_parity.py [CANP] [--corpus DIR] [--frames N] [--jobs J] [--seed S] [--fallback] [--reference DIR]

CANP defaults to .build/release/canp, else .build/debug/canp. Exit status 1 on
any mismatch or when canp fails to load a file that cantools loads.
"""
import argparse, math, multiprocessing, os, random, subprocess, sys, tempfile, time, zlib

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def encoding_of(path):
    """canp reads UTF-8 when the bytes are valid UTF-8, else Windows-1252; cantools must read the same text."""
    data = open(path, 'rb').read()
    try:
        data.decode('utf-8')
        return 'utf-8'
    except UnicodeDecodeError:
        return 'cp1252'


def put_bits(data, sig, value):
    """Writes the low sig.length bits of value at the signal's position (Intel or Motorola)."""
    n = sig.length
    if sig.byte_order == 'little_endian':
        for i in range(n):
            pos = sig.start + i
            bit = (value >> i) & 1
            data[pos // 8] = (data[pos // 8] & ~(1 << (pos % 8))) | (bit << (pos % 8))
    else:
        msb = 8 * (sig.start // 8) + 7 - sig.start % 8
        for i in range(n):
            pos = msb + i
            bit = (value >> (n - 1 - i)) & 1
            shift = 7 - pos % 8
            data[pos // 8] = (data[pos // 8] & ~(1 << shift)) | (bit << shift)


def fits(sig, length):
    if sig.byte_order == 'little_endian':
        end = sig.start + sig.length
    else:
        end = 8 * (sig.start // 8) + 7 - sig.start % 8 + sig.length
    return 0 < sig.length and end <= 8 * length


def expected_rows(m, raw, phys):
    rows = []
    for s in m.signals:
        if s.name not in raw:
            continue
        r = raw[s.name]
        label = ''
        if s.choices and r in s.choices:
            label = str(s.choices[r])
        rows.append((s.name, r, phys[s.name], label, bool(s.is_float)))
    return rows


def close(a, b):
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def unescape(text):
    if '\\' not in text:
        return text
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == '\\' and i + 1 < len(text):
            out.append({'t': '\t', 'n': '\n', 'r': '\r', '\\': '\\'}.get(text[i + 1], text[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def check_file(job):
    path, canp, frames_per_message, short_fraction, seed, fallback, corpus, reference = job
    rel = os.path.relpath(path, corpus)
    t0 = time.time()
    result = {'file': rel, 'cantools': False, 'canp': False, 'messages': 0, 'frames': 0, 'signals': 0,
              'fallback_frames': 0, 'skipped': 0, 'mismatches': [], 'time': 0.0}
    check = subprocess.run([canp, 'dbc', 'check', path], capture_output=True, text=True)
    result['canp'] = check.returncode == 0
    try:
        import cantools
        db = cantools.database.load_file(path, strict=False, sort_signals=None, encoding=encoding_of(path))
    except Exception:
        result['time'] = time.time() - t0
        return result
    result['cantools'] = True
    if not result['canp']:
        result['mismatches'].append('canp cannot load a file cantools loads: ' + check.stderr.strip())
        return result
    if fallback:
        sys.path.insert(0, reference)
        import canp_ref
        # canp_ref caches its single-signal messages by (id, extended, name) for the
        # process; they belong to one DBC, so the cache must not outlive this file.
        canp_ref._single.clear()
        reference_decode = canp_ref.decode

    winners = {}
    for m in db.messages:
        winners[(m.frame_id, m.is_extended_frame)] = m     # the last message of an id decodes it
    rng = random.Random(seed ^ zlib.crc32(rel.encode()))
    lines, expected = [], []
    for m in winners.values():
        if m.is_container:
            continue
        result['messages'] += 1
        top_muxes = [s for s in m.signals if s.is_multiplexer and s.multiplexer_signal is None]
        mux_ids = {}
        for mux in top_muxes:
            ids = sorted({i for s in m.signals if s.multiplexer_signal == mux.name for i in (s.multiplexer_ids or [])})
            if ids and fits(mux, m.length):
                mux_ids[mux.name] = (mux, ids)
        for _ in range(frames_per_message):
            data = bytearray(rng.randbytes(m.length))
            if mux_ids and rng.random() < 0.5:
                for mux, ids in mux_ids.values():
                    put_bits(data, mux, rng.choice(ids) & ((1 << mux.length) - 1))
            if m.length > 0 and rng.random() < short_fraction:
                data = data[:rng.randrange(m.length)]
            data = bytes(data)
            try:
                raw = m.decode(data, decode_choices=False, scaling=False, allow_truncated=True)
                phys = m.decode(data, decode_choices=False, scaling=True, allow_truncated=True)
                kind = 'cantools'
            except Exception:
                if not fallback:
                    result['skipped'] += 1
                    continue
                raw, phys = reference_decode(m, data)
                kind = 'fallback'
            if set(raw) != set(phys):        # a multiplexer whose scaled value selects differently
                result['skipped'] += 1
                continue
            lines.append('%X,%d,%s\n' % (m.frame_id, int(m.is_extended_frame), data.hex()))
            expected.append((m, kind, data, expected_rows(m, raw, phys)))

    with tempfile.TemporaryDirectory(prefix='dbc_parity_') as tmp:
        frames_path, out_path = os.path.join(tmp, 'frames.txt'), os.path.join(tmp, 'signals.tsv')
        with open(frames_path, 'w') as f:
            f.writelines(lines)
        run = subprocess.run([canp, 'dbc', 'decode', '--dbc', path, '--input', frames_path, '--out', out_path],
                             capture_output=True, text=True)
        if run.returncode != 0:
            result['mismatches'].append('canp dbc decode failed: ' + run.stderr.strip())
            return result
        got = [[] for _ in expected]
        with open(out_path, encoding='utf-8') as f:
            for line in f:
                frame, name, raw, value, label = line.rstrip('\n').split('\t', 4)
                got[int(frame)].append((name, raw, value, unescape(label)))

    bad = result['mismatches']
    for index, ((m, kind, data, rows), actual) in enumerate(zip(expected, got)):
        result['frames'] += 1
        if kind == 'fallback':
            result['fallback_frames'] += 1
        problem = None
        if [r[0] for r in rows] != [a[0] for a in actual]:
            problem = 'signals %s != canp %s' % ([r[0] for r in rows], [a[0] for a in actual])
        else:
            for (name, raw, phys, label, is_float), (_, craw, cvalue, clabel) in zip(rows, actual):
                result['signals'] += 1
                if is_float:
                    ok_raw = close(raw, craw)
                else:
                    ok_raw = '.' not in craw and 'n' not in craw and int(craw) == int(raw)
                if not ok_raw:
                    problem = '%s raw %r != canp %s' % (name, raw, craw)
                elif not close(phys, cvalue):
                    problem = '%s value %r != canp %s' % (name, phys, cvalue)
                elif label != clabel:
                    problem = '%s label %r != canp %r' % (name, label, clabel)
                if problem:
                    break
        if problem:
            bad.append('%s 0x%X%s [%s] %s: %s' % (m.name, m.frame_id, 'x' if m.is_extended_frame else '', kind,
                                                  data.hex(), problem))
    result['time'] = time.time() - t0
    return result


def find_canp(given):
    if given:
        return given
    for build in ('release', 'debug'):
        candidate = os.path.join(REPO, '.build', build, 'canp')
        if os.access(candidate, os.X_OK):
            return candidate
    sys.exit('dbc_parity: no canp binary; build it (swift build) or pass its path')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('canp', nargs='?', help='the canp binary (default .build/release/canp or .build/debug/canp)')
    ap.add_argument('--corpus', default=os.path.join(REPO, '..', 'shared', 'dbc-corpus'),
                    help='directory searched for *.dbc files (default ../shared/dbc-corpus)')
    ap.add_argument('--frames', type=int, default=1000, help='random frames per message (default 1000)')
    ap.add_argument('--short', type=float, default=0.1, help='fraction of frames cut short (default 0.1)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2)
    ap.add_argument('--fallback', action='store_true',
                    help="also compare the frames cantools refuses, against the reference reader's decode()")
    ap.add_argument('--reference', default=os.path.join(REPO, '..', 'shared', 'reference'),
                    help='directory of canp_ref.py for --fallback (default ../shared/reference)')
    ap.add_argument('--verbose', action='store_true', help='print every file, not only failures')
    args = ap.parse_args()
    canp = os.path.abspath(find_canp(args.canp))
    corpus = os.path.abspath(args.corpus)
    paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs if f.endswith('.dbc'))
    if not paths:
        sys.exit(f'dbc_parity: no .dbc files under {corpus}')
    started = time.time()
    jobs = [(p, canp, args.frames, args.short, args.seed, args.fallback, corpus, os.path.abspath(args.reference))
            for p in sorted(paths, key=os.path.getsize, reverse=True)]
    with multiprocessing.Pool(args.jobs) as pool:
        results = sorted(pool.imap_unordered(check_file, jobs), key=lambda r: r['file'])
    totals = dict(files=0, messages=0, frames=0, signals=0, fallback=0, skipped=0, mismatches=0)
    for r in results:
        if r['cantools']:
            totals['files'] += 1
        totals['messages'] += r['messages']
        totals['frames'] += r['frames']
        totals['signals'] += r['signals']
        totals['fallback'] += r['fallback_frames']
        totals['skipped'] += r['skipped']
        totals['mismatches'] += len(r['mismatches'])
        status = 'FAIL' if r['mismatches'] else ('ok  ' if r['cantools'] else 'skip')
        if r['mismatches'] or args.verbose:
            note = '' if r['cantools'] else ' (cantools cannot load it; canp %s)' % ('loads it' if r['canp'] else 'cannot either')
            print(f"{status} {r['file']}: {r['messages']} messages, {r['frames']} frames, {r['signals']} signals, "
                  f"{len(r['mismatches'])} mismatches, {r['time']:.1f}s{note}")
        for line in r['mismatches'][:5]:
            print('     ', line)
    canp_loads = sum(r['canp'] for r in results)
    print(f"canp loads {canp_loads} of {len(results)} files, cantools {totals['files']}")
    print(f"dbc parity: {totals['files']} files, {totals['messages']} messages, {totals['frames']} frames "
          f"({totals['fallback']} via the reference fallback, {totals['skipped']} refused by cantools and not compared), "
          f"{totals['signals']} signals compared, {totals['mismatches']} mismatches, {time.time() - started:.0f}s")
    sys.exit(1 if totals['mismatches'] else 0)


if __name__ == '__main__':
    main()
