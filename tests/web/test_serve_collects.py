"""`tracker serve` collects garbage: the console script keeps the collector off through
its imports and turns it on when the database opens; the portal opens its own, and a
server that ran for weeks without a collector would keep every cycle it ever made."""

from __future__ import annotations

import gc

from tracker.cli import _collect_from_now_on, main
from tracker.cli.context import AppContext


def test_the_served_process_collects_garbage(monkeypatch, sqlite_url, tmp_path):
    from tracker.cli import serve

    seen: dict[str, bool] = {}

    class Server:
        def run(self) -> None:
            seen["collecting"] = gc.isenabled()

        def close(self) -> None:
            pass

    monkeypatch.setattr(serve, "_listen", lambda *args: Server())
    monkeypatch.setattr(serve, "_stop_on_sigterm", lambda: None)
    thresholds = gc.get_threshold()
    gc.disable()  # as the console script starts
    try:
        main(["--db", sqlite_url, "serve", "--outbox", str(tmp_path / "outbox")],
             obj=AppContext(on_open=_collect_from_now_on), standalone_mode=False)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        gc.enable()
    assert seen == {"collecting": True}
