"""Published versions of a report: immutable snapshots that readers read, compare and sign off."""
