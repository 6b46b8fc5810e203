"""The output folders' listings (codegen/pipeline/outscan.py): a run reads again only the
folders whose stat moved, and still finds a generated file that was deleted, a temp file
a killed write left, a folder whose mtime was set back; `check` reads every folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from gen_support import cache_rewritten_at_two, call_arguments, stat_farm

from codegen.pipeline import outscan, run

PKG = "typed_scan"
PAGES = ("kinesis/client/untag_resource.rst", "kinesis/client/list_streams.rst", "sagemaker/client/delete_model.rst")


@pytest.fixture()
def farm(tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return stat_farm(tmp_path, reference, monkeypatch, PAGES, outscan)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders the walk lists from now on."""
    return call_arguments(monkeypatch, outscan, "_read_folder")


def _folders(out: Path) -> list[str]:
    return sorted([str(out)] + [str(p) for p in out.rglob("*") if p.is_dir() and not p.is_symlink()])


def _generated(out: Path, service: str) -> Path:
    found = sorted(out.glob(f"{PKG}/{service}/_models/m*.py"))
    assert found
    return found[0]


def test_unchanged_folders_are_not_read_and_a_deleted_file_is_found(
    farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    read = _reads(monkeypatch)
    run.regenerate([farm], out, PKG)  # a first run lists every folder once it has written them
    assert sorted(set(read)) == _folders(out)
    read.clear()
    assert run.regenerate([farm], out, PKG).up_to_date
    assert read == []
    # Without its listings, a run reads every folder again (and keeps their listings).
    run._listings_path(out).unlink()
    assert run.regenerate([farm], out, PKG).up_to_date
    assert sorted(read) == _folders(out)
    read.clear()
    assert run.regenerate([farm], out, PKG).up_to_date
    assert read == []

    gone = _generated(out, "kinesis")
    text = gone.read_text()
    gone.unlink()
    again = run.regenerate([farm], out, PKG)
    assert gone.read_text() == text
    assert str(gone.relative_to(out)) in again.written
    # Only the folder whose entries changed was read (and the root, the files' parents:
    # none other moved).
    assert read == [str(gone.parent)]


def test_a_few_changed_folders_are_read_again_until_enough_have_gathered(
    farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listings are not written again for one folder read again among many (here:
    2 wanted): the next walk reads it again, and still finds what went missing; once two
    folders were read, their listings are written and no later walk reads them."""
    cache_rewritten_at_two(monkeypatch)
    out = tmp_path / "out"
    run.regenerate([farm], out, PKG)
    saved = run._listings_path(out).read_bytes()
    read = _reads(monkeypatch)
    os.utime(out / PKG / "kinesis", ns=(0, 10**18))  # (its stat moved, its entries did not)
    assert run.regenerate([farm], out, PKG).up_to_date
    assert read == [str(out / PKG / "kinesis")]
    assert run._listings_path(out).read_bytes() == saved  # one folder read: not written
    read.clear()
    gone = _generated(out, "kinesis")
    gone.unlink()
    again = run.regenerate([farm], out, PKG)
    assert str(gone.relative_to(out)) in again.written
    assert sorted(read) == sorted([str(gone.parent), str(out / PKG / "kinesis")])
    assert run._listings_path(out).read_bytes() != saved  # two: written
    read.clear()
    # (the folder is recorded as the walk found it, before the run wrote the file again)
    assert run.regenerate([farm], out, PKG).up_to_date
    assert read == [str(gone.parent)]


def test_a_folder_with_its_mtime_set_back_is_read(farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    run.regenerate([farm], out, PKG)
    run.regenerate([farm], out, PKG)  # (the listings kept)
    gone = _generated(out, "sagemaker")
    st = os.stat(gone.parent)
    gone.unlink()
    os.utime(gone.parent, ns=(st.st_atime_ns, st.st_mtime_ns))  # only its ctime moved
    assert os.stat(gone.parent).st_mtime_ns == st.st_mtime_ns
    again = run.regenerate([farm], out, PKG)
    assert str(gone.relative_to(out)) in again.written and gone.is_file()


def test_a_temp_file_left_by_a_killed_write_is_removed(farm: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run.regenerate([farm], out, PKG)
    run.regenerate([farm], out, PKG)  # (the listings kept)
    folder = _generated(out, "kinesis").parent
    temp = folder / ".m000.py.4242-0.tmp"
    temp.write_text("half")
    assert run.regenerate([farm], out, PKG).up_to_date
    assert not temp.exists()


def test_check_reads_every_folder_and_a_forged_listing_is_refused(
    farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run.regenerate([farm], out, PKG)
    run.regenerate([farm], out, PKG)  # (the listings kept)
    cache = run._listings_path(out)
    kept = json.loads(cache.read_bytes())["folders"]
    gone = _generated(out, "kinesis")
    rel_folder = str(gone.parent.relative_to(out)) + "/"
    gone.unlink()
    # A listing forged to the folder's new stat that still names the deleted file.
    st = os.stat(gone.parent)
    entry = kept[rel_folder]
    entry[:4] = [st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns]
    assert gone.name in entry[4]
    cache.write_text(json.dumps({"layout": 1, "folders": kept}))

    read = _reads(monkeypatch)
    checked = run.regenerate([farm], out, PKG, dry_run=True)
    assert str(gone.relative_to(out)) in checked.stale and not gone.exists()
    assert sorted(read) == _folders(out)

    # A listing that would lead the walk out of the output is not used.
    entry[5] = ["..", "../../etc"]
    cache.write_text(json.dumps({"layout": 1, "folders": kept}))
    read.clear()
    again = run.regenerate([farm], out, PKG)
    assert str(gone.parent) in read and gone.is_file()
    assert str(gone.relative_to(out)) in again.written
    assert all(Path(folder).resolve().is_relative_to(out.resolve()) for folder in read)


def test_folders_changed_just_before_the_walk_are_read_again(
    farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose stat is less than RACY_NS old when it is read is not recorded: a
    change in the same clock tick would not move its stat."""
    monkeypatch.setattr(outscan, "RACY_NS", 3_600 * 1_000_000_000)  # (every folder is recent)
    out = tmp_path / "out"
    run.regenerate([farm], out, PKG)
    read = _reads(monkeypatch)
    for _ in range(2):
        read.clear()
        assert run.regenerate([farm], out, PKG).up_to_date
        assert sorted(read) == _folders(out)
