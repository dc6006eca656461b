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


def test_the_served_database_keeps_a_connection_for_each_thread(monkeypatch, sqlite_url,
                                                                 tmp_path):
    """Eight threads answering at once on a pool of five (SQLAlchemy's default) would open
    and close a connection for the three over it at every request: on PostgreSQL a new
    server process each time. One per thread, and one for the mail worker."""
    from tracker.cli import serve

    pools: list[int] = []

    class Server:
        def __init__(self, web) -> None:
            pools.append(web.extensions["tracker"].db.engine.pool.size())

        def run(self) -> None:
            pass

        def close(self) -> None:
            pass

    monkeypatch.setattr(serve, "_listen", lambda web, *args: Server(web))
    monkeypatch.setattr(serve, "_stop_on_sigterm", lambda: None)
    main(["--db", sqlite_url, "serve", "--threads", "12", "--outbox", str(tmp_path / "o")],
         obj=AppContext(), standalone_mode=False)
    assert pools == [13]
