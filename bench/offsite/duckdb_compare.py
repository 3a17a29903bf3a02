#!/usr/bin/env python3
"""Runs the main off-site rules as SQL in DuckDB over the same files the engine reads, and
compares wall time with the engine (`offsite-check`). Usage:

    duckdb_compare.py DIR ENGINE_BIN [RUNS]

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
               "detection_limit VARCHAR, unit VARCHAR, analyzed_at TIMESTAMPTZ, analyst STRUCT(id VARCHAR), "
               "instrument_id VARCHAR)[])[]",
}

SQL = r"""
SET TimeZone = 'Asia/Shanghai';
CREATE OR REPLACE TEMP TABLE rep AS
  SELECT *, TRY_CAST(issued_on AS DATE) AS issued FROM read_json($reports, format = 'newline_delimited',
         ignore_errors = true, columns = $columns)
  WHERE TRY_CAST(issued_on AS DATE) IS NOT NULL;
CREATE OR REPLACE TEMP TABLE inst AS
  SELECT i.uscc, i.certificates, i.signatories, i.restrictions
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
CREATE OR REPLACE TEMP TABLE meth AS SELECT * FROM read_csv($methods, all_varchar = true);
CREATE OR REPLACE TEMP TABLE samp AS
  SELECT report_no, institution_uscc, certificate_no, issued, s.sample_id, s.category, s.site, s.sampled_from,
         s.sampled_to, s.samplers, s.received_at, s.results
  FROM (SELECT r.*, unnest(r.samples) AS s FROM rep r WHERE r.institution_uscc IN (SELECT uscc FROM inst));
CREATE OR REPLACE TEMP TABLE res AS
  SELECT report_no, institution_uscc, certificate_no, issued, sample_id, category, received_at, x.parameter,
         x.method, x.value, x.below_detection, x.detection_limit, x.analyzed_at, x.analyst.id AS analyst, x.instrument_id
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
}


def run_duckdb(d):
    con = duckdb.connect()
    start = time.perf_counter()
    params = {"reports": f"{d}/reports.jsonl", "registry": f"{d}/registry.json", "methods": f"{d}/methods.csv"}
    for stmt in [s for s in SQL.split(";") if s.strip()]:
        p = {k: v for k, v in params.items() if f"${k}" in stmt}
        if "$columns" in stmt:
            p["columns"] = REPORT_COLUMNS
        con.execute(stmt, p)
    counts = {rule: con.execute(q).fetchone()[0] for rule, q in RULES.items()}
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
    d, engine = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    e_times, d_times = [], []
    for i in range(runs):
        et, summary = run_engine(d, engine)
        dt, counts = run_duckdb(d)
        e_times.append(et)
        d_times.append(dt)
        print(f"run {i + 1}: engine {et:.3f} s, duckdb {dt:.3f} s", flush=True)
    rows = summary["result_rows"]
    em, dm = statistics.median(e_times), statistics.median(d_times)
    print(f"result rows: {rows}")
    print(f"engine median {em:.3f} s ({rows / em:,.0f} rows/s, all 18 rules)")
    print(f"duckdb median {dm:.3f} s ({rows / dm:,.0f} rows/s, {len(RULES)} rules)")
    print(f"ratio duckdb/engine: {dm / em:.1f}x")
    print("rule      engine  duckdb")
    for rule, n in counts.items():
        print(f"{rule}  {summary['findings'].get(rule, 0):7}  {n:6}")


if __name__ == "__main__":
    main()
