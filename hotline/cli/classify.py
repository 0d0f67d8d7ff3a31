"""`hotline classify train` and `hotline classify eval`: the category model from the command
line.

    hotline classify train routing_rules/classifier/corpus/ --out routing_rules/classifier/
    hotline classify train CORPUS.yaml... [--test TEST.yaml] [--from-db] [--folds 5]
    hotline classify eval CORPUS.yaml [--dir RULES] [--url URL --token T [--line 111]]

train fits the model (scikit-learn: pip install -e '.[train]'), picks the probability from
which the model suggests on its own by cross-validation on the training narratives, measures
it on the test narratives, and writes classifier/model.json only when all of that worked.
docs/CLASSIFIER.md explains the corpus format and the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hotline.cli.context import load_settings, run_with_data

if TYPE_CHECKING:
    from hotline.db.engine import Database
    from hotline.routing.corpus import Example
    from hotline.routing.evaluation import Suggester
    from hotline.routing.model import LinearModel
    from hotline.rules.ruleset import RuleSet

# Candidate probabilities from which the model suggests a category on its own, chosen on the
# cross-validated training narratives (never the test ones):
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9)
# for a case category, the lowest at which the rules and the model together (what the
# operator sees) give a case category to at most this share of the narratives that are not
# cases (the target is 5 %; the margin is for wording no corpus has);
FALSE_CASE_LIMIT = 4.0
# for any other category, the lowest at which the model alone gives one to at most this share
# of the case narratives. Choosing it on the combined top-2 instead took the lowest candidate
# (0.2, near a guess among ten categories): fewer calls without a suggestion, but text nobody
# can read ("alo alo") then came out as `other` instead of going to triage. 10 % did the
# same once the model was fitted more closely (C = 1000: 0.3 chosen, "alo alo" at 0.31);
# 5 % keeps such text for triage.
OTHER_LIMIT = 5.0


def add_commands(sub: Any) -> None:
    group = sub.add_parser("classify", help="the category model: train, evaluate")
    actions = group.add_subparsers(metavar="ACTION")
    p = actions.add_parser("train", help="train the model and write classifier/model.json")
    p.add_argument("corpus", nargs="*", help="corpus YAML files, or a directory with train.yaml")
    p.add_argument("--test", help="held-out corpus (default: test.yaml beside train.yaml)")
    p.add_argument("--out", help="where model.json goes (default: RULES/classifier/)")
    p.add_argument("--dir", help="rules directory (default: HOTLINE_RULES_DIR)")
    p.add_argument("--from-db", action="store_true", help="add the calls operators classified")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: none)")
    p.set_defaults(func=cmd_train)
    p = actions.add_parser("eval", help="figures of the suggestions on a labelled corpus")
    p.add_argument("corpus")
    p.add_argument("--dir", help="rules directory (default: HOTLINE_RULES_DIR)")
    p.add_argument("--url", help="ask a running service (POST /api/v1/routing/explain)")
    p.add_argument("--token", help="API token for --url")
    p.add_argument("--line", default="111", help="the line code sent with --url")
    p.set_defaults(func=cmd_eval)


def _rules(args: argparse.Namespace) -> RuleSet:
    from hotline.rules.ruleset import load_ruleset

    return load_ruleset(args.dir or load_settings(args).rules_dir)


def local_suggester(rules: RuleSet, model: LinearModel | None) -> Suggester:
    """Suggestions as decide() makes them: the rules of `rules` with `model`."""
    from hotline.routing.facts import PersonFacts
    from hotline.routing.suggest import suggest

    def run(narrative: str, ages: Sequence[int]) -> tuple[list[str], list[str]]:
        people = [PersonFacts(age, None) for age in ages]
        found = suggest(narrative, people, rules.classification, model)
        return (
            [s.code for s in found if s.kind == "category"],
            [s.code for s in found if s.kind == "subcategory"],
        )

    return run


def remote_suggester(url: str, token: str | None, line: str) -> Suggester:
    endpoint = url.rstrip("/") + "/api/v1/routing/explain"

    def run(narrative: str, ages: Sequence[int]) -> tuple[list[str], list[str]]:
        body = {"line": line, "narrative": narrative, "people": [{"age": a} for a in ages]}
        request = urllib.request.Request(
            endpoint,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {token}"} if token else {}),
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            found = json.load(response)["suggestions"]
        return (
            [s["code"] for s in found if s["kind"] == "category"],
            [s["code"] for s in found if s["kind"] == "subcategory"],
        )

    return run


def cmd_eval(args: argparse.Namespace) -> int:
    from hotline.routing.corpus import read_corpus
    from hotline.routing.evaluation import evaluate, render
    from hotline.rules.yamlfile import RulesError

    try:
        rules = _rules(args)
        examples = read_corpus(Path(args.corpus), rules.taxonomy)
    except RulesError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.url:
        suggester = remote_suggester(args.url, args.token, args.line)
    else:
        suggester = local_suggester(rules, rules.model)
    try:
        report = evaluate(examples, suggester, rules.taxonomy.case_categories)
    except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
        print(f"hotline: {args.url}: {exc}", file=sys.stderr)
        return 2
    print(render(report))
    return 0


def _corpus_files(paths: list[str], test: str | None) -> tuple[list[Path], Path | None]:
    train: list[Path] = []
    held = Path(test) if test else None
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            train.append(path / "train.yaml")
            if held is None and (path / "test.yaml").is_file():
                held = path / "test.yaml"
        else:
            train.append(path)
    return train, held


def cmd_train(args: argparse.Namespace) -> int:
    from hotline.routing.corpus import read_corpus
    from hotline.rules.yamlfile import RulesError

    try:
        rules = _rules(args)
        files, test_file = _corpus_files(args.corpus, args.test)
        examples = [e for f in files for e in read_corpus(f, rules.taxonomy)]
        tests = read_corpus(test_file, rules.taxonomy) if test_file else []
    except RulesError as exc:
        print(exc, file=sys.stderr)
        return 1
    counts = {"train": len(examples), "test": len(tests), "from_db": 0}
    if args.from_db:
        from_db = run_with_data(load_settings(args), classified_calls)
        examples += from_db
        counts["from_db"] = len(from_db)
        print(f"{len(from_db)} classified calls from the database (redacted)")
    if not examples:
        print("hotline: nothing to train on (give a corpus or --from-db)", file=sys.stderr)
        return 2
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("hotline: training needs scikit-learn: pip install -e '.[train]'", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else rules.directory / "classifier"
    return train_and_write(rules, examples, tests, counts, out, folds=args.folds)


def train_and_write(
    rules: RuleSet,
    examples: list[Example],
    tests: list[Example],
    counts: dict[str, int],
    out: Path,
    *,
    folds: int,
) -> int:
    """Train, measure, and write out/model.json; the file in place stays when anything fails."""
    from hotline.routing import model as model_file
    from hotline.routing.corpus import known_labels
    from hotline.routing.evaluation import evaluate
    from hotline.routing.training import cross_validate, train
    from hotline.rules.yamlfile import RulesError

    case = rules.taxonomy.case_categories
    thresholds = (0.5, 0.5)
    when = datetime.now(UTC).replace(microsecond=0).isoformat()
    if folds > 1:
        fitted = cross_validate(examples, folds, lambda part: train(part, trained_at=when))
        thresholds = choose_thresholds(rules, fitted, case)
        print(
            f"cross-validated ({folds} folds, by group): the model suggests a case category "
            f"on its own from p >= {thresholds[0]} (chosen on the rules and the model "
            f"together), another from p >= {thresholds[1]} (on the model alone)"
        )
        cv = _cv_report(rules, fitted, case, thresholds)
        print("  " + "   ".join(f"{k} {v}" for k, v in cv.items()))
    try:
        model = train(examples, trained_at=when, counts=counts, thresholds=thresholds)
    except ValueError as exc:
        print(f"hotline: {exc}", file=sys.stderr)
        return 2
    figures: dict[str, float] = {}
    if tests:
        figures = evaluate(tests, local_suggester(rules, model), case).figures()
        model = with_figures(model, figures)
        print("test: " + "   ".join(f"{k} {v}" for k, v in figures.items()))
    target = out / "model.json"
    scratch = out / "model.new.json"
    model_file.save(model, scratch)
    try:  # the file as the service will read it, before it replaces the one in place
        model_file.load(scratch, known=known_labels(rules.taxonomy))
    except RulesError as exc:
        scratch.unlink(missing_ok=True)
        print(exc, file=sys.stderr)
        return 1
    scratch.replace(target)
    print(f"wrote {target}: version {model.info.version}, {len(model.weights)} features")
    return 0


def with_figures(model: LinearModel, figures: dict[str, float]) -> LinearModel:
    """The same model carrying its test figures (the version hashes the weights only)."""
    from dataclasses import replace

    return replace(model, info=replace(model.info, figures=figures))


def choose_thresholds(
    rules: RuleSet, fitted: list[tuple[Example, LinearModel]], case: frozenset[str]
) -> tuple[float, float]:
    """The probabilities from which the model suggests on its own, from the cross-validated
    narratives: for any category that is not a case, the lowest candidate at which the model
    alone gives one to at most OTHER_LIMIT per cent of the case narratives; then for a case
    category, the lowest at which the rules and the model together give a case category to
    at most FALSE_CASE_LIMIT per cent of the narratives that are not cases."""
    from hotline.routing.tokens import folded_words

    cases: list[float] = []  # per case narrative: the model's best non-case probability
    for example, model in fitted:
        if example.category not in case:
            continue
        probs = model.probabilities(folded_words(example.narrative), example.ages)
        by_cat: dict[str, float] = {}
        for category, p in zip(model.categories, probs, strict=True):
            by_cat[category] = by_cat.get(category, 0.0) + p
        cases.append(max((p for c, p in by_cat.items() if c not in case), default=0.0))
    other_at = THRESHOLDS[-1]
    for candidate in THRESHOLDS:
        if 100 * sum(p >= candidate for p in cases) <= OTHER_LIMIT * max(len(cases), 1):
            other_at = candidate
            break
    for candidate in THRESHOLDS:
        if _cv_report(rules, fitted, case, (candidate, other_at))["false_case"] <= FALSE_CASE_LIMIT:
            return candidate, other_at
    return THRESHOLDS[-1], other_at


def _cv_report(
    rules: RuleSet,
    fitted: list[tuple[Example, LinearModel]],
    case: frozenset[str],
    at: tuple[float, float],
) -> dict[str, float]:
    from hotline.routing.evaluation import Report, evaluate

    total = Report()
    # One copy per fold's model: a copy starts with an empty cache of summed weights
    # (LinearModel.evidence), and filling it for each narrative would cost a minute a run.
    copies: dict[int, LinearModel] = {}
    for example, model in fitted:
        copy = copies.setdefault(id(model), _at(model, at))
        part = evaluate([example], local_suggester(rules, copy), case)
        _merge(total, part)
    return total.figures()


def _at(model: LinearModel, at: tuple[float, float]) -> LinearModel:
    from dataclasses import replace

    return replace(model, category_at=at[0], other_at=at[1])


def _merge(total: Any, part: Any) -> None:
    """Add one narrative's report to the running total."""

    def add(a: Any, b: Any) -> None:
        for field in ("n", "top1", "top2", "none"):
            setattr(a, field, getattr(a, field) + getattr(b, field))

    for name in ("overall", "case", "marked", "stripped"):
        add(getattr(total, name), getattr(part, name))
    for name in ("by_category", "by_tag"):
        for key, b in getattr(part, name).items():
            add(getattr(total, name)[key], b)
    total.non_case += part.non_case
    total.false_case += part.false_case
    total.subs += part.subs
    total.subs_right += part.subs_right
    total.confusion.update(part.confusion)


async def classified_calls(db: Database, rules: RuleSet) -> list[Example]:
    """The calls whose categories an operator set, narratives redacted (names, numbers).

    The call table has no field yet telling categories an operator confirmed from those it
    typed: every call whose stored categories are not empty counts (the operator chose them;
    calls routed on the suggestions alone store none)."""
    import sqlalchemy as sa

    from hotline.models import Call, Person
    from hotline.routing.corpus import Example, redact

    async with db.read() as session:
        calls = (
            await session.execute(
                sa.select(Call).where(Call.redacted_at.is_(None), Call.narrative != "")  # type: ignore[union-attr,arg-type]
            )
        ).scalars()
        people: dict[int, list[Person]] = {}
        for person in (await session.execute(sa.select(Person))).scalars():
            people.setdefault(person.call_id, []).append(person)
        out = []
        for call in calls:
            cats = [c for c in call.categories if c in rules.taxonomy.categories]
            if not cats:
                continue
            own = {s.code for s in rules.taxonomy.categories[cats[0]].subcategories}
            sub = next((s for s in call.subcategories if s in own), None)
            names = [call.caller_name or "", *(p.name or "" for p in people.get(call.id or 0, []))]
            ages = tuple(p.age for p in people.get(call.id or 0, []) if p.age is not None)
            out.append(Example(redact(call.narrative, names), cats[0], sub, ages, ("from_db",)))
    return out
