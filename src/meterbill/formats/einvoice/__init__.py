"""EN 16931 electronic invoices: the semantic model, UBL 2.1 and CII writers, readers
and validation against the official schemas and schematron."""
