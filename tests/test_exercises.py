"""The class exercises: required sections, quotes that occur in the 1951 documents,
key blocks in step with keys.json, and (slow) every published figure against a fresh run."""

from __future__ import annotations

import json

import pytest

from analysis import exercises as ex
from cli.main import main

FOLDER = ex.EXERCISES_DIR


def published() -> dict:
    return json.loads((FOLDER / ex.KEYS_FILE).read_text(encoding="utf-8"))


def test_at_least_seven_exercises_with_files():
    assert len(ex.EXERCISES) >= 7
    for e in ex.EXERCISES:
        assert (FOLDER / e.file).is_file(), e.file
    assert (FOLDER / "README.md").is_file()


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.slug)
def test_sections_in_order(exercise):
    text = (FOLDER / exercise.file).read_text(encoding="utf-8")
    assert ex.check_structure(text) == []


@pytest.mark.parametrize("exercise", ex.EXERCISES, ids=lambda e: e.slug)
def test_quotes_occur_in_the_documents(exercise):
    text = (FOLDER / exercise.file).read_text(encoding="utf-8")
    fragments = ex.quote_fragments(text)
    assert len(fragments) >= 2, "the historical context should quote the documents"
    assert ex.missing_quotes(text, ex.source_texts(FOLDER)) == []


def test_a_misquote_is_caught():
    sources = ex.source_texts(FOLDER)
    good = '## Historical context\n\n> "Not portable upon leaving the group."\n> — Shanxi\n'
    bad = '## Historical context\n\n> "Portable upon leaving the group, of course."\n> — Shanxi\n'
    assert ex.missing_quotes(good, sources) == []
    assert ex.missing_quotes(bad, sources) == ["Portable upon leaving the group, of course."]


def test_key_blocks_match_keys_json():
    keys = published()
    assert [k["number"] for k in keys.values()] == [e.number for e in ex.EXERCISES]
    for key in keys.values():
        text = (FOLDER / key["file"]).read_text(encoding="utf-8")
        assert ex.published_block(text) == ex.render_block(key), key["file"]


def test_every_scenario_of_the_exercises_loads():
    import scenarios

    for e in ex.EXERCISES:
        for arm in e.arms:
            assert scenarios.load(arm.path_or_name()).seed == ex.MASTER_SEED


def test_compare_flags_a_changed_number():
    keys = published()
    slug = next(iter(keys))
    fig = keys[slug]["figures"][0]
    off = json.loads(json.dumps(keys))
    step = 10.0 ** -fig["digits"]
    off[slug]["figures"][0]["mean"] = fig["mean"] + 3 * step
    assert ex.compare(keys, keys) == []
    problems = ex.compare(off, keys)
    assert len(problems) == 1 and fig["id"] in problems[0]
    # one unit in the last place is rounding, not a difference
    off[slug]["figures"][0]["mean"] = fig["mean"] + step
    assert ex.compare(off, keys) == []


def test_cli_list_and_help(capsys):
    assert main(["exercises", "--list"]) == 0
    out = capsys.readouterr().out
    for e in ex.EXERCISES:
        assert e.file in out
    with pytest.raises(SystemExit) as err:
        main(["exercises", "--help"])
    assert err.value.code == 0
    assert "huzhu exercises --check" in capsys.readouterr().out


@pytest.mark.slow
def test_published_keys_match_a_fresh_run():
    """Rerun every exercise (about 15 s) and compare with what the Markdown publishes."""
    fresh = ex.compute_keys()
    assert ex.compare(published(), fresh) == []
    assert ex.check_files(fresh, FOLDER) == []


def test_check_fails_on_a_stale_key(tmp_path, capsys, monkeypatch):
    """`huzhu exercises --check` exits 1 when a published figure is off (fresh runs stubbed by the published keys)."""
    import shutil

    keys = published()
    monkeypatch.setattr(ex, "compute_keys", lambda **kw: json.loads(json.dumps(keys)))
    shutil.copytree(FOLDER, tmp_path / "ex")
    assert main(["exercises", "--check", "--dir", str(tmp_path / "ex")]) == 0
    stale = json.loads(json.dumps(keys))
    slug = next(iter(stale))
    stale[slug]["figures"][0]["mean"] += 1.0
    (tmp_path / "ex" / ex.KEYS_FILE).write_text(json.dumps(stale), encoding="utf-8")
    capsys.readouterr()
    assert main(["exercises", "--check", "--dir", str(tmp_path / "ex")]) == 1
    assert stale[slug]["figures"][0]["id"] in capsys.readouterr().err


def test_exercise_data_files_define_every_exercise(tmp_path):
    """Each exercise is read from its data file; a figure's value is parsed, never run as Python."""
    from analysis.exercise_figures import parse_value

    files = sorted(p.name for p in ex.DATA_DIR.glob("[0-9][0-9]_*.toml"))  # beside them: findings, robustness
    assert files == [e.file.removesuffix(".md") + ".toml" for e in ex.EXERCISES]
    for e in ex.EXERCISES:
        ids = [f.id for f in e.figures]
        assert len(ids) == len(set(ids)), e.slug
        for f in e.figures:
            assert f.difference is None or len(f.difference) == 2
    with pytest.raises(ValueError, match="unknown name '__import__'"):
        parse_value('__import__("os")')
    with pytest.raises(ValueError, match="not a figure's value"):
        parse_value("persons")
    bad = (ex.DATA_DIR / files[0]).read_text(encoding="utf-8").replace('value = \'at("liu"', 'value = \'at("liu".x')
    (tmp_path / files[0]).write_text(bad, encoding="utf-8")
    with pytest.raises(ValueError, match=files[0]):
        ex.load_exercises(tmp_path)
