"""What the dashboard takes in: uploads saved (zips unpacked safely), folders kept inside the articles root."""

import io
import zipfile

import pytest
from conftest import SEED

from geo.errors import PathOutsideError, UploadError
from geo.intake import inside, save_upload


def zipped(**members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, text in members.items():
            bundle.writestr(name.replace("__", "/"), text)
    return buffer.getvalue()


def test_a_zip_of_articles_is_unpacked_in_the_upload_folder_and_other_files_left_out(tmp_path):
    data = zipped(**{"week__rastan.txt": SEED.read_text(encoding="utf-8"), "week__photo.jpg": "not an article",
                     "notes.json": '{"text": "Syrian troops shelled Homs."}'})
    saved = save_upload(tmp_path, "my week.zip", data)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in saved) == [
        "uploads/my week/notes.json", "uploads/my week/week/rastan.txt"]
    assert (tmp_path / "uploads/my week/week/rastan.txt").read_text(encoding="utf-8") == SEED.read_text(encoding="utf-8")


@pytest.mark.parametrize("member", ["../up.txt", "/etc/cron.d/x.txt", "C:/windows/x.txt", "a/../../b.txt"])
def test_a_zip_member_that_climbs_out_is_refused_and_nothing_written(tmp_path, member):
    with pytest.raises(UploadError, match="outside the upload folder"):
        save_upload(tmp_path / "root", "evil.zip", zipped(**{member.replace("/", "__"): "x"}))
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_an_upload_that_is_not_an_article_or_not_a_zip_is_refused(tmp_path):
    with pytest.raises(UploadError, match="not an article file"):
        save_upload(tmp_path, "payload.exe", b"MZ")
    with pytest.raises(UploadError, match="not a readable zip"):
        save_upload(tmp_path, "broken.zip", b"PK\x03\x04 broken")
    # A hostile name is reduced to one plain file name inside the upload folder.
    [saved] = save_upload(tmp_path, "../../.bashrc.txt", b"Syrian troops shelled Homs.")
    assert saved == tmp_path / "uploads" / "bashrc.txt"


def test_a_folder_must_lie_inside_the_root(tmp_path):
    root = tmp_path / "articles"
    (root / "syria").mkdir(parents=True)
    (tmp_path / "private").mkdir()
    (root / "link-out").symlink_to(tmp_path / "private")
    assert inside(root, "syria") == (root / "syria").resolve()
    assert inside(root, str(root / "syria")) == (root / "syria").resolve()
    for escape in ("..", "../private", str(tmp_path / "private"), "link-out", "syria/../../private"):
        with pytest.raises(PathOutsideError, match="outside the articles folder"):
            inside(root, escape)
    with pytest.raises(PathOutsideError, match="does not exist"):
        inside(root, "lebanon")
