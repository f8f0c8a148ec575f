"""Alerts: never silent. Every alert goes to a local log and table; a webhook is optional.

Sink settings come from the environment: SCORECARD_ALERTS_DIR (default
warehouse/alerts) holds alerts.log (one JSON object per line) and
alerts.duckdb (table alerts); SCORECARD_ALERT_WEBHOOK, when set, receives a
JSON POST ({"text": ...}, the shape Teams and Slack incoming webhooks accept).
A webhook that fails is recorded in the local log, never raised.
"""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import UTC, datetime

import duckdb

from scorecard.settings import alerts_dir


def send_alert(kind: str, subject: str, message: str, details: dict | None = None) -> dict:
    """Record an alert locally and post it to the webhook if one is configured."""
    alert = {
        "raised_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": kind,
        "subject": subject,
        "message": message,
        "details": details or {},
    }
    folder = alerts_dir()
    folder.mkdir(parents=True, exist_ok=True)
    webhook = os.environ.get("SCORECARD_ALERT_WEBHOOK")
    if webhook:
        try:
            body = json.dumps({"text": f"[{kind}] {subject}: {message}"}).encode()
            request = urllib.request.Request(webhook, body, {"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=10).close()  # the operator's own URL
            alert["webhook"] = "sent"
        except Exception as exc:  # the local record below still holds the alert
            alert["webhook"] = f"failed: {exc}"
    with (folder / "alerts.log").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(alert, default=str) + "\n")
    with duckdb.connect(str(folder / "alerts.duckdb")) as con:
        con.execute(
            "create table if not exists alerts (raised_at timestamp, kind varchar, subject varchar, "
            "message varchar, details json)"
        )
        con.execute(
            "insert into alerts values (cast(? as timestamp), ?, ?, ?, ?)",
            [
                alert["raised_at"].replace("+00:00", ""),
                kind,
                subject,
                message,
                json.dumps(alert["details"], default=str),
            ],
        )
    return alert


def read_alerts() -> list[dict]:
    log = alerts_dir() / "alerts.log"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
