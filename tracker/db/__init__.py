"""Database: engine and sessions, models, queries, and the migrations runner."""
