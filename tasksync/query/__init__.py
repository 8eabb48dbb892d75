"""Questions over the index's records: the Tasks query language, people and owners,
near-duplicates. May import: write/, index/, read/ and the base modules."""
