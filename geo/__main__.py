"""Command line: ``python -m geo {ingest,places,build-index,schema}``."""

from __future__ import annotations

import argparse
import csv
import sys
import time

from geo.errors import NewsmapError


def _ingest(args) -> int:
    from geo.pipeline import process_paths
    from geo.table import export

    started = time.perf_counter()
    batch = process_paths(args.paths, known_country=args.known_country)
    for failure in batch.failures:
        print(f"skipped {failure}", file=sys.stderr)
    if args.out:
        export(batch.events, args.out)
    else:
        batch.events.to_csv(sys.stdout, index=False)
    elapsed = time.perf_counter() - started
    print(f"{len(batch.articles)} articles read, {len(batch.failures)} skipped, "
          f"{len(batch.events)} events" + (f" written to {args.out}" if args.out else "")
          + f" in {elapsed:.1f} s", file=sys.stderr)
    return 0 if batch.articles or not batch.failures else 1


def _places(args) -> int:
    from geo.pipeline import PLACE_COLUMNS, place_rows, process_article
    from geo.articles import read_paths
    from geo.errors import ArticleError
    from geo.gazetteer import load

    gazetteer = load()
    writer = csv.DictWriter(sys.stdout, fieldnames=list(PLACE_COLUMNS), lineterminator="\n")
    writer.writeheader()
    read = failed = 0
    for item in read_paths(args.files):
        if isinstance(item, ArticleError):
            print(f"skipped {item}", file=sys.stderr)
            failed += 1
            continue
        read += 1
        for row in place_rows(process_article(item, gazetteer, args.known_country)):
            writer.writerow(row)
    return 0 if read or not failed else 1


def _build_index(args) -> int:
    from geo.gazetteer import DEFAULT_INDEX, build, load

    path = args.out or DEFAULT_INDEX
    gazetteer = load(path) if args.if_missing else build(path)
    seconds = getattr(gazetteer, "build_seconds", None)
    how = f"built in {seconds:.1f} s" if seconds is not None else "already up to date"
    print(f"gazetteer: {len(gazetteer)} places, {len(gazetteer.names)} names, {how}: {path}", file=sys.stderr)
    return 0


def _schema(args) -> int:
    from geo.table import markdown_table

    print(markdown_table())
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo", description="newsmap: places and events from news articles, offline.")
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", help="write the event table for article files or folders")
    ingest.add_argument("paths", nargs="+", help="article files (.txt, .html, .json, .jsonl) or folders")
    ingest.add_argument("--out", help="output file: .csv, .geojson or .parquet (default: CSV on stdout)")
    ingest.add_argument("--known-country", help="ISO code of a country to favour when places are ambiguous")
    ingest.set_defaults(run=_ingest)

    places = commands.add_parser("places", help="print the place mentions of articles as CSV")
    places.add_argument("files", nargs="+")
    places.add_argument("--known-country", help="ISO code of a country to favour when places are ambiguous")
    places.set_defaults(run=_places)

    build = commands.add_parser("build-index", help="(re)build the offline gazetteer index")
    build.add_argument("--out", help="where to write it (default data/gazetteer.pkl)")
    build.add_argument("--if-missing", action="store_true",
                       help="build only when the index is missing or its source packages changed")
    build.set_defaults(run=_build_index)

    schema = commands.add_parser("schema", help="print the event table's columns as Markdown")
    schema.set_defaults(run=_schema)

    args = parser.parse_args(argv)
    if getattr(args, "known_country", None):
        args.known_country = args.known_country.upper()
    try:
        return args.run(args)
    except NewsmapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (``head``, a closed pager) stopped listening: nothing is wrong.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
