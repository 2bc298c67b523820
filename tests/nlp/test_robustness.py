"""`parse` never raises and stays bounded, whatever the chat sends; the CLI keeps going too."""

import io
import json
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from nlp import Intent, Parsed, parse
from nlp.cli import run_parse_cli

TODAY = date(2025, 6, 18)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_gives_a_valid_result(text: str) -> None:
    parsed = parse(text, TODAY)
    assert isinstance(parsed, Parsed)
    assert parsed.intent in set(Intent)
    json.dumps(parsed.to_contract(), ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet="线索拜访签约到位万亿元一二两三五千百点个.,:：;；\n0123456789-～到赴公司集团项目#更正撤回月日号周上本"
    )
)
def test_domain_flavoured_noise(text: str) -> None:
    parsed = parse(text, TODAY)
    assert parsed.intent in set(Intent)
    for item in parsed.items:
        assert item.intent in set(Intent)


def test_odd_inputs() -> None:
    for text in [
        "",
        " \n\t ",
        "\x00\x01\x02线索\x7f",
        "'; DROP TABLE records; --",
        "\ud800\udfff 线索：",
        bytes(range(256)).decode("latin-1"),
        "线索：" + "一" * 5000 + "亿",
        "9" * 10_000 + "万元",
        "更正 #99999999999999999999",
        "1.\n2.\n3.\n" * 2000,
        "拜访：" + "赴苏州拜访苏州某有限公司；" * 3000,
    ]:
        assert parse(text, TODAY).intent in set(Intent)


def test_long_input_is_capped() -> None:
    parsed = parse("线索：某公司拟投资1亿元建设电池项目。" + "无关内容" * 25_000, TODAY)
    assert parsed.intent is Intent.LEAD
    assert len(parsed.source_text) <= 5000


def _run(argv: list[str], stdin: str = "") -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run_parse_cli(argv, io.StringIO(stdin), out)
    return code, out.getvalue().splitlines()


def test_cli_single_message() -> None:
    code, lines = _run(["--today", "2025-03-12", "拜访：昨天赴苏州拜访客商"])
    assert code == 0
    got = json.loads(lines[0])
    assert got["intent"] == "visit" and got["date"] == "2025-03-11" and got["place"] == "苏州"
    assert '"苏州"' in lines[0], "UTF-8 JSON (ensure_ascii=False), not \\u escapes"


def test_cli_jsonl_keeps_order_and_survives_bad_lines() -> None:
    stdin = "\n".join(
        [
            json.dumps("撤回 #3", ensure_ascii=False),
            "{not json",
            json.dumps({"text": "今天开工", "today": "2025-01-02"}, ensure_ascii=False),
            json.dumps({"text": "今天开工"}, ensure_ascii=False),
        ]
    )
    code, lines = _run(["--today", "2025-03-12", "--jsonl"], stdin)
    assert code == 0 and len(lines) == 4
    rows = [json.loads(line) for line in lines]
    assert rows[0]["intent"] == "retract"
    assert "error" in rows[1]
    assert rows[2]["date"] == "2025-01-02"
    assert rows[3]["date"] == "2025-03-12"
    assert all("\\u" not in line for line in lines)
