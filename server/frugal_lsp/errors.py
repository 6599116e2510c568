"""The one exception tree of frugal-lsp.

::

    FrugalError                  anything frugal-lsp raises on purpose
    ├── ConfigError              the configuration is invalid; names the key, the value and the fix
    ├── InvalidRequest           the request itself is wrong: a file that cannot be read, a
    │   │                        position outside the document, a bad command-line value
    │   ├── BadParams            an editor request's arguments cannot be used (InvalidParams)
    │   └── NotReady             the server is not initialized yet
    ├── ConfigUnusable           the server runs without AI: its config file is invalid
    ├── Unconfigured             nothing set up can take the request: no model of that tier,
    │                            or its key variable unset; names the [[models]] entry or key
    ├── ContextExcluded          the file is excluded: nothing from it may leave the machine
    ├── StateUnusable            a state file (ledger, outbox) is not a database we can open
    ├── StoreUnavailable         the team store cannot be reached for a change that needs it
    ├── QuotaExhausted           no budget or platform quota left for this request
    └── ProviderError            a model provider failed; carries the provider's name
        ├── RateLimited          the provider said 429; carries retry_after in seconds
        ├── ProviderUnavailable  transport failure, timeout or 5xx: try another provider
        │   └── StreamEndedEarly the stream was cut; keeps the partial text and usage
        ├── BadResponse          the provider answered something we cannot read
        └── AuthFailed           401/403: the API key is missing or wrong

Foreign errors (httpx, json) are mapped into this tree at one boundary, inside
``providers/``; nothing else raises or catches them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frugal_lsp.providers.base import Usage


class FrugalError(Exception):
    """Anything frugal-lsp raises on purpose; its message is meant for the user."""


class ConfigError(FrugalError):
    """The configuration is invalid: the message names the key path, the value and the fix."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = problems
        self.source = source
        where = f" in {source}" if source else ""
        if len(problems) == 1:  # one mistake, one line
            super().__init__(f"invalid configuration{where}: {problems[0]}")
        else:
            super().__init__(f"invalid configuration{where}:\n  - " + "\n  - ".join(problems))


class InvalidRequest(FrugalError):
    """The request is wrong before anything is spent: the message names what and the fix."""


class BadParams(InvalidRequest):
    """Arguments an editor sent cannot be used; becomes a JSON-RPC InvalidParams error."""


class NotReady(InvalidRequest):
    """A request arrived before the server finished initializing."""


class ConfigUnusable(FrugalError):
    """The server runs without AI because its config file is invalid."""


class Unconfigured(FrugalError):
    """No configured model can take the request (a tier nobody configured, a key unset)."""


class ContextExcluded(FrugalError):
    """The file matches an exclusion rule; nothing from it may leave the machine."""


class StateUnusable(FrugalError):
    """A state file under FRUGAL_HOME cannot be opened; the message names it and the fix."""


class StoreUnavailable(FrugalError):
    """The team store is unreachable and the change cannot wait for it (e.g. credits)."""


class QuotaExhausted(FrugalError):
    """No budget or platform quota is left for this request."""


class ProviderError(FrugalError):
    """A model provider failed; ``provider`` names which one (``status``: the HTTP status
    when the provider answered one; ``anthropic_body``: its body was Anthropic's error
    shape, not a proxy's)."""

    status: int | None = None
    anthropic_body: bool = False  # the error body was Anthropic's own error shape

    def __init__(self, provider: str, message: str) -> None:
        self.provider = provider
        super().__init__(f"provider `{provider}`: {message}")


class RateLimited(ProviderError):
    """The provider answered 429; try again after ``retry_after`` seconds."""

    def __init__(self, provider: str, message: str, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(provider, message)


class ProviderUnavailable(ProviderError):
    """Transport failure, timeout or 5xx: the request may succeed elsewhere."""


class StreamEndedEarly(ProviderUnavailable):
    """The stream stopped before its terminator; what arrived so far is kept.

    ``partial_text`` is the answer received until the cut and ``usage`` whatever usage the
    provider had reported by then (often None), so the caller can settle the ledger."""

    def __init__(
        self, provider: str, message: str, partial_text: str = "", usage: Usage | None = None
    ) -> None:
        self.partial_text = partial_text
        self.usage = usage
        super().__init__(provider, message)


class BadResponse(ProviderError):
    """The provider answered something that is not the documented wire format."""


class AuthFailed(ProviderError):
    """The provider rejected the credentials (401/403)."""
