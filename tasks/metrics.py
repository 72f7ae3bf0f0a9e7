"""``process_results`` and corpus-level aggregations of the task pack.

CEC needs one batched embedding pass over the whole corpus, so ``process_results`` only passes
(prediction, references, reference source) through and the aggregation functions score them all
at once with the process-wide :func:`cec_eval.get_scorer` (model loaded once, sentence embeddings
cached). The forward / backward / sym / signature aggregations receive equal item lists, so the
scored corpus is memoised on its content and computed once.

The ``cec_signature`` metric's value is a string: the CEC signature plus ``refs:<source>``, so the
results table and JSON say which embedding model, splitter and references produced the numbers.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
from collections import OrderedDict
from typing import Any, Sequence

from .answers import math_equivalent, normalize_number
from .filters import explanation_text

log = logging.getLogger(__name__)

CEC_METRICS = ("cec_forward", "cec_backward", "cec_sym", "cec_signature")
LEXICAL_METRICS = ("bleu", "rouge1", "rouge2", "rougeL", "meteor", "bertscore")
_MEMO: "OrderedDict[tuple, Any]" = OrderedDict()
_MEMO_SIZE = 16


def _memo(kind: str, items: Sequence, compute):
    blob = json.dumps([list(i) if isinstance(i, (list, tuple)) else i for i in items], sort_keys=True, default=str)
    key = (kind, hashlib.sha256(blob.encode("utf-8")).hexdigest())
    if key not in _MEMO:
        _MEMO[key] = compute()
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return _MEMO[key]


def text_item(doc: dict, prediction: str) -> tuple:
    """What the corpus-level aggregations need from one document."""
    return (prediction or "", tuple(doc["references"]), doc.get("reference_source", "unknown"), doc.get("cec_options", ""))


# --------------------------------------------------------------------------------------------
# process_results


def _cec_metrics(doc: dict, text: str) -> dict:
    item = text_item(doc, text)
    return {name: item for name in CEC_METRICS}


def _judge_metrics(r: dict) -> dict:
    """A judge row's metrics. ``judged_acc`` only for a usable verdict (CORRECT/INCORRECT), so its
    mean is over judged rows and a dead judge yields no ``judged_acc`` at all (undefined), never 0;
    ``judged_n`` (1 per judged row, summed by :func:`agg_judged_n`); ``judge_invalid`` (1 per
    unusable verdict: INVALID or ERROR, apart from wrong ones); ``regex_acc`` on every row."""
    if not r.get("configured"):
        return {}  # no judge configured: no judged rows rather than fake ones
    verdict = r.get("verdict")
    judged = verdict in ("CORRECT", "INCORRECT")
    out = {
        "judged_n": float(judged),
        "judge_invalid": float(not judged),
        "regex_acc": float(bool(r.get("regex_correct"))),
        "judge_signature": r.get("signature", ""),
    }
    if judged:
        out["judged_acc"] = float(verdict == "CORRECT")
    return out


def agg_judged_n(items: Sequence[float]) -> int:
    """How many rows the judge judged (the count behind ``judged_acc``)."""
    return int(sum(items))


def process_results(doc: dict, results: list) -> dict:
    """Metrics of one document under one filter pipeline (dispatched on the filter's output)."""
    r = results[0]
    if not isinstance(r, dict):  # a pipeline without a CausalFilter (e.g. a user's own YAML)
        r = {"filter": "explanation", "text": explanation_text(r)}
    kind = r.get("filter")
    if kind == "explanation":
        out = _cec_metrics(doc, r["text"])
        out.update({name: (r["text"], tuple(doc["references"])) for name in LEXICAL_METRICS})
        return out
    if kind == "reasoning":
        return _cec_metrics(doc, r["text"])
    if kind == "format":
        return {"format_compliance": float(bool(r["compliant"]))}
    if kind == "judge":
        return _judge_metrics(r)
    if kind == "answer":
        return {answer_metric(doc): float(is_correct(doc, r))}
    raise ValueError(f"process_results: unknown filter output {kind!r}")


def answer_metric(doc: dict) -> str:
    return "acc" if "choices" in doc else "exact_match"


def is_correct(doc: dict, r: dict) -> bool:
    """Whether an extracted answer matches the document's gold answer."""
    extracted = r.get("extracted")
    if extracted is None:
        return False
    if "choices" in doc:  # GPQA: a letter
        return str(extracted).strip().upper() == doc["answer"]
    if r.get("mode") == "math":
        return math_equivalent(doc["gold"], extracted)
    return normalize_number(extracted) == normalize_number(doc["gold"])


# --------------------------------------------------------------------------------------------
# aggregations


def scorer_for(options: str | None = None, **overrides: Any):
    """The process-wide scorer for a document's CEC options (JSON from
    :func:`cec_eval.tasks.data.cec_options`; a bare string is a model path), with ``overrides``."""
    from cec_eval import get_scorer

    if options and options.lstrip().startswith("{"):
        kwargs = json.loads(options)
    else:
        kwargs = {"model": options} if options else {}
    kwargs.update({k: v for k, v in overrides.items() if v})
    return get_scorer(**kwargs)


def _corpus_cec(items: Sequence[tuple]) -> dict:
    def compute() -> dict:
        options = {i[3] for i in items}
        if len(options) > 1:
            raise ValueError(f"CEC items ask for different CEC options: {sorted(map(str, options))}")
        scorer = scorer_for(options.pop())
        result = scorer.score([i[0] for i in items], [list(i[1]) for i in items])
        sources = "+".join(sorted({str(i[2]) for i in items}))
        if result.empty_predictions:
            log.warning("CEC: %d of %d predictions were empty and score 0", len(result.empty_predictions), len(items))
        return {**result.mean, "signature": f"{result.signature}|refs:{sources}"}

    return _memo("cec", items, compute)


def agg_cec_forward(items: Sequence[tuple]) -> float:
    return _corpus_cec(items)["forward"]


def agg_cec_backward(items: Sequence[tuple]) -> float:
    return _corpus_cec(items)["backward"]


def agg_cec_sym(items: Sequence[tuple]) -> float:
    return _corpus_cec(items)["sym"]


def agg_cec_signature(items: Sequence[tuple]) -> str:
    return _corpus_cec(items)["signature"]


def _lexical(name: str, items: Sequence[tuple]) -> float:
    """Table 1's other metrics through :mod:`cec_eval.metrics` (mean of per-item scores; BERTScore
    on the local MiniLM backbone). A metric that cannot run here is logged and reported as NaN
    rather than failing the whole task."""

    def compute() -> dict:
        from cec_eval.metrics import get_metric

        preds = [i[0] for i in items]
        refs = [list(i[1]) for i in items]
        out = {}
        for metric in LEXICAL_METRICS:
            try:
                out[metric] = get_metric(metric).score(preds, refs).mean
            except Exception as e:  # e.g. a missing optional resource
                log.warning("%s not computed: %s", metric, e)
        return out

    return _memo("lexical", items, compute).get(name, math.nan)


def agg_bleu(items: Sequence[tuple]) -> float:
    return _lexical("bleu", items)


def agg_rouge1(items: Sequence[tuple]) -> float:
    return _lexical("rouge1", items)


def agg_rouge2(items: Sequence[tuple]) -> float:
    return _lexical("rouge2", items)


def agg_rougeL(items: Sequence[tuple]) -> float:
    return _lexical("rougeL", items)


def agg_meteor(items: Sequence[tuple]) -> float:
    return _lexical("meteor", items)


def agg_bertscore(items: Sequence[tuple]) -> float:
    return _lexical("bertscore", items)


def agg_first(items: Sequence[str]) -> str:
    """A per-run constant (the judge signature): the distinct values, joined."""
    return " ; ".join(dict.fromkeys(str(i) for i in items))
