"""The `hotline` command as an administrator uses it."""

from __future__ import annotations

import io
import json
import shutil
import sys

import pytest

from hotline.cli.main import main
from tests.helpers.accounts import RULES_DIR


def run(argv: list[str], capsys, monkeypatch, stdin: str = "") -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def env(db_url, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HOTLINE_DATABASE_URL", db_url)
    monkeypatch.setenv("HOTLINE_RULES_DIR", str(RULES_DIR))
    monkeypatch.setenv("HOTLINE_SECRET_KEY", "cli-test-secret-0123456789")


def test_help_lists_every_command(capsys, monkeypatch):
    code, out, _ = run(["--help"], capsys, monkeypatch)
    assert code == 0
    for command in ("serve", "demo", "db", "users", "rules"):
        assert command in out


def test_users_create_with_token_prints_it_last(env, capsys, monkeypatch):
    code, out, err = run(
        [
            "users",
            "create",
            "lan",
            "--role",
            "operator",
            "--password-stdin",
            "--lines",
            "111,1800 1567",
            "--token",
        ],
        capsys,
        monkeypatch,
        stdin="a-long-enough-password\n",
    )
    assert code == 0, err
    last = out.strip().splitlines()[-1]
    assert last.startswith("hl_") and len(last) > 30
    again, _, err = run(["users", "create", "lan", "--role", "operator"], capsys, monkeypatch)
    assert again == 2 and "exists" in err


def test_users_create_refuses_bad_input(env, capsys, monkeypatch):
    code, _, err = run(["users", "create", "x", "--role", "agency"], capsys, monkeypatch)
    assert code == 2 and "agency" in err
    code, _, err = run(
        ["users", "create", "x", "--role", "agency", "--agency", "nope"], capsys, monkeypatch
    )
    assert code == 2 and "nope" in err
    code, _, err = run(
        ["users", "create", "y", "--role", "operator", "--password-stdin"],
        capsys,
        monkeypatch,
        stdin="short\n",
    )
    assert code != 0


def test_rules_check_good_and_broken(tmp_path, capsys, monkeypatch):
    code, out, _ = run(["rules", "check", str(RULES_DIR)], capsys, monkeypatch)
    assert code == 0 and "OK" in out
    broken = tmp_path / "rules"
    shutil.copytree(RULES_DIR, broken)
    agencies = broken / "agencies.yaml"
    agencies.write_text(
        agencies.read_text(encoding="utf-8").replace("kind: police", "kind: polise", 1),
        encoding="utf-8",
    )
    code, out, _ = run(["rules", "check", str(broken)], capsys, monkeypatch)
    assert code == 1
    assert "agencies.yaml:" in out and "polise" in out


def test_rules_explain_reads_a_call_file(tmp_path, capsys, monkeypatch):
    call = tmp_path / "call.json"
    call.write_text(
        json.dumps(
            {
                "line": "111",
                "area": "qn-dak-to",
                "urgency": "emergency",
                "people": [{"age": 12, "sex": "female"}],
                "narrative": "Em bé 12 tuổi bị hàng xóm xâm hại tình dục",
            }
        ),
        encoding="utf-8",
    )
    code, out, err = run(["rules", "explain", str(call)], capsys, monkeypatch)
    assert code == 0, err
    # Vietnamese by default: categories by name and code, agencies by name.
    assert "Xâm hại trẻ em (child_abuse)" in out
    assert "Công an xã Đăk Tô" in out


def test_db_upgrade(env, capsys, monkeypatch):
    code, out, _ = run(["db", "upgrade"], capsys, monkeypatch)
    assert code == 0 and "up to date" in out


def test_demo_prepares_database_users_and_token(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("HOTLINE_DATABASE_URL", raising=False)
    db = tmp_path / "demo.sqlite3"
    code, out, _ = run(
        ["demo", "--db", str(db), "--port", "8123", "--no-serve", "--calls", "200"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert "http://127.0.0.1:8123/" in out
    for login in ("operator", "supervisor", "admin", "agency-police", "agency-safe-house"):
        assert login in out
    assert (
        out.strip().splitlines()[-1].strip().startswith("Try: curl -H 'Authorization: Bearer hl_")
    )
    assert db.exists()
    import sqlite3

    with sqlite3.connect(db) as conn:  # the generated history is there
        assert conn.execute("SELECT count(*) FROM call").fetchone()[0] == 200


def test_escalations_run_once(env, capsys, monkeypatch):
    code, out, _ = run(
        ["escalations", "run", "--now", "2026-03-10T09:00:00+07:00"], capsys, monkeypatch
    )
    assert code == 0 and "claimed 0" in out
    code, _, err = run(["escalations", "run", "--now", "soon"], capsys, monkeypatch)
    assert code == 2 and "--now" in err


def test_demo_data_then_report(env, tmp_path, capsys, monkeypatch):
    code, _, err = run(["demo-data", "--calls", "300", "--no-progress"], capsys, monkeypatch)
    assert code == 0, err
    year = str(__import__("datetime").date.today().year)
    out_file = tmp_path / "report.xlsx"
    code, _, err = run(
        ["report", "--period", year, "--format", "xlsx", "--out", str(out_file)],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    from openpyxl import load_workbook

    assert len(load_workbook(out_file).sheetnames) >= 2
    code, _, err = run(["report", "--period", "2026-H3", "--format", "csv"], capsys, monkeypatch)
    assert code == 2 and "period" in err
