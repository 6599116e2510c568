"""`doctor` on the team store: ✓ when Redis answers, ✗ (exit 1) once it is stopped."""

from __future__ import annotations

from pathlib import Path

from tests.unit.store.conftest import RedisServer, needs_redis
from tests.unit.test_cli import run


@needs_redis
def test_doctor_says_whether_the_team_store_answers(
    persistent_redis: RedisServer, tmp_path: Path
) -> None:
    (tmp_path / "frugal.toml").write_text(
        f'[store]\nurl = "{persistent_redis.url}"\nnamespace = "team-a"\n'
    )
    up = run(tmp_path, "doctor")
    assert f"✓ store: team store {persistent_redis.url} (namespace `team-a`) answers" in up.stdout
    persistent_redis.stop()
    down = run(tmp_path, "doctor")
    assert down.returncode == 1
    assert "✗ store: team store" in down.stdout and "is unreachable" in down.stdout
