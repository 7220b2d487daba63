"""--on MM-DD (that day of every year) and --day YYYY-MM-DD, shared filters of every listing command."""

from __future__ import annotations

import pytest

from conftest import ROOT, STORE, cli, ids, run_on_terminal, run_process

ON_FEBRUARY_6_TABLE = """\
 id         date         event
────────────────────────────────────────────────────────────────────────────────
 2017-011   2017-02-06   2 月 6 日，俄罗斯“能源”火箭航天集团公司宣布，已着手论
                         证用 3 小时而不是 6 小时将乘组和货物运抵国际空间站的方
                         案。该方案是将目前应用的飞船绕地球飞行 4 圈后与空间站
                         对接的方式改为绕地球飞行两圈后对接。未来，这项技术可能
                         应用在实施月球探索任务的“联邦”号载人飞船上，飞行两圈对
                         接的方案将在 2017—2018 年发射的“进步”MS 货运飞船上开展
                         验证。
 2017-012   2017-02-06   2 月 6 日，波音公司发布消息与纳米架公司签署协议，将共
                         建国际空间站的首个商业气闸舱。新型的气闸舱由纳米架公司
                         研制，波音公司研制并安装气闸舱的被动式通用对接机构，计
                         划 2019 年将气闸舱与国际空间站上美国的加压舱连接。
"""


def test_on_a_day_of_the_year_on_a_terminal_and_in_a_pipe():
    assert run_on_terminal("search", "空间站", "--on", "02-06") == ON_FEBRUARY_6_TABLE
    assert ids(cli("timeline", "--on", "2-6").stdout) == ["2017-011", "2017-012"]


def test_on_finds_that_day_in_every_year(tmp_path):
    store_2016 = tmp_path / "2016.jsonl"
    ingest = run_process("ingest", str(ROOT / "tests/fixtures/2016.txt"), "--year", "2016", "--output", str(store_2016))
    assert ingest.returncode == 0
    both = ("--data", str(STORE), "--data", str(store_2016))
    assert ids(cli("timeline", "--on", "09-15", *both).stdout) == ["2016-029", "2017-051"]
    assert ids(cli("timeline", "--day", "2016-09-15", *both).stdout) == ["2016-029"]


def test_a_range_counts_on_every_day_it_holds():
    assert ids(cli("timeline", "--day", "2017-06-07").stdout) == ["2017-037"]  # 6月5日—6月9日
    assert ids(cli("search", "大会", "--on", "06-09").stdout) == ["2017-037"]
    assert cli("search", "大会", "--on", "06-10").exit_code == 1


def test_day_and_on_narrow_every_listing_command():
    assert ids(cli("search", "出舱", "--day", "2017-01-13").stdout) == ["2017-003"]
    assert cli("who", "惠特森", "--on", "03-30", "--fields", "events").stdout == "2017-022\n"
    assert ids(cli("agency", "NASA", "--day", "2017-03-21").stdout) == ["2017-020"]
    assert cli("agency", "--on", "03-21", "--fields", "id,events").stdout.splitlines()[0] == "nasa\t1"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--on", "2-30"], "--on '2-30' is not a day of the year; write it as MM-DD, e.g. 02-06"),
        (["--on", "2017-02-06"], "--on '2017-02-06' is not a day of the year; write it as MM-DD, e.g. 02-06"),
        (["--day", "2017-02-30"], "--day '2017-02-30' is not a date; write it as YYYY-MM-DD, e.g. 2017-02-06"),
        (["--day", "02-06"], "--day '02-06' is not a date; write it as YYYY-MM-DD, e.g. 2017-02-06"),
    ],
)
def test_a_bad_day_is_one_sentence_and_exit_2(args, message):
    result = run_process("timeline", *args)
    assert (result.returncode, result.stdout, result.stderr.decode()) == (2, b"", f"spacelog: {message}\n")


def test_february_29_is_a_day_of_leap_years():
    result = cli("timeline", "--on", "02-29")
    assert result.exit_code == 1 and result.stdout == ""
