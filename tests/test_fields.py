"""Spreadsheet output: the entity and category columns, --fields, --no-header, and excel (BOM, CRLF)."""

from __future__ import annotations

import csv
import io
import json

from conftest import cli, run_on_terminal, run_process, shipped_events

FIELD_LIST = "id,seq,date,end,text,categories,agencies,people,vehicles,agencies_en,people_en,vehicles_en,agency_ids,person_ids,vehicle_ids"


def test_tsv_columns_start_with_the_store_fields_then_categories_and_chinese_names():
    text = shipped_events()[20]["text"]
    assert cli("search", "出舱", "--month", "3", "--agency", "NASA").stdout == (
        f"2017-021\t2017-03-24\t\t{text}\teva\t美国国家航空航天局\t托马斯·佩斯凯; 肖恩·金布罗\t国际空间站\n"
    )


def test_a_range_keeps_its_end_in_the_third_column_and_several_categories_join_with_commas():
    row = [line for line in cli("timeline", "--month", "6").stdout.splitlines() if line.startswith("2017-037")][0].split("\t")
    assert row[:3] + row[4:] == ["2017-037", "2017-06-05", "2017-06-09", "conference", "国际宇航联合会", "", ""]
    launch = cli("show", "50").stdout.split("\t")
    assert launch[4:] == ["launch,crew", "", "亚历山大·米苏尔金; 马克·范德海; 约瑟夫·阿卡巴", "“联盟”FG; “联盟”MS-06\n"]


def test_fields_chooses_columns_in_the_order_given():
    assert cli("show", "50", "--fields", "vehicle_ids,id", "--fields", "people_en").stdout == (
        "soyuz-fg,soyuz-ms-06\t2017-050\tAlexander Misurkin; Mark Vande Hei; Joseph Acaba\n"
    )
    assert cli("search", "出舱", "--month", "1", "--fields", "id,seq,agency_ids,person_ids").stdout == (
        "2017-002\t2\t\tshane-kimbrough,peggy-whitson\n2017-003\t3\t\tshane-kimbrough,thomas-pesquet\n"
    )


def test_an_english_name_with_commas_stays_one_cell_in_csv():
    rows = list(csv.reader(io.StringIO(cli("agency", "MEXT", "--format", "csv", "--fields", "id,agencies_en").stdout)))
    assert rows[0] == ["id", "agencies_en"]
    assert rows[1] == ["2017-043", "Japan Aerospace Exploration Agency (JAXA); Ministry of Education, Culture, Sports, Science and Technology (MEXT)"]


def test_a_bad_field_is_one_line_listing_the_valid_ones_and_prints_nothing():
    result = run_process("search", "出舱", "--fields", "id,crew")
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode() == f"spacelog: unknown field 'crew' for --fields; use some of {FIELD_LIST}\n"
    who = run_process("who", "惠特森", "--fields", "text")
    assert who.returncode == 2 and who.stdout == b""
    assert who.stderr.decode() == "spacelog: unknown field 'text' for --fields; use some of id,kind,name_zh,name_en,score,events\n"


def test_fields_pick_the_columns_of_other_results_too():
    assert cli("who", "惠特森", "--fields", "name_en,events").stdout == "Peggy Whitson\t2017-002,2017-022,2017-032\n"
    assert cli("agency", "--fields", "events,id").stdout.splitlines()[:2] == ["24\tnasa", "7\tspacex"]


def test_fields_with_json_and_jsonl_give_records_of_those_keys():
    lines = cli("search", "出舱", "--month", "1", "--format", "jsonl", "--fields", "id,people").stdout.splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": "2017-002", "people": ["肖恩·金布罗", "佩吉·惠特森"]},
        {"id": "2017-003", "people": ["肖恩·金布罗", "托马斯·佩斯凯"]},
    ]
    assert json.loads(cli("show", "50", "--format", "json", "--fields", "id,vehicles_en").stdout) == {
        "id": "2017-050",
        "vehicles_en": ["Soyuz-FG", "Soyuz MS-06"],
    }


def test_fields_on_a_terminal_print_tsv_and_refuse_a_table():
    assert run_on_terminal("show", "50", "--fields", "id,date") == "2017-050\t2017-09-13\n"
    result = run_process("show", "50", "--fields", "id", "--format", "table")
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode() == (
        "spacelog: --fields chooses the columns of tsv, csv, excel, markdown, html, json and jsonl, not of a table; add --format tsv\n"
    )


def test_no_header_drops_the_csv_header_row():
    assert cli("show", "50", "--format", "csv", "--fields", "id,date").stdout == "id,date\n2017-050,2017-09-13\n"
    assert cli("show", "50", "--format", "csv", "--fields", "id,date", "--no-header").stdout == "2017-050,2017-09-13\n"
    assert cli("search", "出舱", "--month", "1", "--no-header").stdout == cli("search", "出舱", "--month", "1").stdout  # tsv has none


def test_excel_is_csv_with_a_bom_and_crlf_line_ends():
    result = run_process("search", "出舱", "--month", "1", "--format", "excel", "--fields", "id,people")
    assert result.returncode == 0
    assert result.stdout == "\ufeffid,people\r\n2017-002,肖恩·金布罗; 佩吉·惠特森\r\n2017-003,肖恩·金布罗; 托马斯·佩斯凯\r\n".encode()
    headless = run_process("show", "50", "--format", "excel", "--fields", "id", "--no-header")
    assert headless.stdout == "\ufeff2017-050\r\n".encode()


def test_excel_keeps_every_event_whole_as_csv_does():
    excel = run_process("timeline", "--format", "excel").stdout.decode("utf-8-sig")
    plain = cli("timeline", "--format", "csv").stdout
    assert list(csv.reader(io.StringIO(excel, newline=""))) == list(csv.reader(io.StringIO(plain)))
    assert len(list(csv.reader(io.StringIO(plain)))) == 74
