"""Reminder e-mails: their wording (Jinja2 templates), their MIME form, and delivery
over SMTP. Imported only by ``tracker remind``."""
