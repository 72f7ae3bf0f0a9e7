"""The report script runs end to end from the repository (small settings) and writes the tables."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "causal_report.py"


@pytest.mark.slow
def test_report_script_smoke(tmp_path):
    spec = importlib.util.spec_from_file_location("causal_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out, js = tmp_path / "causal.md", tmp_path / "causal.json"
    args = ["--questions", "6", "--n-boot", "20", "--contrast-items", "24", "--out", str(out), "--json", str(js)]
    assert module.main(args) == 0
    text = out.read_text()
    results = json.loads(js.read_text())
    assert "### Direction accuracy (shipped e-CARE contrast set, 24 items)" in text
    assert "| Causal CEC (default: agg f3), mref:max |" in text and "| BERTScore F1, mref:mean |" in text
    assert "half 0" in text and "| Causal CEC, mref:max | " in text  # halves and recall-weight tables
    pad = results["padding"]["rows"]
    assert pad["Causal CEC (default: agg f3)"]["lowered"] > 0.9 > 0.5 > pad["Causal CEC, backward direction only"]["lowered"]
    rows = results["direction"]["rows"]
    assert rows["Causal CEC (default: surface links, w=0.5, pen=1, agg f3)"]["accuracy"] > rows["CEC (plain)"]["accuracy"]
    assert results["agreement"]["questions"] == 6
    # re-rendering from the JSON gives the same tables
    again = tmp_path / "again.md"
    assert module.main(["--from-json", str(js), "--out", str(again)]) == 0
    assert again.read_text() == text
