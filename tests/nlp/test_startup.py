"""The tokenizer table is built once and then read from its cache (a fast first message after start)."""

import tempfile
from pathlib import Path

import pytest

from nlp import entities


def test_the_table_is_built_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    built = entities._jieba_state()
    assert list(tmp_path.glob("zsbot-jieba-*.marshal"))

    def no_rebuild() -> entities._JiebaState:
        raise AssertionError("rebuilt although cached")

    monkeypatch.setattr(entities, "_build_jieba_state", no_rebuild)
    cached = entities._jieba_state()
    assert (cached.total, len(cached.freq), cached.proper) == (built.total, len(built.freq), built.proper)


def test_a_broken_cache_file_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    entities._cache_path().write_bytes(b"not marshal")
    assert entities._jieba_state().freq["拜访"] > 0


def test_rare_jieba_words_are_left_out_everyday_ones_kept() -> None:
    freq = entities.tokenizer().FREQ
    assert freq.get("资金", 0) > 0
    assert all(
        count == 0
        or count >= entities.MIN_JIEBA_FREQ
        or word in {w for w, _, _ in entities.lexicon().entries}
        for word, count in list(freq.items())[:5000]
    )


def test_parsing_a_message_in_a_new_process_loads_neither_pkg_resources_nor_pypinyin() -> None:
    """Each costs ~0.1 s of every `zsbot` call: jieba is loaded without pkg_resources, and the sound table of the
    event words comes from its cache (built with pypinyin once)."""
    import subprocess
    import sys

    code = ("from datetime import date; from nlp import parse; parse('拜放了华为，截待：深圳客商', date(2026, 3, 10)); "
            "import sys; print(sorted(m for m in ('pkg_resources', 'pypinyin') if m in sys.modules))")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)  # builds the caches if needed
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


def test_the_sound_table_is_built_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nlp import typos

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    typos._sounds.cache_clear()
    built = typos._sounds()
    assert list(tmp_path.glob("zsbot-sounds-*.marshal")) and built["访"] == ["fang"]
    typos._sounds.cache_clear()
    monkeypatch.setattr(typos, "_build_sounds", lambda _s: (_ for _ in ()).throw(AssertionError("rebuilt")))
    assert typos._sounds() == built
    typos._sounds.cache_clear()
