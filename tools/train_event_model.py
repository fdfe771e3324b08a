"""Train the event-type classifier, report cross-validated scores, and write data/event_model.npz.

    python tools/train_event_model.py --no-alternatives --only-folds 1   # how the shipped model was made
    python tools/train_event_model.py                # 5-fold cross-validation (about 30 minutes), fit, write
    python tools/train_event_model.py --skip-cv      # fit and write only: no figures, no calibration
    python tools/train_event_model.py --learning-curve --only-folds 1   # figures for shares of the data

Trains on the event corpora of ``shared/bench/events`` (ACLED notes of ``acled.jsonl`` and
``acled_more.jsonl``, CASE 2021 snippets) and on the passages of half the BBC articles of
``shared/bench/articles/bbc.jsonl`` that report no political violence (``training_half``; the
other half stays unseen for the article benchmark). ``--small`` keeps to the first two files, as
the tests do. Labels are ACLED's 25 sub-event types plus CASE's five non-event classes and news
background, which the runtime reports as one "Non-ACLED". The written file holds CRC-32 bucket numbers, idf values and
weights, never a text or an n-gram: the corpora may not be redistributed.

The model: three TF-IDF blocks (``geo.event_model.ANALYZERS``), each copied once more for the text
style of the record (ACLED note or news), so the two styles share what they have in common and
keep what differs; a linear SVM over the 30 labels plus, added to each sub-type's score, a
fraction of a second SVM's score for its parent event type.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from geo.event_model import DEFAULT_MODEL, HASH_BITS, MODEL_FORMAT, NON_ACLED, bucket, cue_names, is_note_style
from geo.events import passages
from geo.table import EVENT_TYPES, SUB_EVENT_TYPES

REPO = Path(__file__).resolve().parent.parent

DEFAULT_EVENTS = REPO.parent / "shared" / "bench" / "events"
DEFAULT_ARTICLES = REPO.parent / "shared" / "bench" / "articles"
# The small development files: what the tests fit on (a fit of every record takes minutes).
CORPORA = ("acled.jsonl", "case2021_task2.jsonl")
# What the shipped model is trained on: those, ACLED's larger note file, and whole articles that
# report no political violence, whose passages teach what news says when nothing happened.
SHIPPED_CORPORA = CORPORA + ("acled_more.jsonl",)
NON_EVENT_ARTICLES = ("bbc.jsonl",)
NEWS_BACKGROUND = f"{NON_ACLED}: News background"


@dataclass(frozen=True)
class Block:
    """One TF-IDF block: which n-grams, how rare an n-gram may be, and its weight in the union."""

    name: str
    kind: str  # a key of geo.event_model.ANALYZERS
    ngram_range: tuple[int, int]
    weight: float = 1.0
    min_df: int = 2  # n-grams of a single training text are dropped: noise, and closer to the text
    max_features: int | None = None  # the most frequent n-grams only: keeps the shipped file small


@dataclass(frozen=True)
class Config:
    """Everything that decides the fitted model besides the data."""

    name: str
    blocks: tuple[Block, ...]
    split_by_style: bool = True  # a copy of every feature per text style (note or news)
    C: float = 1.0
    class_balance: float = 0.5  # sample weight (median class size / class size) ** this
    type_weight: float = 0.5  # share of the event-type SVM's score added to each sub-type's
    non_acled_margin: float = 0.3  # added to non-event scores: most news paragraphs are not events
    # Sample weight of news-style texts: 40,000 ACLED notes would otherwise drown the 5,000 news texts
    # that are what users feed newsmap.
    news_weight: float = 1.0
    description: str = ""


CHOSEN = Config(
    "chosen",
    (Block("word", "word", (1, 2), max_features=100_000), Block("char", "char_wb", (2, 5), max_features=150_000),
     Block("cue", "cue", (1, 1), weight=0.5, min_df=1)),
    description="word 1-2 + char_wb 2-5 + cue TF-IDF, per-style copies, LinearSVC over 30 labels "
                "+ 0.5 x event-type LinearSVC, sqrt class balance, Non-ACLED margin 0.3",
)
ALTERNATIVES = (
    Config("plain", (Block("word", "word", (1, 2), min_df=1), Block("char", "char_wb", (2, 5), min_df=1)),
           split_by_style=False, class_balance=0.0, type_weight=0.0, non_acled_margin=0.0,
           description="word 1-2 + char_wb 2-5 TF-IDF, one LinearSVC (the Piskorski et al. baseline)"),
    replace(CHOSEN, name="flat", type_weight=0.0,
            description="the chosen features and weights, without the event-type SVM"),
)


@dataclass
class Records:
    """The training texts with their labels and the corpus each came from."""

    texts: list[str]
    labels: np.ndarray  # sub-event type, or "Non-ACLED: <CASE class>"
    sources: np.ndarray
    counts: dict[str, int] = field(default_factory=dict)


def load_records(events_dir: Path = DEFAULT_EVENTS, corpora=CORPORA, articles_dir: Path | None = None,
                 non_event_articles=()) -> Records:
    """Read the labelled corpora, and the passages of articles people judged to report no event.

    Only the articles of ``training_half`` are read from ``non_event_articles``: the other half
    stays unseen, so the article benchmark can be scored honestly on it.
    """
    texts, labels, sources, counts = [], [], [], {}
    for name in corpora:
        lines = (Path(events_dir) / name).read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
        counts[name] = len(rows)
        for row in rows:
            texts.append(row["text"])
            sources.append(Path(name).stem)
            if row["event_type"] == NON_ACLED:
                labels.append(f"{NON_ACLED}: {row['sub_event_type']}")
            else:
                labels.append(row["sub_event_type"])
    for name in non_event_articles:
        lines = (Path(articles_dir) / name).read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
        chosen = [row for row in rows if row.get("relevant") is False and training_half(row["id"])]
        found = [unit.text for row in chosen for unit in passages(row["text"])]
        counts[name] = len(found)
        texts += found
        labels += [NEWS_BACKGROUND] * len(found)
        sources += [Path(name).stem] * len(found)
    return Records(texts, np.array(labels), np.array(sources), counts)


def training_half(article_id: str) -> bool:
    """Whether an article belongs to the half of a file the classifier may learn from (stable by id)."""
    return zlib.crc32(str(article_id).encode("utf-8")) % 2 == 0


def output_label(label: str) -> str:
    """The label the runtime reports: the sub-event type, or "Non-ACLED"."""
    return NON_ACLED if label.startswith(NON_ACLED) else label


def event_type(label: str) -> str:
    """Parent event type of a label; "Non-ACLED" for the non-events."""
    return SUB_EVENT_TYPES.get(label, NON_ACLED)


class HashedAnalyzer:
    """scikit-learn's own analyzer for the block's kind, its n-grams replaced by CRC-32 buckets.

    Cue groups have no scikit-learn counterpart, so they come from the runtime's lexicon itself.
    """

    def __init__(self, kind: str, ngram_range: tuple[int, int]):
        self.kind, self.ngram_range = kind, tuple(ngram_range)
        if kind == "cue":
            self._analyze = cue_names
        else:
            self._analyze = CountVectorizer(analyzer=kind, ngram_range=self.ngram_range).build_analyzer()

    def __call__(self, text: str) -> list[int]:
        return [bucket(ngram) for ngram in self._analyze(text)]


class StyleFeatures(BaseEstimator, TransformerMixin):
    """The TF-IDF union, followed (when split) by a copy for notes, a copy for news and style flags."""

    def __init__(self, blocks: tuple[Block, ...] = CHOSEN.blocks, split_by_style: bool = True):
        self.blocks = blocks
        self.split_by_style = split_by_style

    def fit(self, texts, labels=None):
        self.union_ = FeatureUnion(
            [(b.name, TfidfVectorizer(analyzer=HashedAnalyzer(b.kind, b.ngram_range), min_df=b.min_df,
                                      max_features=b.max_features, sublinear_tf=True, dtype=np.float32)) for b in self.blocks],
            transformer_weights={b.name: b.weight for b in self.blocks})
        self.union_.fit(texts)
        return self

    def transform(self, texts):
        shared = self.union_.transform(texts).tocsr()
        if not self.split_by_style:
            return shared
        note = np.array([is_note_style(t) for t in texts], dtype=np.float32)
        flags = sp.csr_matrix(np.column_stack([note, 1 - note]))
        return sp.hstack([shared, sp.diags(note) @ shared, sp.diags(1 - note) @ shared, flags]).tocsr()


@dataclass
class FittedModel:
    """A fitted feature pipeline and the two SVMs, with the settings that combine them."""

    config: Config
    features: StyleFeatures
    sub_types: LinearSVC
    event_types: LinearSVC | None

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.sub_types.classes_]


def sample_weights(labels: np.ndarray, class_balance: float) -> np.ndarray | None:
    """Weights that raise rare classes part of the way towards the median class."""
    if not class_balance:
        return None
    sizes = Counter(labels)
    median = float(np.median(list(sizes.values())))
    return np.clip([(median / sizes[label]) ** class_balance for label in labels], 0.2, 5.0)


def fit_model(texts: list[str], labels: np.ndarray, config: Config = CHOSEN) -> FittedModel:
    """Fit the features and the SVMs of ``config`` on the texts."""
    features = StyleFeatures(config.blocks, config.split_by_style).fit(texts)
    X = features.transform(texts)
    weights = sample_weights(labels, config.class_balance)
    news = np.array([config.news_weight if not is_note_style(text) else 1.0 for text in texts])
    sub_types = LinearSVC(C=config.C, max_iter=10_000)
    sub_types.fit(X, labels, sample_weight=news if weights is None else weights * news)
    event_types = None
    if config.type_weight:
        event_types = LinearSVC(C=config.C, max_iter=10_000)
        event_types.fit(X, np.array([event_type(output_label(label)) for label in labels]), sample_weight=news)
    return FittedModel(config, features, sub_types, event_types)


def decision_scores(model: FittedModel, texts: list[str]) -> np.ndarray:
    """Scores of every label, as scikit-learn computes them: the reference the runtime must match."""
    X = model.features.transform(texts)
    scores = model.sub_types.decision_function(X)
    if model.event_types is not None:
        scores = scores + model.config.type_weight * model.event_types.decision_function(X)[:, _parents(model)]
    return scores + model.config.non_acled_margin * _is_non_acled(model)


def _parents(model: FittedModel) -> list[int]:
    types = list(model.event_types.classes_)
    return [types.index(event_type(output_label(label))) for label in model.labels]


def _is_non_acled(model: FittedModel) -> np.ndarray:
    return np.array([output_label(label) == NON_ACLED for label in model.labels], dtype=float)


def predicted_labels(model: FittedModel, scores: np.ndarray) -> np.ndarray:
    """Output labels ("Non-ACLED" collapsed) of the best score of each row."""
    return np.array([output_label(model.labels[i]) for i in scores.argmax(axis=1)])


def export_weights(model: FittedModel) -> dict[str, np.ndarray]:
    """The arrays of the model file: bucket numbers, idf and weights per style, no strings."""
    arrays, n_shared = {}, 0
    for _block, (name, vectorizer) in zip(model.config.blocks, model.features.union_.transformer_list):
        by_column = sorted(vectorizer.vocabulary_.items(), key=lambda item: item[1])
        arrays[f"{name}_buckets"] = np.array([b for b, _ in by_column], dtype=np.int32)
        arrays[f"{name}_idf"] = vectorizer.idf_.astype(np.float32)
        n_shared += len(by_column)
    for style, weights, intercept in _style_weights(model, n_shared):
        arrays[f"weights_{style}"] = weights.T.astype(np.float16)
        arrays[f"intercept_{style}"] = intercept.astype(np.float32)
    return arrays


def _style_weights(model: FittedModel, n_shared: int):
    """Fold the style copies, the event-type SVM and the margin into one matrix per style."""
    def per_style(svm: LinearSVC):
        coef, intercept = svm.coef_, svm.intercept_
        if not model.config.split_by_style:
            return {"note": (coef, intercept), "news": (coef, intercept)}
        shared = coef[:, :n_shared]
        return {"note": (shared + coef[:, n_shared:2 * n_shared], intercept + coef[:, 3 * n_shared]),
                "news": (shared + coef[:, 2 * n_shared:3 * n_shared], intercept + coef[:, 3 * n_shared + 1])}

    sub_types = per_style(model.sub_types)
    event_types = per_style(model.event_types) if model.event_types is not None else None
    for style in ("note", "news"):
        weights, intercept = sub_types[style]
        if event_types is not None:
            type_weights, type_intercept = event_types[style]
            parents = _parents(model)
            weights = weights + model.config.type_weight * type_weights[parents]
            intercept = intercept + model.config.type_weight * type_intercept[parents]
        yield style, weights, intercept + model.config.non_acled_margin * _is_non_acled(model)


def fit_temperature(scores: np.ndarray, labels: np.ndarray, classes: list[str]) -> float:
    """The scale of the scores whose softmax best predicts the held-out labels (least log loss)."""
    truth = np.array([classes.index(label) for label in labels])

    def log_loss(temperature: float) -> float:
        return -log_softmax(temperature * scores, axis=1)[np.arange(len(truth)), truth].mean()

    return float(minimize_scalar(log_loss, bounds=(0.1, 50.0), method="bounded").x)


def strata(records: Records, parts: int) -> list[str]:
    """Corpus and label of each record, for splits into ``parts`` that keep both proportions."""
    pairs = [f"{s}|{output_label(label)}" for s, label in zip(records.sources, records.labels)]
    sizes = Counter(pairs)
    # A label with fewer records than parts cannot be spread over them: stratify it by corpus only.
    return [pair if sizes[pair] >= parts else pair.split("|")[0] for pair in pairs]


def print_calibration(scores: np.ndarray, labels: np.ndarray, classes: list[str], temperature: float) -> None:
    """How often the best label is right, against the confidence the runtime will report for it."""
    probabilities = np.exp(log_softmax(temperature * scores, axis=1))
    confidence = probabilities.max(axis=1)
    right = np.array([classes[i] for i in scores.argmax(axis=1)]) == labels
    print(f"\n  softmax temperature from held-out scores: {temperature:.2f}")
    for low, high in ((0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 1.01)):
        chosen = (confidence >= low) & (confidence < high)
        if chosen.any():
            print(f"    confidence {low:.2f}-{min(high, 1):.2f}: {chosen.sum():5d} records, "
                  f"mean {confidence[chosen].mean():.2f}, right {right[chosen].mean():.2f}")


def cross_validated_scores(records: Records, config: Config, folds: int, seed: int = 0, share: float = 1.0,
                           unseen: float = 0.0, only_folds: int | None = None):
    """Held-out scores of every record, from ``folds`` stratified folds (by corpus and label).

    ``share`` < 1 trains each fold on that share of its training records (drawn at random); a
    label a fold never saw keeps the score ``unseen``. ``only_folds`` scores only that many folds
    (the rest of the rows keep ``unseen``): on all 47,000 records one fold takes minutes.
    """
    classes = sorted(set(records.labels))
    scores = np.full((len(records.texts), len(classes)), unseen)
    sampler = np.random.default_rng(seed)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for number, (train, test) in enumerate(splitter.split(records.texts, strata(records, folds))):
        if only_folds is not None and number >= only_folds:
            break
        if share < 1:
            train = np.sort(sampler.choice(train, int(len(train) * share), replace=False))
        model = fit_model([records.texts[i] for i in train], records.labels[train], config)
        held_out = decision_scores(model, [records.texts[i] for i in test])
        scores[np.ix_(test, [classes.index(label) for label in model.labels])] = held_out
    return classes, scores


def learning_curve(records: Records, config: Config, folds: int, shares=(0.125, 0.25, 0.5, 0.75, 1.0),
                   only_folds: int | None = None):
    """Cross-validated figures per corpus when each fold trains on only a share of its training records.

    The held-out folds stay whole, so the rows differ only in how much was learnt from: how the
    figures still rise at the full share tells how far more labelled data would carry them.
    """
    gold = np.array([output_label(label) for label in records.labels])
    rows = []
    for share in shares:
        # A label a small share never saw must not win: its score is minus infinity, not 0.
        classes, scores = cross_validated_scores(records, config, folds, share=share, unseen=-np.inf,
                                                 only_folds=only_folds)
        scored = np.isfinite(scores).any(axis=1)  # rows of the folds scored
        predicted = np.array([output_label(classes[i]) for i in scores[scored].argmax(axis=1)])
        figures = {corpus: corpus_figures(gold[scored][records.sources[scored] == corpus],
                                          predicted[records.sources[scored] == corpus])
                   for corpus in sorted(set(records.sources))}
        rows.append((share, int(len(records.texts) * (folds - 1) / folds * share), figures))
    return rows


def print_learning_curve(rows) -> None:
    """One line per training share: the records learnt from and the main figures of each corpus."""
    print("\nlearning curve (held-out folds whole; training records per fold)")
    for share, trained, figures in rows:
        parts = []
        for corpus, values in figures.items():
            if "type_macro_f1" not in values:  # a file of non-events only
                parts.append(f"{corpus}: non-events rejected {values['non_acled_rejected']:.3f}")
                continue
            parts.append(f"{corpus}: type macro F1 {values['type_macro_f1']:.3f}, sub macro F1 "
                         f"{values['sub_macro_f1']:.3f}, sub weighted F1 {values['sub_weighted_f1']:.3f}")
        print(f"  {share:5.3f} {trained:5d}  " + "; ".join(parts))


def corpus_figures(gold: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Six-type and sub-type F1, and how non-events are handled, for one corpus."""
    events = gold != NON_ACLED
    if not events.any():  # a file of non-events only (news background): what it measures is rejection
        return {"non_acled_rejected": round(float(np.mean(predicted == NON_ACLED)), 4)}
    gold_types = [event_type(label) for label in gold]
    predicted_types = [event_type(label) for label in predicted]
    sub_types = sorted(set(gold[events]))
    figures = {
        "type_macro_f1": f1_score(gold_types, predicted_types, labels=list(EVENT_TYPES), average="macro",
                                  zero_division=0),
        "sub_macro_f1": f1_score(gold, predicted, labels=sub_types, average="macro", zero_division=0),
        "sub_weighted_f1": f1_score(gold, predicted, average="weighted", zero_division=0),
        "events_rejected": float(np.mean(predicted[events] == NON_ACLED)),
    }
    if not events.all():
        figures["sub_weighted_f1_events_only"] = f1_score(
            gold[events], predicted[events], labels=sub_types, average="weighted", zero_division=0)
        figures["non_acled_rejected"] = float(np.mean(predicted[~events] == NON_ACLED))
    return {name: round(float(value), 4) for name, value in figures.items()}


def evaluate(records: Records, config: Config, folds: int, only_folds: int | None = None):
    """Cross-validated figures per corpus, the held-out scores and the predictions (of the scored folds)."""
    classes, scores = cross_validated_scores(records, config, folds, unseen=np.nan, only_folds=only_folds)
    scored = ~np.isnan(scores).any(axis=1)
    if not scored.all():
        records = Records([t for t, keep in zip(records.texts, scored) if keep], records.labels[scored],
                          records.sources[scored], records.counts)
        scores = scores[scored]
    predicted = np.array([output_label(classes[i]) for i in scores.argmax(axis=1)])
    gold = np.array([output_label(label) for label in records.labels])
    figures = {corpus: corpus_figures(gold[records.sources == corpus], predicted[records.sources == corpus])
               for corpus in sorted(set(records.sources))}
    return figures, classes, scores, predicted, records


def print_figures(config: Config, figures: dict, seconds: float) -> None:
    print(f"\n{config.name}: {config.description}  ({seconds:.0f} s)")
    for corpus, values in figures.items():
        print(f"  {corpus:15s} " + "  ".join(f"{name}={value:.3f}" for name, value in values.items()))


def print_confusions(records: Records, predicted: np.ndarray, top: int = 12) -> None:
    gold = np.array([output_label(label) for label in records.labels])
    for corpus in sorted(set(records.sources)):
        mine = records.sources == corpus
        pairs = Counter(zip(gold[mine], predicted[mine]))
        wrong = [(n, g, p) for (g, p), n in pairs.items() if g != p]
        print(f"\n  most frequent confusions, {corpus} (gold -> predicted):")
        for n, g, p in sorted(wrong, reverse=True)[:top]:
            print(f"    {n:4d}  {g} -> {p}")


def header(model: FittedModel, records: Records, temperature: float, cv: dict | None) -> dict:
    """The model file's description: what the runtime needs and where the weights came from."""
    return {
        "format": MODEL_FORMAT,
        "labels": model.labels,
        "temperature": temperature,
        "hash": {"function": "crc32 of the UTF-8 n-gram", "bits": HASH_BITS},
        "blocks": [{"name": b.name, "kind": b.kind, "ngram_range": list(b.ngram_range), "weight": b.weight,
                    "min_df": b.min_df, "max_features": b.max_features} for b in model.config.blocks],
        "tfidf": {"sublinear_tf": True, "smooth_idf": True, "norm": "l2 per block"},
        "model": model.config.description,
        "settings": {"C": model.config.C, "class_balance": model.config.class_balance,
                     "type_weight": model.config.type_weight,
                     "non_acled_margin": model.config.non_acled_margin,
                     "news_weight": model.config.news_weight},
        "training_data": {
            "corpora": records.counts,
            "description": "shared/bench development split: ACLED coder notes (ACLED, acleddata.com), "
                           "CASE 2021 Task 2 snippets (Haneczok et al. 2021) and, as non-events, the "
                           "passages of half the BBC News articles (Greene and Cunningham 2006) that "
                           "report no political violence. Weights only; no text is stored.",
        },
        "cross_validation": cv,
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "trained_on": date.today().isoformat(),
    }


def write_model(path: Path, arrays: dict[str, np.ndarray], description: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, header=np.array(json.dumps(description)), **arrays)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=Path, default=DEFAULT_EVENTS, help="folder of the corpora")
    parser.add_argument("--articles", type=Path, default=DEFAULT_ARTICLES,
                        help="folder of the article files whose non-event articles are learnt from")
    parser.add_argument("--small", action="store_true",
                        help="the two small development files only, as the tests fit (fast)")
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL, help="model file to write")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--news-weight", type=float, default=CHOSEN.news_weight,
                        help="sample weight of news-style texts against coder notes")
    parser.add_argument("--only-folds", type=int, default=None,
                        help="score only this many of the folds (one fold of all records takes minutes)")
    parser.add_argument("--skip-cv", action="store_true",
                        help="fit and write without cross-validation (confidences then uncalibrated)")
    parser.add_argument("--no-alternatives", action="store_true", help="cross-validate the chosen model only")
    parser.add_argument("--learning-curve", action="store_true",
                        help="print cross-validated figures for shares of the training data, then stop")
    args = parser.parse_args(argv)

    if args.small:
        records = load_records(args.events)
    else:
        records = load_records(args.events, SHIPPED_CORPORA, args.articles, NON_EVENT_ARTICLES)
    print(f"records: {records.counts}, labels: {len(set(records.labels))}")
    chosen = replace(CHOSEN, news_weight=args.news_weight)
    if args.learning_curve:
        print_learning_curve(learning_curve(records, chosen, args.folds, only_folds=args.only_folds))
        return 0
    cv, temperature = None, 1.0
    if not args.skip_cv:
        configs = (chosen,) if args.no_alternatives else (chosen, *ALTERNATIVES)
        for config in configs:
            started = time.perf_counter()
            figures, classes, scores, predicted, scored = evaluate(records, config, args.folds, args.only_folds)
            print_figures(config, figures, time.perf_counter() - started)
            if config is chosen:
                cv = {"folds": args.folds, "scored_folds": args.only_folds or args.folds,
                      "stratified_by": "corpus and label", "figures": figures}
                temperature = fit_temperature(scores, scored.labels, classes)
                print_confusions(scored, predicted)
                print_calibration(scores, scored.labels, classes, temperature)
    model = fit_model(records.texts, records.labels, chosen)
    path = write_model(args.out, export_weights(model), header(model, records, temperature, cv))
    print(f"\nwrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
