#!/usr/bin/env python3
"""score.py OUTDIR FINDINGS.jsonl -- compares the engine's findings with what gen.py planted and with
the warnings this script computes itself from the spec's definitions. Prints a report; exits 1 when a
planted error was missed, a clean report raised an error, or the warnings differ from the computed
ones (probes of ambiguous readings are listed, not judged)."""
import json, sys, math, collections
from decimal import Decimal, InvalidOperation
from fractions import Fraction

OUT, FIND = sys.argv[1], sys.argv[2]
meta = [json.loads(l) for l in open(f'{OUT}/meta.jsonl')]
truth = [json.loads(l) for l in open(f'{OUT}/truth.jsonl')]
finds = [json.loads(l) for l in open(FIND) if l.strip()]
byline = {m['line']: m for m in meta}
rn2line = collections.defaultdict(list)
for m in meta:
    if m['report_no']: rn2line[m['report_no']].append(m['line'])

def fline(f):
    ev = f.get('evidence') or {}
    if isinstance(ev, dict) and isinstance(ev.get('line'), int): return ev['line']
    ls = rn2line.get(f.get('report_no'))
    if ls and len(ls) == 1: return ls[0]
    return None

CROSS = {'OFF-T02', 'OFF-D01'}
errs = [f for f in finds if f.get('severity') == 'error']
warns = [f for f in finds if f.get('severity') == 'warning']
other = [f for f in finds if f.get('severity') not in ('error', 'warning')]

def names(f, rn):
    return f.get('report_no') == rn or rn in json.dumps(f.get('evidence'), ensure_ascii=False)

def match(t, f):
    if f['rule'] != t['rule']: return False
    if t['rule'] in CROSS:
        if not names(f, t['report_no']): return False
    else:
        if fline(f) != t['line']: return False
    if t.get('sample_id') and f.get('sample_id') and f['sample_id'] != t['sample_id']: return False
    if t.get('parameter') and f.get('parameter') and f['parameter'] != t['parameter']: return False
    return True

f_by_rule = collections.defaultdict(list)
for f in errs: f_by_rule[f['rule']].append(f)
# index findings by line for speed
f_by_line = collections.defaultdict(list)
for f in errs: f_by_line[fline(f)].append(f)

print('== per-rule recall (errors)')
rules = ['OFF-C01', 'OFF-Q01', 'OFF-Q02', 'OFF-Q03', 'OFF-Q04', 'OFF-Q05', 'OFF-Q06', 'OFF-P01', 'OFF-P02', 'OFF-M01',
         'OFF-I01', 'OFF-T01', 'OFF-T02', 'OFF-D01', 'OFF-D02']
misses = collections.defaultdict(list)
stat = {}
failures = []
for r in rules:
    ts = [t for t in truth if t['rule'] == r]
    hit = 0
    for t in ts:
        cands = f_by_rule[r] if r in CROSS else f_by_line.get(t['line'], [])
        if any(match(t, f) for f in cands): hit += 1
        else: misses[r].append(t)
    stat[r] = (hit, len(ts))
    if hit < len(ts) or not ts: failures.append(f'{r}: {hit}/{len(ts)} planted found')
    print(f'{r}: {hit}/{len(ts)} = {hit / len(ts) if ts else float("nan"):.3f}')
for r in rules:
    if misses[r]:
        print(f'-- misses {r}:')
        byv = collections.Counter(t.get('variant') for t in misses[r])
        for v, c in byv.most_common(): 
            ex = [t for t in misses[r] if t.get('variant') == v][0]
            got = [(f['rule'], f.get('message')) for f in f_by_line.get(ex['line'], [])]
            print(f'   {v}: {c}  e.g. line {ex["line"]} {ex.get("report_no")} engine-on-line={got[:3]}')

# soft checks for C01
for t in truth:
    if t['rule'] == 'OFF-C01' and t.get('min_count'):
        n = sum(1 for f in f_by_line.get(t['line'], []) if f['rule'] == 'OFF-C01')
        if n < t['min_count']: print(f'   C01 two_problems: line {t["line"]} only {n} findings')

# unexpected error findings
print('== unexpected error findings')
tr_by_line = collections.defaultdict(list)
for t in truth: tr_by_line[t['line']].append(t)
cross_tr = collections.defaultdict(list)
for t in truth:
    if t['rule'] in CROSS:
        for rn in t.get('pair', []): cross_tr[(t['rule'], rn)].append(t)
unexp = collections.defaultdict(list)
for f in errs:
    ln = fline(f)
    ok = False
    if f['rule'] in CROSS:
        rns = set([f.get('report_no')]) | {rn for rn in rn2line if False}
        ok = bool(cross_tr.get((f['rule'], f.get('report_no'))))
    else:
        ok = any(t['rule'] == f['rule'] for t in tr_by_line.get(ln, []))
    if not ok:
        m = byline.get(ln, {})
        st = m.get('status', '?')
        tags = ','.join(m.get('tags', []))
        unexp[(st, f['rule'], tags)].append((ln, f))
fa_clean = 0
for k, v in sorted(unexp.items(), key=lambda kv: (kv[0][0] != 'clean', kv[0])):
    st, rule, tags = k
    if st == 'clean': fa_clean += len(v)
    ln, f = v[0]
    print(f'  [{st}] {rule} tags={tags!r}: {len(v)}  e.g. line {ln}: {f.get("message")} ev={json.dumps(f.get("evidence"), ensure_ascii=False)[:300]}')
print(f'false alarms on clean reports: {fa_clean}')
if fa_clean: failures.append(f'{fa_clean} false alarms on clean reports')
probes = collections.defaultdict(list)
for m in meta:
    if m.get('probe'):
        got = sorted(set(f['rule'] for f in f_by_line.get(m['line'], [])))
        probes[m['probe']['name']].append((m['line'], got, m['probe']['expect']))
print('== probes (line, engine rules, my expectation)')
for k, v in probes.items():
    print(f'  {k}: ' + '; '.join(f'{ln}:{g}' for ln, g, e in v[:4]) + f'  expect={v[0][2]}')
if other: print('findings with odd severity:', len(other), other[:2])

# ====================================================== statistics
def dec(s):
    try:
        x = Decimal(s)
        return x if x.is_finite() else None
    except Exception: return None
lines = open(f'{OUT}/reports.jsonl', encoding='utf-8').read().split('\n')
eng_c01 = set(fline(f) for f in errs if f['rule'] == 'OFF-C01')
VAL = collections.defaultdict(list)   # (uscc, param) -> list of (value_str or None, limit_str or None)
for i, l in enumerate(lines, 1):
    m = byline.get(i)
    if not m or m['c01'] or i in eng_c01: continue
    try: rep = json.loads(l)
    except Exception: continue
    if not isinstance(rep, dict): continue
    for s in rep.get('samples') or []:
        for r in s.get('results') or []:
            v = None if r.get('below_detection') is True else r.get('value')   # reading: a below-detection result has no value
            VAL[(rep['institution_uscc'], r['parameter'])].append((v, r.get('limit')))

def binom_tail(a, n):
    return Fraction(sum(math.comb(n, k) for k in range(a, n + 1)), 2 ** n)
def chi2_sf9(x):
    return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 / math.pi) * math.exp(-x / 2) * math.sqrt(x) * (1 + x / 3 + x * x / 15 + x ** 3 / 105)
def sigdigits(s):
    t = s.lstrip('+-').replace('.', '').lstrip('0')
    return len(t)
BEN = [math.log10(1 + 1 / d) for d in range(1, 10)]
def first_digit(s):
    for ch in s:
        if ch in '123456789': return int(ch)
    return None

computed = {}
notes = {}
for (u, p), lst in VAL.items():
    withlim = [(v, L) for v, L in lst if L is not None and dec(L) and dec(L) != 0]
    nA = len(withlim); nB = len([1 for v, L in withlim if v is not None])
    a = b = 0
    for v, L in withlim:
        if v is None or dec(v) is None: continue
        r = dec(v) / dec(L)
        if Decimal('0.9') <= r < 1: a += 1
        elif Decimal('0.8') <= r < Decimal('0.9'): b += 1
    if a >= 10:
        pv = float(binom_tail(a, a + b))
        fireA = nA >= 30 and pv < 1e-4
        fireB = nB >= 30 and pv < 1e-4
        if fireA: computed[('OFF-S01', u, p)] = f'n={nA} a={a} b={b} p={pv:.3g}'
        if fireA != fireB: notes[('OFF-S01', u, p)] = f'AMBIG n(with ND)={nA} n(valued)={nB}'
        if pv < 1e-3 and not fireA: notes[('OFF-S01', u, p)] = f'near-miss n={nA} a={a} b={b} p={pv:.3g}'
    vals = [v for v, L in lst if isinstance(v, str) and dec(v) is not None and sigdigits(v) >= 2]
    if len(vals) >= 50:
        cnt = collections.Counter(v[-1] for v in vals)
        n = len(vals); e = n / 10
        x = sum((cnt.get(str(dg), 0) - e) ** 2 / e for dg in range(10))
        pv = chi2_sf9(x)
        if pv < 1e-4: computed[('OFF-S02', u, p)] = f'n={n} chi2={x:.2f} p={pv:.3g}'
        elif pv < 1e-2: notes[('OFF-S02', u, p)] = f'near-miss n={n} chi2={x:.2f} p={pv:.3g}'
    elif len(vals) >= 30:
        cnt = collections.Counter(v[-1] for v in vals)
        notes[('OFF-S02', u, p)] = f'below gate n={len(vals)} top={cnt.most_common(2)}'
by_u = collections.defaultdict(dict)
for (u, p), lst in VAL.items():
    xs = [v for v, L in lst if isinstance(v, str) and dec(v) is not None and dec(v) != 0]
    by_u[u][p] = xs
for u, ps in by_u.items():
    res = {}
    for mode in ('ratio', 'floor'):
        inc = []
        for p, xs in ps.items():
            if not xs: continue
            ds = [abs(dec(x)) for x in xs]
            mx, mn = max(ds), min(ds)
            if mode == 'ratio': span = mx / mn >= 100
            else: span = math.floor(math.log10(mx)) - math.floor(math.log10(mn)) >= 2
            if span: inc += xs
        n = len(inc)
        if n == 0: res[mode] = (n, 0, False); continue
        c = collections.Counter(first_digit(x) for x in inc)
        mad = sum(abs(c.get(dg, 0) / n - BEN[dg - 1]) for dg in range(1, 10)) / 9
        res[mode] = (n, mad, n >= 1000 and mad > 0.015)
    print('S03', u, res)
    if res['ratio'][2]: computed[('OFF-S03', u, None)] = f'n={res["ratio"][0]} MAD={res["ratio"][1]:.4f}'
    if res['ratio'][2] != res['floor'][2]: notes[('OFF-S03', u, None)] = f'AMBIG span reading {res}'
    n, mad, _ = res['ratio']
    if 0.010 < mad <= 0.015 or (n < 1000 and mad > 0.015): notes[('OFF-S03', u, None)] = f'near/below-gate n={n} MAD={mad:.4f}'

eng = {}
for f in warns:
    key = (f['rule'], f.get('institution_uscc'), f.get('parameter') if f['rule'] != 'OFF-S03' else None)
    eng[key] = f
print('== warnings')
print(f'engine warnings: {len(warns)}  computed should-fire: {len(computed)}')
for k in sorted(computed, key=str):
    if k not in eng: failures.append(f'warning not raised: {k}')
    print(('  OK   ' if k in eng else '  MISS ') + str(k) + ' mine: ' + computed[k] + ('  engine ev: ' + json.dumps({a: b for a, b in eng[k].get('evidence').items() if a in ('n', 'a', 'b', 'p_value', 'chi_square', 'mad')}, ensure_ascii=False) if k in eng else ''))
for k in sorted(eng, key=str):
    if k not in computed:
        failures.append(f'warning the spec does not imply: {k}')
        print('  EXTRA ' + str(k) + ' engine ev: ' + json.dumps(eng[k].get('evidence'), ensure_ascii=False)[:300] + ' | my note: ' + notes.get(k, ''))
print('-- notes (near misses / ambiguities):')
for k, v in sorted(notes.items(), key=str): print('  ', k, v, '(engine fired)' if k in eng else '')
dupw = collections.Counter((f['rule'], f.get('institution_uscc'), f.get('parameter')) for f in warns)
if any(c > 1 for c in dupw.values()):
    failures.append('duplicate warnings')
    print('duplicate warnings:', [k for k, c in dupw.items() if c > 1])
if other: failures.append('findings with a severity other than error or warning')
print('== verdict')
for f in failures: print('  FAIL', f)
print('  PASS' if not failures else f'  {len(failures)} failures')
sys.exit(1 if failures else 0)
