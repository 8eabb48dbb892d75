"""The SQLite index: a cache of the vault's tasks, kept up to date incrementally, and the
selection of its records. May import: read/ and the base modules."""
