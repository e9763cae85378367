"""What the model keeps in memory (issue 12): one copy of each file, a graph freed when done.

Figures are in benchmarks/bench_speed.py; these tests pin the mechanisms behind them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from helpers import RECAST_REPO, make_project

from recast_reana.convert.conversion import convert
from recast_reana.model.source_file import SourceFile
from recast_reana.model.stage_graph import Stage


@pytest.fixture
def no_collector() -> Iterator[None]:
    """As the one-shot commands run: only reference counting frees anything."""
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def live_stages() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is Stage)


@pytest.mark.parametrize("raw", [b"a: 1\n", b"\xef\xbb\xbfa: 1\r\n", b"x: \xc3\xa9\n"])
def test_decoded_file_keeps_its_bytes_as_text_only(raw: bytes) -> None:
    src = SourceFile.parse("f.yml", raw)
    assert src.text is not None
    assert src.raw == raw
    assert src.bom == raw.startswith(b"\xef\xbb\xbf")


def test_undecodable_file_keeps_its_bytes() -> None:
    src = SourceFile.parse("f.yml", b"a: \xff\n")
    assert src.text is None
    assert src.problem is not None
    assert src.raw == b"a: \xff\n"


def test_mapping_keys_are_one_object_per_name() -> None:
    src = SourceFile.parse("f.yml", b"- {name: a}\n- {name: b}\n")
    first, second = src.data
    assert next(iter(first)) is next(iter(second))


def test_release_source_frees_the_source_graph_without_the_collector(no_collector: None) -> None:
    before = live_stages()
    project = make_project(RECAST_REPO)
    source_stages = len(project.stages)
    assert source_stages > 0
    conversion = convert(project, release_source=True)
    assert not conversion.problems
    assert conversion.project is not None
    converted = len(conversion.project.stages)
    # Only the converted model's stages are alive: the source's went with their cycles broken.
    assert live_stages() - before == converted
    assert project.workflow is None


def test_without_release_the_source_model_stays_whole(no_collector: None) -> None:
    project = make_project(RECAST_REPO)
    stages = len(project.stages)
    conversion = convert(project)
    assert not conversion.problems
    assert len(project.stages) == stages
    assert all(f.doc is not None for f in project.files.values() if f.text is not None)


def test_converted_files_are_encoded_from_the_parsed_text() -> None:
    conversion = convert(make_project(RECAST_REPO))
    assert not conversion.problems
    assert conversion.changed  # the fixture repository is rewritten
    for path, src in conversion.changed.sources.items():
        assert src.raw is conversion.changed[path] or src.raw == conversion.changed[path]
        assert conversion.changed[path].decode("utf-8") == src.text
        assert conversion.files[path] == conversion.changed[path]
        assert path in conversion.changed and path in conversion.files
    unchanged = [p for p in conversion.files if p not in conversion.changed]
    assert unchanged  # recast.yml, README...
    for path in unchanged:
        assert conversion.files[path] == conversion.source.read(path)
    assert sorted(conversion.files) == list(conversion.files)


@pytest.mark.parametrize(
    "raw", [b"a: 1\nb: [x, y]\n", b"\xef\xbb\xbfa: 1\r\nb: 2\r\n", b"x: \xc3\xa9\n"]
)
def test_shelved_text_reads_back_the_same(raw: bytes) -> None:
    src = SourceFile.parse("f.yml", raw)
    text, lines, table = src.text, list(src.lines), [src.line_col(i) for i in range(len(raw) - 1)]
    src.shelve()
    assert src._text is None  # only the compressed copy is kept
    assert src.text == text
    assert src.raw == raw
    assert list(src.lines) == lines
    assert [src.line_col(i) for i in range(len(raw) - 1)] == table


def test_release_source_shelves_what_it_rewrote_and_the_map_still_locates() -> None:
    kept = convert(make_project(RECAST_REPO))
    released = convert(make_project(RECAST_REPO), release_source=True)
    assert dict(released.changed) == dict(kept.changed)
    for path in released.changed:
        before = released.source.files.get(path)
        if before is None:
            continue  # generated (reana.yaml)
        assert before._text is None
        assert before.text == kept.source.files[path].text
        converted = released.changed.sources[path]
        for line, text in enumerate(converted.lines, start=1):
            for col in range(1, len(text) + 2):
                assert released.source_map.locate(path, line, col) == kept.source_map.locate(
                    path, line, col
                ), (path, line, col)


def test_a_large_file_fixes_the_mmap_threshold_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import recast_reana.model.project as project_module
    from recast_reana.model.source_file import LARGE_FILE

    calls: list[None] = []
    monkeypatch.setattr(project_module, "mmap_large_blocks", lambda: calls.append(None))
    make_project({"reana.yaml": "version: 0.9.0\n"})
    assert calls == []
    big = "version: 0.9.0\n# " + "x" * LARGE_FILE + "\n"
    make_project({"reana.yaml": big})
    assert len(calls) == 1


def test_stage_graph_positions_read_back_from_their_packed_int() -> None:
    project = make_project(RECAST_REPO)
    placeholders = [ph for step in project.steps for ph in step.placeholders]
    selectors = [sel for stage in project.stages for sel in stage.selectors]
    assert placeholders and selectors
    for item in [*placeholders, *selectors]:
        src = project.files[item.file]
        assert src.text is not None
        pos = item.pos
        # Each points into the string or value it was found in, on a real line of the file.
        assert 1 <= pos.line <= pos.end_line <= len(src.lines) + 1
        assert pos.line < pos.end_line or pos.col < pos.end_col
    for ph in placeholders:
        line = ph.pos.line
        written = src.lines[line - 1] if (src := project.files[ph.file]).lines else ""
        assert "{" + ph.field + "}" in written or ph.pos == project.files[ph.file].pos(ph.path)
