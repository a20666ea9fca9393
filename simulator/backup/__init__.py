"""Backups: tape drives and cartridges, dumpdates, the dump archive and its verification,
and the programs in ``cmd`` (illumos cmd/backup)."""
