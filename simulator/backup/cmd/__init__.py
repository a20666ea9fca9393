"""ufsdump and ufsrestore (illumos cmd/backup/dump and cmd/backup/restore)."""
