"""libmeta (illumos lib/lvm/libmeta/common): names, checks, error texts, md.tab and the
printing of each metadevice type, shared by the meta* programs."""
