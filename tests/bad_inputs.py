"""Generate the bad-input corpus: what analysts feed newsmap by mistake, mixed with good articles.

    python tests/bad_inputs.py DIR      # write the corpus into DIR and list what each file is

``generate(folder)`` writes every file and returns the manifest: for each entry, the ids of
the articles it holds, or the fragments the reason for skipping it must contain (what is
wrong, and what to do). Everything is made here, from the seed article and, when
``../shared/bench/events`` is there, real event texts; nothing is hand-picked.
"""

from __future__ import annotations

import io
import json
import os
import random
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "rastan-2011-09.txt"
BENCH_EVENTS = ROOT.parent / "shared" / "bench" / "events"
BIG_BYTES = 50 * 2**20
LONG_LINE_BYTES = 5 * 2**20
TOO_LONG = ("characters, more than one article holds", "split it into one file per article")


@dataclass(frozen=True)
class Entry:
    """One input of the corpus and what ingesting it must give."""

    name: str  # as reported: the path inside the corpus, ":line" for one line of a JSONL file
    kind: str
    article_ids: tuple[str, ...] = ()  # articles it holds (good input)
    reason: tuple[str, ...] = ()  # fragments of the reason it is skipped (bad input)
    text: str | None = None  # the article text the reader must see, where the file encodes it
    needs_access_control: bool = False  # only bad when file permissions are enforced

    @property
    def good(self) -> bool:
        return bool(self.article_ids)


def real_texts(count: int) -> list[str]:
    """Event texts from the benchmark corpora (ACLED notes and news snippets), else the seed's paragraphs."""
    texts = []
    for name in ("acled.jsonl", "case2021_task2.jsonl"):
        path = BENCH_EVENTS / name
        if path.exists():
            with path.open(encoding="utf-8") as lines:
                records = (json.loads(line) for line in lines)
                texts.extend(r["text"] for _, r in zip(range(count), (r for r in records
                                                                     if r["event_type"] != "Non-ACLED")))
    if not texts:
        # Without the corpora: the seed's opening paragraphs, each of which reports an event.
        texts = [SEED.read_text(encoding="utf-8").split("\n\n", 2)[1]]
    # Alternate the sources, so that a few texts hold both styles.
    half = len(texts) // 2
    mixed = [t for pair in zip(texts[:half], texts[half:]) for t in pair] + texts[2 * half:]
    return [mixed[i % len(mixed)] for i in range(count)]


def png_bytes(width: int = 16, height: int = 16) -> bytes:
    """A real PNG image (a grey gradient), built from its chunks."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes((x * 16) % 256 for x in range(width)) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def zip_bytes(inner_name: str, inner_text: str) -> bytes:
    """A real zip archive holding one article."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(inner_name, inner_text)
    return buffer.getvalue()


def pdf_bytes(text: str) -> bytes:
    """A real one-page PDF showing ``text``, its content stream compressed as most PDFs are."""
    stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text[:80]}) Tj ET".encode("latin-1", "replace"))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    body, offsets = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return body + xref + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, len(body))


def html_page(title: str, text: str) -> str:
    """A news page as scraped: navigation, the article, a footer and a script."""
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n") if p.strip())
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            "<script>window.dataLayer = [];</script></head><body><nav>Home | World | Middle East</nav>"
            f"<article><h1>{title}</h1>{paragraphs}</article><footer>Copyright News Agency</footer></body></html>")


def write_repeated(path: Path, block: bytes, size: int) -> None:
    """Write ``block`` over and over until the file holds ``size`` bytes, without holding them all."""
    with path.open("wb") as out:
        written = 0
        while written < size:
            piece = block[:size - written]
            out.write(piece)
            written += len(piece)


def generate(folder) -> list[Entry]:
    """Write the corpus into ``folder`` (created) and return its manifest."""
    folder = Path(folder)
    (folder / "reports" / "2011").mkdir(parents=True, exist_ok=True)
    seed = SEED.read_text(encoding="utf-8")
    texts = real_texts(8)
    entries = []

    def good(name: str, data: bytes | str, kind: str, ids: tuple[str, ...], text: str | None = None) -> None:
        path = folder / name
        path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
        entries.append(Entry(name, kind, article_ids=ids, text=text))

    def bad(name: str, data: bytes | str | None, kind: str, *reason: str) -> None:
        if data is not None:
            path = folder / name
            path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
        entries.append(Entry(name, kind, reason=reason))

    # Good articles, in every form and encoding the reader accepts.
    good("rastan-2011-09.txt", seed, "the seed article", ("rastan-2011-09",))
    good("agency-note.txt", texts[0], "a real event text as .txt", ("agency-note",), texts[0])
    good("agency-record.json", json.dumps({"id": "agency-record-1", "title": "Agency report", "text": texts[1],
                                           "date": "2020-05-03"}), "a real event text as a JSON record",
         ("agency-record-1",))
    good("news-page.html", html_page("Field report", texts[2]), "a real event text in a news page", ("news-page",))
    good("windows-utf16.txt", texts[3].encode("utf-16"), "UTF-16 with a byte-order mark", ("windows-utf16",),
         texts[3])
    latin1 = texts[4] + "\nReported from Montréal, with thanks to Zoë Müller."
    good("latin1.txt", latin1.encode("latin-1", "replace"), "Latin-1", ("latin1",),
         latin1.encode("latin-1", "replace").decode("latin-1"))
    cut = (texts[5] + " Reported from Montré").encode("utf-8")[:-1]  # a download cut inside the "é"
    good("truncated-download.txt", cut, "UTF-8 cut off inside its last character", ("truncated-download",),
         cut[:-1].decode("utf-8"))
    good("reports/2011/nested.txt", seed.replace("Rastan", "Talbiseh"), "an article two folders down",
         ("nested",))
    lines = [json.dumps({"text": texts[6]}), '{"text": "a record cut short', json.dumps({"body": texts[7]})]
    good("mixed.jsonl", "\n".join(lines) + "\n", "JSONL, good lines around a broken one", ("mixed-1", "mixed-3"))
    bad("mixed.jsonl:2", None, "the broken line of a JSONL file", "not valid JSON", "fix or remove that line")

    # Nothing to read.
    bad("empty.txt", b"", "an empty file", "is empty", "add the article's text")
    bad("whitespace.txt", " \n\t\n   \r\n\u3000\n", "whitespace only", "is empty", "add the article's text")
    # Not text at all, under an article's name.
    bad("random-bytes.txt", random.Random(7).randbytes(4096), "random bytes", "binary file", "save the article as")
    bad("photo.txt", png_bytes(), "a PNG image", "is a PNG image", "save the article itself")
    bad("bundle.json", zip_bytes("article.json", json.dumps({"text": texts[0]})), "a zip archive",
        "is a zip archive", "unzip it")
    bad("report.txt", pdf_bytes(texts[0]), "a PDF renamed .txt", "is a PDF document", "extract its text")
    # Text in an encoding that cannot be told.
    damaged = ("Shelling in Ḥimṣ — café owners fled. ".encode() + b"\xc3\x28 \x80\x80 "
               + texts[0].encode("utf-8"))
    bad("invalid-utf8.txt", damaged, "invalid UTF-8 among valid UTF-8", "invalid byte", "re-save it as UTF-8")
    bad("utf16-no-bom.txt", texts[1].encode("utf-16-le"), "UTF-16 without a byte-order mark",
        "UTF-16 text without a byte-order mark", "re-save it as UTF-8")
    # Too large to be one article: reported before the pipeline, which would take minutes on them.
    block = (seed + "\n").encode("utf-8") * 200
    write_repeated(folder / "dump-50mb.txt", block, BIG_BYTES)
    entries.append(Entry("dump-50mb.txt", "50 MB of text", reason=TOO_LONG))
    write_repeated(folder / "one-line-5mb.txt", block.replace(b"\n", b" "), LONG_LINE_BYTES)
    entries.append(Entry("one-line-5mb.txt", "5 MB on a single line", reason=TOO_LONG))
    # Structured files that hold no article.
    bad("no-body.html", "<!DOCTYPE html><html><head><title>Clashes in Homs</title>"
        "<script>document.write('loading')</script></head></html>", "HTML with no body",
        "no readable article text", "save the article's text as .txt")
    bad("wrong-fields.json", json.dumps({"headline": "Clashes in Homs", "story": texts[0], "when": "2011-09-30"}),
        "JSON with the wrong fields", "no article text", "'headline', 'story'", "rename the field")
    bad("nested-deep.json", "[" * 100_000 + "]" * 100_000, "JSON nested 100,000 deep", "nests JSON too deeply")
    # The file system's own traps.
    locked = folder / "locked.txt"
    locked.write_text(texts[0], encoding="utf-8")
    locked.chmod(0)
    entries.append(Entry("locked.txt", "a file without read permission", reason=("permission denied", "chmod"),
                         needs_access_control=True))
    locked_folder = folder / "locked-folder"
    locked_folder.mkdir()
    (locked_folder / "inside.txt").write_text(texts[1], encoding="utf-8")
    locked_folder.chmod(0)
    entries.append(Entry("locked-folder", "a folder without read permission",
                         reason=("folder cannot be read", "check its permissions"), needs_access_control=True))
    target = folder / "moved-away.txt"
    target.write_text(texts[2], encoding="utf-8")
    (folder / "vanished.txt").symlink_to(target.name)
    target.unlink()  # the link stays, as when an article is moved after a folder of links was made
    entries.append(Entry("vanished.txt", "a link to a file that was deleted", reason=("does not exist",
                                                                                        "fix or remove the link")))
    (folder / "self-link.txt").symlink_to("self-link.txt")
    entries.append(Entry("self-link.txt", "a link to itself", reason=("cannot be followed", "fix or remove")))
    (folder / "reports" / "2011" / "back-up").symlink_to("..", target_is_directory=True)
    entries.append(Entry("reports/2011/back-up", "a folder link to its parent (a loop)", reason=("a loop",
                                                                                                "remove the link")))
    os.mkfifo(folder / "pipe.txt")
    entries.append(Entry("pipe.txt", "a named pipe (reading it would wait forever)",
                         reason=("not a regular file", "save the article as an ordinary file")))
    return entries


def restore_permissions(folder) -> None:
    """Make the corpus deletable again."""
    for name in ("locked.txt", "locked-folder"):
        path = Path(folder) / name
        if path.exists() or path.is_symlink():
            path.chmod(0o755)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    entries = generate(argv[0])
    for entry in entries:
        expected = ", ".join(entry.article_ids) if entry.good else "skipped: " + " ... ".join(entry.reason)
        print(f"{entry.name:28} {entry.kind:45} {expected}")
    good = [e for e in entries if e.good]
    print(f"{len(entries)} entries: {len(good)} good files holding {sum(len(e.article_ids) for e in good)} "
          f"articles, {len(entries) - len(good)} bad", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
