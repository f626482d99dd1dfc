#!/usr/bin/perl
# A CGI script for fcgiwrap: echoes the CGI variables and a checksum of the body.
use strict;
use warnings;
use Digest::SHA;

binmode STDIN;
my $sha = Digest::SHA->new(256);
my $length = 0;
my $buffer;
while (my $read = read(STDIN, $buffer, 65536)) {
    $length += $read;
    $sha->add($buffer);
}
print STDERR "cgi-stderr-marker $ENV{QUERY_STRING}\n";
my $status = $ENV{QUERY_STRING} =~ /code=(\d+)/ ? $1 : 200;
print "Status: $status Custom\r\n";
print "Content-Type: text/plain\r\n";
print "Set-Cookie: cgi=1\r\n";
print "\r\n";
for my $key (qw(REQUEST_METHOD SCRIPT_NAME PATH_INFO QUERY_STRING CONTENT_LENGTH HTTP_HOST HTTP_COOKIE)) {
    print "$key=", ($ENV{$key} // ''), "\n";
}
print "BODY=$length ", $sha->hexdigest, "\n";
