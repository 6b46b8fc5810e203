"""The pages' stat cache (codegen/pipeline/pages.py StatCache): a run reads only the pages
whose stat moved; a page edited with its size kept and its mtime set back is still
found (ctime), by `generate` and by `check` (which hashes every page)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gen_support import cache_rewritten_at_two, call_arguments, stat_farm

from codegen import parse
from codegen.pipeline import pages as pages_module
from codegen.pipeline import run

PKG = "typed_stat"
PAGES = ("kinesis/client/untag_resource.rst", "kinesis/client/list_streams.rst", "sagemaker/client/delete_model.rst")
EDITED = "kinesis/client/untag_resource.rst"
# A word of the operation's description (its docstring), and one of the same length.
BEFORE, AFTER = b"Removes tags from", b"Deletes tags from"


@pytest.fixture()
def farm(tmp_path: Path, reference: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return stat_farm(tmp_path, reference, monkeypatch, PAGES, pages_module)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sources whose bytes Pages reads from now on."""
    return call_arguments(monkeypatch, pages_module, "read_page_bytes", index=1)


def _unchanged_then_one_edited(farm: Path, out: Path, read: list[str]) -> None:
    """A run reads no unchanged page; after an edit it reads the edited page alone."""
    assert run.regenerate([farm], out, PKG).up_to_date
    assert read == []
    page = farm / "kinesis/client/list_streams.rst"
    page.write_bytes(page.read_bytes() + b"\n")
    run.regenerate([farm], out, PKG)
    assert read == ["kinesis/client/list_streams.rst"]


def test_unchanged_pages_are_not_read(farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    run.regenerate([farm], out, PKG)
    run._stat_cache_path(out).unlink()  # (no stats recorded, as when the cache folder was emptied)
    read = _reads(monkeypatch)
    run.regenerate([farm], out, PKG)  # hashes every page, records their stats
    assert sorted(read) == sorted(PAGES)
    read.clear()
    _unchanged_then_one_edited(farm, out, read)


def test_same_size_edit_with_mtime_set_back_is_found(
    farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run.regenerate([farm], out, PKG)
    run.regenerate([farm], out, PKG)  # (the stats recorded)
    page = farm / EDITED
    data = page.read_bytes()
    assert BEFORE in data
    st = os.stat(page)
    page.write_bytes(data.replace(BEFORE, AFTER))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only ctime moved
    assert os.stat(page).st_size == st.st_size and os.stat(page).st_mtime_ns == st.st_mtime_ns
    _, new_op = parse.parse_file(page, EDITED)

    # `check` hashes every page, whatever the stats.
    checked = run.regenerate([farm], out, PKG, dry_run=True)
    assert checked.stale and all("kinesis" in rel for rel in checked.stale)
    done = run.regenerate([farm], out, PKG)
    assert done.rendered == ["kinesis"]
    assert any(rel.endswith(".pyi") or rel.endswith(".md") for rel in done.written)
    assert not isinstance(new_op, str) and AFTER.decode() in str(new_op)
    assert AFTER.decode() in "".join(
        (out / rel).read_text() for rel in done.written if (out / rel).is_file()
    )
    assert run.regenerate([farm], out, PKG).up_to_date


def test_recent_stats_are_not_kept(farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page written less than 2 s before the run is read again by the next run: an
    edit in the same clock tick would leave its stat as it was."""
    monkeypatch.setattr(pages_module, "_RACY_NS", 3600 * 10**9)
    out = tmp_path / "out"
    run.regenerate([farm], out, PKG)
    read = _reads(monkeypatch)
    run.regenerate([farm], out, PKG)
    run.regenerate([farm], out, PKG)
    assert sorted(read) == sorted(PAGES * 2)


def test_a_first_run_records_the_stats_of_the_pages_its_workers_read(
    farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first run does not hash the pages before the work (the workers hash each page
    as they read it); it records their stats at its end, so the next run reads none."""
    out = tmp_path / "out"
    read = _reads(monkeypatch)
    run.regenerate([farm], out, PKG)
    assert read == []
    _unchanged_then_one_edited(farm, out, read)


def test_a_few_new_stats_wait_until_enough_have_gathered(
    farm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache is not written again for one edited page among many (here: 2 wanted of
    3): the next run hashes that page again, and the edit is still found and redone; once
    two pages missed, their stats are written and no later run reads them."""
    cache_rewritten_at_two(monkeypatch)
    out = tmp_path / "out"
    run.regenerate([farm], out, PKG)
    read = _reads(monkeypatch)
    saved = run._stat_cache_path(out).read_bytes()
    one, two = farm / "kinesis/client/list_streams.rst", farm / EDITED
    one.write_bytes(one.read_bytes() + b"\n")
    first = run.regenerate([farm], out, PKG)
    assert read == ["kinesis/client/list_streams.rst"] and first.rendered == ["kinesis"]
    assert run._stat_cache_path(out).read_bytes() == saved  # one new stat: not written
    read.clear()
    assert run.regenerate([farm], out, PKG).up_to_date
    assert read == ["kinesis/client/list_streams.rst"]  # hashed again, found unchanged
    two.write_bytes(two.read_bytes().replace(BEFORE, AFTER))
    read.clear()
    assert run.regenerate([farm], out, PKG).rendered == ["kinesis"]
    assert sorted(read) == sorted(["kinesis/client/list_streams.rst", EDITED])
    assert run._stat_cache_path(out).read_bytes() != saved  # two: written
    read.clear()
    assert run.regenerate([farm], out, PKG).up_to_date
    assert read == []
