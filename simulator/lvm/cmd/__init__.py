"""The meta* programs (illumos cmd/lvm/util): getopt, then libmeta, then the md driver."""
