"""UFS: file systems, write locks, logging, submirror images, vfstab/mnttab, the application
workload (illumos uts/common/fs/ufs), and the programs in ``cmd`` (cmd/fs.d)."""
