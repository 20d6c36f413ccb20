#!/usr/bin/env python3
"""Self-check for the historical data series in this directory (stdlib only, Python >= 3.11).

For every <name>.csv that has a <name>.meta.toml next to it:
  * the CSV parses, has a header and a constant number of fields per row;
  * every column has a [columns.<col>] entry with units and description;
  * every source_id (semicolon-separated list allowed) exists in [[sources]];
  * the meta file has title, description, columns, sources, and every source has
    the required keys and a known status.
Exit status 1 on any problem.
"""

import csv
import pathlib
import sys
import tomllib

HERE = pathlib.Path(__file__).resolve().parent
SOURCE_KEYS = ("id", "author", "title", "publisher", "date", "url", "locator", "status", "notes")
STATUSES = {"verified", "secondary", "unverified"}


def check(csv_path: pathlib.Path) -> list[str]:
    errs: list[str] = []
    meta_path = csv_path.with_name(csv_path.stem + ".meta.toml")
    if not meta_path.exists():
        return [f"{csv_path.name}: missing {meta_path.name}"]
    try:
        meta = tomllib.loads(meta_path.read_text())
    except tomllib.TOMLDecodeError as e:
        return [f"{meta_path.name}: TOML error: {e}"]
    for key in ("title", "description", "columns", "sources"):
        if key not in meta:
            errs.append(f"{meta_path.name}: missing key '{key}'")
    ids = set()
    for i, s in enumerate(meta.get("sources", [])):
        for key in SOURCE_KEYS:
            if key not in s:
                errs.append(f"{meta_path.name}: source #{i} ({s.get('id', '?')}) missing '{key}'")
        if s.get("status") not in STATUSES:
            errs.append(
                f"{meta_path.name}: source {s.get('id')} has bad status {s.get('status')!r}"
            )
        if s.get("id") in ids:
            errs.append(f"{meta_path.name}: duplicate source id {s.get('id')}")
        ids.add(s.get("id"))
    with csv_path.open(newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return [*errs, f"{csv_path.name}: empty"]
    header, body = rows[0], rows[1:]
    cols = meta.get("columns", {})
    for col in header:
        c = cols.get(col)
        if not c or "units" not in c or "description" not in c:
            errs.append(f"{meta_path.name}: column '{col}' not documented (units, description)")
    for col in cols:
        if col not in header:
            errs.append(f"{meta_path.name}: documents column '{col}' absent from the CSV")
    if "source_id" not in header:
        errs.append(f"{csv_path.name}: no source_id column")
        return errs
    si = header.index("source_id")
    for n, row in enumerate(body, start=2):
        if len(row) != len(header):
            errs.append(f"{csv_path.name}:{n}: {len(row)} fields, expected {len(header)}")
            continue
        refs = [r.strip() for r in row[si].split(";") if r.strip()]
        if not refs:
            errs.append(f"{csv_path.name}:{n}: empty source_id")
        for r in refs:
            if r not in ids:
                errs.append(f"{csv_path.name}:{n}: source_id '{r}' not in {meta_path.name}")
    print(f"{csv_path.name}: {len(body)} rows, {len(header)} columns, {len(ids)} sources")
    return errs


def main() -> int:
    errs: list[str] = []
    csvs = sorted(p for p in HERE.glob("*.csv"))
    for p in csvs:
        errs += check(p)
    for m in sorted(HERE.glob("*.meta.toml")):
        if not m.with_name(m.name[: -len(".meta.toml")] + ".csv").exists():
            errs.append(f"{m.name}: no matching CSV")
    for e in errs:
        print("ERROR:", e)
    print("OK" if not errs else f"{len(errs)} problem(s)")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
