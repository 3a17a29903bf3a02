#!/usr/bin/env python3
"""Writes a corpus's reports.jsonl again the way Python's json.dumps does by default: ", " and ": "
separators, and with --ascii every non-ASCII character as a \\u escape (ensure_ascii=True). The
findings must be the same; the engine's speed on such files is quoted in README.md. Lines that are
not JSON (planted OFF-C01) are copied as they are (with --ascii, non-ASCII bytes backslash-escaped).

    reencode.py SRC_DIR DST_DIR [--ascii]
"""
import json
import shutil
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    ascii_only = "--ascii" in sys.argv[3:]
    for name in ("registry.json", "methods.csv"):
        shutil.copy(f"{src}/{name}", f"{dst}/{name}")
    with open(f"{src}/reports.jsonl", encoding="utf-8") as f, \
            open(f"{dst}/reports.jsonl", "w", encoding="utf-8") as out:
        for line in f:
            try:
                report = json.loads(line)
            except ValueError:
                out.write(line.encode("ascii", "backslashreplace").decode() if ascii_only else line)
                continue
            out.write(json.dumps(report, ensure_ascii=ascii_only) + "\n")


if __name__ == "__main__":
    main()
