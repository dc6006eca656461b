"""The background mail worker of one portal process.

The queue is the ``signin_request`` table, so any process's worker may send any
request's mail: a worker claims a row with one conditional UPDATE (two workers never
both win), makes the link and code in that transaction, sends, and marks it sent. A
worker that stops between claiming and marking (a crash, a kill) leaves a row in
``sending``; after :data:`~tracker.service.portal.signin.CLAIM_LEASE` another worker takes
it again with a new link (the first link, if its mail did leave, then no longer works:
the newest mail is the one to use). A POST wakes this process's worker at once; the
others look every :data:`POLL_SECONDS`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tracker.db.engine import Database
from tracker.mail.smtp import DeliveryFailed

if TYPE_CHECKING:
    from tracker.web.mail import Postbox
    from tracker.web.site import Site

POLL_SECONDS = 2.0
HOUSEKEEPING = timedelta(minutes=10)
LOG = logging.getLogger("tracker.web.mail")


class MailWorker:
    def __init__(self, db: Database, postbox: Postbox, site: Site,
                 clock: Callable[[], datetime]) -> None:
        self.db, self.postbox, self.site, self.clock = db, postbox, site, clock
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._tidied: datetime | None = None

    def run_once(self) -> int:
        """Send every mail that waits; returns how many left. A failed delivery stays
        queued for the next round."""
        from tracker.service.portal import signin
        from tracker.web.mail import sign_in_message

        sent = 0
        while (mail := signin.next_mail(self.db, self.clock())) is not None:
            message = sign_in_message(mail, self.site, self.postbox.sender)
            try:
                self.postbox.deliver(message, mail.address,
                                     f"signin-{mail.request_id}-{mail.claimed_at:%H%M%S}")
            except DeliveryFailed as failure:
                LOG.warning("sign-in mail %s not delivered: %s", mail.request_id, failure)
                signin.mail_failed(self.db, mail, str(failure))
                break  # the server is down or refusing: try again at the next round
            signin.mail_sent(self.db, mail, self.clock())
            sent += 1
        self._tidy()
        return sent

    def _tidy(self) -> None:
        """Now and then: forget old requests and the rows of sessions that ran out."""
        from tracker.service.portal.sessions import end_stale
        from tracker.service.portal.signin import forget_old_requests

        now = self.clock()
        if self._tidied is not None and now - self._tidied < HOUSEKEEPING:
            return
        self._tidied = now
        forget_old_requests(self.db, now)
        end_stale(self.db, now)

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        """Start the thread (once; later calls do nothing)."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="tracker-mail",
                                                daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # a wake from now on is seen at the wait below
            try:
                self.run_once()
            except Exception:  # the database went away a moment: log, and go on
                LOG.exception("the mail worker failed; trying again")
            self._wake.wait(POLL_SECONDS)
