#!/usr/bin/perl
# The seed procedure (Admin Guide Example 11-23) in perl: backticks and list-form system().
# usage: seed.pl DUMPFILE
use strict;
use warnings;

my $dump = shift or die "usage: seed.pl DUMPFILE\n";
my $stat = `/usr/sbin/metastat d1`;
exit 2 if $? != 0;
for my $state ($stat =~ /State: (\S+)/g) {
    if ($state ne 'Okay') { print STDERR "seed.pl: d1 not Okay\n"; exit 2 }
}
sub run {
    system(@_) == 0 or die "seed.pl: @_ failed (exit " . ($? >> 8) . ")\n";
}
run('/usr/sbin/lockfs', '-w', '/home1');
run('/usr/sbin/metadetach', 'd1', 'd3');
run('/usr/sbin/lockfs', '-u', '/home1');
run('/usr/sbin/fsck', '-y', '/dev/md/rdsk/d3');
run('/usr/sbin/ufsdump', '0ucf', $dump, '/dev/md/rdsk/d3');
run('/usr/sbin/metattach', 'd1', 'd3');
print "seed.pl: done\n";
