"""Every CLI command that reads a file, walked with the bad-input corpus (tests/data/bad_inputs) and
with missing fields / wrong types written per command: one line on stderr naming the file (and the
row and field where one is at fault), exit status 2, never a traceback. Runs in-process; every
error is raised before any model is loaded."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cec_eval.cli import main

CORPUS = Path(__file__).parent / "data" / "bad_inputs"
TEXT_FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".jsonl", ".csv", ".txt", ".gz"))
JSONL_FILES = sorted(p.name for p in CORPUS.iterdir() if p.name.endswith((".jsonl", ".jsonl.gz")))
JSON_FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix == ".json")
CSV_FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix == ".csv")
#: files whose fault sits on a line: the message must give it
ROW_LEVEL = {"invalid_utf8.jsonl", "invalid_utf8.csv", "invalid_utf8.txt", "cut_multibyte.txt", "not_json.jsonl",
             "not_object.jsonl", "lone_surrogate.jsonl", "ragged.csv", "unclosed_quote.csv", "not_json.json",
             "invalid_utf8.json"}


def _jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def good(tmp_path):
    """Valid inputs for every slot, so that only the file under test is bad."""
    d = tmp_path / "good"
    d.mkdir()
    return {
        "pred": _jsonl(d / "pred.jsonl", [{"prediction": "Heat melts ice."}, {"prediction": "Rain wets roads."}]),
        "ref": _jsonl(d / "ref.jsonl", [{"reference": "Ice melts in heat."}, {"reference": "Roads get wet in rain."}]),
        "rated": _jsonl(d / "rated.jsonl", [{"prediction": "Heat melts ice.", "reference": "Ice melts.", "rating": 3},
                                            {"prediction": "Rain.", "reference": "Roads get wet.", "rating": 1}]),
        "traces": _jsonl(d / "traces.jsonl", [{"prompt": "Why?", "completion": "Because.", "kind": "explanation"}]),
        "items": _jsonl(d / "items.jsonl", [{"question": "Why does ice melt?", "options": ["heat", "cold"], "gold": "A"}]),
        "out": tmp_path / "out",
    }


#: (command name, argv builder taking (bad path, good files), kind of slot, fields the slot reads)
SLOTS = {
    "score -p": (lambda b, g: ["score", "-p", b, "-r", g["ref"]], "text", {"prediction": "Heat melts ice."}),
    "score -r": (lambda b, g: ["score", "-p", g["pred"], "-r", b], "text", {"reference": "Ice melts in heat."}),
    "score --baseline-file": (lambda b, g: ["score", "-p", g["pred"], "-r", g["ref"], "--rescale", "--baseline-file", b],
                              "json", None),
    "baseline -o": (lambda b, g: ["baseline", "--limit", "4", "-o", b], "json", None),
    "compare -r": (lambda b, g: ["compare", "-r", b, "-s", f"a={g['pred']}", "-m", "bleu", "--no-progress"], "text",
                   {"reference": "Ice melts in heat."}),
    "compare -s": (lambda b, g: ["compare", "-r", g["ref"], "-s", f"a={b}", "-m", "bleu", "--no-progress"], "text",
                   {"prediction": "Heat melts ice."}),
    "compare --bertscore-baseline": (lambda b, g: ["compare", "-r", g["ref"], "-s", f"a={g['pred']}", "-m", "bertscore",
                                                   "--bertscore-baseline", b], "csv", None),
    "correlate --data": (lambda b, g: ["correlate", "--data", b, "-m", "none", "--no-progress"], "text",
                         {"prediction": "Heat melts ice.", "reference": "Ice melts.", "rating": 3}),
    "correlate --references": (lambda b, g: ["correlate", "--data", g["rated"], "--references", b, "-m", "none"], "text",
                               {"reference": "Ice melts."}),
    "distill teacher --input": (lambda b, g: ["distill", "teacher", "--source", "jsonl", "--input", b, "-o",
                                              g["out"] / "t.jsonl"], "jsonl", {"question": "Why does ice melt?"}),
    "distill filter -i": (lambda b, g: ["distill", "filter", "-i", b, "-o", g["out"] / "f.jsonl"], "jsonl",
                          {"prompt": "Why?", "completion": "Because."}),
    "distill augment --items": (lambda b, g: ["distill", "augment", "--items", b, "--model", "m", "--api-key-env", "none",
                                              "--base-url", "http://127.0.0.1:9/v1", "-o", g["out"] / "a.jsonl"],
                                "jsonl", {"question": "Why does ice melt?", "options": ["heat", "cold"], "gold": "A"}),
    "distill format -i": (lambda b, g: ["distill", "format", "-i", b, "-o", g["out"] / "data"], "jsonl",
                          {"prompt": "Why?", "completion": "Because."}),
    "distill sft --train": (lambda b, g: ["distill", "sft", "--train", b, "-o", g["out"] / "model"], "jsonl",
                            {"prompt": "Why?", "completion": "Because."}),
    "distill run --input": (lambda b, g: ["distill", "run", "--source", "jsonl", "--input", b, "-o", g["out"] / "run"],
                            "jsonl", {"question": "Why does ice melt?"}),
    "leaderboard --config": (lambda b, g: ["leaderboard", "--config", b, "-o", g["out"] / "lb"], "json", None),
}
FILES = {"text": TEXT_FILES, "jsonl": JSONL_FILES, "json": JSON_FILES, "csv": CSV_FILES}
#: slots whose reader is in a file this suite's author does not own; the fix is named in the report
NOT_YET: dict[tuple[str, str], str] = {}


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    print(f"{argv[0]}: {err.strip()}")  # shown with -rP: the whole corpus's messages at a glance
    return code, out, err


def _check(code, out, err, path, pattern=None):
    lines = err.strip().splitlines()
    assert "Traceback" not in err + out
    assert code == 2, err
    assert len(lines) == 1, err
    assert re.match(r"cec-eval [\w-]+: error: ", lines[0]), lines[0]
    assert str(path) in lines[0], lines[0]
    if pattern:
        assert re.search(pattern, lines[0]), lines[0]
    return lines[0]


def _cases():
    for slot, (_, kind, _) in SLOTS.items():
        for name in FILES[kind]:
            yield pytest.param(slot, name, id=f"{slot}|{name}")
        yield pytest.param(slot, "<folder>", id=f"{slot}|folder")
        if slot != "baseline -o":  # -o may name a new file
            yield pytest.param(slot, "<missing>", id=f"{slot}|missing")


def _xfail(request, slot, what):
    reason = NOT_YET.get((slot, what))
    if reason is not None:  # runs, and fails loudly (strict) once the reader is fixed
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


@pytest.mark.parametrize("slot, name", list(_cases()))
def test_bad_file_is_one_line_naming_it(slot, name, good, tmp_path, capsys, request):
    _xfail(request, slot, name)
    build = SLOTS[slot][0]
    if name == "<folder>":
        bad = tmp_path / "a_folder.jsonl"
        bad.mkdir()
    elif name == "<missing>":
        bad = tmp_path / "no_such_file.jsonl"
    else:
        bad = CORPUS / name
    code, out, err = _run(build(bad, good), capsys)
    _check(code, out, err, bad, r":\d+: |row \d+|line \d+" if name in ROW_LEVEL else None)


def _field_cases():
    for slot, (_, _, fields) in SLOTS.items():
        if fields:
            for field in fields:
                for fault in ("missing", "wrong type"):
                    yield pytest.param(slot, field, fault, id=f"{slot}|{field}|{fault}")


@pytest.mark.parametrize("slot, field, fault", list(_field_cases()))
def test_missing_field_or_wrong_type_names_file_row_and_field(slot, field, fault, good, tmp_path, capsys, request):
    _xfail(request, slot, fault)
    build, _, fields = SLOTS[slot]
    row = dict(fields)
    if fault == "missing":
        del row[field]
    else:  # a number where text is expected, text where a list/number is expected
        row[field] = {"options": "heat or cold", "rating": "high", "gold": ["A"]}.get(field, 42)
    bad = _jsonl(tmp_path / "bad.jsonl", [fields, row])
    code, out, err = _run(build(bad, good), capsys)
    line = _check(code, out, err, bad, r":\d+: |row \d+")
    assert f"'{field}'" in line or (field == "question" and "'prompt' or 'question'" in line), line


def test_spreadsheet_csv_with_byte_order_mark_is_read_as_intended(tmp_path, capsys):
    path = tmp_path / "sheet.csv"
    path.write_bytes(b"\xef\xbb\xbfprediction,reference\r\nHeat melts ice.,Heat melts ice.\r\nRain.,Rain.\r\n")
    code = main(["compare", "-r", str(path), "--ref-field", "reference", "-s", f"a={path}", "--field", "prediction",
                 "-m", "bleu", "--format", "json", "--no-progress", "--n-resamples", "10"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["systems"] == ["a"] and result["table"]["a"]["bleu"]["estimate"] == pytest.approx(1.0)


def test_unwritable_output_is_one_line(tmp_path, capsys, good):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = _run(["distill", "filter", "-i", good["traces"], "-o", blocker / "sub" / "f.jsonl"], capsys)
    line = _check(code, out, err, blocker)
    assert "Not a directory" in line or "File exists" in line
