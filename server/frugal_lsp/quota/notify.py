"""Alert delivery off the request path: a webhook POST and SMTP e-mail, retried with backoff.

``Notifier.send`` only queues; one daemon thread delivers, so a dead webhook or a slow
mail server never delays a completion. A process that is closing (``close``) does not
wait for retries: what is still queued gets one attempt each, so a failing webhook cannot
hold a CLI command's exit for the backoff (1 + 2 + 4 s); failures are kept in
``failures`` for the CLI to show. The webhook gets ``{"text": ...}`` (what Slack
incoming webhooks and most SMS/chat gateways accept). Failures are logged without the
webhook URL (Slack-style URLs are secrets) and without the password.
"""

from __future__ import annotations

import logging
import queue
import smtplib
import threading
from collections.abc import Callable
from email.message import EmailMessage

from frugal_lsp.config import BudgetConfig, EmailConfig
from frugal_lsp.secrets import read_secret

log = logging.getLogger(__name__)
Deliver = Callable[[str, str], None]  # (subject, text)


def post_webhook(url: str, text: str, timeout_s: float) -> None:
    import httpx  # only when an alert is delivered: keeps ~50 ms off the server's start-up

    with httpx.Client(timeout=timeout_s) as client:
        response = client.post(url, json={"text": text})
    if response.status_code >= 400:
        raise RuntimeError(f"webhook answered HTTP {response.status_code}")


def send_email(email: EmailConfig, subject: str, text: str, timeout_s: float) -> None:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, email.sender, ", ".join(email.to)
    message.set_content(text)
    with smtplib.SMTP(email.host, email.port, timeout=timeout_s) as smtp:
        smtp.ehlo()
        if email.starttls and smtp.has_extn("starttls"):
            smtp.starttls()
            smtp.ehlo()
        password = read_secret(email.password_env)
        if email.username and password:
            smtp.login(email.username, password)
        smtp.send_message(message)


class Notifier:
    """Queues alerts and delivers them to every configured channel on a worker thread."""

    def __init__(
        self,
        budget: BudgetConfig,
        attempts: int = 4,
        backoff_s: float = 1.0,
        timeout_s: float = 5.0,
    ) -> None:
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self.channels: dict[str, Deliver] = {}
        self.configure(budget)
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.delivered = 0
        self.failed = 0
        self.failures: list[str] = []  # "webhook: webhook answered HTTP 404" (no URL)

    def configure(self, budget: BudgetConfig) -> None:
        """Use the channels ``budget`` names (config reloaded)."""
        self.channels = self._channels(budget)

    def _channels(self, budget: BudgetConfig) -> dict[str, Deliver]:
        found: dict[str, Deliver] = {}
        if budget.webhook:
            url = budget.webhook
            found["webhook"] = lambda _subject, text: post_webhook(url, text, self.timeout_s)
        if (email := budget.email) is not None and email.to:
            found["e-mail"] = lambda subject, text: send_email(email, subject, text, self.timeout_s)
        return found

    def send(self, subject: str, text: str) -> None:
        """Queue one alert for every channel; returns at once."""
        if not self.channels or self._stop.is_set():
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="frugal-alerts", daemon=True)
            self._thread.start()
        self._queue.put((subject, text))

    def flush(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for queued alerts to be delivered (or given up)."""
        done = threading.Event()

        def wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        return done.wait(timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        """One last attempt at what is queued (bounded by ``timeout_s``), then stop."""
        self._stop.set()  # no more backoff: a failed attempt now gives up at once
        if self._thread is not None:
            self.flush(timeout_s)
        self._queue.put(None)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                for name, deliver in self.channels.items():
                    self._deliver(name, deliver, *item)
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def _deliver(self, name: str, deliver: Deliver, subject: str, text: str) -> None:
        for attempt in range(1, self.attempts + 1):
            try:
                deliver(subject, text)
            except Exception as exc:  # any failure of a channel: retry, then log once
                reason = f"{type(exc).__name__}: {exc}" if name == "e-mail" else _safe(exc)
                log.debug("%s alert attempt %d failed: %s", name, attempt, reason)
                if attempt == self.attempts or self._stop.wait(self.backoff_s * 2 ** (attempt - 1)):
                    log.warning(
                        "%s alert not delivered after %d attempts: %s", name, attempt, reason
                    )
                    self.failed += 1
                    self.failures.append(f"{name}: {reason} ({attempt} attempt(s))")
                    return
            else:
                self.delivered += 1
                return


def _safe(exc: Exception) -> str:
    """Describe a webhook failure without echoing the URL (it may carry a token)."""
    if isinstance(exc, RuntimeError):
        return str(exc)
    return type(exc).__name__
