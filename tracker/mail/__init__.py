"""Mail as bytes and over the wire: MIME (:mod:`~tracker.mail.mime`) and SMTP
(:mod:`~tracker.mail.smtp`). No wording here (that is :mod:`tracker.pages`) and no
decisions (every mail leaves through :mod:`tracker.service.mail`)."""
