"""The status says when the next typical request will not fit, whatever the fraction used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from frugal_lsp.config import parse_config
from frugal_lsp.quota.account import QuotaAccount
from frugal_lsp.quota.status import compute_status
from frugal_lsp.store.ledger import Ledger
from tests.unit.quota.helpers import spend


def config(budget: int, free_model: bool = False) -> dict[str, Any]:
    models = [{"name": "m", "provider": "p", "tier": "basic", "coefficient": 1.0}]
    if free_model:
        models.append({"name": "tiny", "provider": "p", "tier": "basic", "coefficient": 0.0})
    return {
        "providers": [{"name": "p", "base_url": "http://127.0.0.1:9/v1"}],
        "models": models,
        "budget": {"tokens": budget, "alert_at": [0.7, 0.9, 1.0]},
    }


def account(tmp_path: Path, data: dict[str, Any]) -> QuotaAccount:
    return QuotaAccount(parse_config(data), Ledger(tmp_path / "l.sqlite3"))


def test_plenty_left_is_ok_and_reads_no_history(tmp_path: Path) -> None:
    acc = account(tmp_path, config(1_000_000))
    spend(acc.ledger, 300, task="ask")
    status = compute_status(acc.config, acc)
    assert status.state == "ok" and "refused" not in status.message


def test_nothing_fits_is_exhausted_at_a_low_fraction(tmp_path: Path) -> None:
    acc = account(tmp_path, config(10_000))
    spend(acc.ledger, 4_000, task="ask")  # recent asks: 4,000 tokens each
    spend(acc.ledger, 3_500, task="completion")  # completions with huge prompts
    status = compute_status(acc.config, acc)
    assert status.fraction == 0.75  # below the 0.9 "error" threshold
    assert status.state == "exhausted"
    assert "every request is refused: a completion reserves ~3,564 units" in status.message
    assert "an ask ~4,512 (prompt + output bound), 2,500 left" in status.message


def test_a_free_model_takes_what_paid_ones_cannot(tmp_path: Path) -> None:
    acc = account(tmp_path, config(2_000, free_model=True))
    spend(acc.ledger, 1_500, task="ask")
    status = compute_status(acc.config, acc)
    assert status.state == "ok" or status.state == "warning"
    assert "asks go to the free local model: a paid one reserves ~2,012 units" in status.message
