"""The shared state of a live class, behind one small interface with two backends.

A session is a join code, the presenter's key hash, the classroom's scenario (opaque JSON text), the
stage the class is on and its question (id, stage, value key, open or revealed). ``version`` goes up by
one on every presenter change, so a polling phone reads one integer and recomputes nothing when it has
not moved. Answers are keyed by an HMAC of the browser token with a per-session salt: the store never
holds a token, a name or an address. Everything of a session (answers included) is deleted when it
expires or ends.

:class:`Store` checks every argument and holds the rules (keys, throttles, guess limits); a backend
implements the few atomic primitives below it: :mod:`.sqlite_store` (standard library, the default) and
:mod:`.redis_store` (shared by replicas); :func:`simulator.live.open_store` picks one from ``BACKPROP_STORE``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off a projector
CODE_LENGTH = 6  # 31⁶ ≈ 8.9e8 codes
DEFAULT_TTL_S = 4 * 3600
MAX_TTL_S = 7 * 24 * 3600
MIN_ANSWER_GAP_S = 0.5  # one change of answer per browser per half second; faster ones are refused
GUESS_LIMIT = 10  # failed join lookups per client per window, then every lookup is refused
GUESS_WINDOW_S = 60
MAX_SCENARIO_CHARS = 1_000_000  # as a scenario file
MAX_VERDICT_CHARS = 1_000
MAX_CLIENT_CHARS = 256
ENV = "BACKPROP_STORE"
DEFAULT_URL = "sqlite://" + str(Path(tempfile.gettempdir()) / "backprop-classes.db")  # sqlite:///tmp/…

_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,64}")  # a presenter key or a browser token
_HASH = re.compile(r"[0-9a-f]{64}")
_STAGE = re.compile(r"[A-Za-z0-9_.]{1,40}")  # as in links (simulator.share)
_NAME = re.compile(r"[A-Za-z0-9_]{1,40}")  # a value key or a diagnosis label
_TAG = re.compile(r"[0-9a-f]{24}")  # a watch tag
ASKING = ("none", "open", "revealed")


class LiveError(ValueError):
    """A refusal to show as it is: it names what was wrong and never quotes a secret."""


class NotFound(LiveError):
    pass


class Forbidden(LiveError):
    pass


class Closed(LiveError):
    pass


class RateLimited(LiveError):
    pass


GONE = "no class with this code: it ended, expired or never existed"
NOT_PRESENTER = "only the presenter of this class can do that"
NOT_OPEN = "no question is open"
OVER = "this question is over: answers are closed"
TOO_FAST = f"answer not stored: wait {MIN_ANSWER_GAP_S:g} s between changes"
TOO_MANY = f"too many wrong join codes: try again in a minute (at most {GUESS_LIMIT} a minute)"


@dataclass(frozen=True)
class SessionState:
    """What every page of a class reads in one go (no secret in it)."""

    code: str
    stage: str  # the stage the presenter shows
    hidden: bool  # the presenter blanked that stage's numbers (blank mode, before its Reveal)
    question: int  # the current question's id, 0 before the first Ask
    asking: str  # "none" | "open" | "revealed"
    question_stage: str  # the stage the current question was asked at
    value: str  # the value key it asks for
    scenario: str  # the classroom's JSON
    version: int  # +1 on every presenter change
    expires: float  # Unix time


@dataclass(frozen=True)
class Tally:
    counts: Mapping[str, int]  # diagnosis label → answers, zeros left out
    answered: int  # students who answered (each once)


@dataclass(frozen=True)
class TallyRow:
    question: int
    stage: str
    value: str
    label: str
    count: int


def hash_key(presenter_key: str) -> str:
    """SHA-256 of the presenter key (192 random bits: no slow hash needed); the store keeps only this."""
    return hashlib.sha256(presenter_key.encode()).hexdigest()


def _tag(salt: str) -> str:
    return hmac.new(bytes.fromhex(salt), b"watch", hashlib.sha256).hexdigest()[:24]


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(code: object) -> str:
    """The join code as typed ("ab3 k7p" → "AB3K7P"); LiveError before any store is asked, when malformed."""
    text = code.strip().upper().replace(" ", "").replace("-", "")[:20] if isinstance(code, str) else ""
    if not _CODE.fullmatch(text):
        raise NotFound(f"a join code is {CODE_LENGTH} letters and digits, like {CODE_ALPHABET[:CODE_LENGTH]}")
    return text


def _checked(value: object, pattern: re.Pattern, what: str) -> str:
    if not isinstance(value, str) or len(value) > 100 or not pattern.fullmatch(value):
        raise LiveError(f"{what}: not a valid {what}")
    return value


def _question(question_id: object) -> int:
    if not isinstance(question_id, int) or isinstance(question_id, bool) or not 1 <= question_id < 2**31:
        raise LiveError("question: not a valid question id")
    return question_id


def _state(code: str, row: Mapping[str, str]) -> SessionState:
    return SessionState(
        code=code,
        stage=row["stage"],
        hidden=str(row.get("hidden", "0")) == "1",
        question=int(row["question"]),
        asking=row["asking"],
        question_stage=row["qstage"],
        value=row["value"],
        scenario=row["scenario"],
        version=int(row["version"]),
        expires=float(row["expires"]),
    )


class Store(ABC):
    """The operations of a class session; subclasses supply the atomic primitives (``_insert`` …)."""

    def create_session(
        self, presenter_key_hash: str, scenario_json: str, ttl_s: float = DEFAULT_TTL_S, stage: str = ""
    ) -> str:
        """A new session; its join code. The data is deleted ``ttl_s`` seconds from now."""
        _checked(presenter_key_hash, _HASH, "presenter key hash")
        if not isinstance(scenario_json, str) or len(scenario_json) > MAX_SCENARIO_CHARS:
            raise LiveError(f"scenario: must be text of at most {MAX_SCENARIO_CHARS:,} characters")
        if not 0 < ttl_s <= MAX_TTL_S:
            raise LiveError(f"ttl: must be more than 0 and at most {MAX_TTL_S} seconds")
        if stage:
            _checked(stage, _STAGE, "stage")
        fields = {"presenter": presenter_key_hash, "salt": secrets.token_hex(16), "scenario": scenario_json}
        fields |= {"stage": stage, "hidden": 0, "question": 0, "asking": "none", "qstage": "", "value": ""}
        fields["version"] = 1
        for _ in range(10):
            code = new_code()
            if self._insert(code, fields, ttl_s):
                return code
        raise RuntimeError("no free join code after 10 draws")

    def state(self, code: str) -> SessionState | None:
        """The public state in one read; None when gone. Not rate-limited: pass only codes :meth:`join` took."""
        code = normal_code(code)
        row = self._read(code)
        return None if row is None else _state(code, row)

    def version(self, code: str) -> int | None:
        """The version alone (None when the session is gone)."""
        return self._version(normal_code(code))

    def watch_tag(self, code: str) -> str:
        """What a joined phone polls :meth:`watched` with (the page hands it over after :meth:`join`)."""
        salt = self._field(normal_code(code), "salt")
        if salt is None:
            raise NotFound(GONE)
        return _tag(salt)

    def watched(self, code: str, tag: str) -> int | None:
        """The cheapest poll, one read: the version when ``tag`` is this session's watch tag, else None
        (gone, or a wrong tag: the same answer, so it tells a guesser nothing)."""
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            return None
        found = self._watch(normal_code(code))
        if found is None or not hmac.compare_digest(_tag(found[0]), tag):
            return None
        return found[1]

    def join(self, code: str, client: str) -> SessionState:
        """Look a typed code up for ``client`` (an address or browser id): wrong guesses are limited."""
        code = normal_code(code)
        who = hashlib.sha256(str(client)[:MAX_CLIENT_CHARS].encode()).hexdigest()[:32]
        if self._guesses(who) >= GUESS_LIMIT:
            raise RateLimited(TOO_MANY)
        found = self.state(code)
        if found is None:
            self._guessed_wrong(who)
            raise NotFound(GONE)
        return found

    def _authorise(self, code: str, presenter_key: str) -> str:
        code = normal_code(code)
        stored = self._field(code, "presenter")
        if stored is None:
            raise NotFound(GONE)
        given = hash_key(presenter_key) if isinstance(presenter_key, str) and _SECRET.fullmatch(presenter_key) else ""
        if not hmac.compare_digest(stored, given):
            raise Forbidden(NOT_PRESENTER)
        return code

    def set_stage(self, code: str, presenter_key: str, stage_id: str, hidden: bool = False) -> int:
        """Move the class to a stage, its numbers blanked or not (the projector's blank mode); the new version."""
        stage_id = _checked(stage_id, _STAGE, "stage")
        action = "hide" if hidden is True else "stage"
        return self._change(self._authorise(code, presenter_key), action, stage_id)[0]

    def ask(self, code: str, presenter_key: str, value_key: str) -> int:
        """Open a new question on ``value_key`` at the current stage (the previous one closes); its id."""
        value_key = _checked(value_key, _NAME, "value")
        return self._change(self._authorise(code, presenter_key), "ask", value_key)[1]

    def reveal(self, code: str, presenter_key: str) -> int:
        """Close the open question and show its answer; the new version. Closed when none is open."""
        return self._change(self._authorise(code, presenter_key), "reveal", "")[0]

    def end_session(self, code: str, presenter_key: str) -> None:
        """Delete the session and every answer now."""
        self._delete(self._authorise(code, presenter_key))

    def tallies(self, code: str, presenter_key: str, question_id: int) -> Tally:
        """Answers per diagnosis label for one question, and how many answered."""
        code = self._authorise(code, presenter_key)
        counts, answered = self._tally(code, _question(question_id))
        return Tally(MappingProxyType({k: n for k, n in counts.items() if n > 0}), answered)

    def export(self, code: str, presenter_key: str) -> list[TallyRow]:
        """Every question's counts per label, in order (no token, no time, no verdict text)."""
        return self._rows(self._authorise(code, presenter_key))

    def _token_hash(self, code: str, browser_token: str) -> str:
        token = _checked(browser_token, _SECRET, "browser token")
        salt = self._field(code, "salt")
        if salt is None:
            raise NotFound(GONE)
        return hmac.new(bytes.fromhex(salt), token.encode(), hashlib.sha256).hexdigest()[:32]

    def submit_answer(self, code: str, question_id: int, browser_token: str, label: str, verdict: str) -> None:
        """Count one browser's answer once per question, moving it when changed; refused once revealed."""
        code, question_id = normal_code(code), _question(question_id)
        label = _checked(label, _NAME, "label")
        if not isinstance(verdict, str) or len(verdict) > MAX_VERDICT_CHARS:
            raise LiveError(f"verdict: must be text of at most {MAX_VERDICT_CHARS} characters")
        self._submit(code, question_id, self._token_hash(code, browser_token), label, verdict)

    def my_answer(self, code: str, question_id: int, browser_token: str) -> tuple[str, str] | None:
        """(label, verdict) of this browser's answer once the question is revealed; None if it did not answer."""
        code, question_id = normal_code(code), _question(question_id)
        token = self._token_hash(code, browser_token)
        found = self.state(code)
        if found is None:
            raise NotFound(GONE)
        if found.question == question_id and found.asking == "open":
            raise Closed("your verdict appears when the presenter reveals the answer")
        return self._own(code, question_id, token)

    # --- what a backend supplies: each call is one atomic step -----------------------------------------
    @abstractmethod
    def _insert(self, code: str, fields: Mapping[str, object], ttl_s: float) -> bool:
        """Create the session unless the code is taken (then False); ``expires`` is added here."""

    @abstractmethod
    def _read(self, code: str) -> Mapping[str, str] | None: ...

    @abstractmethod
    def _field(self, code: str, name: str) -> str | None: ...

    @abstractmethod
    def _version(self, code: str) -> int | None: ...

    @abstractmethod
    def _watch(self, code: str) -> tuple[str, int] | None:
        """(salt, version) in one read; None when gone."""

    @abstractmethod
    def _change(self, code: str, action: str, arg: str) -> tuple[int, int]:
        """Apply "stage" (shown), "hide" (blanked), "ask" or "reveal"; bump the version: (version, question id)."""

    @abstractmethod
    def _delete(self, code: str) -> None: ...

    @abstractmethod
    def _submit(self, code: str, question: int, token: str, label: str, verdict: str) -> None: ...

    @abstractmethod
    def _tally(self, code: str, question: int) -> tuple[Mapping[str, int], int]: ...

    @abstractmethod
    def _own(self, code: str, question: int, token: str) -> tuple[str, str] | None: ...

    @abstractmethod
    def _rows(self, code: str) -> list[TallyRow]: ...

    @abstractmethod
    def _guesses(self, who: str) -> int: ...

    @abstractmethod
    def _guessed_wrong(self, who: str) -> None: ...

    @abstractmethod
    def purge(self) -> int:
        """Delete what has expired; how many sessions went."""

    @abstractmethod
    def close(self) -> None: ...
