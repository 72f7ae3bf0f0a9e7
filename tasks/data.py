"""Datasets for the task pack, built in memory from the files shipped with cec_eval.

lm-eval calls these through ``custom_dataset`` with the task's ``metadata`` (including anything
given with ``--metadata '{...}'`` and the ``--model_args``) and ``dataset_kwargs`` as keyword
arguments, so unknown keywords are accepted and ignored. Nothing depends on the current
directory, and GPQA rows never touch the disk: the password-protected zip is read into memory and
turned into an in-memory ``datasets.Dataset``.
"""
from __future__ import annotations

import json

import csv
import functools
import hashlib
import io
import logging
import random
import re
import zipfile
from pathlib import Path
from typing import Any, Iterable

from cec_eval.errors import InputError

log = logging.getLogger(__name__)

LETTERS = ("A", "B", "C", "D")
#: Climate-FEVER claim labels evaluated when nothing else is asked for (see docs/tasks.md)
DEFAULT_CLAIM_LABELS = ("SUPPORTS", "REFUTES")
ALL_CLAIM_LABELS = ("SUPPORTS", "REFUTES", "DISPUTED", "NOT_ENOUGH_INFO")
EVIDENCE_REFERENCES = "climate-fever-evidence"
GPQA_PASSWORD = b"deserted-untie-orchid"  # published in the GPQA README; it only deters crawlers
GPQA_SUBSETS = ("diamond", "main", "extended")
DEFAULT_GPQA_SEED = 1234
TEACHER_FIELDS = ("explanation", "reference", "text", "output", "response", "completion")


#: ``--metadata`` key -> :class:`~cec_eval.CECScorer` keyword argument
CEC_OPTIONS = {"cec_model": "model", "cec_variant": "variant", "cec_aggregation": "aggregation", "cec_multi_ref": "multi_ref",
               "cec_backend": "backend", "cec_cache_dir": "cache_dir"}


def cec_options(**metadata: Any) -> str:
    """The CEC scorer options given with ``--metadata`` (``cec_model``, ``cec_variant``,
    ``cec_aggregation``, ``cec_multi_ref``, ``cec_backend``, ``cec_cache_dir``; other keys are
    ignored) as a JSON string of
    :class:`~cec_eval.CECScorer` keyword arguments."""
    options = {CEC_OPTIONS[k]: str(v) for k, v in metadata.items() if k in CEC_OPTIONS and v}
    return json.dumps(options, sort_keys=True)


def _dataset_dict(rows: list[dict], **metadata: Any):
    """An in-memory DatasetDict with one "test" split. The CEC options (from ``--metadata``) ride
    along in every document because ``process_results`` only ever sees the document."""
    import datasets

    from .judge import judge_options  # here, not at the top: judge imports this module

    options = cec_options(**metadata)
    try:
        judge = judge_options(**metadata)
    except ValueError as exc:
        raise InputError(f"--metadata: {exc}") from None
    for row in rows:
        row["cec_options"] = options
        row["judge_options"] = judge  # the judge filter sees documents only
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)})


# --------------------------------------------------------------------------------------------
# Climate-FEVER


def _as_labels(value: Any) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_CLAIM_LABELS
    items = value.split(",") if isinstance(value, str) else list(value)
    labels = tuple(str(x).strip().upper() for x in items if str(x).strip())
    bad = [x for x in labels if x not in ALL_CLAIM_LABELS]
    if bad or not labels:
        raise InputError(f"claim_labels: unknown label(s) {bad or value!r}; choose from {list(ALL_CLAIM_LABELS)}")
    return labels


def load_teacher_references(path: str | Path, field: str | None = None) -> tuple[dict[str, list[str]], str]:
    """Teacher explanations keyed by claim id, from a JSONL/CSV file with a ``claim_id`` column
    (several rows per claim give several references). The traces file of ``cec-eval distill
    teacher`` works as is: its ``completion`` column is picked, rows of other sources skipped. Returns (references, source tag); the tag
    names the file and a hash of its bytes so a result says exactly which references it used."""
    from cec_eval.io import pick_field, read_records

    path = Path(path).expanduser().resolve()
    rows = read_records(path)
    text_field = pick_field(rows, field, TEACHER_FIELDS, path)
    from .analysis import explanation_text

    refs: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        if "claim_id" not in row:
            # a distill traces file mixes sources: rows of other datasets are not references here
            if row.get("source") not in (None, "climate_fever"):
                continue
            raise InputError(f"{path}: row {i} has no field 'claim_id'")
        value = row.get(text_field)
        if not isinstance(value, str) or not explanation_text(value):
            raise InputError(f"{path}: row {i} (claim_id {row['claim_id']!r}): field {text_field!r} is empty or not text")
        # a teacher that wrote the Claire format: the reference is its text without the markers
        refs.setdefault(str(row["claim_id"]), []).append(explanation_text(value))
    if not refs:
        raise InputError(f"{path}: no row with a 'claim_id' (teacher explanations are keyed by Climate-FEVER claim id)")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    return refs, f"teacher:{path.name}@{digest}"


def evidence_reference(row: dict) -> str | None:
    """The deterministic out-of-the-box reference: the human-annotated evidence sentences whose
    label matches the claim's verdict (SUPPORTS/REFUTES), or both kinds for a DISPUTED claim, in
    dataset order. NOT_ENOUGH_INFO claims have none."""
    label = row["claim_label"]
    wanted = {"SUPPORTS", "REFUTES"} if label == "DISPUTED" else {label}
    sentences = [e["evidence"].strip() for e in row["evidences"] if e["evidence_label"] in wanted]
    return " ".join(sentences) if sentences else None


def climate_fever(
    references: str | None = None,
    reference_field: str | None = None,
    claim_labels: Any = None,
    **metadata: Any,
):
    """Climate-FEVER claims with their five evidence sentences and a reference explanation.

    ``references``: a teacher-explanation file keyed by ``claim_id`` (only claims it covers are
    evaluated); default: references built from the annotated evidence (see
    :func:`evidence_reference`). ``claim_labels``: which claims to keep (default
    SUPPORTS,REFUTES)."""
    from cec_eval.resources import read_jsonl

    labels = _as_labels(claim_labels)
    if references:
        teacher, source = load_teacher_references(references, reference_field)
    else:
        if "NOT_ENOUGH_INFO" in labels:
            raise InputError(
                "claim_labels: NOT_ENOUGH_INFO claims have no annotated supporting/refuting evidence to "
                "build a reference from; give teacher explanations with --metadata "
                "'{\"references\": \"teacher.jsonl\"}' or leave NOT_ENOUGH_INFO out"
            )
        teacher, source = None, EVIDENCE_REFERENCES
    rows, missing = [], 0
    for row in read_jsonl("climate_fever"):
        if row["claim_label"] not in labels:
            continue
        if teacher is not None:
            refs = teacher.get(str(row["claim_id"]))
        else:
            ref = evidence_reference(row)
            refs = [ref] if ref else None
        if not refs:
            missing += 1
            continue
        rows.append(
            {
                "claim_id": str(row["claim_id"]),
                "claim": row["claim"],
                "claim_label": row["claim_label"],
                "evidences": [e["evidence"] for e in row["evidences"]],
                "references": refs,
                "reference_source": source,
            }
        )
    if missing:
        log.warning("climate_fever_cec: %d claim(s) have no reference in %s and are skipped", missing, source)
    if not rows:
        raise InputError(f"climate_fever_cec: no claim with labels {list(labels)} has a reference in {source}")
    return _dataset_dict(rows, **metadata)


# --------------------------------------------------------------------------------------------
# GSM8K

_CALC = re.compile(r"<<[^>]*>>")


def gsm8k_solution(answer: str) -> str:
    """GSM8K's human solution without calculator annotations and without the final "#### N"."""
    body = answer.split("####")[0]
    return _CALC.sub("", body).strip()


def gsm8k_gold(answer: str) -> str:
    return answer.split("####")[-1].strip().replace(",", "")


def gsm8k(**metadata: Any):
    """GSM8K test (1,319 problems) with the cleaned human solution as the CEC reference."""
    from cec_eval.resources import read_jsonl

    rows = []
    for i, row in enumerate(read_jsonl("gsm8k_test")):
        rows.append(
            {
                "id": i,
                "question": row["question"],
                "gold": gsm8k_gold(row["answer"]),
                "references": [gsm8k_solution(row["answer"])],
                "reference_source": "gsm8k-solution",
            }
        )
    return _dataset_dict(rows, **metadata)


# --------------------------------------------------------------------------------------------
# GPQA


@functools.lru_cache(maxsize=len(GPQA_SUBSETS))
def _gpqa_csv(subset: str) -> str:
    """The decrypted CSV text, kept in this process's memory (ZipCrypto decryption is pure Python
    and slow; the text is never written anywhere)."""
    from cec_eval.resources import dataset_path

    with zipfile.ZipFile(dataset_path("gpqa_zip")) as z:
        return z.read(f"dataset/gpqa_{subset}.csv", pwd=GPQA_PASSWORD).decode("utf-8")


def _gpqa_rows(subset: str) -> Iterable[dict]:
    if subset not in GPQA_SUBSETS:
        raise InputError(f"gpqa subset: {subset!r} is not one of {list(GPQA_SUBSETS)}")
    return csv.DictReader(io.StringIO(_gpqa_csv(subset)))


def shuffled_options(correct: str, incorrect: list[str], key: str, seed: int) -> tuple[list[str], str]:
    """The four options in an order fixed by (seed, question key), and the correct letter.

    Seeding per question (not one RNG over the file) keeps each question's order stable when
    ``--limit`` or the subset changes."""
    options = [correct, *incorrect]
    order = list(range(4))
    random.Random(f"{seed}:{key}").shuffle(order)
    shuffled = [options[i].strip() for i in order]
    return shuffled, LETTERS[order.index(0)]


def gpqa(
    subset: str = "diamond",
    shuffle_seed: int = DEFAULT_GPQA_SEED,
    **metadata: Any,
):
    """A GPQA subset in memory: options shuffled with a fixed seed, expert explanation as the
    CEC reference."""
    rows = []
    for i, row in enumerate(_gpqa_rows(subset)):
        try:
            incorrect = [row[f"Incorrect Answer {k}"] for k in (1, 2, 3)]
            options, letter = shuffled_options(row["Correct Answer"], incorrect, row["Record ID"], int(shuffle_seed))
            question, explanation = row["Question"].strip(), row["Explanation"].strip()
        except KeyError as e:  # never quote the row itself (GPQA must not leak into logs)
            raise InputError(f"gpqa_{subset}: row {i} lacks column {e}") from None
        rows.append(
            {
                "id": row["Record ID"],
                "question": question,
                "choices": options,
                "answer": letter,
                "references": [explanation],
                "reference_source": f"gpqa-{subset}-explanation",
                "domain": row.get("High-level domain", ""),
            }
        )
    return _dataset_dict(rows, **metadata)


def gpqa_diamond(**kwargs: Any):
    return gpqa(**{**kwargs, "subset": "diamond"})


def gpqa_main(**kwargs: Any):
    return gpqa(**{**kwargs, "subset": "main"})


def gpqa_extended(**kwargs: Any):
    return gpqa(**{**kwargs, "subset": "extended"})
