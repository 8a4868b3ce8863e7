"""meterbill: utility billing from meter readings to EN 16931 invoices."""
