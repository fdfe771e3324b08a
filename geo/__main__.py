"""Command line: ``newsmap`` (or ``newsmap``) ``{ingest,dashboard,export,correct,places,build-index,schema}``."""

from __future__ import annotations

import argparse
import csv
import sys
import time

from geo.errors import NewsmapError


def _ingest(args) -> int:
    from geo import store
    from geo.engines import make_engine
    from geo.ingest import ingest
    from geo.progress import for_stream
    from geo.table import export, write_csv

    started = time.perf_counter()
    db = ":memory:" if args.no_store else (args.db or store.DEFAULT_DB)
    # Without a store the events must go somewhere: stdout, as before the store existed.
    out = args.out or ("-" if args.no_store else None)
    con = store.open_store(db, wait_s=store.LOCK_WAIT_S if args.wait is None else args.wait)
    engine = online = None
    try:
        if args.geocoder != "offline":
            from geo.online import OnlineGeocoder

            online = OnlineGeocoder(args.geocoder, args.geocoder_url, store.GeocodeCache(con),
                                    timeout_s=args.geocoder_timeout)
        engine = make_engine(args.engine, args.scheduler, args.workers, online=online)
        report = ingest(args.paths, con, known_country=args.known_country, progress=for_stream(sys.stderr, as_json=args.progress == "json"),
                        engine=engine)
        for warning in online.warnings() if online else ():
            print(f"warning: {warning}", file=sys.stderr)
        if not args.no_store:
            counts = store.row_counts(con)
            print(f"store {db}: {counts['articles']} articles, {counts['events']} events, "
                  f"{counts['places']} place mentions", file=sys.stderr)
        if out:
            events = store.read_events(con, paths=report.paths)
            if out == "-":
                write_csv(events, sys.stdout)
            else:
                export(events, out)
            elapsed = time.perf_counter() - started
            print(f"{report.articles} articles read, {report.failed} skipped, {len(events)} events"
                  + (f" written to {out}" if out != "-" else "") + f" in {elapsed:.1f} s", file=sys.stderr)
    finally:
        if engine is not None:
            engine.close()
        con.close()
    return 0 if report.articles or not report.failed else 1


def _correct(args) -> int:
    from geo import corrections, store
    from geo.errors import CorrectionError
    from geo.ingest import correct

    con = store.open_store(args.db or store.DEFAULT_DB)
    try:
        if args.what == "place":
            fixes = [corrections.place_correction(args.article_id, args.start, args.end, args.geonameid)]
        else:
            found = store.read_event(con, args.event_id)
            if found is None:
                raise CorrectionError(f"no event {args.event_id!r} in the store; see `newsmap export`")
            values = {"event_type": args.type, "sub_event_type": args.sub_type, "event_date": args.date,
                      "fatalities": args.fatalities}
            fixes = corrections.event_corrections(found, **{k: v for k, v in values.items() if v is not None})
            if not fixes:
                raise CorrectionError("nothing to correct: give --type, --sub-type, --date or --fatalities")
        events = correct(con, fixes)
    finally:
        con.close()
    print(f"corrected {fixes[0].article_id}: {len(fixes)} correction(s) kept; it now gives {events} event(s)",
          file=sys.stderr)
    return 0


def _export(args) -> int:
    from geo import store

    con = store.open_read_only(args.db or store.DEFAULT_DB)
    try:
        written = store.export_events(con, args.out, partition_by_date=args.partition_by_date)
        events = store.row_counts(con)["events"]
    finally:
        con.close()
    print(f"{events} events written to {written}", file=sys.stderr)
    return 0


def _places(args) -> int:
    from geo.articles import read_paths
    from geo.errors import ArticleError
    from geo.gazetteer import load
    from geo.pipeline import place_rows, process_article
    from geo.table import PLACE_COLUMNS, spreadsheet_text

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
            writer.writerow({key: spreadsheet_text(value) for key, value in row.items()})
    return 0 if read or not failed else 1


def _build_index(args) -> int:
    from geo import postal
    from geo.gazetteer import DEFAULT_INDEX, load
    from geo.gazetteer_sources import build

    path = args.out or DEFAULT_INDEX
    gazetteer = load(path) if args.if_missing else build(path)
    seconds = getattr(gazetteer, "build_seconds", None)
    how = f"built in {seconds:.1f} s" if seconds is not None else "already up to date"
    print(f"gazetteer: {len(gazetteer)} places, {len(gazetteer.names)} names, {how}: {path}", file=sys.stderr)
    if not args.if_missing:
        postal.discard(gazetteer)
    tier = postal.tier_for(gazetteer)
    if tier is not None:
        seconds = getattr(tier, "build_seconds", None)
        how = f"built in {seconds:.1f} s" if seconds is not None else "already up to date"
        print(f"postal places: {len(tier)} names of villages, {how}: {tier.folder}", file=sys.stderr)
    return 0


def _dashboard(args) -> int:
    from geo.launch import run_dashboard

    return run_dashboard(args.streamlit_args)


def _schema(args) -> int:
    from geo.table import PLACE_COLUMN_DECLARATIONS, markdown_table

    print(markdown_table(PLACE_COLUMN_DECLARATIONS if args.places else None))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser: one sub-command per task."""
    parser = argparse.ArgumentParser(prog="newsmap", description="newsmap: places and events from news articles, offline.")
    commands = parser.add_subparsers(dest="command", required=True)

    _add_ingest(commands)
    dashboard = commands.add_parser("dashboard", help="start the dashboard on the store (a local Streamlit server)")
    dashboard.add_argument("streamlit_args", nargs=argparse.REMAINDER,
                           help="options for `streamlit run`, e.g. --server.port 8600")
    dashboard.set_defaults(run=_dashboard)

    export = commands.add_parser("export", help="write every event in the store to a file or a folder")
    export.add_argument("--db", help="the store to read (default newsmap.duckdb in the data folder)")
    export.add_argument("--out", required=True, help="events.csv, events.geojson, events.parquet, or a folder "
                        "with --partition-by-date")
    export.add_argument("--partition-by-date", action="store_true",
                        help="write Parquet files into OUT/year=YYYY/month=MM/ (year=unknown when undated)")
    export.set_defaults(run=_export)

    correct = commands.add_parser("correct", help="correct a place or an event in the store (kept across re-ingests)")
    what = correct.add_subparsers(dest="what", required=True)
    place = what.add_parser("place", help="resolve a place mention to another gazetteer entry")
    place.add_argument("article_id")
    place.add_argument("start", type=int, help="the mention's start offset (see `newsmap places`)")
    place.add_argument("end", type=int, help="the mention's end offset")
    place.add_argument("geonameid", type=int, help="the GeoNames id of the entry it means")
    place.add_argument("--db", help="the store (default newsmap.duckdb in the data folder)")
    event = what.add_parser("event", help="correct an event's type, date or fatalities")
    event.add_argument("event_id")
    event.add_argument("--type", help="one of ACLED's six event types")
    event.add_argument("--sub-type", help="an ACLED sub-event type of that type")
    event.add_argument("--date", help="the day, YYYY-MM-DD")
    event.add_argument("--fatalities", type=int)
    event.add_argument("--db", help="the store (default newsmap.duckdb in the data folder)")
    correct.set_defaults(run=_correct)

    places = commands.add_parser("places", help="print the place mentions of articles as CSV")
    places.add_argument("files", nargs="+")
    places.add_argument("--known-country", help="ISO code of a country to favour when places are ambiguous")
    places.set_defaults(run=_places)

    build = commands.add_parser("build-index", help="(re)build the offline gazetteer index")
    build.add_argument("--out", help="where to write it (default gazetteer.pkl in the data folder)")
    build.add_argument("--if-missing", action="store_true",
                       help="build only when the index is missing or its source packages changed")
    build.set_defaults(run=_build_index)

    schema = commands.add_parser("schema", help="print the event table's columns as Markdown")
    schema.add_argument("--places", action="store_true", help="the place-mention table's columns instead")
    schema.set_defaults(run=_schema)

    return parser


def _add_ingest(commands) -> None:
    ingest = commands.add_parser("ingest", help="add the new or changed articles of files or folders to the store")
    ingest.add_argument("paths", nargs="+", help="article files (.txt, .html, .json, .jsonl) or folders")
    ingest.add_argument("--db", help="the store to update (default newsmap.duckdb in the data folder)")
    ingest.add_argument("--no-store", action="store_true",
                        help="process every article and update no store (events go to --out, else stdout)")
    ingest.add_argument("--out", help="also write the events of these paths to a file: .csv, .geojson or "
                        ".parquet; - for CSV on stdout")
    ingest.add_argument("--wait", type=float, metavar="SECONDS",
                        help="how long to wait for another ingest to release the store (default 2)")
    ingest.add_argument("--progress", choices=("auto", "json"), default="auto",
                        help="how to show progress on stderr: a bar in a terminal and plain lines elsewhere "
                        "(auto), or one JSON object a line for a program reading it (json)")
    ingest.add_argument("--known-country", help="ISO code of a country to favour when places are ambiguous")
    ingest.add_argument("--geocoder", choices=("offline", "nominatim"), default="offline",
                        help="also ask an online geocoder (geopy's Nominatim: rate-limited, answers cached in the "
                        "store) for the places the offline gazetteer cannot place; default offline only")
    ingest.add_argument("--geocoder-url", metavar="URL",
                        help="with --geocoder: another server of that provider, e.g. a self-hosted Nominatim")
    ingest.add_argument("--geocoder-timeout", type=float, default=5.0, metavar="SECONDS",
                        help="with --geocoder: how long to wait for each answer (default 5)")
    ingest.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="where the pipeline runs: this process (default), or a Dask cluster "
                        "(pip install -r requirements-dask.txt)")
    ingest.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: an existing scheduler (tcp://host:8786); default a local cluster")
    ingest.add_argument("--workers", type=int, default=2,
                        help="with --engine dask and no --scheduler: worker processes of the local cluster (default 2)")
    ingest.set_defaults(run=_ingest)


def _store_fault(exc: Exception, args) -> str | None:
    """The message for a store that opened but does not read back (damaged pages), else None."""
    if "duckdb" not in type(exc).__module__:
        return None
    from geo import store

    return store.damaged(getattr(args, "db", None) or store.DEFAULT_DB, exc)


def main(argv=None) -> int:
    """Run one command; returns the exit status (1 nothing read, 2 an error newsmap explains)."""
    parser = build_parser()
    # ``newsmap dashboard --server.port 8600``: Streamlit's options are not ours to know.
    args, unknown = parser.parse_known_args(argv)
    if args.command == "dashboard":
        args.streamlit_args = unknown + args.streamlit_args
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if getattr(args, "known_country", None):
        args.known_country = args.known_country.upper()
    try:
        return args.run(args)
    except NewsmapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        fault = _store_fault(exc, args)
        if fault is None:
            raise
        print(f"error: {fault}", file=sys.stderr)
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
