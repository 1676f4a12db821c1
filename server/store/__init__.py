"""The store: engines, the writer, checkpoints, the storage guard, identity, migrations,
tables, the raw-SQL hot path, backup. `open_store` is the one way to open it."""
