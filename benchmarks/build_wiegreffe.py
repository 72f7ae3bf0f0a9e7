"""Convert the Wiegreffe et al. (2022) TRAIN acceptability CSVs into the shipped rated datasets.

    python benchmarks/build_wiegreffe.py /work/shared/data/wiegreffe2022_train

Writes ``cec_eval/data/datasets/wiegreffe-{cqa,snli}-train.jsonl.gz`` (gzip, mtime 0, so a rebuild is
byte-identical): one JSON object per item, in file order of first appearance, with the five GPT-3
explanations and every annotator's judgement kept as given:

``{"id", "task": "cqa"|"snli", "question", "answer_choices" | "premise", "hypothesis", "gold_label",
"explanations": [5 str], "sources": [5 str], "nll": [5 float], "judgements": [[int 1..5], ...]
(one list of acceptable explanation numbers per annotator), "acceptability": [5 float]}`` where
``acceptability[k]`` is the share of the item's annotators who marked explanation k+1 acceptable
(the human target named in the source's PROVENANCE.md).
"""
from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "cec_eval" / "data" / "datasets"
FILES = {"cqa": ("commonsenseqa_train.csv", "wiegreffe-cqa-train.jsonl.gz"),
         "snli": ("snli_train.csv", "wiegreffe-snli-train.jsonl.gz")}


def convert(path: Path, task: str) -> list[dict]:
    items: dict[str, dict] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), 2):  # line 1 is the header
            key = row["Input.id"]
            expl = [row[f"Input.explanation_{k}"] for k in range(1, 6)]
            try:
                acc = sorted({int(x) for x in row["Answer.acceptable"].split("|") if x.strip()})
            except ValueError:
                raise SystemExit(f"{path}:{n}: field 'Answer.acceptable' is not '|'-separated numbers: {row['Answer.acceptable']!r}")
            if any(not 1 <= a <= 5 for a in acc):
                raise SystemExit(f"{path}:{n}: field 'Answer.acceptable' names an explanation outside 1..5")
            if key not in items:
                item = {"id": key, "task": task}
                if task == "cqa":
                    item |= {"question": row["Input.question"], "answer_choices": row["Input.answer_choices"]}
                else:
                    item |= {"premise": row["Input.premise"], "hypothesis": row["Input.hypothesis"]}
                item |= {"gold_label": row["Input.gold_label"], "explanations": expl,
                         "sources": [row[f"Input.source_sample_{k}"] for k in range(1, 6)],
                         "nll": [float(row[f"Input.nll_{k}"]) for k in range(1, 6)], "judgements": []}
                items[key] = item
            elif items[key]["explanations"] != expl:
                raise SystemExit(f"{path}:{n}: item {key!r} lists its explanations in another order than its first line")
            items[key]["judgements"].append(acc)
    for item in items.values():
        j = item["judgements"]
        item["acceptability"] = [sum(k in a for a in j) / len(j) for k in range(1, 6)]
    return list(items.values())


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else Path("/work/shared/data/wiegreffe2022_train")
    for task, (name, out) in FILES.items():
        items = convert(src / name, task)
        with gzip.GzipFile(OUT / out, "wb", mtime=0) as fh:
            for item in items:
                fh.write((json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8"))
        print(f"{out}: {len(items)} items, {sum(len(i['judgements']) for i in items)} judgements")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
