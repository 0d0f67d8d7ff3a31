"""Database engine and sessions, SQLite specifics, bulk inserts."""
