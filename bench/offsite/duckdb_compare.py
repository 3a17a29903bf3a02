#!/usr/bin/env python3
"""Runs the main off-site rules as SQL in DuckDB over the same files the engine reads, and
compares wall time with the engine (`offsite-check`). Usage:

    duckdb_compare.py DIR ENGINE_BIN [RUNS] [--rules all|errors|original]

DuckDB runs every rule of the catalogue but OFF-C01 (17 rules; lines it cannot read are skipped
with `ignore_errors`), or with `--rules errors` the 14 error rules among them, or with
`--rules original` the ten the comparison ran until the fourth pass (bench/offsite/README.md).

DIR holds registry.json, methods.csv and reports.jsonl (from `offsite-corpus`). Both sides read
the files from scratch on every run (DuckDB: read_json over the JSONL, unnest samples/results;
engine: the whole catalogue, including the cross-report rules and warnings). Prints per-run times,
medians and the ratio, and the per-rule counts of both for a sanity check.
"""
import json
import statistics
import subprocess
import sys
import time

import duckdb

REPORT_COLUMNS = {
    "report_no": "VARCHAR", "institution_uscc": "VARCHAR", "cma_mark": "BOOLEAN", "certificate_no": "VARCHAR",
    "purpose": "VARCHAR", "commissioned_by": "VARCHAR", "issued_on": "VARCHAR",
    "signatory": "STRUCT(id VARCHAR)",
    "samples": "STRUCT(sample_id VARCHAR, category VARCHAR, site VARCHAR, sampled_from TIMESTAMPTZ, "
               "sampled_to TIMESTAMPTZ, samplers STRUCT(id VARCHAR)[], received_at TIMESTAMPTZ, "
               "results STRUCT(parameter VARCHAR, method VARCHAR, value VARCHAR, below_detection BOOLEAN, "
               "detection_limit VARCHAR, \"limit\" VARCHAR, unit VARCHAR, analyzed_at TIMESTAMPTZ, analyst STRUCT(id VARCHAR), "
               "instrument_id VARCHAR)[])[]",
}

SQL = r"""
SET TimeZone = 'Asia/Shanghai';
CREATE OR REPLACE TEMP TABLE rep AS
  SELECT *, TRY_CAST(issued_on AS DATE) AS issued FROM read_json($reports, format = 'newline_delimited',
         ignore_errors = true, columns = $columns)
  WHERE TRY_CAST(issued_on AS DATE) IS NOT NULL;
CREATE OR REPLACE TEMP TABLE inst AS
  SELECT i.uscc, i.certificates, i.signatories, i.restrictions, i.staff, i.instruments
  FROM (SELECT unnest(institutions) AS i FROM read_json($registry, maximum_object_size = 1000000000));
CREATE OR REPLACE TEMP TABLE cert AS
  SELECT uscc, c.no, c.issued_on, c.expires_on, c.status_history, c.scope FROM (SELECT uscc, unnest(certificates) AS c FROM inst);
CREATE OR REPLACE TEMP TABLE status AS
  SELECT no, s.status, s."from"::DATE AS "from", idx
  FROM (SELECT no, unnest(status_history) AS s, generate_subscripts(status_history, 1) AS idx FROM cert);
CREATE OR REPLACE TEMP TABLE scope AS
  SELECT no, s.category, s.parameter, s.method, s."from", s."to" FROM (SELECT no, unnest(scope) AS s FROM cert);
CREATE OR REPLACE TEMP TABLE sig AS
  SELECT uscc, g.person.id AS id, g.categories, g."from", g."to" FROM (SELECT uscc, unnest(signatories) AS g FROM inst);
CREATE OR REPLACE TEMP TABLE restr AS
  SELECT uscc, x."from", x."to" FROM (SELECT uscc, unnest(restrictions) AS x FROM inst);
CREATE OR REPLACE TEMP TABLE staff AS
  SELECT uscc, f.person.id AS id, f."from"::DATE AS "from", f."to"::DATE AS "to" FROM (SELECT uscc, unnest(staff) AS f FROM inst);
CREATE OR REPLACE TEMP TABLE instr AS SELECT uscc, x.id FROM (SELECT uscc, unnest(instruments) AS x FROM inst);
CREATE OR REPLACE TEMP TABLE meth AS SELECT * FROM read_csv($methods, all_varchar = true);
CREATE OR REPLACE TEMP TABLE samp AS
  SELECT line, si, report_no, institution_uscc, certificate_no, issued, s.sample_id, s.category, s.site, s.sampled_from,
         s.sampled_to, s.samplers, s.received_at, s.results
  FROM (SELECT r.*, r.rowid AS line, unnest(r.samples) AS s, generate_subscripts(r.samples, 1) AS si
        FROM rep r WHERE r.institution_uscc IN (SELECT uscc FROM inst));
CREATE OR REPLACE TEMP TABLE res AS
  SELECT report_no, institution_uscc, certificate_no, issued, sample_id, category, received_at, x.parameter,
         x.method, x.value, x.below_detection, x.detection_limit, x."limit", x.analyzed_at, x.analyst.id AS analyst, x.instrument_id
  FROM (SELECT *, unnest(results) AS x FROM samp);
"""

RULES = {
    "OFF-Q01": """SELECT count(*) FROM rep r WHERE r.cma_mark AND r.institution_uscc IN (SELECT uscc FROM inst)
                  AND (r.certificate_no IS NULL OR NOT EXISTS (SELECT 1 FROM cert c WHERE c.uscc = r.institution_uscc AND c.no = r.certificate_no))""",
    "OFF-Q02": """SELECT count(*) FROM rep r JOIN cert c ON c.uscc = r.institution_uscc AND c.no = r.certificate_no
                  WHERE NOT (r.issued BETWEEN c.issued_on::DATE AND c.expires_on::DATE AND
                        coalesce((SELECT s.status FROM status s WHERE s.no = c.no AND s."from" <= r.issued ORDER BY s.idx DESC LIMIT 1), '') = 'valid')""",
    "OFF-Q03": """SELECT count(*) FROM (SELECT DISTINCT x.report_no, x.sample_id, x.parameter FROM res x
                  JOIN cert c ON c.uscc = x.institution_uscc AND c.no = x.certificate_no
                  WHERE NOT EXISTS (SELECT 1 FROM scope s WHERE s.no = c.no AND s.category = x.category AND s.parameter = x.parameter
                        AND s.method = x.method AND s."from"::DATE <= x.issued AND (s."to" IS NULL OR x.issued <= s."to"::DATE)))""",
    "OFF-Q04": "SELECT count(*) FROM rep WHERE purpose IN ('enforcement', 'government') AND NOT cma_mark AND institution_uscc IN (SELECT uscc FROM inst)",
    "OFF-Q05": """SELECT count(DISTINCT r.report_no) FROM (SELECT DISTINCT r.report_no, r.institution_uscc, r.issued, r.signatory.id AS sid, s.category
                  FROM rep r, unnest(r.samples) AS t(s) WHERE r.institution_uscc IN (SELECT uscc FROM inst)) r
                  WHERE NOT EXISTS (SELECT 1 FROM sig g WHERE g.uscc = r.institution_uscc AND g.id = r.sid AND g."from"::DATE <= r.issued
                        AND (g."to" IS NULL OR r.issued <= g."to"::DATE) AND list_contains(g.categories, r.category))""",
    "OFF-Q06": """SELECT count(*) FROM rep r JOIN restr x ON x.uscc = r.institution_uscc
                  WHERE r.purpose IN ('enforcement', 'government') AND x."from"::DATE <= r.issued AND (x."to" IS NULL OR r.issued <= x."to"::DATE)""",
    "OFF-P02": "SELECT count(*) FROM samp WHERE len(list_distinct([p.id FOR p IN samplers])) < 2",
    "OFF-T01": """SELECT (SELECT count(*) FROM samp WHERE sampled_from > sampled_to) + (SELECT count(*) FROM samp WHERE sampled_to > received_at)
                  + (SELECT count(*) FROM res WHERE received_at > analyzed_at) + (SELECT count(*) FROM res WHERE analyzed_at::DATE > issued)""",
    "OFF-D02": """SELECT count(*) FROM res WHERE (below_detection AND value IS NOT NULL) OR (NOT below_detection AND value IS NOT NULL
                  AND detection_limit IS NOT NULL AND TRY_CAST(value AS DECIMAL(38, 10)) < TRY_CAST(detection_limit AS DECIMAL(38, 10)))""",
    "OFF-M01": """SELECT count(*) FROM res x LEFT JOIN meth m ON m.code = x.method
                  WHERE m.code IS NULL OR (TRY_CAST(m.effective AS DATE) IS NOT NULL AND x.analyzed_at::DATE < TRY_CAST(m.effective AS DATE))
                     OR (TRY_CAST(m.abolished AS DATE) IS NOT NULL AND x.analyzed_at::DATE >= TRY_CAST(m.abolished AS DATE))""",
    # Samplers on staff on the CST day the window starts and the day it ends, one finding per
    # (sample, sampler); analysts on the analysis day, one per (sample, analyst).
    "OFF-P01": """SELECT (SELECT count(*) FROM (SELECT DISTINCT line, si, institution_uscc, p.id AS pid, sampled_from::DATE AS d1,
                         sampled_to::DATE AS d2 FROM samp, unnest(samplers) AS t(p)) w
                  WHERE NOT EXISTS (SELECT 1 FROM staff f WHERE f.uscc = w.institution_uscc AND f.id = w.pid AND f."from" <= w.d1 AND (f."to" IS NULL OR w.d1 <= f."to"))
                     OR NOT EXISTS (SELECT 1 FROM staff f WHERE f.uscc = w.institution_uscc AND f.id = w.pid AND f."from" <= w.d2 AND (f."to" IS NULL OR w.d2 <= f."to")))
                + (SELECT count(*) FROM (SELECT DISTINCT report_no, sample_id, analyst FROM (
                     SELECT x.report_no, x.sample_id, x.analyst, bool_or(f.id IS NOT NULL) AS ok FROM res x
                     LEFT JOIN staff f ON f.uscc = x.institution_uscc AND f.id = x.analyst AND f."from" <= x.analyzed_at::DATE
                          AND (f."to" IS NULL OR x.analyzed_at::DATE <= f."to")
                     GROUP BY ALL) WHERE NOT ok))""",
    "OFF-I01": """SELECT count(*) FROM res x WHERE x.instrument_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM instr i WHERE i.uscc = x.institution_uscc AND i.id = x.instrument_id)""",
    # Each (sampler, sample) window is put in a bucket per CST day it covers, so only windows of
    # the same person on the same day are compared (a join on the person alone would compare
    # every pair of a person's windows of the year). A pair is counted once, like the engine, which
    # reports it at the later of the two.
    "OFF-T02": """WITH w AS (SELECT DISTINCT line, si, site, sampled_from AS f, sampled_to AS t, p.id AS pid,
                         unnest(range(sampled_from::DATE, sampled_to::DATE + 1, INTERVAL 1 DAY)) AS day
                  FROM samp, unnest(samplers) AS u(p) WHERE sampled_from <= sampled_to)
                  SELECT count(*) FROM (SELECT DISTINCT a.pid, a.line, a.si, b.line, b.si FROM w a JOIN w b
                    ON a.pid = b.pid AND a.day = b.day AND (a.line, a.si) < (b.line, b.si) AND a.site <> b.site
                    AND ((a.f < b.t AND b.f < a.t) OR (a.f = b.f AND a.t = b.t)))""",
    # The set of numeric (parameter, value) pairs as an XOR of their hashes (order-free, like the
    # engine's 128-bit set hash); a sample is a copy when an earlier sample in file order has the
    # same set and a different site or window. Only sets shared by two variants reach the window.
    "OFF-D01": """WITH s AS (SELECT line, si, hash(site, sampled_from, sampled_to) AS v,
                         list_distinct([hash(x.parameter, x.value) FOR x IN results IF NOT x.below_detection AND x.value IS NOT NULL]) AS h
                  FROM samp),
                  p AS (SELECT line, si, v, list_reduce(h, lambda a, b: xor(a, b)) AS print FROM s WHERE len(h) >= 5),
                  shared AS (SELECT print FROM p GROUP BY print HAVING min(v) <> max(v))
                  SELECT count(*) FROM (SELECT v, min(v) OVER w AS lo, max(v) OVER w AS hi FROM p WHERE print IN (SELECT print FROM shared)
                    WINDOW w AS (PARTITION BY print ORDER BY line, si ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))
                  WHERE lo <> v OR hi <> v""",
    # The warnings, with the engine's readings (crates/offsite/src/warn.rs): S01 counts results
    # with a limit > 0, a and b numeric values compared exactly; S02 values of at least two
    # significant digits as reported, χ² against the 10⁻⁴ critical value for 9 degrees of freedom
    # (the same test as p < 10⁻⁴, as the survival function decreases); S03 pools the first
    # significant digits of the parameters whose non-zero |values| span max ≥ 100 × min.
    "OFF-S01": """SELECT count(*) FROM (
                    SELECT institution_uscc, parameter, count(*) AS n,
                      count(*) FILTER (WHERE v < l AND 10 * v >= 9 * l) AS a,
                      count(*) FILTER (WHERE v < l AND 10 * v < 9 * l AND 10 * v >= 8 * l) AS b
                    FROM (SELECT institution_uscc, parameter, TRY_CAST("limit" AS DECIMAL(38, 10)) AS l,
                                 CASE WHEN NOT below_detection THEN TRY_CAST(value AS DECIMAL(38, 10)) END AS v FROM res)
                    WHERE l > 0 GROUP BY ALL) g
                  WHERE n >= 30 AND a >= 10 AND (SELECT sum(exp(lgamma(a + b + 1) - lgamma(k + 1) - lgamma(a + b - k + 1) - (a + b) * ln(2)))
                                                 FROM range(a, a + b + 1) t(k)) < 1e-4""",
    "OFF-S02": """SELECT count(*) FROM (
                    SELECT sum(o) AS n, sum(o * o) / (sum(o) / 10.0) - sum(o) AS chi2 FROM (
                      SELECT institution_uscc, parameter, right(value, 1) AS d, count(*) AS o FROM res
                      WHERE NOT below_detection AND value IS NOT NULL AND length(ltrim(replace(replace(value, '-', ''), '.', ''), '0')) >= 2
                      GROUP BY ALL) GROUP BY institution_uscc, parameter)
                  WHERE n >= 50 AND chi2 > 33.71994843897""",
    "OFF-S03": """WITH v AS (SELECT institution_uscc, parameter, TRY_CAST(left(ltrim(value, '-0.'), 1) AS INT) AS d,
                         abs(TRY_CAST(value AS DECIMAL(38, 10))) AS a
                  FROM res WHERE NOT below_detection AND d BETWEEN 1 AND 9 AND a IS NOT NULL),
                  g AS (SELECT institution_uscc, parameter, d, count(*) AS o, min(a) AS lo, max(a) AS hi FROM v GROUP BY ALL),
                  wide AS (SELECT institution_uscc, parameter FROM g GROUP BY ALL HAVING max(hi) >= 100 * min(lo)),
                  counts AS (SELECT institution_uscc, d, sum(o) AS o FROM g SEMI JOIN wide USING (institution_uscc, parameter) GROUP BY ALL),
                  tot AS (SELECT institution_uscc, sum(o) AS n FROM counts GROUP BY ALL HAVING sum(o) >= 1000)
                  SELECT count(*) FROM (
                    SELECT t.institution_uscc, sum(abs(coalesce(c.o, 0) / t.n - log10(1 + 1 / k))) / 9 AS mad
                    FROM tot t CROSS JOIN range(1, 10) r(k) LEFT JOIN counts c ON c.institution_uscc = t.institution_uscc AND c.d = k
                    GROUP BY ALL) WHERE mad > 0.015""",
}

# The ten rules the comparison ran until the fourth pass (bench/offsite/README.md), kept so the
# earlier figures can be reproduced: `--rules original`.
ERRORS = [r for r in RULES if not r.startswith("OFF-S")]
ORIGINAL = ["OFF-Q01", "OFF-Q02", "OFF-Q03", "OFF-Q04", "OFF-Q05", "OFF-Q06", "OFF-P02", "OFF-T01", "OFF-D02", "OFF-M01"]


def run_duckdb(d, rules):
    con = duckdb.connect()
    start = time.perf_counter()
    params = {"reports": f"{d}/reports.jsonl", "registry": f"{d}/registry.json", "methods": f"{d}/methods.csv"}
    for stmt in [s for s in SQL.split(";") if s.strip()]:
        p = {k: v for k, v in params.items() if f"${k}" in stmt}
        if "$columns" in stmt:
            p["columns"] = REPORT_COLUMNS
        con.execute(stmt, p)
    counts = {rule: con.execute(RULES[rule]).fetchone()[0] for rule in rules}
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed, counts


def run_engine(d, engine):
    start = time.perf_counter()
    p = subprocess.run([engine, f"{d}/registry.json", f"{d}/methods.csv", f"{d}/reports.jsonl", "/dev/null"],
                       capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    summary = json.loads(p.stderr.splitlines()[0])
    return elapsed, summary


def main():
    args = sys.argv[1:]
    rules = list(RULES)
    if "--rules" in args:
        i = args.index("--rules")
        rules = {"original": ORIGINAL, "errors": ERRORS, "all": list(RULES)}[args[i + 1]]
        del args[i:i + 2]
    d, engine = args[0], args[1]
    runs = int(args[2]) if len(args) > 2 else 3
    e_times, d_times = [], []
    for i in range(runs):
        et, summary = run_engine(d, engine)
        dt, counts = run_duckdb(d, rules)
        e_times.append(et)
        d_times.append(dt)
        print(f"run {i + 1}: engine {et:.3f} s, duckdb {dt:.3f} s", flush=True)
    rows = summary["result_rows"]
    em, dm = statistics.median(e_times), statistics.median(d_times)
    print(f"result rows: {rows}")
    print(f"engine median {em:.3f} s ({rows / em:,.0f} rows/s, all 18 rules)")
    print(f"duckdb median {dm:.3f} s ({rows / dm:,.0f} rows/s, {len(rules)} rules)")
    print(f"ratio duckdb/engine: {dm / em:.1f}x")
    print("rule      engine  duckdb")
    for rule, n in counts.items():
        print(f"{rule}  {summary['findings'].get(rule, 0):7}  {n:6}")


if __name__ == "__main__":
    main()
