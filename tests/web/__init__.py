"""Tests of the portal (tracker serve)."""
