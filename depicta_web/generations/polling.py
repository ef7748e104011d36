"""The card poll's fast answer: "nothing changed" (204) without the session, the user or,
on PostgreSQL, the database.

Every busy card asks once a second whether it changed; nearly always it has not. Two things
make that answer cheap:

- A **poll token** in the card's URL: an HMAC over the generation's id, issued when a
  logged-in designer's page rendered the card, valid for POLL_TOKEN_MAX_AGE. It lets the poll
  say "unchanged" without looking up the session and the user. It reveals nothing else: any
  answer with content goes through the normal login check.
- A per-process **version board** fed by PostgreSQL `LISTEN/NOTIFY`: a trigger on the
  generations table (migration generations/0004) announces every change, and a listener
  thread keeps the latest version of each busy card in memory, so "unchanged" needs no query.
  On SQLite, or while the listener is not connected, the board knows nothing and the poll
  reads the version from the database (one indexed query).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import connections

logger = logging.getLogger(__name__)

POLL_TOKEN_MAX_AGE = timedelta(hours=6)
CHANNEL = "depicta_generation_changed"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PING_SECONDS = 2.0
PING_TIMEOUT_SECONDS = 5.0
BOARD_SIZE = 50_000  # cards remembered per process; an evicted card is read from the database

_signer = signing.TimestampSigner(salt="depicta_web.generations.card-poll")


def version_of(updated_at: datetime) -> str:
    """Microseconds since the epoch, computed exactly (the trigger computes the same in SQL)."""
    return str((updated_at - EPOCH) // timedelta(microseconds=1))


def poll_token(generation_id) -> str:
    """The part of the signed value after the id: "<timestamp>:<signature>"."""
    return _signer.sign(str(generation_id)).split(":", 1)[1]


def token_is_valid(generation_id, token: str | None) -> bool:
    if not token:
        return False
    try:
        _signer.unsign(f"{generation_id}:{token}", max_age=POLL_TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired included
        return False
    return True


class VersionBoard:
    """The latest (version, status) of cards, kept by one listener thread per process.

    Entries come from notifications and from the poll's own database reads. A read is kept only
    when it began inside the current listening session, so a change announced while the
    listener was away can never be hidden behind an older read; versions only move forward.
    """

    def __init__(self, size: int = BOARD_SIZE) -> None:
        self._entries: OrderedDict[str, tuple[int, str]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._session: int | None = None  # None: not listening, the board knows nothing
        self._sessions = 0
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def session(self) -> int | None:
        return self._session

    def known(self, generation_id: str) -> tuple[str, str] | None:
        """(version, status) of the card, or None when the database must be asked."""
        if self._session is None:
            return None
        entry = self._entries.get(generation_id)
        return None if entry is None else (str(entry[0]), entry[1])

    def learn(self, generation_id: str, version: str, status: str, *, session: int | None) -> None:
        """Record what was seen, if `session` (taken before it was read) is still current."""
        with self._lock:
            if session is None or session != self._session:
                return
            current = self._entries.get(generation_id)
            number = int(version)
            if current is not None and current[0] >= number:
                return
            self._entries[generation_id] = (number, status)
            self._entries.move_to_end(generation_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def start_session(self) -> int:
        with self._lock:
            self._entries.clear()
            self._sessions += 1
            self._session = self._sessions
            return self._session

    def end_session(self) -> None:
        with self._lock:
            self._session = None
            self._entries.clear()

    def ensure_listening(self, alias: str = "default") -> None:
        """Start the listener thread once per process, on PostgreSQL only."""
        if (
            self._thread is not None
            or not settings.DEPICTA_POLL_LISTEN
            or connections[alias].vendor != "postgresql"
        ):
            return
        with self._lock:
            if self._thread is not None:
                return
            self._stopping.clear()
            self._thread = threading.Thread(
                target=self._listen_forever, args=(alias,), name="card-versions", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """End the listener (tests, before their database is dropped)."""
        thread = self._thread
        if thread is None:
            return
        self._stopping.set()
        thread.join(timeout=10)
        self._thread = None

    def _listen_forever(self, alias: str) -> None:
        pause = 1.0
        while not self._stopping.is_set():
            try:
                self._listen(alias)
            except Exception:  # the server restarted, the network dropped: forget, reconnect
                logger.warning("Card version listener lost its connection", exc_info=True)
            self.end_session()
            self._stopping.wait(pause)
            pause = min(pause * 2, 30.0)

    def _listen(self, alias: str) -> None:
        wrapper = connections[alias]
        raw = wrapper.get_new_connection(wrapper.get_connection_params())
        try:
            raw.autocommit = True
            raw.execute(f"LISTEN {CHANNEL}")
            session = self.start_session()
            # Every web process listens on the channel and hears every other's pings too.
            pings = (f"ping {os.getpid()}:{id(self)}:{n}" for n in itertools.count())
            waiting_for, sent_at, next_ping = "", 0.0, 0.0
            while not self._stopping.is_set():
                # A ping through the channel proves notifications still arrive (a pooler in
                # transaction mode, say, would lose them): without its echo, start afresh.
                now = time.monotonic()
                if not waiting_for and now >= next_ping:
                    waiting_for, sent_at = next(pings), now
                    raw.execute("SELECT pg_notify(%s, %s)", (CHANNEL, waiting_for))
                elif waiting_for and now - sent_at > PING_TIMEOUT_SECONDS:
                    raise ConnectionError("the listener's own ping did not come back")
                for notice in raw.notifies(timeout=1.0):
                    if notice.payload == waiting_for:
                        waiting_for, next_ping = "", sent_at + PING_SECONDS
                    elif not notice.payload.startswith("ping "):  # another process's ping
                        generation_id, version, status = notice.payload.split(" ")
                        self.learn(generation_id, version, status, session=session)
        finally:
            raw.close()


board = VersionBoard()
