#!/usr/bin/env python3
"""Independent checker for lianjian-draw-v1 draw records (双随机 random inspection draw).

Written from shared/spec/draw-protocol.md and docs/draw-recusal.md alone, in plain Python 3
with the standard library only, so that a record can be checked without trusting the Rust
engine. It deliberately uses the naive O(targets x inspectors) team construction the spec
describes, not the engine's indexed one.

Usage:
  draw_verify.py RECORD.json                  verify; exit 0 if it verifies, else print the first
  draw_verify.py verify RECORD.json           difference and exit 1
  draw_verify.py draw INPUTS.json ENTROPY.json    run a draw (ENTROPY.json: JSON array of
                                                  strings) and print the record
  draw_verify.py recuse RECORD.json TARGET INSPECTOR   add a recusal and print the new record
  draw_verify.py digest INPUTS.json           print inputs_digest

Exit codes: 0 ok, 1 record does not verify / draw refused, 2 usage or unreadable file.
"""

import hashlib
import json
import sys

PROTOCOL = "lianjian-draw-v1"
MAX_SAFE = 2**53 - 1


class Refused(Exception):
    """Inputs, entropy or a recusal request the protocol refuses; message names the field."""


class Difference(Exception):
    """A published value differs from the recomputed one; message names the field."""


# ---------------------------------------------------------------- RFC 8785 canonical JSON


def canon(v, path="inputs"):
    """RFC 8785 for the subset the protocol allows: integers within 2^53, strings, bools,
    null, arrays and objects (members sorted by UTF-16 code units)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        if abs(v) > MAX_SAFE:
            raise Refused(f"{path}: {v} is outside ±(2^53−1)")
        return str(v)
    if isinstance(v, float):
        raise Refused(f"{path}: {v!r} is not an integer (no floats in inputs)")
    if isinstance(v, str):
        # ensure_ascii=False escapes exactly what JCS escapes: " \\ and controls < 0x20,
        # with \b \t \n \f \r short forms and lowercase \u00xx otherwise.
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(canon(x, f"{path}[{i}]") for i, x in enumerate(v)) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(canon(k) + ":" + canon(v[k], f"{path}.{k}") for k in keys) + "}"
    raise Refused(f"{path}: unsupported JSON value")


def sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inputs_digest(inputs):
    return sha256_hex(canon(inputs))


# ---------------------------------------------------------------- validation (spec §2)


def _obj(v, path):
    if not isinstance(v, dict):
        raise Refused(f"{path}: must be an object")
    return v


def _get(o, path, name):
    if name not in o:
        raise Refused(f"{path}.{name}: missing")
    return o[name]


def _str(v, path, nonempty=False):
    if not isinstance(v, str):
        raise Refused(f"{path}: must be a string")
    if nonempty and v == "":
        raise Refused(f"{path}: must not be empty")
    return v


def _uint(v, path):
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise Refused(f"{path}: must be a non-negative integer")
    return v


def _list(v, path):
    if not isinstance(v, list):
        raise Refused(f"{path}: must be an array")
    return v


def _strs(v, path):
    return [_str(x, f"{path}[{i}]") for i, x in enumerate(_list(v, path))]


def validate(inputs):
    canon(inputs)  # floats / unsafe integers anywhere
    root = _obj(inputs, "inputs")
    _str(_get(root, "inputs", "plan_id"), "inputs.plan_id", True)
    keys = set()
    for i, s in enumerate(_list(_get(root, "inputs", "strata"), "inputs.strata")):
        p = f"inputs.strata[{i}]"
        key = _str(_get(_obj(s, p), p, "key"), p + ".key", True)
        _uint(_get(s, p, "permille"), p + ".permille")
        if key in keys:
            raise Refused(f"{p}.key: {key!r} duplicate")
        keys.add(key)
    ids = set()
    for i, c in enumerate(_list(_get(root, "inputs", "candidates"), "inputs.candidates")):
        p = f"inputs.candidates[{i}]"
        cid = _str(_get(_obj(c, p), p, "id"), p + ".id", True)
        if cid in ids:
            raise Refused(f"{p}.id: {cid!r} duplicate")
        ids.add(cid)
        if _str(_get(c, p, "stratum"), p + ".stratum") not in keys:
            raise Refused(f"{p}.stratum: {c['stratum']!r} is not a stratum key")
        _strs(_get(c, p, "categories"), p + ".categories")
    iids = set()
    for i, x in enumerate(_list(_get(root, "inputs", "inspectors"), "inputs.inspectors")):
        p = f"inputs.inspectors[{i}]"
        iid = _str(_get(_obj(x, p), p, "id"), p + ".id", True)
        if iid in iids:
            raise Refused(f"{p}.id: {iid!r} duplicate")
        iids.add(iid)
        _str(_get(x, p, "department"), p + ".department", True)
        _strs(_get(x, p, "specialties"), p + ".specialties")
        _uint(_get(x, p, "max_tasks"), p + ".max_tasks")
        _strs(_get(x, p, "conflicts"), p + ".conflicts")
    team = _obj(_get(root, "inputs", "team"), "inputs.team")
    size = _uint(_get(team, "inputs.team", "size"), "inputs.team.size")
    if size == 0:
        raise Refused("inputs.team.size: must be at least 1")
    depts, total = set(), 0
    pds = _list(_get(team, "inputs.team", "per_department"), "inputs.team.per_department")
    for i, d in enumerate(pds):
        p = f"inputs.team.per_department[{i}]"
        name = _str(_get(_obj(d, p), p, "department"), p + ".department", True)
        if name in depts:
            raise Refused(f"{p}.department: {name!r} duplicate")
        depts.add(name)
        total += _uint(_get(d, p, "min"), p + ".min")
    if total > size:
        raise Refused(f"inputs.team.per_department: sum of min ({total}) exceeds team.size ({size})")
    sources = _list(_get(root, "inputs", "entropy_sources"), "inputs.entropy_sources")
    if not sources:
        raise Refused("inputs.entropy_sources: at least one source is required")
    for i, e in enumerate(sources):
        p = f"inputs.entropy_sources[{i}]"
        kind = _str(_get(_obj(e, p), p, "kind"), p + ".kind")
        if kind not in ("department-secret", "public"):
            raise Refused(f"{p}.kind: {kind!r} is not department-secret or public")
        _str(_get(e, p, "label"), p + ".label", True)
        if "commitment" in e:
            c = _str(e["commitment"], p + ".commitment")
            if len(c) != 64 or any(ch not in "0123456789abcdef" for ch in c):
                raise Refused(f"{p}.commitment: must be 64 lowercase hex digits")
        elif kind == "department-secret":
            raise Refused(f"{p}.commitment: missing")


def check_entropy(inputs, entropy):
    sources = inputs["entropy_sources"]
    if not isinstance(entropy, list) or not all(isinstance(x, str) for x in entropy):
        raise Refused("entropy: must be an array of strings")
    if len(entropy) != len(sources):
        raise Refused(f"entropy: {len(entropy)} values given for {len(sources)} declared entropy_sources")
    for i, (value, src) in enumerate(zip(entropy, sources)):
        if value == "":
            raise Refused(f"entropy[{i}]: must not be empty")
        if "commitment" in src and sha256_hex(value) != src["commitment"]:
            raise Refused(f"entropy[{i}]: does not match the commitment of entropy_sources[{i}]")


# ---------------------------------------------------------------- the draw (spec §§3–5)


def b(s):
    """Sort key: ascending byte order of the UTF-8 encoding."""
    return s.encode("utf-8")


def make_seed(digest, entropy):
    return hashlib.sha256(canon({"entropy": entropy, "inputs_digest": digest}).encode("utf-8")).digest()


def pick(seed, label, i, n):
    h = hashlib.sha256(seed + label.encode("utf-8") + i.to_bytes(8, "big")).digest()
    return int.from_bytes(h, "big") % n


def stratum_k(n, permille):
    k = -(-n * permille // 1000)
    if n > 0 and permille > 0:
        k = max(k, 1)
    return min(k, n)


def draw_targets(inputs, seed):
    out = []
    for s in sorted(inputs["strata"], key=lambda s: b(s["key"])):
        pool = sorted((c for c in inputs["candidates"] if c["stratum"] == s["key"]), key=lambda c: b(c["id"]))
        n = len(pool)
        for j in range(stratum_k(n, s["permille"])):
            out.append(pool.pop(pick(seed, "target/" + s["key"], j, n - j)))
    return out


def slot_departments(inputs):
    team = inputs["team"]
    slots = []
    for pd in sorted(team["per_department"], key=lambda d: b(d["department"])):
        slots += [pd["department"]] * pd["min"]
    return slots + [None] * (team["size"] - len(slots))


def choose(inspectors, dept, target, excluded, count):
    eligible = [
        x for x in inspectors
        if x["id"] not in excluded
        and target["id"] not in x["conflicts"]
        and count[x["id"]] < x["max_tasks"]
        and (dept is None or x["department"] == dept)
    ]
    cats = set(target["categories"])
    preferred = [x for x in eligible if cats.intersection(x["specialties"])]
    return sorted(preferred or eligible, key=lambda x: b(x["id"]))


def draw_teams(inputs, seed, targets):
    slots = slot_departments(inputs)
    count = {x["id"]: 0 for x in inputs["inspectors"]}
    teams = []
    for t in targets:
        team = []
        for s, dept in enumerate(slots):
            L = choose(inputs["inspectors"], dept, t, set(team), count)
            if not L:
                raise Refused(f"unstaffable: target {t['id']!r} slot {s}")
            chosen = L[pick(seed, "team/" + t["id"], s, len(L))]["id"]
            team.append(chosen)
            count[chosen] += 1
        teams.append(team)
    return teams


def draw(inputs, entropy):
    validate(inputs)
    check_entropy(inputs, entropy)
    digest = inputs_digest(inputs)
    seed = make_seed(digest, entropy)
    targets = draw_targets(inputs, seed)
    teams = draw_teams(inputs, seed, targets)
    return digest, seed, targets, teams


def make_record(inputs, entropy):
    digest, seed, targets, teams = draw(inputs, entropy)
    return {
        "protocol": PROTOCOL,
        "inputs": inputs,
        "inputs_digest": digest,
        "entropy": entropy,
        "seed": seed.hex(),
        "targets": [{"stratum": t["stratum"], "id": t["id"], "order": i} for i, t in enumerate(targets)],
        "teams": [{"target": t["id"], "members": m} for t, m in zip(targets, teams)],
    }


# ---------------------------------------------------------------- recusal (docs/draw-recusal.md)


def apply_recusal(inputs, seed, targets, teams, withdrawn, target_id, inspector_id):
    """Mutates teams/withdrawn; returns the recusal entry."""
    idx = next((i for i, t in enumerate(targets) if t["id"] == target_id), None)
    if idx is None:
        raise Refused(f"target: {target_id!r} is not a target of this draw")
    if inspector_id not in teams[idx]:
        raise Refused(f"inspector: {inspector_id!r} is not on the team for {target_id!r}")
    slot = teams[idx].index(inspector_id)
    gone = withdrawn.setdefault(target_id, [])
    gone.append(inspector_id)
    count = {x["id"]: 0 for x in inputs["inspectors"]}
    for i, team in enumerate(teams):
        for s, m in enumerate(team):
            if not (i == idx and s == slot):
                count[m] += 1
    dept = slot_departments(inputs)[slot]
    L = choose(inputs["inspectors"], dept, targets[idx], set(teams[idx]) | set(gone), count)
    if not L:
        gone.pop()
        raise Refused(f"unstaffable: target {target_id!r} slot {slot}")
    label = f"recusal/{target_id}/{len(gone)}"
    replacement = L[pick(seed, label, 0, len(L))]["id"]
    teams[idx][slot] = replacement
    return {"target": target_id, "withdrawn": inspector_id, "replacement": replacement,
            "slot": slot, "label": label}


# ---------------------------------------------------------------- verification (spec §6)


def differ(field, expected, found):
    e = canon(expected, field) if expected is not None else "(no entry)"
    f = canon(found, field) if found is not None else "(missing)"
    raise Difference(f"{field}: expected {e}, found {f}")


def at(lst, i):
    return lst[i] if isinstance(lst, list) and i < len(lst) else None


def verify(record):
    if not isinstance(record, dict):
        raise Difference(": record must be a JSON object")
    if record.get("protocol") != PROTOCOL:
        differ("protocol", PROTOCOL, record.get("protocol"))
    if "inputs" not in record:
        raise Difference("inputs: missing")
    inputs = record["inputs"]
    digest = inputs_digest(inputs)
    if record.get("inputs_digest") != digest:
        differ("inputs_digest", digest, record.get("inputs_digest"))
    entropy = record.get("entropy")
    if not isinstance(entropy, list) or not all(isinstance(x, str) for x in entropy):
        raise Difference("entropy: must be an array of strings")
    _, seed, targets, teams = draw(inputs, entropy)
    if record.get("seed") != seed.hex():
        differ("seed", seed.hex(), record.get("seed"))
    found_targets = record.get("targets")
    if not isinstance(found_targets, list):
        raise Difference("targets: must be an array")
    for i, t in enumerate(targets):
        want = {"stratum": t["stratum"], "id": t["id"], "order": i}
        if at(found_targets, i) != want or canon(at(found_targets, i), "targets") != canon(want):
            differ(f"targets[{i}]", want, at(found_targets, i))
    if len(found_targets) > len(targets):
        differ(f"targets[{len(targets)}]", None, found_targets[len(targets)])
    recusals = record.get("recusals", [])
    if not isinstance(recusals, list):
        raise Difference("recusals: must be an array")
    withdrawn = {}
    for i, r in enumerate(recusals):
        if not isinstance(r, dict) or not isinstance(r.get("target"), str) or not isinstance(r.get("withdrawn"), str):
            raise Difference(f"recusals[{i}]: needs string members target and withdrawn")
        try:
            want = apply_recusal(inputs, seed, targets, teams, withdrawn, r["target"], r["withdrawn"])
        except Refused as e:
            raise Difference(f"recusals[{i}]: {e}") from None
        if canon(r, "recusals") != canon(want):
            differ(f"recusals[{i}]", want, r)
    found_teams = record.get("teams")
    if not isinstance(found_teams, list):
        raise Difference("teams: must be an array")
    for i, (t, members) in enumerate(zip(targets, teams)):
        want = {"target": t["id"], "members": members}
        found = at(found_teams, i)
        if found is not None and canon(found, "teams") == canon(want):
            continue
        if not isinstance(found, dict):
            differ(f"teams[{i}]", want, found)
        if found.get("target") != t["id"]:
            differ(f"teams[{i}].target", t["id"], found.get("target"))
        fm = found.get("members")
        if not isinstance(fm, list):
            differ(f"teams[{i}].members", members, fm)
        for s, m in enumerate(members):
            if at(fm, s) != m:
                differ(f"teams[{i}].members[{s}]", m, at(fm, s))
        if len(fm) > len(members):
            differ(f"teams[{i}].members[{len(members)}]", None, fm[len(members)])
        differ(f"teams[{i}]", want, found)
    if len(found_teams) > len(targets):
        differ(f"teams[{len(targets)}]", None, found_teams[len(targets)])


def recuse(record, target_id, inspector_id):
    verify(record)
    inputs, entropy = record["inputs"], record["entropy"]
    _, seed, targets, teams = draw(inputs, entropy)
    withdrawn = {}
    out = dict(record)
    entries = list(record.get("recusals", []))
    for r in entries:
        apply_recusal(inputs, seed, targets, teams, withdrawn, r["target"], r["withdrawn"])
    entries.append(apply_recusal(inputs, seed, targets, teams, withdrawn, target_id, inspector_id))
    out["teams"] = [{"target": t["id"], "members": m} for t, m in zip(targets, teams)]
    out["recusals"] = entries
    return out


# ---------------------------------------------------------------- command line


def refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_constant=refuse_constant)


def dump(v):
    sys.stdout.write(json.dumps(v, ensure_ascii=False, indent=2) + "\n")


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 2
    cmd, args = (argv[0], argv[1:]) if argv[0] in ("verify", "draw", "recuse", "digest") else ("verify", argv)
    try:
        if cmd == "verify" and len(args) == 1:
            verify(load(args[0]))
            print("OK: record verifies")
        elif cmd == "draw" and len(args) == 2:
            dump(make_record(load(args[0]), load(args[1])))
        elif cmd == "recuse" and len(args) == 3:
            dump(recuse(load(args[0]), args[1], args[2]))
        elif cmd == "digest" and len(args) == 1:
            print(inputs_digest(load(args[0])))
        else:
            print(__doc__)
            return 2
    except (Difference, Refused) as e:
        print(f"FAIL: {e}")
        return 1
    except (OSError, ValueError) as e:
        print(f"ERROR: {e}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
