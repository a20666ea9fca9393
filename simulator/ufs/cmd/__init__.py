"""The UFS programs: fsck, lockfs, mount, umount, df (illumos cmd/fs.d)."""
