#!/usr/bin/env python3
"""Independent generator for the off-site checking engine (spec-only reading).
Usage: [NP=plants per variant] gen.py OUTDIR [SEED] [NCLEAN]
Writes registry.json, methods.csv, reports.jsonl, truth.jsonl (what was planted) and meta.jsonl (per
line: clean, planted or probe). Written from spec/offsite-rules.md and spec/exchange-formats.md alone,
by an engineer who had not read the engine: a second reading of the contract, not the engine's own.
"""
import json, random, sys, os, csv, copy, unicodedata
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
def setv(r, v):
    r['value'] = v; r['below_detection'] = False

if len(sys.argv) < 2: sys.exit('usage: gen.py OUTDIR [SEED] [NCLEAN]')
OUT = sys.argv[1]
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 12345
NCLEAN = int(sys.argv[3]) if len(sys.argv) > 3 else 9000
R = random.Random(SEED)
CST = timezone(timedelta(hours=8))
UTC = timezone.utc
os.makedirs(OUT, exist_ok=True)

def d(s): return date.fromisoformat(s)
def ds(x): return x.isoformat()
def cst(day, h, m=0): return datetime(day.year, day.month, day.day, h, m, tzinfo=CST)

def fmt_inst(dt, style='cst'):
    if style == 'cst': return dt.astimezone(CST).isoformat()
    if style == 'Z': return dt.astimezone(UTC).isoformat().replace('+00:00', 'Z')
    if style == 'utc': return dt.astimezone(UTC).isoformat()
    if style == 'm5': return dt.astimezone(timezone(timedelta(hours=-5))).isoformat()
    if style == 'p10': return dt.astimezone(timezone(timedelta(hours=10))).isoformat()
    if style == 'p0530': return dt.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()
    raise ValueError(style)

def rand_style():
    x = R.random()
    if x < 0.85: return 'cst'
    return R.choice(['Z', 'utc', 'm5', 'p10', 'p0530'])

# ---------------------------------------------------------------- methods
# code, title, cat, effective, abolished, replaced_by
METHODS = [
    ('HJ 828-2017', '水质 化学需氧量的测定 重铬酸盐法', 'water', 'MISSING', '', ''),
    ('HJ 828-2071', '（虚构）化学需氧量 笔误代码', 'water', 'X', 'X', ''),  # placeholder removed below
    ('HJ 535-2009', '水质 氨氮的测定 纳氏试剂分光光度法', 'water', '2010-04-01', '', ''),
    ('HJ 536-2009', '水质 氨氮的测定 水杨酸分光光度法', 'water', '2010-04-01', '', ''),
    ('GB 11893-89', '水质 总磷的测定 钼酸铵分光光度法', 'water', '', '', ''),
    ('HJ 637-2012', '水质 石油类和动植物油类的测定 红外分光光度法', 'water', '2012-06-01', '2024-09-01', 'HJ 637-2018'),
    ('HJ 637-2018', '水质 石油类和动植物油类的测定 红外分光光度法', 'water', 'MISSING', '', ''),
    ('HJ 505-2009', '水质 五日生化需氧量(BOD5)的测定 稀释与接种法', 'water', '2009-12-01', '', ''),
    ('GB 7488-87', '水质 五日生化需氧量(BOD5)的测定 稀释与接种法', 'water', 'MISSING', '2009-12-01', 'HJ 505-2009'),
    ('HJ 1147-2020', '水质 pH值的测定 电极法', 'water', '2021-06-01', '', ''),
    ('HJ 636-2012', '水质 总氮的测定 碱性过硫酸钾消解紫外分光光度法', 'water', '2012-06-01', '', ''),
    ('HJ 9102-2018', '（自拟）水质 总氮 旧法', 'water', '2018-01-01', '2025-03-01', 'HJ 636-2012'),
    ('HJ\u3000503\uff0d2009', '水质 挥发酚的测定 4-氨基安替比林分光光度法', 'water', '2009-12-01', '', ''),
    ('HJ 9101-2024', '（自拟）水质 溶解氧 新法', 'water', '2024-09-01', '', ''),
    ('HJ 488-2009', '水质 氟化物的测定, 氟试剂分光光度法', 'water', '2009-11-01', 'MISSING', ''),
    ('HJ 57-2017', '固定污染源废气 二氧化硫的测定 定电位电解法', 'air', '2018-03-01', '', ''),
    ('HJ 693-2014', '固定污染源废气 氮氧化物的测定 定电位电解法', 'air', '2014-07-01', '', ''),
    ('HJ 836-2017', '固定污染源废气 低浓度颗粒物的测定 重量法', 'air', '2018-03-01', '', ''),
    ('GB 12348-2008', '工业企业厂界环境噪声排放标准', 'noise', '2008-10-01', '', ''),
    ('HJ 491-2019', '土壤和沉积物 铜、锌、铅、镍、铬的测定 火焰原子吸收分光光度法', 'soil', 'MISSING', '', ''),
    ('GB/T 17141-1997', '土壤质量 铅、镉的测定 石墨炉原子吸收分光光度法', 'soil', 'MISSING', 'MISSING', ''),
    ('HJ 680-2013', '土壤和沉积物 汞、砷、硒、铋、锑的测定 微波消解/原子荧光法', 'soil', '2014-02-01', '', ''),
]
METHODS = [m for m in METHODS if m[0] != 'HJ 828-2071']

def fold(code):
    s = unicodedata.normalize('NFKC', code).strip()
    while '  ' in s: s = s.replace('  ', ' ')
    return s

MTAB = {fold(m[0]): m for m in METHODS}

def method_in_force(code, day):
    m = MTAB.get(fold(code))
    if not m: return False
    eff, ab = m[3], m[4]
    if eff not in ('', 'MISSING') and d(eff) > day: return False
    if ab not in ('', 'MISSING') and not (day < d(ab)): return False
    return True

# ---------------------------------------------------------------- parameters
# name: (cat, unit, dl, limit, limit_std, lo_exp, hi_exp or ('lin',lo,hi,dec))
PARAMS = {
    '化学需氧量': ('water', 'mg/L', '4', '30', 'GB 3838-2002 IV类', ('log', 0.7, 3.7)),
    '氨氮': ('water', 'mg/L', '0.025', '1.5', 'GB 3838-2002 IV类', ('log', -1.5, 1.5)),
    '总磷': ('water', 'mg/L', '0.01', '0.3', 'GB 3838-2002 IV类', ('log', -1.9, 1.1)),
    '石油类': ('water', 'mg/L', '0.06', '0.5', 'GB 3838-2002 IV类', ('log', -1.2, 1.8)),
    '五日生化需氧量': ('water', 'mg/L', '0.5', '6', 'GB 3838-2002 IV类', ('log', -0.2, 2.8)),
    'pH': ('water', '无量纲', None, None, None, ('lin', 6.0, 9.0, 2)),
    '总氮': ('water', 'mg/L', '0.05', '1.5', 'GB 3838-2002 IV类', ('log', -1.2, 1.8)),
    '挥发酚': ('water', 'mg/L', '0.0003', '0.01', 'GB 3838-2002 IV类', ('log', -3.4, -0.4)),
    '溶解氧': ('water', 'mg/L', None, None, None, ('lin', 3.0, 9.9, 1)),
    '硫化物': ('water', 'mg/L', '0.005', '0.5', 'GB 3838-2002 IV类', ('log', -2.0, 0.0)),
    '氟化物': ('water', 'mg/L', '0.02', '1.5', 'GB 3838-2002 IV类', ('log', -1.5, 0.5)),
    '二氧化硫': ('air', 'mg/m3', '3', '200', 'GB 16297-1996', ('log', 0.5, 3.5)),
    '氮氧化物': ('air', 'mg/m3', '3', '240', 'GB 16297-1996', ('log', 0.6, 3.6)),
    '颗粒物': ('air', 'mg/m3', '1.0', '20', 'GB 16297-1996', ('log', 0.1, 3.1)),
    '等效声级': ('noise', 'dB(A)', None, '60', 'GB 12348-2008 2类', ('lin', 45.0, 70.0, 1)),
    '铅': ('soil', 'mg/kg', '10', '400', 'GB 36600-2018', ('log', 1.1, 4.1)),
    '镉': ('soil', 'mg/kg', '0.01', '0.3', 'GB 15618-2018', ('log', -1.9, 1.1)),
    '砷': ('soil', 'mg/kg', '0.01', '20', 'GB 15618-2018', ('log', -0.5, 2.5)),
}
PLANT_ONLY = {'HJ 9999-2099', 'GB 7488-87', 'HJ 828-2071'}

def fmt_val(v, sig=3):
    import math
    e = math.floor(math.log10(v))
    dec = max(1, sig - 1 - e)
    s = f'{v:.{dec}f}'
    return s

def gen_value(p):
    g = PARAMS[p][5]
    if g[0] == 'log':
        return fmt_val(10 ** R.uniform(g[1], g[2]))
    return f'{R.uniform(g[1], g[2]):.{g[3]}f}'

# ---------------------------------------------------------------- registry
NINST = 11
CATS_OF = {0: ['water', 'air', 'noise', 'soil'], 1: ['water', 'air', 'noise', 'soil'], 2: ['water', 'air', 'noise', 'soil'],
           3: ['water', 'air', 'noise', 'soil'], 4: ['water', 'air', 'noise', 'soil'], 5: ['water', 'air', 'noise'],
           6: ['water', 'air', 'noise', 'soil'], 7: ['water', 'air', 'soil'], 8: ['water'], 9: ['water', 'air', 'noise', 'soil'], 10: ['water']}

def scope_for(cert_from, cats, cert_b=False):
    cf = cert_from
    S = []
    def add(cat, p, m, f=None, t=None):
        S.append({'category': cat, 'parameter': p, 'method': m, 'from': f or cf, 'to': t})
    if 'water' in cats:
        add('water', '化学需氧量', 'HJ 828-2017')
        add('water', '化学需氧量', 'HJ 828-2071')  # plant-only typo code (unknown method)
        add('water', '氨氮', 'HJ 535-2009')
        add('water', '总磷', 'GB 11893-89')
        if not cert_b:
            add('water', '石油类', 'HJ 637-2012', cf, '2024-06-30')
            add('water', '石油类', 'HJ 637-2018', '2024-07-01', None)
        else:
            add('water', '石油类', 'HJ 637-2018')
        add('water', '五日生化需氧量', 'HJ 505-2009')
        add('water', '五日生化需氧量', 'GB 7488-87')
        add('water', 'pH', 'HJ 1147-2020')
        add('water', '总氮', 'HJ 636-2012')
        add('water', '总氮', 'HJ 9102-2018')
        add('water', '挥发酚', 'HJ 503-2009')
        add('water', '溶解氧', 'HJ 9101-2024')
        add('water', '硫化物', 'HJ 9999-2099')
    if 'air' in cats:
        add('air', '二氧化硫', 'HJ 57-2017')
        add('air', '氮氧化物', 'HJ 693-2014')
        add('air', '颗粒物', 'HJ 836-2017', max(cf, '2024-03-01'), None)
    if 'noise' in cats:
        add('noise', '等效声级', 'GB 12348-2008')
    if 'soil' in cats:
        add('soil', '铅', 'HJ 491-2019')
        add('soil', '镉', 'GB/T 17141-1997')
        add('soil', '砷', 'HJ 680-2013')
    return S

INSTS = []
SHARED_PERSON = {'id': 'P-099901', 'name': '共享甲'}
for i in range(NINST):
    uscc = f'91310113MA1G8{i:05d}'
    pref = f'JC{i:02d}'
    cats = CATS_OF[i]
    certA = {'no': f'2019{i:02d}120001', 'issuer': '上海市市场监督管理局', 'issued_on': '2019-05-10', 'expires_on': '2025-05-09',
             'status_history': [{'status': 'valid', 'from': '2019-05-10'}], 'scope': scope_for('2019-05-10', cats)}
    certB = {'no': f'2025{i:02d}120002', 'issuer': '上海市市场监督管理局', 'issued_on': '2025-05-10', 'expires_on': '2031-05-09',
             'status_history': [{'status': 'valid', 'from': '2025-05-10'}], 'scope': scope_for('2025-05-10', cats, True)}
    if i == 1:
        certA['status_history'] += [{'status': 'suspended', 'from': '2024-08-01'}, {'status': 'valid', 'from': '2024-10-01'}]
    if i == 2:
        certB['status_history'] += [{'status': 'revoked', 'from': '2025-10-01'}]
    if i == 3:
        certA['status_history'] += [{'status': 'cancelled', 'from': '2025-03-01'}]
    certs = [certA, certB]
    if i == 6:
        certs.append({'no': f'2021{i:02d}120003', 'issuer': '上海市市场监督管理局', 'issued_on': '2021-01-01', 'expires_on': '2026-12-31',
                      'status_history': [{'status': 'valid', 'from': '2021-01-01'}], 'scope': scope_for('2021-01-01', ['noise'])})
    staff = []
    for k in range(14):
        pid = f'P-{i:02d}{k:04d}'
        roles = ['sampler', 'analyst']
        if k in (8, 9): roles = ['analyst']
        fr, to = '2018-01-01', None
        if k == 10: to = '2024-12-31'
        if k == 11: fr = '2025-02-01'
        if k == 12: fr, to = '2019-01-01', '2025-06-15'
        if k == 13: fr = '2024-06-01'
        staff.append({'person': {'id': pid, 'name': f'员工{i}-{k}'}, 'roles': roles, 'from': fr, 'to': to})
    if i in (0, 1):
        staff.append({'person': dict(SHARED_PERSON), 'roles': ['sampler', 'analyst'], 'from': '2018-01-01', 'to': None})
    sigs = [
        {'person': {'id': f'P-1{i:02d}001', 'name': f'签字人{i}-0'}, 'categories': list(cats), 'from': '2019-05-10', 'to': None},
        {'person': {'id': f'P-1{i:02d}002', 'name': f'签字人{i}-1'}, 'categories': [c for c in ['water', 'air'] if c in cats], 'from': '2019-05-10', 'to': '2025-03-31'},
        {'person': {'id': f'P-1{i:02d}003', 'name': f'签字人{i}-2'}, 'categories': [c for c in ['noise', 'soil'] if c in cats] or ['water'], 'from': '2024-07-01', 'to': None},
    ]
    instr = [{'id': f'{pref}-YQ-{n:03d}', 'name': f'仪器{n}'} for n in range(1, 7)]
    restr = []
    if i == 4: restr = [{'from': '2025-01-10', 'to': '2025-07-09', 'basis': '宝市监罚〔2025〕12号'}]
    if i == 3: restr = [{'from': '2025-11-01', 'to': None, 'basis': '闵市监罚〔2025〕7号'}]
    if i == 5: restr = [{'from': '2024-03-01', 'to': '2024-05-31', 'basis': '浦市监罚〔2024〕3号'},
                        {'from': '2025-09-01', 'to': '2025-12-31', 'basis': '浦市监罚〔2025〕9号'}]
    INSTS.append({'uscc': uscc, 'name': f'上海测试{i}检测技术有限公司', 'district': '宝山区', 'address': f'某路{i}号',
                  'legal_rep': f'法人{i}', 'phone': '021-0000000', 'certificates': certs, 'signatories': sigs, 'staff': staff,
                  'instruments': instr, 'restrictions': restr, '_pref': pref, '_i': i})

def in_window(day, fr, to):
    return d(fr) <= day and (to is None or day <= d(to))

def cert_in_force(c, day):
    if not (d(c['issued_on']) <= day <= d(c['expires_on'])): return False
    st = None
    for h in c['status_history']:
        if d(h['from']) <= day: st = h['status']
    return st == 'valid'

def restricted(inst, day):
    return any(in_window(day, r['from'], r['to']) for r in inst['restrictions'])

def staff_ok(inst, pid, day, role=None):
    for s in inst['staff']:
        if s['person']['id'] == pid and in_window(day, s['from'], s['to']) and (role is None or role in s['roles']):
            return True
    return False

# ---------------------------------------------------------------- busy tracker (T02)
BUSY = {}
def _days(a, b):
    x = (min(a, b) - timedelta(hours=4)).astimezone(UTC).date()
    y = (max(a, b) + timedelta(hours=4)).astimezone(UTC).date()
    out = []
    while x <= y:
        out.append(x); x += timedelta(days=1)
    return out
def free(pid, a, b, pad=45):
    P = BUSY.get(pid)
    if not P: return True
    for dd in _days(a, b):
        for (x, y) in P.get(dd, ()):
            if a - timedelta(minutes=pad) < y and x < b + timedelta(minutes=pad):
                return False
    return True
def book(pid, a, b):
    P = BUSY.setdefault(pid, {})
    iv = (min(a, b), max(a, b))
    for dd in _days(a, b):
        P.setdefault(dd, []).append(iv)

SITES = {c: [f'{c}-{n}# 点位' for n in range(1, 60)] for c in ['water', 'air', 'noise', 'soil']}
SITES['water'] = [f'某河 {n}# 断面' for n in range(1, 80)]
DEPTS = ['EEB', 'MSA', 'AGRI', 'PLAN', 'WATER', 'TRANSPORT', 'GREEN']

SEQ = {}
def next_no(inst, day):
    k = (inst['_i'], day.year)
    SEQ[k] = SEQ.get(k, 0) + 1
    return f"{inst['_pref']}-{day.year}-{SEQ[k]:06d}"

SID = [0]
def next_sid(cat, day):
    SID[0] += 1
    return f"{cat[0].upper()}{day.strftime('%y%m%d')}-{SID[0]:06d}"

def person(p): return {'id': p['person']['id'], 'name': p['person']['name']}

class Fail(Exception): pass

def scope_params(cert, cat, day):
    """(param, method) covered by cert scope on day (issued day)."""
    out = []
    for e in cert['scope']:
        if e['category'] == cat and in_window(day, e['from'], e['to']):
            out.append((e['parameter'], e['method']))
    return out

def base_params(inst, cat):
    out = []
    for e in inst['certificates'][0]['scope'] + inst['certificates'][1]['scope']:
        if e['category'] == cat and (e['parameter'], e['method']) not in out:
            out.append((e['parameter'], e['method']))
    return out

def build(inst, D, purpose=None, cma=None, cert=None, sig=None, cats=None, nsamp=None, s_day=None, start=None,
          dur=None, params=None, samplers=None, analyst=None, a_day=None, allow_any_param=False, nres=None, styles=True,
          no_instr_null=False):
    """Build a clean report (raises Fail if impossible). params: list per sample of [(param, method)] overriding."""
    if purpose is None:
        purpose = R.choices(['enforcement', 'government', 'self_monitoring', 'commissioned'], [20, 15, 35, 30])[0]
        if purpose in ('enforcement', 'government') and restricted(inst, D):
            purpose = R.choice(['self_monitoring', 'commissioned'])
    if cma is None:
        cma = True if purpose in ('enforcement', 'government') else (R.random() < 0.85)
    if cma and cert is None:
        cands = [c for c in inst['certificates'] if cert_in_force(c, D)]
        if not cands:
            if purpose in ('enforcement', 'government'): raise Fail('no cert')
            cma = False
        else:
            cert = R.choice(cands)
    if sig is None:
        sigs = [s for s in inst['signatories'] if in_window(D, s['from'], s['to'])]
        if cats is not None:
            sigs = [s for s in sigs if all(c in s['categories'] for c in cats)]
        if not sigs: raise Fail('no sig')
        sig = R.choice(sigs)
        sigcats = sig['categories']
    else:
        sigcats = sig['categories'] if 'categories' in sig else CATS_OF[inst['_i']]
    if cats is None:
        allowed = [c for c in sigcats if c in CATS_OF[inst['_i']]]
        if cert is not None:
            allowed = [c for c in allowed if scope_params(cert, c, D)]
        if not allowed: raise Fail('no cats')
        n = nsamp or R.choice([1, 1, 2, 2, 3])
        cset = R.sample(allowed, min(len(allowed), R.choice([1, 1, 2])))
        cats = [R.choice(cset) for _ in range(n)]
    rep = {'report_no': next_no(inst, D), 'institution_uscc': inst['uscc'], 'cma_mark': cma,
           'certificate_no': cert['no'] if (cma and cert) else None, 'purpose': purpose,
           'commissioned_by': R.choice(DEPTS) if purpose in ('enforcement', 'government') else None,
           'client': {'name': '上海某某有限公司', 'uscc': '91310000' + str(R.randint(10 ** 9, 10 ** 10 - 1))},
           'project': '某项目监测', 'issued_on': ds(D),
           'compiled_by': {'id': f'P-5{R.randint(0, 99999):05d}', 'name': '编制人'},
           'reviewed_by': {'id': f'P-6{R.randint(0, 99999):05d}', 'name': '审核人'},
           'signatory': person(sig), 'samples': []}
    sampler_pool = [s for s in inst['staff']]
    for si, cat in enumerate(cats):
        sd = s_day if s_day is not None else D - timedelta(days=R.randint(3, 15))
        for attempt in range(40):
            st = start if start is not None else cst(sd, 8, 0) + timedelta(minutes=R.randint(0, 480))
            du = dur if dur is not None else timedelta(minutes=R.randint(15, 120))
            to = st + du
            sday = st.astimezone(CST).date()
            if samplers is not None:
                sm = samplers[si] if isinstance(samplers[0], list) else samplers
            else:
                pool = [s['person'] for s in sampler_pool if staff_ok(inst, s['person']['id'], sday, 'sampler')]
                pool = [p for p in pool if free(p['id'], st, to)]
                if len(pool) < 2:
                    if start is not None: raise Fail('no samplers')
                    continue
                sm = R.sample(pool, 2)
            if all(free(p['id'], st, to) for p in sm) or samplers is not None:
                break
            if start is not None: raise Fail('busy')
        else:
            raise Fail('no slot')
        for p in sm: book(p['id'], st, to)
        recv = to + timedelta(minutes=R.randint(30, 240))
        cert_for_params = cert
        if params is not None and params[si] is not None:
            plist = params[si]
        else:
            cand = scope_params(cert, cat, D) if cert is not None else base_params(inst, cat)
            cand = [pm for pm in cand if pm[1] not in PLANT_ONLY]
            plist_all = cand
            plist = None
        ad_fixed = a_day
        res = []
        # analysis day
        rd = recv.astimezone(CST).date()
        span = (D - rd).days
        if span < 0: raise Fail('recv after issue')
        chosen = None
        if plist is None:
            k = nres or R.randint(1, 5)
            seen = {}
            R.shuffle(plist_all)
            for pm in plist_all:
                if pm[0] in seen: continue
                seen[pm[0]] = pm
            chosen = list(seen.values())[:k]
            if not chosen: raise Fail('no params')
        else:
            chosen = plist
        for (p, m) in chosen:
            for att in range(30):
                if ad_fixed is not None:
                    A = ad_fixed
                else:
                    A = rd + timedelta(days=R.randint(0, span))
                if A == rd:
                    at = recv + timedelta(minutes=R.randint(20, 60))
                else:
                    at = cst(A, 8) + timedelta(minutes=R.randint(0, 600))
                if at.astimezone(CST).date() > D:
                    continue
                A = at.astimezone(CST).date()
                if params is None and not method_in_force(m, A):
                    continue
                break
            else:
                raise Fail('no analysis day')
            if params is None and not method_in_force(m, A):
                raise Fail('method')
            if analyst is not None:
                an = analyst
            else:
                ans = [s['person'] for s in inst['staff'] if staff_ok(inst, s['person']['id'], A, 'analyst')]
                an = R.choice(ans)
            cat_p, unit, dl, lim, limstd, g = PARAMS[p]
            nd = R.random() < 0.03 and dl is not None
            r = {'parameter': p, 'method': m, 'value': None if nd else gen_value(p), 'below_detection': nd,
                 'detection_limit': dl, 'unit': unit, 'limit': lim, 'limit_standard': limstd,
                 'analyzed_at': at, 'analyst': dict(an),
                 'instrument_id': None if (R.random() < 0.1 and not no_instr_null) else R.choice(inst['instruments'])['id']}
            if r['value'] is not None and dl is not None:
                from decimal import Decimal
                if Decimal(r['value']) < Decimal(dl):
                    r['value'] = dl
            res.append(r)
        smp = {'sample_id': next_sid(cat, sd), 'category': cat, 'site': R.choice(SITES[cat]),
               'sampled_from': st, 'sampled_to': to, 'samplers': [dict(p) for p in sm], 'received_at': recv, 'results': res}
        rep['samples'].append(smp)
    return rep

def finalize_times(rep, styles=True):
    """convert datetimes to strings"""
    for s in rep.get('samples') or []:
        if not isinstance(s, dict): continue
        for k in ('sampled_from', 'sampled_to', 'received_at'):
            if isinstance(s.get(k), datetime):
                s[k] = fmt_inst(s[k], rand_style() if styles else 'cst')
        for r in s.get('results') or []:
            if isinstance(r, dict) and isinstance(r.get('analyzed_at'), datetime):
                r['analyzed_at'] = fmt_inst(r['analyzed_at'], rand_style() if styles else 'cst')
    return rep

# ---------------------------------------------------------------- corpus
REPORTS = []   # list of dict(rep=..., raw=None, status, tags, truth=[...])
TRUTH = []

def rand_day(lo='2024-01-05', hi='2025-12-31'):
    a, b = d(lo), d(hi)
    return a + timedelta(days=R.randint(0, (b - a).days))

def add(rep, status='clean', tags=(), truth=(), raw=None, styles=True):
    if rep is not None and raw is None:
        finalize_times(rep, styles)
    REPORTS.append({'rep': rep, 'raw': raw, 'status': status, 'tags': list(tags), 'truth': list(truth)})

def try_build(inst, D=None, tries=50, **kw):
    last = None
    for _ in range(tries):
        DD = D or rand_day()
        try:
            return build(inst, DD, **kw)
        except Fail as e:
            last = e
            if D is not None and 'start' in kw: break
    raise Fail(f'build failed {last}')

WEIGHTS = [14, 12, 12, 12, 12, 12, 12, 12, 0, 12, 0]
for n in range(NCLEAN):
    inst = INSTS[R.choices(range(NINST), WEIGHTS)[0]]
    add(try_build(inst))
# small institution I8: 45 reports of water
I8 = INSTS[8]
for n in range(45):
    D = rand_day()
    cert = [c for c in I8['certificates'] if cert_in_force(c, D)]
    pl = [('化学需氧量', 'HJ 828-2017'), ('总磷', 'GB 11893-89'), ('pH', 'HJ 1147-2020')]
    if n < 25: pl.append(('氨氮', 'HJ 535-2009'))
    try:
        rep = build(I8, D, purpose='commissioned', cma=bool(cert), cert=cert[0] if cert else None, cats=['water'], params=[pl])
    except Fail:
        continue
    add(rep, tags=['i8'])

# ---------------- I10: gate/boundary tests for S01/S02/S03
I10 = INSTS[10]
def i10_rep(plist_per_sample, D=None):
    for _ in range(50):
        DD = D or rand_day('2024-01-05', '2025-05-09')
        try:
            return build(I10, DD, purpose='commissioned', cma=True, cert=[c for c in I10['certificates'] if cert_in_force(c, DD)][0], sig=I10['signatories'][0],
                         cats=['water'] * len(plist_per_sample), params=plist_per_sample)
        except Fail:
            continue
    raise Fail('i10')
tp_vals = []
for n in range(350):
    rep = i10_rep([[('总磷', 'GB 11893-89')]] * 3)
    for s in rep['samples']:
        r = s['results'][0]
        e = R.choice([-2, -1])
        v = fmt_val((R.randint(1, 9) + R.random()) * 10 ** e)
        if Decimal(v) < Decimal('0.0101') or Decimal(v) >= Decimal('0.999'): v = '0.0' + str(R.randint(11, 99)) + str(R.randint(1, 9))
        setv(r, v); r['detection_limit'] = '0.005'
        tp_vals.append(r)
    add(rep, tags=['i10'])
setv(tp_vals[0], '0.0100'); setv(tp_vals[1], '1.00')   # span exactly two orders of magnitude
for n in range(50):
    pl = [('石油类', 'HJ 637-2018')]
    if n < 49: pl.append(('五日生化需氧量', 'HJ 505-2009'))
    if n < 30: pl.append(('总氮', 'HJ 636-2012'))
    if n < 29: pl.append(('挥发酚', 'HJ 503-2009'))
    rep = i10_rep([pl], D=rand_day('2025-05-10', '2025-12-31'))
    for r in rep['samples'][0]['results']:
        p = r['parameter']
        if p == '石油类': setv(r, f"{R.randint(1, 9)}.{R.randint(0, 9)}3")
        elif p == '五日生化需氧量': setv(r, f"{R.randint(1, 9)}.{R.randint(0, 9)}7")
        elif p == '总氮': setv(r, fmt_val(1.5 * R.uniform(0.905, 0.995)))
        elif p == '挥发酚': setv(r, fmt_val(0.01 * R.uniform(0.905, 0.995)))
    add(rep, tags=['i10'])

# ---------------------------------------------------------------- statistical overrides (on clean reports)
from decimal import Decimal
def results_of(inst_i, param):
    out = []
    for e in REPORTS:
        rep = e['rep']
        if rep['institution_uscc'] != INSTS[inst_i]['uscc']: continue
        for s in rep['samples']:
            for r in s['results']:
                if r['parameter'] == param: out.append(r)
    return out

def setv(r, v):
    r['value'] = v; r['below_detection'] = False

# S01 plant: I5 氨氮 (limit 1.5): 40 in [0.9,1.0), 5 in [0.8,0.9)
rs = [r for r in results_of(5, '氨氮')]; R.shuffle(rs)
for j, r in enumerate(rs):
    if j < 40: setv(r, fmt_val(1.5 * R.uniform(0.901, 0.999)))
    elif j < 45: setv(r, fmt_val(1.5 * R.uniform(0.801, 0.899)))
    elif r['value'] is not None and Decimal(r['value']) / Decimal('1.5') >= Decimal('0.8'):
        setv(r, fmt_val(1.5 * R.uniform(0.05, 0.7)))
# S01 plant 2: I0 二氧化硫 limit 200: a=20,b=2 (p=6.1e-5 -> warn)
def s01_exact(inst_i, param, lim, a, b):
    rs = results_of(inst_i, param); R.shuffle(rs)
    L = float(lim)
    for j, r in enumerate(rs):
        if j < a: setv(r, fmt_val(L * R.uniform(0.902, 0.998)))
        elif j < a + b: setv(r, fmt_val(L * R.uniform(0.802, 0.898)))
        elif r['value'] is not None and Decimal(r['value']) / Decimal(lim) >= Decimal('0.79') and Decimal(r['value']) / Decimal(lim) < Decimal('1.01'):
            setv(r, fmt_val(L * R.uniform(0.05, 0.7)))
    return len(rs)
s01_exact(0, '二氧化硫', '200', 20, 2)
s01_exact(1, '二氧化硫', '200', 18, 3)   # p=7.4e-4 -> no warn
s01_exact(2, '氮氧化物', '240', 9, 0)    # a<10 -> no warn
# I9: boundary r=1.0 and r=0.8 exactly
rs = results_of(9, '总磷'); R.shuffle(rs)
for j, r in enumerate(rs):
    if j < 30: setv(r, '0.3')        # r = 1.0 exactly: not in a
    elif j < 42: setv(r, '0.27')     # r = 0.9 exactly: in a
    elif r['value'] is not None and Decimal(r['value']) / Decimal('0.3') >= Decimal('0.79'):
        setv(r, fmt_val(0.3 * R.uniform(0.05, 0.7)))
rs = results_of(9, '氨氮'); R.shuffle(rs)
for j, r in enumerate(rs):
    if j < 14: setv(r, '1.35')       # r = 0.9
    elif j < 22: setv(r, '1.2')      # r = 0.8 exactly: in b
    elif r['value'] is not None and Decimal(r['value']) / Decimal('1.5') >= Decimal('0.79'):
        setv(r, fmt_val(1.5 * R.uniform(0.05, 0.7)))
# I8 氨氮: 25 results all bunched, but n<30
for r in results_of(8, '氨氮'): setv(r, fmt_val(1.5 * R.uniform(0.91, 0.99)))
# S02 plant: I6 化学需氧量 last digit in {0,5}
for r in results_of(6, '化学需氧量'):
    if r['value'] is None: continue
    v = Decimal(r['value'])
    s = r['value']
    s = s[:-1] + R.choice('05')
    if Decimal(s) < Decimal('4'): s = '4.5'
    setv(r, s)
# S02 mild preference: I3 氨氮 : 35% of values end in 0
for r in results_of(3, '氨氮'):
    if r['value'] is None: continue
    if R.random() < 0.08: setv(r, r['value'][:-1] + '0') if Decimal(r['value'][:-1] + '0') >= Decimal('0.025') else None
# I8 化学需氧量 all end with 0 (n<50)
for r in results_of(8, '化学需氧量'):
    setv(r, fmt_val(R.uniform(5, 99))[:-1] + '0')
# S03 plant: I7 all spanning params -> uniform first digit
def unif_first(r, lo_e, hi_e):
    e = R.randint(lo_e, hi_e)
    v = R.randint(1, 9) + R.random()
    return fmt_val(v * 10 ** e)
SPAN_EXP = {'化学需氧量': (1, 2), '氨氮': (-1, 0), '总磷': (-1, -1), '石油类': (-1, 0), '五日生化需氧量': (0, 1), '总氮': (-1, 0),
            '挥发酚': (-3, -2), '二氧化硫': (1, 2), '氮氧化物': (1, 2), '颗粒物': (0, 1), '铅': (1, 2), '镉': (-1, -1), '砷': (0, 1)}
for e in REPORTS:
    rep = e['rep']
    u = rep['institution_uscc']
    if u not in (INSTS[7]['uscc'], INSTS[8]['uscc']): continue
    for s in rep['samples']:
        for r in s['results']:
            if r['value'] is None or r['parameter'] not in SPAN_EXP: continue
            if u == INSTS[8]['uscc'] and r['parameter'] != '总磷': continue
            lo, hi = SPAN_EXP[r['parameter']]
            v = unif_first(r, lo, hi)
            dl = r['detection_limit']
            if dl is not None and Decimal(v) < Decimal(dl): v = fmt_val(float(dl) * R.uniform(1.0, 9.0))
            setv(r, v)
# S03 mild: I5 mix 15% uniform-first-digit
for e in REPORTS:
    rep = e['rep']
    if rep['institution_uscc'] == INSTS[5]['uscc']:
        for s in rep['samples']:
            for r in s['results']:
                if r['value'] is not None and r['parameter'] in SPAN_EXP and r['parameter'] != '氨氮' and R.random() < 0.15:
                    lo, hi = SPAN_EXP[r['parameter']]
                    v = unif_first(r, lo, hi)
                    dl = r['detection_limit']
                    if dl is not None and Decimal(v) < Decimal(dl): continue
                    setv(r, v)

# fold-variant probes: method codes with full-width/space variants (clean; must not be M01)
def fw(s):
    return ''.join(chr(ord(c) + 0xFEE0) if '!' <= c <= '~' else ('\u3000' if c == ' ' else c) for c in s)
FOLDV = [lambda m: m.replace(' ', '\u3000').replace('-', '\uff0d'), lambda m: m.replace(' ', '  '), lambda m: ' ' + m + ' ',
         lambda m: fw(m), lambda m: m.replace('/', '\uff0f').replace(' ', '\u3000 ')]
cnt = 0
for e in REPORTS:
    if cnt >= 150: break
    if R.random() < 0.03:
        for s in e['rep']['samples']:
            for r in s['results']:
                r['method'] = R.choice(FOLDV)(r['method'])
        e['tags'].append('fold'); cnt += 1

print('clean built', len(REPORTS), file=sys.stderr)

# ================================================================ plants
NORMAL = [0, 1, 2, 3, 4, 5, 6, 7, 9]
def T(rule, rep, sample=None, param=None, **kw):
    t = {'rule': rule, 'report_no': rep.get('report_no') if isinstance(rep, dict) else None}
    if sample is not None: t['sample_id'] = sample
    if param is not None: t['parameter'] = param
    t.update(kw)
    return t

def staffp(inst, k): return dict(inst['staff'][k]['person'])

def clean_build(inst=None, D=None, lo='2024-01-05', hi='2025-12-31', tries=200, **kw):
    for _ in range(tries):
        ii = inst if inst is not None else INSTS[R.choice(NORMAL)]
        DD = D or rand_day(lo, hi)
        try:
            rep = build(ii, DD, **kw)
            return ii, rep
        except Fail:
            continue
    raise Fail('clean_build ' + repr(kw)[:200])

def fin(rep): return finalize_times(rep)

NP = int(os.environ.get('NP', '10'))   # plants per variant

# ---------------- OFF-C01
def c01_variant(name, mut):
    for _ in range(NP):
        inst, rep = clean_build()
        fin(rep)
        raw = mut(rep)
        add(rep if raw is None else None, 'plant', ['C01:' + name], [T('OFF-C01', rep, variant=name)], raw=raw)

def m_del(path):
    def f(rep):
        o = rep
        for p in path[:-1]: o = o[p]
        if path[-1] in o: del o[path[-1]]
    return f
def m_set(path, v):
    def f(rep):
        o = rep
        for p in path[:-1]: o = o[p]
        o[path[-1]] = v
    return f
for fld in ['report_no', 'institution_uscc', 'cma_mark', 'purpose', 'issued_on', 'signatory', 'samples']:
    c01_variant('missing_' + fld, m_del([fld]))
    c01_variant('null_' + fld, m_set([fld], None))
for fld in ['sample_id', 'category', 'site', 'sampled_from', 'sampled_to', 'samplers', 'received_at', 'results']:
    c01_variant('missing_s.' + fld, m_del(['samples', 0, fld]))
    c01_variant('null_s.' + fld, m_set(['samples', 0, fld], None))
for fld in ['parameter', 'method', 'below_detection', 'unit', 'analyzed_at', 'analyst']:
    c01_variant('missing_r.' + fld, m_del(['samples', 0, 'results', 0, fld]))
    c01_variant('null_r.' + fld, m_set(['samples', 0, 'results', 0, fld], None))
c01_variant('empty_samples', m_set(['samples'], []))
c01_variant('empty_results', m_set(['samples', 0, 'results'], []))
for bd in ['2025-02-30', '2025/03/01', '20250301', '2025-3-1', '2024-13-01', '2025-03-01T00:00:00+08:00', 'yesterday']:
    c01_variant('bad_date:' + bd, m_set(['issued_on'], bd))
def bad_inst(field, kind):
    def f(rep):
        s = rep['samples'][0]
        if field == 'analyzed_at': o, k = s['results'][0], 'analyzed_at'
        else: o, k = s, field
        v = o[k]
        dt = datetime.fromisoformat(v.replace('Z', '+00:00')).astimezone(CST)
        if kind == 'nooffset': o[k] = dt.strftime('%Y-%m-%dT%H:%M:%S')
        elif kind == 'hour25': o[k] = dt.strftime('%Y-%m-%dT25:%M:%S+08:00')
        elif kind == 'garbage': o[k] = 'not-a-time'
        elif kind == 'dateonly': o[k] = dt.strftime('%Y-%m-%d')
        elif kind == 'feb30': o[k] = dt.strftime('%Y-02-30T%H:%M:%S+08:00')
    return f
for field in ['sampled_from', 'sampled_to', 'received_at', 'analyzed_at']:
    for kind in ['nooffset', 'hour25', 'garbage', 'dateonly', 'feb30']:
        c01_variant(f'bad_instant:{field}:{kind}', bad_inst(field, kind))
def inst_fmt(field, kind):
    def f(rep):
        s = rep['samples'][0]
        v = s[field]
        dt = datetime.fromisoformat(v.replace('Z', '+00:00')).astimezone(CST)
        if kind == 'nocolon': s[field] = dt.strftime('%Y-%m-%dT%H:%M:%S+0800')
        elif kind == 'noseconds': s[field] = dt.strftime('%Y-%m-%dT%H:%M+08:00')
        elif kind == 'space_nooffset': s[field] = dt.strftime('%Y-%m-%d %H:%M:%S')
    return f
for kind in ['nocolon', 'noseconds', 'space_nooffset']:
    c01_variant('bad_instant_fmt:' + kind, inst_fmt(R.choice(['sampled_from', 'received_at']), kind))
c01_variant('samples_item_number', m_set(['samples', 0], 1))
c01_variant('results_item_null', m_set(['samples', 0, 'results', 0], None))
c01_variant('signatory_string', m_set(['signatory'], '张三'))
c01_variant('analyst_string', m_set(['samples', 0, 'results', 0, 'analyst'], '李四'))
for bc in ['waters', 'Water', '水', 'noise ', '']:
    c01_variant('bad_category:' + bc, m_set(['samples', 0, 'category'], bc))
for bp in ['inspection', 'Enforcement', '行政执法', '']:
    c01_variant('bad_purpose:' + bp, m_set(['purpose'], bp))
def first_valued(rep):
    for s in rep['samples']:
        for r in s['results']:
            if r.get('value') is not None: return r
    return None
def m_value(v):
    def f(rep):
        r = first_valued(rep)
        if r is None:
            r = rep['samples'][0]['results'][0]; r['below_detection'] = False
        r['value'] = v
    return f
for bv in ['1e3', 'abc', 23.5, 23, '', 'NaN', '1,5', '12.3.4', '23 mg/L', 'ND', '<4', 'Infinity', '0x1A']:
    c01_variant('bad_value:' + repr(bv), m_value(bv))
def m_limit(k, v):
    def f(rep):
        r = rep['samples'][0]['results'][0]
        r[k] = v
    return f
c01_variant('bad_limit:number', m_limit('limit', 30))
c01_variant('bad_limit:le30', m_limit('limit', '≤30'))
c01_variant('bad_dl:4mg', m_limit('detection_limit', '4mg'))
c01_variant('bad_dl:number', m_limit('detection_limit', 0.5))
c01_variant('inst_unknown', m_set(['institution_uscc'], '91310000XXXXXXXXXX'))
c01_variant('samplers_string', m_set(['samples', 0, 'samplers'], '李四,钱七'))
c01_variant('samples_object', m_set(['samples'], {'sample_id': 'x'}))
def comm(kind):
    def f(rep):
        rep['purpose'] = R.choice(['enforcement', 'government'])
        rep['cma_mark'] = True
        if kind == 'absent': rep.pop('commissioned_by', None)
        else: rep['commissioned_by'] = None
    return f
for _ in range(NP * 2):
    # must pick a non-restricted institution with a cert in force for a pure C01
    for kind in ['absent', 'null']:
        while True:
            inst, rep = clean_build(purpose='enforcement')
            if rep['cma_mark'] and not restricted(inst, d(rep['issued_on'])): break
        fin(rep)
        comm(kind)(rep)
        add(rep, 'plant', ['C01:commissioned_by_' + kind], [T('OFF-C01', rep, variant='commissioned_by_' + kind)])
def raw_bad(kind):
    def f(rep):
        s = json.dumps(rep, ensure_ascii=False)
        if kind == 'truncated': return s[:len(s) // 2]
        if kind == 'trailing_comma': return s[:-1] + ',}'
        if kind == 'single_quotes': return s.replace('"', "'")
        if kind == 'brace': return '{'
        if kind == 'array': return '[1, 2]'
        if kind == 'number': return '42'
        if kind == 'string': return '"report"'
        if kind == 'null': return 'null'
        if kind == 'garbage': return 'report_no=BSJC-1;'
        if kind == 'two_objects': return s + ' ' + s
    return f
for kind in ['truncated', 'trailing_comma', 'single_quotes', 'brace', 'array', 'number', 'string', 'null', 'garbage', 'two_objects']:
    c01_variant('bad_json:' + kind, raw_bad(kind))
# two problems in one report -> expect >= 2 C01 findings (soft check)
for _ in range(NP):
    inst, rep = clean_build(nsamp=2)
    fin(rep)
    rep['samples'][0]['results'][0].pop('unit', None)
    rep['samples'][1]['site'] = None
    add(rep, 'plant', ['C01:two_problems'], [T('OFF-C01', rep, variant='two_problems', min_count=2)])

# ---------------- probes (expectations per my reading; ambiguous ones reported separately)
PROBES = []
def probe(name, rep, expect, raw=None, note=''):
    add(rep if raw is None else None, 'probe', ['probe:' + name], [], raw=raw)
    REPORTS[-1]['probe'] = {'name': name, 'expect': expect, 'note': note, 'report_no': rep.get('report_no') if rep else None}
for _ in range(3):
    inst, rep = clean_build(); fin(rep); rep['cma_mark'] = 'true'; probe('cma_mark_string', rep, ['OFF-C01'])
    inst, rep = clean_build(); fin(rep); rep['samples'][0]['results'][0]['below_detection'] = 'false'; probe('below_detection_string', rep, ['OFF-C01'])
    inst, rep = clean_build(); fin(rep)
    r = first_valued(rep)
    if r: r['value'] = None; r['below_detection'] = False; probe('value_null_not_bd', rep, ['OFF-C01'])
    while True:
        inst, rep = clean_build(purpose='enforcement')
        if not restricted(inst, d(rep['issued_on'])): break
    fin(rep); rep['commissioned_by'] = 'XYZ'; probe('commissioned_by_unknown_code', rep, ['OFF-C01?'], note='unknown department code')
    inst, rep = clean_build(purpose='self_monitoring'); fin(rep); rep['commissioned_by'] = 'WATER'; probe('commissioned_by_nonnull_self', rep, ['?'], note='"else null"')
    inst, rep = clean_build(); fin(rep)
    r = first_valued(rep)
    if r: r['value'] = '.5' if False else r['value'].lstrip('0') if r['value'].startswith('0.') else '+' + r['value']; probe('value_plus_or_leading_dot', rep, ['?'])
    inst, rep = clean_build(); fin(rep)
    s = rep['samples'][0]
    for k in ('sampled_from', 'sampled_to', 'received_at'):
        dt = datetime.fromisoformat(s[k].replace('Z', '+00:00')).astimezone(CST)
        s[k] = dt.strftime('%Y-%m-%dT%H:%M:%S.250+08:00')
    probe('fractional_seconds', rep, [], note='RFC 3339 time-secfrac')
    inst, rep = clean_build(); fin(rep)
    s = rep['samples'][0]
    dt = datetime.fromisoformat(s['received_at'].replace('Z', '+00:00')).astimezone(UTC)
    s['received_at'] = dt.strftime('%Y-%m-%dt%H:%M:%Sz')
    probe('lowercase_t_z', rep, [], note='RFC 3339 permits lowercase t/z')
    probe('blank_line', None, ['?'], raw='')
    # analyst-only staff acting as sampler
    inst = INSTS[R.choice(NORMAL)]
    D = rand_day()
    try:
        rep = build(inst, D, samplers=[staffp(inst, 8), staffp(inst, 0)], cats=['water'], nsamp=1,
                    start=cst(D - timedelta(days=5), 7, 5 + R.randint(0, 50)))
        fin(rep); probe('sampler_without_sampler_role', rep, ['?'], note='P01 says "registered staff"; roles not mentioned')
    except Fail: pass
    inst, rep = clean_build(); fin(rep)
    rep['samples'][0]['samplers'] = [rep['samples'][0]['samplers'][0], dict(rep['samples'][0]['samplers'][0])]
    probe('duplicate_sampler', rep, ['OFF-P02?'])

# ---------------- OFF-Q01
def cert_other(inst):
    o = INSTS[R.choice([j for j in NORMAL if j != inst['_i']])]
    return R.choice(o['certificates'])['no']
for variant in ['absent', 'null', 'empty', 'other_inst', 'nonexistent']:
    for _ in range(NP):
        inst, rep = clean_build(cma=True, purpose=R.choice(['self_monitoring', 'commissioned']))
        if not rep['cma_mark']: continue
        fin(rep)
        if variant == 'absent': rep.pop('certificate_no')
        elif variant == 'null': rep['certificate_no'] = None
        elif variant == 'empty': rep['certificate_no'] = ''
        elif variant == 'other_inst': rep['certificate_no'] = cert_other(inst)
        else: rep['certificate_no'] = '209912345678'
        add(rep, 'plant', ['Q01:' + variant], [T('OFF-Q01', rep, variant=variant)])
# clean edge: cma false naming a foreign cert and an uncovered parameter -> nothing
for _ in range(NP):
    inst, rep = clean_build(cma=False, purpose='commissioned')
    fin(rep); rep['certificate_no'] = cert_other(inst)
    add(rep, 'clean', ['edge:cma_false_foreign_cert'])

# ---------------- OFF-Q02
def q02(inst_i, cert_idx, days, expect_q02, tag, purpose=None, extra_q03=False):
    inst = INSTS[inst_i]
    cert = inst['certificates'][cert_idx]
    for D in days:
        try:
            if extra_q03:
                rep = build(inst, D, cma=True, cert=cert, purpose=purpose or 'commissioned', cats=['water'],
                            params=[[('氨氮', 'HJ 535-2009'), ('化学需氧量', 'HJ 828-2017')]])
            else:
                rep = build(inst, D, cma=True, cert=cert, purpose=purpose or R.choice(['commissioned', 'self_monitoring']))
        except Fail:
            continue
        fin(rep)
        tr = []
        if expect_q02:
            tr.append(T('OFF-Q02', rep, variant=tag))
            if extra_q03:
                for s in rep['samples']:
                    for r in s['results']:
                        tr.append(T('OFF-Q03', rep, s['sample_id'], r['parameter'], variant=tag + '+scope'))
            add(rep, 'plant', ['Q02:' + tag], tr)
        else:
            add(rep, 'clean', ['edge:' + tag])
def days_between(a, b, n):
    a, b = d(a), d(b)
    return [a + timedelta(days=R.randint(0, (b - a).days)) for _ in range(n)]
for i in [0, 4, 6, 7, 9]:
    q02(i, 0, [d('2025-05-10')] + days_between('2025-05-11', '2025-12-31', NP // 5 + 1), True, 'expired')
    q02(i, 0, [d('2025-05-09')] * 2, False, 'cert_expires_on_day')
    q02(i, 1, [d('2025-05-09')] + days_between('2025-03-01', '2025-05-08', 1), True, 'before_cert_issued', extra_q03=True)
q02(1, 0, [d('2024-08-01'), d('2024-09-30')] + days_between('2024-08-01', '2024-09-30', NP), True, 'suspended')
q02(1, 0, [d('2024-07-31'), d('2024-10-01'), d('2024-10-01')], False, 'suspension_bounds')
q02(2, 1, [d('2025-10-01')] + days_between('2025-10-01', '2025-12-31', NP), True, 'revoked')
q02(2, 1, [d('2025-09-30')] * 2, False, 'revoked_day_before')
q02(3, 0, [d('2025-03-01')] + days_between('2025-03-01', '2025-05-09', NP), True, 'cancelled')
q02(3, 0, [d('2025-02-28')] * 2, False, 'cancelled_day_before')

# ---------------- OFF-Q03
def with_extra(inst, D, extra, tag, expect=True, cma=True, tr_rule='OFF-Q03', pre=None):
    """water sample with normal covered params plus 'extra' (param, method) list."""
    cert = None
    if cma:
        cands = [c for c in inst['certificates'] if cert_in_force(c, D)]
        if not cands: raise Fail('nocert')
        cert = cands[0]
    cov = [('氨氮', 'HJ 535-2009'), ('化学需氧量', 'HJ 828-2017')]
    cov = [pm for pm in cov if pm[0] not in [e[0] for e in extra]]
    sig = inst['signatories'][0]
    rep = build(inst, D, cma=cma, cert=cert, purpose='commissioned', sig=sig, cats=['water'],
                params=[cov + extra], a_day=None, s_day=D - timedelta(days=4))
    fin(rep)
    if expect:
        tr = [T(tr_rule, rep, rep['samples'][0]['sample_id'], p, variant=tag) for p, m in extra]
        add(rep, 'plant', [tr_rule[4:] + ':' + tag], tr)
    else:
        add(rep, 'clean', ['edge:' + tag])
    return rep
def loop(fn, n=NP):
    k = 0; tries = 0
    while k < n and tries < n * 30:
        tries += 1
        try:
            fn(); k += 1
        except Fail:
            pass
loop(lambda: with_extra(INSTS[R.choice(NORMAL)], rand_day(), [('氟化物', 'HJ 488-2009')], 'param_not_in_scope'))
loop(lambda: with_extra(INSTS[R.choice(NORMAL)], rand_day(), [('氨氮', 'HJ 536-2009')], 'method_mismatch'))
loop(lambda: with_extra(INSTS[R.choice([0, 1, 2, 3, 4, 6, 9])], rand_day(), [('铅', 'HJ 491-2019')], 'category_mismatch'))
loop(lambda: with_extra(INSTS[R.choice([0, 2, 3, 4, 6, 7, 9])], R.choice([d('2024-07-01')] + days_between('2024-07-01', '2024-08-25', 1)),
                        [('石油类', 'HJ 637-2012')], 'scope_to_passed'))
loop(lambda: with_extra(INSTS[R.choice([0, 2, 3, 4, 6, 7, 9])], d('2024-06-30'), [('石油类', 'HJ 637-2012')], 'scope_to_day', expect=False), 3)
loop(lambda: with_extra(INSTS[R.choice([0, 2, 3, 4, 6, 7, 9])], d('2024-07-01'), [('石油类', 'HJ 637-2018')], 'scope_from_day_new', expect=False), 3)
loop(lambda: with_extra(INSTS[R.choice(NORMAL)], rand_day(), [('氟化物', 'HJ 488-2009'), ('铅', 'HJ 491-2019')], 'two_uncovered'))
loop(lambda: with_extra(INSTS[R.choice(NORMAL)], rand_day(), [('氟化物', 'HJ 488-2009')], 'no_cert_uncovered', expect=False, cma=False), 5)
# air 颗粒物 scope from 2024-03-01
def air_pm(D, expect):
    inst = INSTS[R.choice(NORMAL)]
    cert = inst['certificates'][0]
    rep = build(inst, D, cma=True, cert=cert, purpose='commissioned', sig=inst['signatories'][0], cats=['air'],
                params=[[('二氧化硫', 'HJ 57-2017'), ('颗粒物', 'HJ 836-2017')]], s_day=D - timedelta(days=4))
    fin(rep)
    if expect: add(rep, 'plant', ['Q03:scope_from_future'], [T('OFF-Q03', rep, rep['samples'][0]['sample_id'], '颗粒物', variant='scope_from_future')])
    else: add(rep, 'clean', ['edge:scope_from_day'])
loop(lambda: air_pm(R.choice([d('2024-02-29')] + days_between('2024-01-15', '2024-02-28', 1)), True))
loop(lambda: air_pm(d('2024-03-01'), False), 3)

# ---------------- OFF-Q04
def q04():
    inst = INSTS[R.choice(NORMAL)]
    D = rand_day()
    if restricted(inst, D): raise Fail('r')
    rep = build(inst, D, purpose=R.choice(['enforcement', 'government']), cma=False)
    fin(rep)
    if R.random() < 0.5: rep.pop('certificate_no')
    add(rep, 'plant', ['Q04'], [T('OFF-Q04', rep)])
loop(q04, NP * 2)

# ---------------- OFF-Q05
def q05(kind):
    inst = INSTS[R.choice(NORMAL)]
    if kind == 'staff_not_sig':
        D = rand_day(); sig = {'person': staffp(inst, 1), 'categories': CATS_OF[inst['_i']]}
        rep = build(inst, D, sig=sig, cats=['water'])
    elif kind == 'other_inst_sig':
        o = INSTS[R.choice([j for j in NORMAL if j != inst['_i']])]
        D = rand_day(); sig = dict(o['signatories'][0]); rep = build(inst, D, sig=sig, cats=['water'])
    elif kind in ('sig_to_passed', 'sig_to_day'):
        D = d('2025-04-01') if R.random() < 0.4 else rand_day('2025-04-01', '2025-12-31')
        if kind == 'sig_to_day': D = d('2025-03-31')
        rep = build(inst, D, sig=inst['signatories'][1], cats=['water'])
    elif kind in ('sig_from_future', 'sig_from_day'):
        D = d('2024-06-30') if R.random() < 0.4 else rand_day('2024-01-05', '2024-06-30')
        if kind == 'sig_from_day': D = d('2024-07-01')
        s2 = inst['signatories'][2]
        rep = build(inst, D, sig=s2, cats=[s2['categories'][0]])
    elif kind == 'category_not_covered':
        if 'noise' not in CATS_OF[inst['_i']]: raise Fail('x')
        D = rand_day('2024-01-05', '2025-03-31'); rep = build(inst, D, sig=inst['signatories'][1], cats=['noise'])
    elif kind == 'one_category_not_covered':
        if 'noise' not in CATS_OF[inst['_i']]: raise Fail('x')
        D = rand_day('2024-01-05', '2025-03-31'); rep = build(inst, D, sig=inst['signatories'][1], cats=['water', 'noise'])
    elif kind == 'wrong_name_clean':
        D = rand_day(); rep = build(inst, D, sig=inst['signatories'][0])
        fin(rep); rep['signatory']['name'] = '张冠李戴'
        add(rep, 'clean', ['edge:sig_wrong_name']); return
    fin(rep)
    if kind in ('sig_to_day', 'sig_from_day'):
        add(rep, 'clean', ['edge:' + kind]); return
    add(rep, 'plant', ['Q05:' + kind], [T('OFF-Q05', rep, variant=kind)])
for kind in ['staff_not_sig', 'other_inst_sig', 'sig_to_passed', 'sig_from_future', 'category_not_covered', 'one_category_not_covered']:
    loop(lambda: q05(kind))
for kind in ['sig_to_day', 'sig_from_day', 'wrong_name_clean']:
    loop(lambda: q05(kind), 3)

# ---------------- OFF-Q06
def q06(i, D, expect, purpose=None):
    inst = INSTS[i]
    rep = build(inst, D, purpose=purpose or R.choice(['enforcement', 'government']), cma=True)
    fin(rep)
    if expect: add(rep, 'plant', ['Q06'], [T('OFF-Q06', rep, variant=f'I{i}')])
    else: add(rep, 'clean', ['edge:restriction'])
loop(lambda: q06(4, R.choice([d('2025-01-10'), d('2025-07-09')] + days_between('2025-01-10', '2025-07-09', 2)), True))
loop(lambda: q06(5, R.choice([d('2024-03-01'), d('2024-05-31'), d('2025-09-01'), d('2025-12-31')] + days_between('2024-03-01', '2024-05-31', 2)), True))
loop(lambda: q06(3, R.choice([d('2025-11-01')] + days_between('2025-11-01', '2025-12-31', 2)), True))
loop(lambda: q06(3, d('2025-10-31'), False), 3)
loop(lambda: q06(4, R.choice([d('2025-01-09'), d('2025-07-10')]), False), 4)
loop(lambda: q06(5, R.choice([d('2024-02-29'), d('2024-06-01'), d('2025-08-31')]), False), 4)
loop(lambda: q06(4, rand_day('2025-01-10', '2025-07-09'), False, purpose=R.choice(['self_monitoring', 'commissioned'])), 4)

# ---------------- OFF-P01
def p01(kind):
    inst = INSTS[R.choice(NORMAL)]
    other = INSTS[R.choice([j for j in NORMAL if j != inst['_i']])]
    expect = True
    A = None; fix = None
    if kind == 'sampler_other_inst':
        sd = rand_day('2024-01-05', '2025-12-20'); bad = staffp(other, R.randint(0, 7)); st = cst(sd, 6, R.randint(0, 59))
    elif kind == 'sampler_left':
        sd = R.choice([d('2025-01-01'), rand_day('2025-01-02', '2025-12-20')]); bad = staffp(inst, 10); st = cst(sd, 6, R.randint(0, 59))
    elif kind == 'sampler_left_edge_clean':
        sd = d('2024-12-31'); bad = staffp(inst, 10); st = cst(sd, 6, R.randint(0, 59)); expect = False
    elif kind == 'sampler_not_joined':
        sd = R.choice([d('2025-01-31'), rand_day('2024-01-05', '2025-01-30')]); bad = staffp(inst, 11); st = cst(sd, 6, R.randint(0, 59))
    elif kind == 'sampler_joined_edge_clean':
        sd = d('2025-02-01'); bad = staffp(inst, 11); st = cst(sd, 6, R.randint(0, 59)); expect = False
    elif kind == 'sampler_left_Zoffset':   # 2024-12-31T17:xxZ = 2025-01-01 CST
        sd = d('2025-01-01'); bad = staffp(inst, 10); st = datetime(2024, 12, 31, 17, R.randint(5, 50), tzinfo=UTC); fix = 'Z'
    elif kind == 'sampler_joined_Zoffset_clean':  # 2025-01-31T17:xxZ = 2025-02-01 CST
        sd = d('2025-02-01'); bad = staffp(inst, 11); st = datetime(2025, 1, 31, 17, R.randint(5, 50), tzinfo=UTC); fix = 'Z'; expect = False
    D = sd + timedelta(days=R.randint(4, 9))
    if not free(bad['id'], st, st + timedelta(minutes=40)): raise Fail('bad busy')
    good = [s['person'] for s in inst['staff'][:8] if free(s['person']['id'], st, st + timedelta(minutes=40))][0]
    rep = build(inst, D, samplers=[bad, dict(good)], cats=[R.choice(CATS_OF[inst['_i']])], nsamp=1, start=st,
                dur=timedelta(minutes=40))
    fin(rep)
    if fix:
        rep['samples'][0]['sampled_from'] = fmt_inst(st, fix)
        rep['samples'][0]['sampled_to'] = fmt_inst(st + timedelta(minutes=40), fix)
    if expect: add(rep, 'plant', ['P01:' + kind], [T('OFF-P01', rep, rep['samples'][0]['sample_id'], variant=kind)])
    else: add(rep, 'clean', ['edge:' + kind])
for kind in ['sampler_other_inst', 'sampler_left', 'sampler_not_joined', 'sampler_left_Zoffset']:
    loop(lambda: p01(kind))
for kind in ['sampler_left_edge_clean', 'sampler_joined_edge_clean', 'sampler_joined_Zoffset_clean']:
    loop(lambda: p01(kind), 4)
def p01a(kind):
    inst = INSTS[R.choice(NORMAL)]
    other = INSTS[R.choice([j for j in NORMAL if j != inst['_i']])]
    expect = True; at_override = None
    if kind == 'analyst_other_inst':
        A = rand_day('2024-01-10', '2025-12-25'); an = staffp(other, 0)
    elif kind == 'analyst_left':
        A = R.choice([d('2025-06-16'), rand_day('2025-06-16', '2025-12-25')]); an = staffp(inst, 12)
    elif kind == 'analyst_left_edge_clean':
        A = d('2025-06-15'); an = staffp(inst, 12); expect = False
    elif kind == 'analyst_left_Zoffset':   # 2025-06-15T16:30Z = 06-16 00:30 CST
        A = d('2025-06-16'); an = staffp(inst, 12); at_override = fmt_inst(datetime(2025, 6, 15, 16, 30, tzinfo=UTC), 'Z')
    elif kind == 'analyst_Zoffset_clean':  # 2025-06-15T15:30Z = 06-15 23:30 CST
        A = d('2025-06-15'); an = staffp(inst, 12); at_override = fmt_inst(datetime(2025, 6, 15, 15, 30, tzinfo=UTC), 'Z'); expect = False
    D = A + timedelta(days=R.randint(0, 3))
    rep = build(inst, D, analyst=an, a_day=A, s_day=A - timedelta(days=2), cats=['water'], nsamp=1, nres=R.randint(1, 3))
    fin(rep)
    if at_override:
        for r in rep['samples'][0]['results']: r['analyzed_at'] = at_override
    if expect:
        tr = [T('OFF-P01', rep, rep['samples'][0]['sample_id'], variant=kind)]
        add(rep, 'plant', ['P01:' + kind], tr)
    else: add(rep, 'clean', ['edge:' + kind])
for kind in ['analyst_other_inst', 'analyst_left', 'analyst_left_Zoffset']:
    loop(lambda: p01a(kind))
for kind in ['analyst_left_edge_clean', 'analyst_Zoffset_clean']:
    loop(lambda: p01a(kind), 4)

# ---------------- OFF-P02
def p02(kind):
    inst, rep = clean_build()
    fin(rep)
    s = rep['samples'][R.randrange(len(rep['samples']))]
    s['samplers'] = s['samplers'][:1] if kind == 'one' else []
    add(rep, 'plant', ['P02:' + kind], [T('OFF-P02', rep, s['sample_id'], variant=kind)])
loop(lambda: p02('one'), NP * 2)
loop(lambda: p02('zero'), NP)

# ---------------- OFF-M01
def m01(param, method, kind, A=None, at_override=None, expect=True, D=None):
    inst = INSTS[R.choice([i for i in NORMAL if 'water' in CATS_OF[i]])]
    if A is None: A = rand_day('2024-01-10', '2025-12-20')
    D = D or A + timedelta(days=R.randint(0, 4))
    cands = [c for c in inst['certificates'] if cert_in_force(c, D)]
    if not cands: raise Fail('nc')
    rep = build(inst, D, cma=True, cert=cands[0], sig=inst['signatories'][0], purpose='commissioned', cats=['water'],
                params=[[('氨氮', 'HJ 535-2009'), (param, method)]], a_day=A, s_day=A - timedelta(days=2),
                analyst=staffp(inst, 0))
    fin(rep)
    if at_override:
        rep['samples'][0]['results'][1]['analyzed_at'] = at_override
    if expect: add(rep, 'plant', ['M01:' + kind], [T('OFF-M01', rep, rep['samples'][0]['sample_id'], param, variant=kind)])
    else: add(rep, 'clean', ['edge:' + kind])
loop(lambda: m01('硫化物', 'HJ 9999-2099', 'unknown'))
loop(lambda: m01('化学需氧量', 'HJ 828-2071', 'unknown_typo'))
loop(lambda: m01('五日生化需氧量', 'GB 7488-87', 'abolished_2009'))
loop(lambda: m01('总氮', 'HJ 9102-2018', 'abolished_on_day', A=d('2025-03-01')))
loop(lambda: m01('总氮', 'HJ 9102-2018', 'abolished_after', A=rand_day('2025-03-02', '2025-12-20')))
loop(lambda: m01('总氮', 'HJ 9102-2018', 'abolished_Zoffset', A=d('2025-03-01'),
                 at_override=fmt_inst(datetime(2025, 2, 28, 16, 30, tzinfo=UTC), 'Z')))
loop(lambda: m01('溶解氧', 'HJ 9101-2024', 'not_yet_effective', A=R.choice([d('2024-08-31'), rand_day('2024-01-10', '2024-08-31')])))
loop(lambda: m01('溶解氧', 'HJ 9101-2024', 'not_yet_effective_Zoffset', A=d('2024-08-31'),
                 at_override=fmt_inst(datetime(2024, 8, 31, 15, 59, tzinfo=UTC), 'Z')))
# clean edges
loop(lambda: m01('总氮', 'HJ 9102-2018', 'abolished_day_before_clean', A=d('2025-02-28'), D=d('2025-03-03'), expect=False), 4)
loop(lambda: m01('总氮', 'HJ 9102-2018', 'abolished_Zoffset_clean', A=d('2025-02-28'), D=d('2025-03-02'),
                 at_override=fmt_inst(datetime(2025, 2, 28, 15, 30, tzinfo=UTC), 'Z'), expect=False), 4)
loop(lambda: m01('溶解氧', 'HJ 9101-2024', 'effective_day_clean', A=d('2024-09-01'), expect=False), 4)
loop(lambda: m01('溶解氧', 'HJ 9101-2024', 'effective_Zoffset_clean', A=d('2024-09-01'),
                 at_override=fmt_inst(datetime(2024, 8, 31, 16, 0, tzinfo=UTC), 'Z'), expect=False), 4)
loop(lambda: m01('镉' if False else '总磷', 'GB 11893-89', 'empty_effective_clean', expect=False), 3)
loop(lambda: m01('挥发酚', 'HJ 503-2009', 'fullwidth_code_in_table_clean', expect=False), 4)

# ---------------- OFF-I01
def i01(kind):
    inst, rep = clean_build()
    fin(rep)
    s = rep['samples'][0]; r = s['results'][0]
    if kind == 'other_inst':
        o = INSTS[R.choice([j for j in NORMAL if j != inst['_i']])]
        r['instrument_id'] = o['instruments'][0]['id']
    else:
        r['instrument_id'] = inst['_pref'] + '-YQ-999'
    add(rep, 'plant', ['I01:' + kind], [T('OFF-I01', rep, s['sample_id'], r['parameter'], variant=kind)])
loop(lambda: i01('other_inst'))
loop(lambda: i01('unknown'))

# ---------------- OFF-T01
def t01(kind):
    inst = INSTS[R.choice(NORMAL)]
    D = rand_day('2024-01-20', '2025-12-31')
    rep = build(inst, D, analyst=staffp(inst, 0), nsamp=1, cats=[R.choice(CATS_OF[inst['_i']])])
    s = rep['samples'][0]
    expect = True
    # work with datetimes before finalize
    st, to, rc = s['sampled_from'], s['sampled_to'], s['received_at']
    fin(rep)
    f = lambda dt, sty='cst': fmt_inst(dt, sty)
    if kind == 'to_before_from':
        s['sampled_from'], s['sampled_to'] = f(to), f(st)
    elif kind == 'received_before_to':
        s['received_at'] = f(to - timedelta(minutes=R.randint(1, 30)))
    elif kind == 'analyzed_before_received':
        s['results'][0]['analyzed_at'] = f(rc - timedelta(minutes=R.randint(1, 60)))
    elif kind == 'analysis_after_issue':
        s['results'][0]['analyzed_at'] = f(cst(D + timedelta(days=R.randint(1, 3)), 9))
    elif kind == 'received_before_to_offset':   # lexically later, really earlier
        s['sampled_to'] = f(to); s['received_at'] = f(to - timedelta(minutes=30), 'p10')
    elif kind == 'analysis_after_issue_Z':      # DT17:00Z = D+1 01:00 CST
        s['results'][0]['analyzed_at'] = fmt_inst(datetime(D.year, D.month, D.day, 17, 0, tzinfo=UTC), 'Z')
    elif kind == 'received_offset_clean':       # lexically earlier, really later
        s['sampled_to'] = f(to); s['received_at'] = f(rc, 'm5'); expect = False
    elif kind == 'analysis_day_p10_clean':      # (D+1)T01:00+10:00 = D 23:00 CST
        s['results'][0]['analyzed_at'] = fmt_inst(cst(D, 23), 'p10'); expect = False
    elif kind == 'equal_instants_clean':
        s['sampled_to'] = s['sampled_from'] = f(st); s['received_at'] = f(st, 'Z')
        for r in s['results']: r['analyzed_at'] = f(st, 'utc')
        expect = False
    if expect: add(rep, 'plant', ['T01:' + kind], [T('OFF-T01', rep, s['sample_id'], variant=kind)])
    else: add(rep, 'clean', ['edge:' + kind])
for kind in ['to_before_from', 'received_before_to', 'analyzed_before_received', 'analysis_after_issue',
             'received_before_to_offset', 'analysis_after_issue_Z']:
    loop(lambda: t01(kind))
for kind in ['received_offset_clean', 'analysis_day_p10_clean', 'equal_instants_clean']:
    loop(lambda: t01(kind), 5)

# ---------------- OFF-T02
def find_slot(pids, day, dur=60):
    for _ in range(200):
        st = cst(day, 6, 0) + timedelta(minutes=R.randint(0, 600))
        if all(free(p, st - timedelta(hours=3), st + timedelta(minutes=dur) + timedelta(hours=3)) for p in pids):
            return st
    raise Fail('slot')

def plant_pair(rule, kind, ra, rb):
    """A cross-report plant: both reports, each naming the pair."""
    pair = [ra['report_no'], rb['report_no']]
    for rep in (ra, rb):
        add(rep, 'plant', [rule[4:] + ':' + kind], [T(rule, rep, variant=kind, pair=pair)])

def t02(kind):
    if kind == 'cross_inst':
        ia, ib = INSTS[0], INSTS[1]; p = dict(SHARED_PERSON)
    else:
        ia = ib = INSTS[R.choice(NORMAL)]; p = staffp(ia, R.randint(0, 7))
    sd = rand_day('2024-01-10', '2025-12-20')
    qa = staffp(ia, R.choice([j for j in range(8) if staffp(ia, j)['id'] != p['id']]))
    qb = staffp(ib, R.choice([j for j in range(8) if staffp(ib, j)['id'] not in (p['id'], qa['id'])]))
    st = find_slot([p['id'], qa['id'], qb['id']], sd)
    site_a, site_b = R.sample(SITES['water'], 2)
    D = sd + timedelta(days=5)
    if kind == 'same_report':
        rep = build(ia, D, samplers=[[p, qa], [p, qb]], cats=['water', 'water'], start=st, dur=timedelta(minutes=60))
        fin(rep)
        s0, s1 = rep['samples']; s0['site'], s1['site'] = site_a, site_b
        s1['sampled_from'] = fmt_inst(st + timedelta(minutes=30)); s1['sampled_to'] = fmt_inst(st + timedelta(minutes=90))
        s1['received_at'] = fmt_inst(st + timedelta(minutes=200))
        for r in s1['results']:
            if datetime.fromisoformat(r['analyzed_at'].replace('Z', '+00:00')) < st + timedelta(minutes=200):
                r['analyzed_at'] = fmt_inst(st + timedelta(minutes=230))
        add(rep, 'plant', ['T02:same_report'], [T('OFF-T02', rep, variant=kind, pair=[rep['report_no']])])
        return
    ra = build(ia, D, samplers=[p, qa], cats=['water'], nsamp=1, start=st, dur=timedelta(minutes=60))
    off = {'partial': 30, 'contained': 10, 'cross_inst': 20, 'offset_trick': 30, 'same_site_clean': 20,
           'offset_clean': 150, 'touching_probe': 60}[kind]
    durb = timedelta(minutes=40 if kind == 'contained' else 60)
    rb = build(ib, D + timedelta(days=1), samplers=[p, qb], cats=['water'], nsamp=1, start=st + timedelta(minutes=off), dur=durb)
    fin(ra); fin(rb)
    ra['samples'][0]['site'] = site_a
    rb['samples'][0]['site'] = site_a if kind == 'same_site_clean' else site_b
    sa, sb = ra['samples'][0], rb['samples'][0]
    sa['sampled_from'] = fmt_inst(st); sa['sampled_to'] = fmt_inst(st + timedelta(minutes=60))
    if kind in ('offset_trick', 'offset_clean'):
        sb['sampled_from'] = fmt_inst(st + timedelta(minutes=off), 'Z')
        sb['sampled_to'] = fmt_inst(st + timedelta(minutes=off) + durb, 'Z')
    if kind in ('same_site_clean', 'offset_clean'):
        add(ra, 'clean', ['edge:t02_' + kind]); add(rb, 'clean', ['edge:t02_' + kind])
    elif kind == 'touching_probe':
        add(ra, 'probe', ['probe:t02_touching']); REPORTS[-1]['probe'] = {'name': 't02_touching', 'expect': ['?'], 'note': 'windows touch at one instant', 'report_no': ra['report_no']}
        add(rb, 'probe', ['probe:t02_touching']); REPORTS[-1]['probe'] = {'name': 't02_touching', 'expect': ['?'], 'note': '', 'report_no': rb['report_no']}
    else:
        plant_pair('OFF-T02', kind, ra, rb)
for kind in ['partial', 'contained', 'cross_inst', 'offset_trick', 'same_report']:
    loop(lambda: t02(kind))
for kind in ['same_site_clean', 'offset_clean']:
    loop(lambda: t02(kind), 4)
loop(lambda: t02('touching_probe'), 2)

# ---------------- OFF-D01
D01_PARAMS = [('化学需氧量', 'HJ 828-2017'), ('氨氮', 'HJ 535-2009'), ('总磷', 'GB 11893-89'), ('五日生化需氧量', 'HJ 505-2009'),
              ('pH', 'HJ 1147-2020'), ('总氮', 'HJ 636-2012')]
def d01(kind):
    ia = INSTS[R.choice(NORMAL)]
    ib = INSTS[R.choice(NORMAL)] if kind == 'cross_inst' else ia
    k = 5 if kind in ('exactly5', 'near4_clean') else 6
    pl = D01_PARAMS[:k]
    vals = {p: gen_value(p) for p, m in pl}
    for p, m in pl:
        if PARAMS[p][2] and Decimal(vals[p]) < Decimal(PARAMS[p][2]): vals[p] = fmt_val(float(PARAMS[p][2]) * 2.3)
    def mk(inst, extra=None):
        D = rand_day('2024-01-10', '2025-12-31')
        cands = [c for c in inst['certificates'] if cert_in_force(c, D)]
        if not cands: raise Fail('nc')
        ps = list(pl) + (extra or [])
        rep = build(inst, D, cma=True, cert=cands[0], sig=inst['signatories'][0], purpose='commissioned', cats=['water'],
                    params=[ps], analyst=staffp(inst, 0))
        return rep
    if kind == 'same_report':
        D = rand_day('2024-01-10', '2025-12-31')
        cands = [c for c in ia['certificates'] if cert_in_force(c, D)]
        if not cands: raise Fail('nc')
        ra = build(ia, D, cma=True, cert=cands[0], sig=ia['signatories'][0], purpose='commissioned', cats=['water', 'water'],
                   params=[pl, pl], analyst=staffp(ia, 0))
        for s in ra['samples']:
            for r in s['results']: r['value'] = vals[r['parameter']]; r['below_detection'] = False
        fin(ra)
        add(ra, 'plant', ['D01:same_report'], [T('OFF-D01', ra, variant=kind, pair=[ra['report_no']])]); return
    ra = mk(ia, [('挥发酚', 'HJ 503-2009')] if kind == 'with_nd' else None)
    rb = mk(ib, [('挥发酚', 'HJ 503-2009')] if kind == 'superset_probe' else None)
    for rep in (ra, rb):
        for r in rep['samples'][0]['results']:
            if r['parameter'] in vals: r['value'] = vals[r['parameter']]; r['below_detection'] = False
    if kind == 'with_nd':
        r = ra['samples'][0]['results'][-1]; r['value'] = None; r['below_detection'] = True
    if kind == 'superset_probe':
        r = rb['samples'][0]['results'][-1]; r['value'] = '0.123'; r['below_detection'] = False
    if kind == 'near4_clean':
        r = rb['samples'][0]['results'][0]; r['value'] = fmt_val(float(r['value']) * 1.37)
    if kind == 'string_diff_clean':
        r = rb['samples'][0]['results'][1]; r['value'] = r['value'] + '0'
    fin(ra); fin(rb)
    if kind in ('near4_clean', 'string_diff_clean'):
        add(ra, 'clean', ['edge:d01_' + kind]); add(rb, 'clean', ['edge:d01_' + kind])
    elif kind == 'superset_probe':
        for rep in (ra, rb):
            add(rep, 'probe', ['probe:d01_superset']); REPORTS[-1]['probe'] = {'name': 'd01_superset', 'expect': [], 'note': 'one sample has an extra numeric pair', 'report_no': rep['report_no']}
    else:
        plant_pair('OFF-D01', kind, ra, rb)
for kind in ['six', 'exactly5', 'with_nd', 'cross_inst', 'same_report']:
    loop(lambda: d01(kind))
for kind in ['near4_clean', 'string_diff_clean']:
    loop(lambda: d01(kind), 4)
loop(lambda: d01('superset_probe'), 3)

# ---------------- OFF-D02
def d02(kind):
    inst = INSTS[R.choice([i for i in NORMAL if 'soil' in CATS_OF[i]])]
    D = rand_day()
    cands = [c for c in inst['certificates'] if cert_in_force(c, D)]
    if not cands: raise Fail('nc')
    table = {'below_dl': ('氨氮', 'HJ 535-2009', '0.020', False), 'below_dl_lexical': ('铅', 'HJ 491-2019', '9.5', False),
             'below_dl_cod': ('化学需氧量', 'HJ 828-2017', '3.9', False), 'bd_with_value': ('氨氮', 'HJ 535-2009', '0.5', True),
             'bd_with_value_below': ('总磷', 'GB 11893-89', '0.005', True), 'zero_value': ('氨氮', 'HJ 535-2009', '0.000', False),
             'equal_dl_clean': ('化学需氧量', 'HJ 828-2017', '4', False), 'equal_dl_trailing_clean': ('氨氮', 'HJ 535-2009', '0.0250', False),
             'lexical_clean': ('化学需氧量', 'HJ 828-2017', '10.5', False), 'above_dl_clean': ('氨氮', 'HJ 535-2009', '0.03', False),
             'lead_lexical_clean': ('铅', 'HJ 491-2019', '100', False)}
    p, m, v, bd = table[kind]
    cat = PARAMS[p][0]
    rep = build(inst, D, cma=True, cert=cands[0], sig=inst['signatories'][0], purpose='commissioned', cats=[cat],
                params=[[(p, m)]], analyst=staffp(inst, 0))
    fin(rep)
    r = rep['samples'][0]['results'][0]; r['value'] = v; r['below_detection'] = bd
    if kind.endswith('clean'): add(rep, 'clean', ['edge:d02_' + kind])
    else: add(rep, 'plant', ['D02:' + kind], [T('OFF-D02', rep, rep['samples'][0]['sample_id'], p, variant=kind)])
for kind in ['below_dl', 'below_dl_lexical', 'below_dl_cod', 'bd_with_value', 'bd_with_value_below', 'zero_value']:
    loop(lambda: d02(kind))
for kind in ['equal_dl_clean', 'equal_dl_trailing_clean', 'lexical_clean', 'above_dl_clean', 'lead_lexical_clean']:
    loop(lambda: d02(kind), 3)

# ---------------- more probes
for _ in range(3):
    # cma false but names own certificate that is NOT in force -> Q02 ?
    inst = INSTS[1]
    try:
        rep = build(inst, rand_day('2024-08-01', '2024-09-30'), cma=False, purpose='commissioned')
        fin(rep); rep['certificate_no'] = inst['certificates'][0]['no']
        probe('cma_false_names_suspended_cert', rep, ['OFF-Q02?'], note='Q02 "certificate named" regardless of mark?')
    except Fail: pass
    # cma false naming own valid cert, uncovered parameter -> Q03 ?
    inst = INSTS[0]; D = rand_day('2024-01-05', '2025-05-09')
    try:
        rep = build(inst, D, cma=False, purpose='commissioned', cats=['water'],
                    params=[[('氨氮', 'HJ 535-2009'), ('氟化物', 'HJ 488-2009')]], sig=inst['signatories'][0])
        fin(rep); rep['certificate_no'] = inst['certificates'][0]['no']
        probe('cma_false_own_cert_uncovered', rep, ['OFF-Q03?'])
    except Fail: pass
    inst, rep = clean_build(); fin(rep)
    rep['samples'][0]['results'][0]['instrument_id'] = ''
    probe('instrument_empty_string', rep, ['?'])
    # exact duplicate line
    inst, rep = clean_build(); fin(rep)
    add(rep, 'clean', ['edge:dup_line_a'])
    REPORTS.append({'rep': copy.deepcopy(rep), 'raw': None, 'status': 'probe', 'tags': ['probe:duplicate_line'], 'truth': [],
                    'probe': {'name': 'duplicate_line', 'expect': [], 'note': 'identical report twice', 'report_no': rep['report_no']}})
    # overnight sampling: sampler leaves on the day sampling starts; sampling ends next day
    for _t in range(80):
        inst = INSTS[R.choice(NORMAL)]
        kk, dd0 = R.choice([(10, '2024-12-31'), (12, '2025-06-15')])
        st = cst(d(dd0), 20, R.randint(0, 50))
        bad = staffp(inst, kk); good = staffp(inst, R.randint(0, 7))
        if not (free(bad['id'], st, st + timedelta(hours=14)) and free(good['id'], st, st + timedelta(hours=14))): continue
        try:
            rep = build(inst, d(dd0) + timedelta(days=8), samplers=[bad, good], cats=['water'], nsamp=1, start=st, dur=timedelta(hours=13))
        except Fail as ee: print('overnight', ee, file=sys.stderr); continue
        fin(rep); probe('overnight_sampler_left_on_start_day', rep, ['?'], note='staff to=2024-12-31; sampled 2024-12-31 20:xx -> 2025-01-01 09:xx'); break
    # T02 partner is a C01 report
    for _t in range(20):
        inst = INSTS[R.choice(NORMAL)]; p = staffp(inst, 2); q1 = staffp(inst, 3); q2 = staffp(inst, 4)
        sd = rand_day('2024-01-10', '2025-12-20')
        try:
            st = find_slot([p['id'], q1['id'], q2['id']], sd)
            ra = build(inst, sd + timedelta(days=5), samplers=[p, q1], cats=['water'], nsamp=1, start=st, dur=timedelta(minutes=60))
            rb = build(inst, sd + timedelta(days=6), samplers=[p, q2], cats=['water'], nsamp=1, start=st + timedelta(minutes=20), dur=timedelta(minutes=60))
            fin(ra); fin(rb)
            ra['samples'][0]['site'], rb['samples'][0]['site'] = R.sample(SITES['water'], 2)
            rb['samples'][0]['results'][0]['unit'] = None
            add(rb, 'plant', ['C01:partner'], [T('OFF-C01', rb, variant='t02_partner_c01')])
            probe('t02_partner_is_c01', ra, ['?'], note='partner report has OFF-C01 ("not checked further")')
            break
        except Fail as e: pass

# ================================================================ serialization
OPTIONAL_TOP = ['certificate_no', 'client', 'project', 'compiled_by', 'reviewed_by']
OPTIONAL_RES = ['detection_limit', 'limit', 'limit_standard', 'instrument_id']
def shuffle_keys(o):
    if isinstance(o, dict):
        ks = list(o.keys()); R.shuffle(ks)
        return {k: shuffle_keys(o[k]) for k in ks}
    if isinstance(o, list): return [shuffle_keys(x) for x in o]
    return o
def vary(rep, status):
    x = copy.deepcopy(rep)
    if status != 'plant' or True:
        if R.random() < 0.3 and isinstance(x, dict):
            for k in OPTIONAL_TOP:
                if k in x and x[k] is None: del x[k]
            if x.get('commissioned_by', 1) is None and x.get('purpose') in ('self_monitoring', 'commissioned'): del x['commissioned_by']
            for s in x.get('samples') or []:
                for r in (s.get('results') or []) if isinstance(s, dict) else []:
                    if not isinstance(r, dict): continue
                    for k in OPTIONAL_RES:
                        if k in r and r[k] is None: del r[k]
        if R.random() < 0.1 and isinstance(x, dict):
            for k in ['client', 'project', 'compiled_by', 'reviewed_by']:
                if k in x and R.random() < 0.5: x[k] = None
            if isinstance(x.get('client'), dict): x['client']['uscc'] = None
        if R.random() < 0.1 and isinstance(x, dict):
            x['x_ext'] = {'lims': 'v2', 'n': [1, 2]}
            for s in x.get('samples') or []:
                if isinstance(s, dict):
                    s['weather'] = '晴'
                    for r in s.get('results') or []:
                        if isinstance(r, dict): r['remark'] = None
        if R.random() < 0.3: x = shuffle_keys(x)
    ea = R.random() < 0.2
    sep = R.choice([(', ', ': '), (',', ':'), (' , ', ' : '), (',  ', ':\t')])
    s = json.dumps(x, ensure_ascii=ea, separators=sep)
    if R.random() < 0.05: s = '  ' + s + ' \t'
    return s

R.shuffle(REPORTS)
lines = []
with open(os.path.join(OUT, 'truth.jsonl'), 'w') as tf, open(os.path.join(OUT, 'meta.jsonl'), 'w') as mf:
    for ln, e in enumerate(REPORTS, 1):
        if e['raw'] is not None: s = e['raw']
        else: s = vary(e['rep'], e['status'])
        if R.random() < 0.02 and e['status'] == 'clean': s = s + '\r'
        lines.append(s)
        rn = e['rep'].get('report_no') if isinstance(e['rep'], dict) else None
        if e['rep'] is None and e['truth']:
            rn = e['truth'][0].get('report_no')
        for t in e['truth']:
            t = dict(t); t['line'] = ln
            if e['raw'] is not None or (isinstance(e['rep'], dict) and 'report_no' not in e['rep']) or (isinstance(e['rep'], dict) and e['rep'].get('report_no') is None):
                t['report_no_in_line'] = False
            tf.write(json.dumps(t, ensure_ascii=False) + '\n')
        mf.write(json.dumps({'line': ln, 'report_no': rn, 'status': e['status'], 'tags': e['tags'], 'probe': e.get('probe'),
                             'c01': any(t['rule'] == 'OFF-C01' for t in e['truth'])}, ensure_ascii=False) + '\n')
with open(os.path.join(OUT, 'reports.jsonl'), 'w', newline='') as f:
    f.write('\n'.join(lines) + '\n')
reg = {'institutions': [{k: v for k, v in i.items() if not k.startswith('_')} for i in INSTS]}
with open(os.path.join(OUT, 'registry.json'), 'w') as f:
    json.dump(reg, f, ensure_ascii=False, indent=1)
with open(os.path.join(OUT, 'methods.csv'), 'w', newline='') as f:
    w = csv.writer(f, lineterminator='\n')
    w.writerow(['code', 'title_zh', 'category', 'effective', 'abolished', 'replaced_by', 'source'])
    for m in METHODS: w.writerow(list(m) + ['https://example.invalid/' + m[0].replace(' ', '')])
print('reports', len(REPORTS), file=sys.stderr)
