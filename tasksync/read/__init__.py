"""Reading: note bytes -> task lines -> fields and records (the grammar, the lexer, the LALR
driver, the note scanner, the vault walk). Pure reading: nothing here writes anything.
May import: the top-level base modules (model, errors, ids, dates, config) only."""
