"""cec_eval.io: the one reader (encodings, byte-order marks, line numbers) and the one atomic
writer (unique temporary file + rename), including concurrent writers with concurrent readers."""
from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cec_eval.errors import InputError
from cec_eval.io import (atomic_write, atomic_write_text, decode_text, read_jsonl, read_records, read_texts,
                         text_lines, write_json)


# -- reading ----------------------------------------------------------------------------------
def test_spreadsheet_csv_with_byte_order_mark_reads_as_intended(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(codecs.BOM_UTF8 + "prediction,reference\r\nIce melts.,Heat melts ice.\r\n".encode())
    assert read_records(path) == [{"prediction": "Ice melts.", "reference": "Heat melts ice."}]
    assert read_texts(path, role="prediction") == ["Ice melts."]
    assert read_texts(path, "prediction") == ["Ice melts."]


@pytest.mark.parametrize("suffix", [".jsonl", ".txt", ".tsv"])
def test_byte_order_mark_is_dropped_in_every_format(tmp_path, suffix):
    body = {".jsonl": '{"text": "a"}\n', ".txt": "a\n", ".tsv": "text\na\n"}[suffix]
    path = tmp_path / f"f{suffix}"
    path.write_bytes(codecs.BOM_UTF8 + body.encode())
    assert read_texts(path) == ["a"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_byte_order_mark_is_read(tmp_path, codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    path = tmp_path / "p.csv"
    path.write_bytes(bom + "prediction\nCaf\u00e9 \u2192 ok\n".encode(codec))
    assert read_texts(path) == ["Caf\u00e9 \u2192 ok"]


@pytest.mark.parametrize("suffix", [".txt", ".jsonl", ".csv"])
def test_invalid_utf8_is_one_line_naming_file_and_line(tmp_path, suffix):
    good = {".txt": b"a\nb\n", ".jsonl": b'{"text": "a"}\n{"text": "b"}\n', ".csv": b"text\nb\n"}[suffix]
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(good + b"caf\xe9\n")
    line = good.count(b"\n") + 1
    with pytest.raises(InputError) as e:
        read_texts(path)
    assert str(e.value) == f"{path}:{line}: not valid UTF-8 (byte 0xe9 at column 4); save the file as UTF-8"
    assert "\n" not in str(e.value)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=12),
                      min_size=1, max_size=8),
       at=st.integers(0, 7), col=st.integers(0, 12), bad=st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"]))
def test_invalid_byte_anywhere_is_reported_at_its_line_and_column(lines, at, col, bad):
    at = at % len(lines)
    col = min(col, len(lines[at]))
    encoded = [s.encode() for s in lines]
    prefix = lines[at][:col].encode()
    encoded[at] = prefix + bad + lines[at][col:].encode()
    with pytest.raises(InputError, match=rf"^f\.txt:{at + 1}: not valid UTF-8 \(byte 0x{bad[0]:02x} at column {col + 1}\)"):
        decode_text(b"\n".join(encoded), "f.txt")


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=20),
                      max_size=8),
       bom=st.booleans(), end=st.sampled_from(["\n", "\r\n"]))
def test_any_valid_text_reads_back_line_by_line(tmp_path_factory, lines, bom, end):
    path = tmp_path_factory.mktemp("t") / "f.txt"
    data = end.join(lines).encode() + (end.encode() if lines else b"")
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    expected = lines if lines != [""] else [""]
    assert [r["text"] for r in read_records(path)] == (expected if lines else [])


def test_lines_split_like_open_but_not_on_unicode_separators():
    assert text_lines("a\r\nb\rc\nd\u2028e\n") == ["a", "b", "c", "d\u2028e"]
    assert text_lines("") == [] and text_lines("x") == ["x"]


def test_json_line_with_a_unicode_line_separator_in_a_string(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"text": "one\u2028two"}\n{"text": "b"}\n', encoding="utf-8")
    assert read_texts(path) == ["one\u2028two", "b"]


@pytest.mark.parametrize("body, match", [
    (b"prediction,reference\na,b,c\n", r"p\.csv:2: row 0 has 3 fields, the header has 2"),
    (b"prediction,reference\na,b\nc\n", r"p\.csv:3: row 1 has 1 fields, the header has 2"),
    (b"prediction,prediction\na,b\n", r"p\.csv:1: header names a column twice"),
    (b'prediction\n"unclosed\nb\n', r"p\.csv:3: not valid CSV \(unexpected end of data\)"),
    (b'prediction\n"' + b"x" * 140_000 + b'"\n', r"p\.csv:2: not valid CSV \(field larger than field limit"),
])
def test_malformed_csv_names_the_line(tmp_path, body, match):
    path = tmp_path / "p.csv"
    path.write_bytes(body)
    with pytest.raises(InputError, match=match):
        read_records(path)


@pytest.mark.parametrize("body, match", [
    ('{"prediction": "a"}\n{"prediction": 3}\n', r"p\.jsonl:2: row 1: field 'prediction' is int, expected text"),
    ('{"prediction": "a"}\n\n{"prediction": null}\n', r"p\.jsonl:3: row 1: field 'prediction' is null, expected text"),
    ('{"prediction": "a"}\n{"other": "b"}\n', r"p\.jsonl:2: row 1 has no field 'prediction'"),
    ('{"prediction": "a"}\n{"prediction": "b"\n', r"p\.jsonl:2: not valid JSON"),
    ('{"prediction": "a"}\n[1, 2]\n', r"p\.jsonl:2: row 1 has no field 'prediction'"),
])
def test_bad_prediction_rows_name_file_line_row_and_field(tmp_path, body, match):
    path = tmp_path / "p.jsonl"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        read_texts(path, "prediction", role="prediction")


def test_references_may_be_lists_of_text_but_not_of_anything(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"reference": ["a.", "b."]}\n', encoding="utf-8")
    assert read_texts(path, role="reference") == [["a.", "b."]]
    path.write_text('{"reference": ["a."]}\n{"reference": ["a.", 2]}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"r\.jsonl:2: row 1: field 'reference' must be text or a non-empty list"):
        read_texts(path, role="reference")
    path.write_text('{"reference": []}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"r\.jsonl:1: row 0"):
        read_texts(path, role="reference")


def test_folder_broken_gzip_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        read_texts(tmp_path)
    gz = tmp_path / "p.jsonl.gz"
    gz.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match=r"p\.jsonl\.gz: not a readable gzip file"):
        read_jsonl(gz)
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_texts(tmp_path / "nope.txt")


# -- writing ----------------------------------------------------------------------------------
def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "result.json"
    write_json({"v": 1}, path)
    with pytest.raises(RuntimeError):
        with atomic_write(path) as fh:
            fh.write('{"v": 2, "half')
            raise RuntimeError("killed mid-write")
    assert json.loads(path.read_text()) == {"v": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


def test_written_file_keeps_an_existing_mode(tmp_path):
    path = tmp_path / "t.md"
    path.write_text("old")
    os.chmod(path, 0o640)
    atomic_write_text(path, "new")
    assert path.read_text() == "new" and (path.stat().st_mode & 0o777) == 0o640


_WRITER = textwrap.dedent(
    """
    import sys
    from cec_eval.io import write_json
    path, tag, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    for i in range(n):
        # ~300 KB: large enough that a non-atomic write is seen half-done
        write_json({"writer": tag, "i": i, "rows": [{"k": j, "text": "x" * 40} for j in range(4000)]}, path)
    """
)


def test_concurrent_writers_and_readers_never_see_a_partial_file(tmp_path):
    path = tmp_path / "result.json"
    write_json({"writer": "init", "i": -1, "rows": []}, path)
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), tag, "40"]) for tag in ("a", "b")]
    stop = threading.Event()
    stats = {"reads": 0, "unreadable": 0, "versions": set()}
    lock = threading.Lock()

    def reader():
        while not stop.is_set():
            try:
                obj = json.loads(path.read_bytes())
                ok = len(obj["rows"]) in (0, 4000)
            except (ValueError, KeyError):
                ok = False
            with lock:
                stats["reads"] += 1
                stats["unreadable"] += not ok
                if ok:
                    stats["versions"].add((obj["writer"], obj["i"]))

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for w in writers:
            assert w.wait(timeout=120) == 0
    finally:
        stop.set()
        for t in threads:
            t.join()
    print(f"reads {stats['reads']}, unreadable {stats['unreadable']}, versions seen {len(stats['versions'])}")
    assert stats["unreadable"] == 0, stats["unreadable"]
    assert stats["reads"] > 100
    assert len(stats["versions"]) >= 10  # the readers really ran while the file kept changing
    final = json.loads(path.read_text())
    assert final["i"] == 39 and final["writer"] in ("a", "b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]  # no temporary left behind


@pytest.mark.slow
def test_two_score_runs_with_the_same_output_both_succeed_and_leave_one_whole_file(tmp_path):
    refs = tmp_path / "r.txt"
    refs.write_text("Clouds cool, so rain falls.\nWarmth melts ice.\nThe glass fell, so it broke.\n")
    runs = []
    for tag, text in (("a", "Rain falls because clouds cool."), ("b", "Nothing at all about it.")):
        preds = tmp_path / f"p_{tag}.txt"
        preds.write_text("\n".join([text] * 3) + "\n")
        runs.append((tag, preds))
    out = tmp_path / "result.json"
    procs = [subprocess.Popen([sys.executable, "-m", "cec_eval.cli", "score", "-p", str(p), "-r", str(refs), "-o", str(out),
                               "--details", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _, p in runs]
    seen = []
    while any(p.poll() is None for p in procs):  # read the output while both runs write it
        if out.exists():
            try:
                seen.append(json.loads(out.read_text())["n"])
            except ValueError:
                seen.append("unreadable")
        time.sleep(0.002)
    for p in procs:
        _, err = p.communicate()
        assert p.returncode == 0, err
    result = json.loads(out.read_text())
    print(f"{len(seen)} reads of the shared output while both runs wrote it")
    assert result["n"] == 3 and "unreadable" not in seen
    assert sorted(x.name for x in tmp_path.iterdir()) == ["p_a.txt", "p_b.txt", "r.txt", "result.json"]
