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
