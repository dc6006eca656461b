"""The portal: students and coordinators on the web (SPEC §9).

One more interface above ``tracker.service``, beside ``tracker.cli``: a Flask app made by
:func:`create_app`, one blueprint per area (``auth``, ``me``, ``feed``, ``admin``; the
door and claims come next), every route in :mod:`tracker.web.routes`. Only ``tracker
serve`` and this package import Flask.
"""

from tracker.web.app import create_app

__all__ = ["create_app"]
