"""The report script runs end to end from the repository (small settings) and writes every table."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "causal_report.py"


def _module():
    spec = importlib.util.spec_from_file_location("causal_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_report_script_smoke(tmp_path):
    module = _module()
    out, js = tmp_path / "causal.md", tmp_path / "causal.json"
    args = ["--questions", "4", "--per-family", "3", "--n-boot", "20", "--contrast-items", "12", "--out", str(out), "--json", str(js)]
    assert module.main(args) == 0
    text = out.read_text()
    results = json.loads(js.read_text())
    for heading in ("### 2a. Direction accuracy per connective family", "### 2b. Direction accuracy per connective family",
                    "### 2c. The families with pseudo-word events", "### 3. Leave-one-family-out", "### 4. Blind set v28 (200 items", "#### 4b. Earlier blind sets: development data",
                    "| v20 (`benchmarks/data/blind_direction_v20.jsonl`) | 200 |",
                    "| v19 (`benchmarks/data/blind_direction_v19.jsonl`) | 200 |",
                    "| v18 (`benchmarks/data/blind_direction_v18.jsonl`) | 200 |",
                    "| v17 (`benchmarks/data/blind_direction_v17.jsonl`) | 200 |",
                    "| v16 (`benchmarks/data/blind_direction_v16.jsonl`) | 220 |",
                    "| v15 (`benchmarks/data/blind_direction_v15.jsonl`) | 208 |",
                    "| v14 (`benchmarks/data/blind_direction_v14.jsonl`) | 216 |",
                    "| v13 (`benchmarks/data/blind_direction_v13.jsonl`) | 240 |",
                    "| v12 (`benchmarks/data/blind_direction_v12.jsonl`) | 208 |",
                    "| v11 (`benchmarks/data/blind_direction_v11.jsonl`) | 248 |",
                    "| v10 (`benchmarks/data/blind_direction_v10.jsonl`) | 216 |",
                    "| v9 (`benchmarks/data/blind_direction_v9.jsonl`) | 212 |",
                    "| v8 (`benchmarks/data/blind_direction_v8.jsonl`) | 212 |",
                    "| v7 (`benchmarks/data/blind_direction_v7.jsonl`) | 217 |",
                    "| v6 (`benchmarks/data/blind_direction_v6.jsonl`) | 201 |",
                    "| v5 (`benchmarks/data/blind_direction_v5.jsonl`) | 222 |",
                    "| v4 (`benchmarks/data/blind_direction_v4.jsonl`) | 205 |",
                    "| v3 (`benchmarks/data/blind_direction_v3.jsonl`) | 153 |",
                    "| v2 (`benchmarks/data/blind_direction_v2.jsonl`) | 123 |", "| v1 (`cec_eval/causal/data/blind_direction.jsonl`) | 66 |", "#### COPA-SSE dev", "#### Wiegreffe et al. CQA train",
                    "#### Wiegreffe et al. SNLI train", "#### Choosing the causal variant's default", "## Targets, checked by this run"):
        assert heading in text, heading
    assert set(results["agreement"]["sets"]) == {"copa_sse_dev", "wiegreffe_cqa_train", "wiegreffe_snli_train"}
    assert all(d["questions"] == 4 for d in results["agreement"]["sets"].values())
    assert all(len(v) == 8 for v in results["families"]["lofo"].values())
    # re-rendering from the JSON gives the same page
    again = tmp_path / "again.md"
    assert module.main(["--from-json", str(js), "--out", str(again)]) == 0
    assert again.read_text() == text


def test_choose_default_rule():
    """Exact: the rule picks the qualifying setting with the highest mean partial ρ, or keeps mean/max."""
    module = _module()

    def sets(causal: dict[str, float], plain: float, bert: float):
        rows = {}
        for how in ("max", "mean"):
            rows[module._row_key("CEC (plain)", "mean", how)] = {s: {"value": plain} for s in module.HEADLINE}
            rows[module._row_key("BERTScore F1", None, how)] = {s: {"value": bert} for s in module.HEADLINE}
        for (rule, how), v in causal.items():
            rows[module._row_key("Causal CEC", rule, how)] = {s: {"value": v} for s in module.HEADLINE}
        return {"sets": {n: {"rows": rows} for n in ("a", "b", "c")}}

    values = {("mean", "max"): 0.30, ("mean", "mean"): 0.35, ("f3", "max"): 0.25, ("f3", "mean"): 0.40}
    sel = module.choose_default(sets(values, plain=0.28, bert=0.20))
    assert sel["qualifying"] == ["Causal CEC, agg mean, mref:max", "Causal CEC, agg mean, mref:mean", "Causal CEC, agg f3, mref:mean"]
    assert sel["chosen"] == "Causal CEC, agg f3, mref:mean"
    sel = module.choose_default(sets(values, plain=0.50, bert=0.20))
    assert sel["qualifying"] == [] and sel["chosen"] == "Causal CEC, agg mean, mref:max"
