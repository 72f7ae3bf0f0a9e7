"""How the metrics treat non-Latin scripts: the table in docs/metrics.md ("Non-Latin scripts").

    python benchmarks/scripts_report.py

For one hand-written pair per script (a related shorter sentence and an unrelated one, each scored
against the same reference) it prints the share of [UNK] word pieces under MiniLM's tokenizer and
CEC, BERTScore F1 and METEOR of the related and the unrelated sentence. Illustrative (n = 1 per
script), not a benchmark: it shows whether a metric still separates related from unrelated text.
"""
from __future__ import annotations

import warnings

PAIRS = {  # script: (reference, related shorter sentence, unrelated sentence)
    "English (Latin)": ("Carbon dioxide traps heat, so the planet warms.", "The planet warms.", "The cat is sleeping on the sofa."),
    "Hindi (Devanagari)": ("जलवायु परिवर्तन से समुद्र का स्तर बढ़ता है।", "समुद्र का स्तर बढ़ता है।", "बिल्ली सोफे पर सो रही है।"),
    "Chinese (Han)": ("二氧化碳吸收热量，所以地球变暖。", "地球变暖。", "猫在沙发上睡觉。"),
    "Japanese": ("二酸化炭素が熱を閉じ込めるので地球が暖まる。", "地球が暖まる。", "猫がソファで寝ている。"),
    "Arabic": ("ثاني أكسيد الكربون يحبس الحرارة، لذلك يسخن الكوكب.", "لذلك يسخن الكوكب.", "القطة نائمة على الأريكة."),
    "Russian (Cyrillic)": ("Углекислый газ удерживает тепло, поэтому планета нагревается.", "Планета нагревается.", "Кошка спит на диване."),
}


def main() -> None:
    from transformers import AutoTokenizer

    from cec_eval import get_scorer
    from cec_eval.metrics import get_metric
    from cec_eval.resources import default_embedding_model_path

    tok = AutoTokenizer.from_pretrained(default_embedding_model_path())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # METEOR without WordNet warns; the table says what ran
        cec, bertscore, meteor = get_scorer(), get_metric("bertscore"), get_metric("meteor")
        print("| script | [UNK] share of word pieces | CEC related / unrelated | BERTScore related / unrelated | METEOR related / unrelated |")
        print("|---|---|---|---|---|")
        for name, (ref, related, unrelated) in PAIRS.items():
            pieces = [t for s in (ref, related, unrelated) for t in tok.tokenize(s)]
            unk = sum(t == tok.unk_token for t in pieces) / len(pieces)
            c = cec.score([related, unrelated], [ref, ref]).sym
            b = bertscore.score([related, unrelated], [ref, ref]).scores
            m = meteor.score([related, unrelated], [ref, ref]).scores
            print(f"| {name} | {unk:.2f} ({len(pieces)} pieces) | {c[0]:.3f} / {c[1]:.3f} | {b[0]:.3f} / {b[1]:.3f} | {m[0]:.3f} / {m[1]:.3f} |")
        print(f"\nMETEOR: {meteor.signature()}")


if __name__ == "__main__":
    main()
