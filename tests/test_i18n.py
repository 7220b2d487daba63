"""The interface's language: chosen from the locale, Chinese on a terminal, never in piped output."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT, cli, run_process
from spacelog import i18n
from test_typeset import on_terminal

sys.path.insert(0, str(ROOT / "tools"))
import msgfmt  # noqa: E402

CHINESE = {"LANG": "zh_CN.UTF-8"}
LOCALE_VARS = ("SPACELOG_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def _english_unless_told(monkeypatch):
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    i18n.reset()
    yield
    i18n.reset()


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
        ({"LANG": "zh_TW.UTF-8"}, "zh_CN"),  # the only catalog; traditional readers read simplified
        ({"LANG": "zh_HK"}, "zh_CN"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh_CN"),  # LC_MESSAGES before LANG
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL before LC_MESSAGES
        ({"LC_ALL": "en_GB.UTF-8", "LANGUAGE": "zh_CN:en"}, "zh_CN"),  # LANGUAGE first, as gettext
        ({"LANGUAGE": "fr:zh_CN", "LANG": "fr_FR.UTF-8"}, "zh_CN"),  # a list: the first with a catalog
        ({"LANGUAGE": "", "LANG": "zh_CN.GB18030"}, "zh_CN"),  # an empty variable is not set
        ({"LANG": "zh_CN.UTF-8", "SPACELOG_LANG": "en"}, "en"),  # the user's choice wins
        ({"SPACELOG_LANG": "zh"}, "zh_CN"),
    ],
)
def test_language_is_read_from_the_environment_as_gettext_reads_it(environ, expected):
    assert i18n.language(environ) == expected


def test_the_shipped_catalog_is_compiled_from_its_po():
    assert msgfmt.catalogs(), "no catalog found"
    assert msgfmt.main(["--check"]) == 0


def test_every_translated_string_of_the_code_is_in_the_catalog():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "spacelog").glob("*.py"))
    used = set(re.findall(r'\b_t?\(\s*"((?:[^"\\]|\\.)*)"', source))
    used |= {"person", "agency", "vehicle"}  # entity kinds, translated by value
    plural = re.findall(r'ngettext\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"', source)
    catalog = msgfmt.parse_po((ROOT / "src/spacelog/locale/zh_CN/LC_MESSAGES/spacelog.po").read_text(encoding="utf-8"))
    assert used and plural
    assert sorted(used - set(catalog)) == []
    assert all(f"{one}\0{many}" in catalog for one, many in plural)


def test_msgfmt_reads_plurals_escapes_and_continued_strings():
    po = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\nmsgid "a"\n"b\\"c"\nmsgstr "甲"\n\nmsgid "{n} x"\nmsgid_plural "{n} xs"\nmsgstr[0] "{n} 个"\n\nmsgid "untranslated"\nmsgstr ""\n'
    assert msgfmt.parse_po(po) == {
        "": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n",
        'ab"c': "甲",
        "{n} x\0{n} xs": "{n} 个",
    }
    import gettext
    import io

    catalog = gettext.GNUTranslations(io.BytesIO(msgfmt.mo_bytes(msgfmt.parse_po(po))))
    assert catalog.gettext('ab"c') == "甲" and catalog.ngettext("{n} x", "{n} xs", 5) == "{n} 个"


def test_plurals_in_english_and_chinese(monkeypatch):
    assert [i18n.ngettext("{n} event", "{n} events", n).format(n=n) for n in (1, 2)] == ["1 event", "2 events"]
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    i18n.reset()
    assert [i18n.ngettext("{n} event", "{n} events", n).format(n=n) for n in (1, 2)] == ["1 条", "2 条"]


def test_chinese_timeline_on_a_terminal_is_chinese_throughout():
    out = on_terminal(["timeline", "--month", "3"], 80, CHINESE)
    lines = out.splitlines()
    assert lines[0].strip() == "每月事件数"
    assert lines[1].split() == ["2017年3月", "6", "█" * 40]
    assert lines[3].split() == ["编号", "日期", "事件"]
    assert lines[5] == "2017年3月 · 6 条"
    assert not re.search(r"\b(events?|id|date|month)\b", out)


def test_english_terminal_has_right_plurals():
    out = on_terminal(["timeline", "--person", "惠特森", "--month", "1"], 80, {"LANG": "C.UTF-8"})
    assert "2017-01 · 1 event\n" in out
    assert "2017-03 · 6 events\n" in on_terminal(["timeline", "--month", "3"], 80, {"LANG": "C.UTF-8"})
    assert "1 events" not in out


def test_chinese_show_names_categories_and_fields_in_chinese():
    out = on_terminal(["show", "50"], 80, {"LC_ALL": "zh_TW.UTF-8"})
    assert re.search(r"^ 类别 +发射、载人 *$", out, re.M)
    assert re.search(r"^ 人物 +亚历山大·米苏尔金 \(Alexander Misurkin\)", out, re.M)
    english = on_terminal(["show", "50"], 80, {"LANG": "en_US.UTF-8"})
    assert re.search(r"^ categories +launch, crew *$", english, re.M)


@pytest.mark.parametrize("fmt", ["tsv", "csv", "json", "jsonl"])
@pytest.mark.parametrize("command", [["timeline"], ["search", "出舱"], ["agency", "NASA"], ["agency"], ["who", "惠特森"], ["show", "50"]])
def test_piped_output_is_the_same_in_every_locale(command, fmt):
    outputs = {lang: run_process(*command, "--format", fmt, env={"LANG": lang}).stdout for lang in ("C.UTF-8", "zh_CN.UTF-8")}
    assert outputs["C.UTF-8"] and outputs["C.UTF-8"] == outputs["zh_CN.UTF-8"]
    assert not re.search("编号|日期|事件数|条", outputs["C.UTF-8"].decode("utf-8").split("\n")[0])  # a csv header stays English


@pytest.mark.parametrize("lang", ["C.UTF-8", "zh_CN.UTF-8"])
def test_chinese_category_names_are_accepted_in_every_locale(monkeypatch, lang):
    monkeypatch.setenv("LANG", lang)
    assert cli("timeline", "--category", "出舱").stdout == cli("timeline", "--category", "eva").stdout != ""
    assert cli("search", "空间站", "-c", "对接").stdout == cli("search", "空间站", "-c", "docking").stdout != ""


def test_messages_follow_the_locale():
    english = run_process("search", "不存在的词语", env={"LANG": "en_US.UTF-8"})
    chinese = run_process("search", "不存在的词语", env={"LANG": "zh_CN.UTF-8"})
    assert english.returncode == chinese.returncode == 1
    assert english.stderr.decode().splitlines()[0] == "spacelog: no events found"
    assert chinese.stderr.decode().splitlines()[0] == "spacelog: 没有找到事件"
    refused = run_process("search", "x", "-c", "飞行", env={"LANG": "zh_CN.UTF-8"})
    assert refused.returncode == 2
    assert refused.stderr.decode().startswith("spacelog: 没有类别 '飞行'；可用的类别：发射、出舱、对接")


@pytest.mark.parametrize(
    "args, english, chinese",
    [
        (["timeline", "--month", "13"], "invalid value for --month: 13 is not in the range 1<=x<=12", "--month 的值无效：13 不在范围 1<=x<=12 内"),
        (["search", "x", "--limit", "x"], "invalid value for --limit: 'x' is not a number", "--limit 的值无效：'x' 不是数字"),
        (["search"], "missing argument 'TERM...'; see spacelog search --help", "缺少参数 'TERM...'；参见 spacelog search --help"),
        (
            ["timeline", "--from", "2017-13-01"],
            "--from '2017-13-01' is not a date; write it as YYYY-MM-DD, e.g. 2017-03-01",
            "--from '2017-13-01' 不是日期；请写成 YYYY-MM-DD，例如 2017-03-01",
        ),
        (["timeline", "--from", "2017-05-01", "--to", "2017-03-01"], "--from 2017-05-01 is after --to 2017-03-01", "--from 2017-05-01 晚于 --to 2017-03-01"),
        (
            ["timeline", "--on", "02-30"],
            "--on '02-30' is not a day of the year; write it as MM-DD, e.g. 02-06",
            "--on '02-30' 不是一年中的日子；请写成 MM-DD，例如 02-06",
        ),
        (
            ["stats", "--by", "mnth"],
            "unknown key for --by 'mnth'; did you mean month? (use one of category, month, agency, person, vehicle)",
            "--by 的键 'mnth' 不存在；你是不是想用 month？（可用：category, month, agency, person, vehicle）",
        ),
        (
            ["timeline", "--color", "sometimes"],
            "unknown --color value 'sometimes'; use one of auto, always, never",
            "--color 的值 'sometimes' 不存在；可用：auto, always, never",
        ),
    ],
)
def test_usage_errors_follow_the_locale(monkeypatch, args, english, chinese):
    for lang, expected in (("C.UTF-8", english), ("zh_CN.UTF-8", chinese)):
        monkeypatch.setenv("LANG", lang)
        result = cli(*args)
        assert (result.exit_code, result.stderr) == (2, f"spacelog: {expected}\n"), lang


PROBE = """
import sys
from spacelog.cli import run
sys.argv = ["spacelog", *sys.argv[1:]]
try:
    run()
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules if m in ("spacelog.linebreak", "spacelog.render", "rich"))
from spacelog import i18n
print(loaded, i18n._translation is not None, file=sys.stderr)
"""


def _loaded(args: list[str], lang: str) -> str:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, env={**_env(), "LANG": lang}, timeout=60)
    return result.stderr.decode().strip().splitlines()[-1]


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}


def test_catalog_and_line_breaker_load_only_for_terminal_output():
    assert _loaded(["timeline", "--month", "3"], "zh_CN.UTF-8") == "[] False"  # piped: neither
    assert _loaded(["search", "空间站", "--format", "json"], "zh_CN.UTF-8") == "[] False"
    assert _loaded(["search", "不存在的词语"], "en_US.UTF-8") == "[] False"  # an English message opens no catalog
    assert _loaded(["search", "不存在的词语"], "zh_CN.UTF-8") == "[] True"  # a Chinese one does


def _help_paragraphs() -> set[str]:
    """Every paragraph of every command's and option's help, as `_translate_help` looks them up."""
    import typer.main

    from spacelog.cli import app

    found: set[str] = set()

    def walk(command) -> None:
        texts = [command.help, *(getattr(p, "help", None) for p in command.params)]
        for text in filter(None, texts):
            for paragraph in text.split("\n\n"):
                found.add(paragraph.split("\n")[1] if paragraph.startswith("\b\n") else paragraph)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return found


def test_every_help_paragraph_is_translated():
    from spacelog.meanings import MEANINGS

    catalog = msgfmt.parse_po((ROOT / "src/spacelog/locale/zh_CN/LC_MESSAGES/spacelog.po").read_text(encoding="utf-8"))
    paragraphs = _help_paragraphs() | set(MEANINGS.values())  # and timeline's epilog, what each category means
    assert len(paragraphs) > 30
    assert sorted(paragraphs - set(catalog)) == []


def test_help_in_chinese():
    chinese = run_process("search", "--help", env={"LANG": "zh_CN.UTF-8", "COLUMNS": "100"})
    assert chinese.returncode == 0
    out = chinese.stdout.decode("utf-8")
    assert "查找正文包含全部 TERM 的事件。" in out and "\n  示例：\n    spacelog search 空间站\n" in out
    assert "\n选项:\n" in out and "--category CATEGORY  只要此类别的事件" in out
    english = run_process("search", "--help", env={"LANG": "C.UTF-8", "COLUMNS": "100"}).stdout.decode("utf-8")
    assert "Find events whose text contains every TERM." in english and "Examples:" in english and "查找" not in english
    timeline = run_process("timeline", "--help", env={"LANG": "zh_CN.UTF-8"}).stdout.decode("utf-8")
    assert "\n    eva          出舱      进行了出舱活动；不含顺带提到的纪录或履历\n" in timeline
    assert "\n    mission-end  任务结束  航天器任务结束" in timeline
    top = run_process("--help", env={"LANGUAGE": "zh_CN"}).stdout.decode("utf-8")
    assert "  search    查找正文包含全部 TERM 的事件。" in top
