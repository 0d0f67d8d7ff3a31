"""`hotline classify eval` and `hotline classify train` as an administrator runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from hotline.routing.corpus import redact
from tests.cli.test_cli import run
from tests.helpers.accounts import PROJECT_ROOT, RULES_DIR

EVAL = PROJECT_ROOT / "tests" / "helpers" / "eval_corpus.yaml"
SMALL = PROJECT_ROOT / "tests" / "helpers" / "classifier_corpus.yaml"


def rules_without_model(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    (target / "classifier" / "model.json").unlink(missing_ok=True)
    return target


def test_eval_prints_the_figures(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    rules = rules_without_model(tmp_path)
    code, out, err = run(["classify", "eval", str(EVAL), "--dir", str(rules)], capsys, monkeypatch)
    assert code == 0, err
    lines = out.splitlines()
    # gbv and child_abuse right; information right; "other" gets no suggestion
    assert lines[0] == "narratives: 4 (2 cases, 2 not cases)"
    assert lines[1] == "top-1 75.0 %   top-2 75.0 %   case calls top-2 100.0 %"
    assert lines[2] == "no suggestion 25.0 %   not cases given a case category 0.0 %"
    assert lines[3] == "right sub-category suggested 100.0 % (of 2)"
    assert "other                    1    0.0%    0.0% 100.0%" in lines
    # the confusion table: "other" went to no suggestion (the last column, —)
    assert lines[-5].split()[-1] == "—"
    assert lines[-1].split() == ["other", ".", ".", ".", "1"]


def test_eval_refuses_a_broken_corpus_with_file_and_line(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- narrative: hi\n  category: ufo\n", encoding="utf-8")
    code, _, err = run(["classify", "eval", str(bad), "--dir", str(RULES_DIR)], capsys, monkeypatch)
    assert code == 1
    assert f"{bad}:2: [0].category: unknown 'ufo'" in err


def test_train_writes_a_model_the_rules_load(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    rules = rules_without_model(tmp_path)
    argv = [
        "classify",
        "train",
        str(SMALL),
        "--test",
        str(EVAL),
        "--dir",
        str(rules),
        "--folds",
        "0",
    ]
    code, out, err = run(argv, capsys, monkeypatch)
    assert code == 0, err
    data = json.loads((rules / "classifier" / "model.json").read_text(encoding="utf-8"))
    assert data["examples"] == {"train": 24, "test": 4, "from_db": 0}
    assert set(data["figures"]) >= {"top1", "top2", "false_case", "no_suggestion"}
    code, out, _ = run(["rules", "check", str(rules)], capsys, monkeypatch)
    assert code == 0 and "OK" in out


def test_train_refuses_a_broken_corpus_and_keeps_the_model(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    before = (rules / "classifier" / "model.json").read_bytes()
    bad = tmp_path / "bad.yaml"
    bad.write_text("- narrative: hi\n  category: gbv\n  subcategory: tảo hôn\n", encoding="utf-8")
    code, _, err = run(["classify", "train", str(bad), "--dir", str(rules)], capsys, monkeypatch)
    assert code == 1 and f"{bad}:3: [0].subcategory" in err
    assert (rules / "classifier" / "model.json").read_bytes() == before


def test_redaction_for_training() -> None:
    text = "Chị Nguyễn Thị Lan (0912 345 678) bị chồng đánh; Lan nói nguyen thi lan là tên thật"
    out = redact(text, ["Nguyễn Thị Lan", ""])
    assert "Lan" not in out and "lan" not in out and "0912" not in out
    assert "bị chồng đánh" in out


async def test_from_db_learns_from_classified_calls_redacted(db, ruleset):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from hotline.cli.classify import classified_calls
    from tests.helpers.factories import T0, add_call

    async with db.write() as s:
        # classified by the operator: learnt from, names and number replaced
        await add_call(
            s,
            narrative="Chị Lan gọi từ số 0912 345 678: bé Hoa 9 tuổi bị bố dượng đánh",
            people=[{"name": "Trần Thị Hoa", "age": 9, "sex": "female"}],
        )
        # routed on the suggestions alone (no codes of the operator's): left out
        await add_call(s, categories=[], subcategories=[], received_at=T0 + timedelta(hours=1))
        # redacted already: left out
        await add_call(s, redacted_at=T0, narrative="", received_at=T0 + timedelta(hours=2))
    (example,) = await classified_calls(db, ruleset)
    assert example.narrative == "Chị [tên] gọi từ số [số]: bé [tên] 9 tuổi bị bố dượng đánh"
    assert (example.category, example.subcategory, example.ages) == (
        "child_abuse",
        "physical_violence",
        (9,),
    )
