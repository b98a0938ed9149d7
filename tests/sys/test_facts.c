// SPDX-License-Identifier: MIT
/* Host facts from fixtures: resolv.conf (plain and behind the
 * systemd-resolved stub), the lease files of dhclient, systemd-networkd and
 * NetworkManager, ipsecfw's wins.conf, and the facts file of what-if
 * queries with its errors. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/facts.h"
#include "tap.h"

static char root[] = "/tmp/ipsecfw-facts-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512], dir[512];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(p - path), path);
		mkdir(dir, 0755);
	}
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void servers(const struct host_facts *f, enum server_type t, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	buf[0] = '\0';
	for (size_t i = 0; i < f->n_servers[t]; i++) {
		inet_ntop(f->servers[t][i].family, f->servers[t][i].bytes, a, sizeof(a));
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? " " : "", a);
	}
}

static int read_files(struct host_facts *f)
{
	struct err e;
	memset(f, 0, sizeof(*f));
	if (facts_read_resolv(root, f, &e) < 0 || facts_read_leases(root, f, &e) < 0 ||
	    facts_read_wins(root, f, &e) < 0)
		return -1;
	facts_normalize(f);
	return 0;
}

static char *repeat(const char *unit, size_t times, const char *head, const char *tail)
{
	size_t u = strlen(unit), h = strlen(head), n = h + u * times + strlen(tail);
	char *s = malloc(n + 1);

	memcpy(s, head, h);
	for (size_t i = 0; i < times; i++)
		memcpy(s + h + i * u, unit, u);
	strcpy(s + h + u * times, tail);
	return s;
}

static void path_of(const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", root, rel);
	unlink(buf);
}

/* Files that are too long, not regular, or not text (issue 13). */
static void hostile_files(struct host_facts *f, struct facts_sources *src)
{
	char buf[512], path[512], facts[512];
	struct err e;

	snprintf(facts, sizeof(facts), "%s/facts", root);
	src->facts_file = facts;
	/* A comment line whose text past byte 1023 looked like a nameserver
	 * line to a reader with a 1 KiB buffer: whole lines, no server from it. */
	char *text = repeat("x", 1022, "#", "nameserver 203.0.113.66\nnameserver 192.0.2.53\n");
	put("/etc/resolv.conf", text);
	free(text);
	read_files(f);
	servers(f, SRV_DNS, buf, sizeof(buf));
	is_str(buf, "192.0.2.53", "resolv.conf: text past 1 KiB of a long line is not a server");

	text = repeat(" sub.example.net", 400, "search", "\nnameserver 192.0.2.54\n");
	put("/etc/resolv.conf", text);
	free(text);
	read_files(f);
	servers(f, SRV_DNS, buf, sizeof(buf));
	ok(strcmp(buf, "192.0.2.54") == 0 && !f->refused[0],
	   "resolv.conf: a 6 KB search line is read whole and accepted");

	text = repeat("#", 4000, "lease {\n  option dhcp-server-identifier 192.0.2.7; ",
		      "\n  option dhcp-server-identifier 192.0.2.8;\n}\n");
	put("/var/lib/dhcp/dhclient.eth0.leases", text);
	free(text);
	text = repeat("A", 3000, "ROUTER=", "SERVER_ADDRESS=203.0.113.99\nSERVER_ADDRESS=198.51.100.1\n");
	put("/run/systemd/netif/leases/2", text);
	free(text);
	read_files(f);
	servers(f, SRV_DHCP, buf, sizeof(buf));
	ok(strstr(buf, "192.0.2.8") && !strstr(buf, "192.0.2.7 ") && !strstr(buf, "203.0.113.99"),
	   "lease files: long lines read whole (got %s)", buf);

	text = repeat("#", 3000, "", "\naddr 192.0.2.10/24\ndns 198.51.100.53\n");
	put("/facts", text);
	free(text);
	ok(facts_read(src, f, &e) == 0 && f->n_addrs == 1 && f->n_servers[SRV_DNS] == 1,
	   "facts file: a 3 KB comment line and the lines after it");
	facts_free(f);

	/* A FIFO with no writer, /dev/zero through a symlink, a directory:
	 * refused at once (no hang), with what they are. */
	path_of("/etc/resolv.conf", path, sizeof(path));
	mkfifo(path, 0600);
	read_files(f);
	ok(f->n_servers[SRV_DNS] == 0 && (f->refused_types & 1u << SRV_DNS) &&
		   strstr(f->refused, "resolv.conf: a FIFO, not a regular file"),
	   "resolv.conf as a FIFO: refused, no hang (%s)", f->refused);
	path_of("/etc/ipsecfw/wins.conf", path, sizeof(path));
	if (symlink("/dev/zero", path) == 0)
		read_files(f);
	ok((f->refused_types & 1u << SRV_WINS) && strstr(f->refused, "a character device"),
	   "wins.conf linked to /dev/zero: refused (%s)", f->refused);
	unlink(path);
	path_of("/var/lib/NetworkManager/internal-x-eth9.lease", path, sizeof(path));
	mkfifo(path, 0600);
	read_files(f);
	ok((f->refused_types & 1u << SRV_DHCP) && f->n_servers[SRV_DHCP] == 0 &&
		   strstr(f->refused, "internal-x-eth9.lease: a FIFO"),
	   "a lease file as a FIFO: DHCP refused");
	unlink(path);
	path_of("/facts", path, sizeof(path));
	mkfifo(path, 0600);
	ok(facts_read(src, f, &e) < 0 && strstr(e.msg, "facts file: ") &&
		   strstr(e.msg, "/facts: a FIFO, not a regular file"),
	   "--facts FILE as a FIFO: an error, no hang (%s)", e.msg);
	unlink(path);
	src->facts_file = "/dev/zero";
	ok(facts_read(src, f, &e) < 0 && strstr(e.msg, "a character device"),
	   "--facts /dev/zero: an error (%s)", e.msg);
	src->facts_file = facts;

	/* A symlink to a regular file is followed (resolv.conf often is one). */
	put("/run/stub-resolv.conf", "nameserver 192.0.2.55\n");
	path_of("/etc/resolv.conf", path, sizeof(path));
	snprintf(buf, sizeof(buf), "%s/run/stub-resolv.conf", root);
	if (symlink(buf, path) == 0)
		read_files(f);
	servers(f, SRV_DNS, buf, sizeof(buf));
	ok(strcmp(buf, "192.0.2.55") == 0 && !(f->refused_types & 1u << SRV_DNS),
	   "resolv.conf as a symlink to a regular file: read");

	/* Over 1 MiB; a NUL byte. */
	text = repeat("nameserver 192.0.2.56\n", (TEXT_FILE_MAX / 22) + 1, "", "");
	put("/etc/resolv.conf", text);
	free(text);
	read_files(f);
	ok(f->n_servers[SRV_DNS] == 0 && strstr(f->refused, "larger than 1048576 bytes"),
	   "resolv.conf over 1 MiB: refused (%s)", f->refused);
	text = repeat("#", TEXT_FILE_MAX, "", "\n");
	put("/facts", text);
	free(text);
	ok(facts_read(src, f, &e) < 0 && strstr(e.msg, "larger than 1048576 bytes"),
	   "a facts file over 1 MiB: an error");
	path_of("/etc/resolv.conf", path, sizeof(path));
	FILE *out = fopen(path, "w");
	fwrite("nameserver 192.0.2.57\n\0nameserver 192.0.2.58\n", 1, 46, out);
	fclose(out);
	read_files(f);
	ok(f->n_servers[SRV_DNS] == 0 && strstr(f->refused, "NUL byte (at byte 22)"),
	   "resolv.conf with a NUL byte: refused (%s)", f->refused);
	put("/etc/resolv.conf", "nameserver 192.0.2.53\n");
	put("/etc/ipsecfw/wins.conf", "wins 192.0.2.137\n");
	read_files(f);
	ok(!f->refused[0] && f->refused_types == 0 && f->n_servers[SRV_DHCP] > 0,
	   "well-formed files again: nothing refused");
}

int main(void)
{
	struct host_facts f;
	struct err e;
	char buf[512];

	if (!mkdtemp(root))
		return 1;

	ok(read_files(&f) == 0 && f.n_servers[SRV_DNS] == 0 && f.n_servers[SRV_DHCP] == 0,
	   "an empty root: no servers, no error");

	put("/etc/resolv.conf", "# generated\nsearch example.net\nnameserver 198.51.100.53\n"
				"nameserver 2001:db8::53\nnameserver fe80::1%eth0\nnameserver junk\n"
				"options edns0\n");
	read_files(&f);
	servers(&f, SRV_DNS, buf, sizeof(buf));
	is_str(buf, "198.51.100.53 2001:db8::53 fe80::1", "resolv.conf: every nameserver, zones cut");

	put("/etc/resolv.conf", "; old style comment\n\nnameserver 198.51.100.53\n\x7f\xff garbage\n");
	read_files(&f);
	ok(f.n_servers[SRV_DNS] == 0 && f.refused_types == 1u << SRV_DNS &&
		   strstr(f.refused, "/etc/resolv.conf: line 4 is not a resolv.conf line"),
	   "resolv.conf with a line it cannot hold: refused, with the line, no servers from it");

	put("/etc/resolv.conf", "nameserver 127.0.0.53\noptions edns0 trust-ad\n");
	put("/run/systemd/resolve/resolv.conf", "nameserver 203.0.113.1\nnameserver 203.0.113.2\n");
	read_files(&f);
	servers(&f, SRV_DNS, buf, sizeof(buf));
	is_str(buf, "203.0.113.1 203.0.113.2", "behind the resolved stub: resolved's uplink servers");
	ok(f.refused[0] == '\0', "a well-formed resolv.conf is not refused");

	put("/var/lib/dhcp/dhclient.eth0.leases",
	    "lease {\n  interface \"eth0\";\n  fixed-address 192.0.2.10;\n"
	    "  option dhcp-server-identifier 192.0.2.1;\n}\n"
	    "lease {\n  interface \"eth0\";\n  option dhcp-server-identifier 192.0.2.2;\n}\n");
	read_files(&f);
	servers(&f, SRV_DHCP, buf, sizeof(buf));
	is_str(buf, "192.0.2.2", "dhclient: the last lease's server");

	put("/run/systemd/netif/leases/2", "# This is private data.\nADDRESS=198.51.100.9\n"
					    "SERVER_ADDRESS=198.51.100.1\nROUTER=198.51.100.1\n");
	put("/var/lib/NetworkManager/internal-0b1c-eth1.lease", "ADDRESS=203.0.113.9\n"
								"SERVER_ADDRESS=203.0.113.254\n");
	put("/var/lib/NetworkManager/dhclient-0b1c-eth2.lease",
	    "lease {\n  option dhcp-server-identifier 198.51.100.254;\n}\n");
	put("/var/lib/NetworkManager/NetworkManager.state", "[main]\nSERVER_ADDRESS=192.0.2.99\n");
	read_files(&f);
	servers(&f, SRV_DHCP, buf, sizeof(buf));
	is_str(buf, "192.0.2.2 198.51.100.1 198.51.100.254 203.0.113.254",
	       "dhclient, networkd and both NetworkManager lease formats, nothing else");

	put("/etc/ipsecfw/wins.conf", "# WINS servers\nwins 192.0.2.137\nwins 192.0.2.138\nwins bad\n");
	read_files(&f);
	servers(&f, SRV_WINS, buf, sizeof(buf));
	is_str(buf, "192.0.2.137 192.0.2.138", "wins.conf");

	/* The facts file of what-if queries and tests. */
	put("/facts", "# a web server\naddr 192.0.2.10/24\naddr 2001:db8::10/64\n"
		      "addr 198.51.100.1/30 dialup\ndns 198.51.100.53\ndns 198.51.100.53\n"
		      "gateway 192.0.2.1\nwins 192.0.2.137\ndhcp 192.0.2.1\naddr 127.0.0.1/8\n");
	snprintf(buf, sizeof(buf), "%s/facts", root);
	struct facts_sources src = { .facts_file = buf };
	ok(facts_read(&src, &f, &e) == 0, "facts file reads");
	ok(f.n_addrs == 3 && f.addrs[0].ip.len == 24 && f.addrs[1].dialup && !f.addrs[0].dialup,
	   "three addresses (loopback left out), prefix lengths and the dialup flag");
	ok(f.n_servers[SRV_DNS] == 1 && f.n_servers[SRV_GATEWAY] == 1 && f.n_servers[SRV_WINS] == 1 &&
		   f.n_servers[SRV_DHCP] == 1,
	   "servers, duplicates merged");
	facts_free(&f);

	/* No fixed cap on addresses: a container host has thousands. */
	FILE *many = fopen(buf, "w");
	for (int i = 0; many && i < 1100; i++)
		fprintf(many, "addr 10.%d.%d.1/24\n", i / 256, i % 256);
	if (many)
		fclose(many);
	ok(facts_read(&src, &f, &e) == 0 && f.n_addrs == 1100 && f.addrs[1099].ip.bytes[1] == 4 &&
		   f.addrs[1099].ip.bytes[2] == 75,
	   "1,100 addresses read, the last one kept (%zu)", f.n_addrs);
	facts_free(&f);

	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "addr 192.0.2.300/24\n", ":1: bad address '192.0.2.300'" },
		{ "addr 192.0.2.1/33\n", ":1: prefix length 33 is too long" },
		{ "\naddr 192.0.2.1/24 wan\n", ":2: unknown flag 'wan'" },
		{ "dns\n", ":1: 'dns' needs an address" },
		{ "router 192.0.2.1\n", ":1: the first word is not a fact" },
		{ "gateway 192.0.2.1 extra\n", ":1: unexpected 'extra'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put("/facts", bad[i].text);
		int rc = facts_read(&src, &f, &e);
		ok(rc < 0 && strstr(e.msg, bad[i].want), "bad facts file: %s", bad[i].want);
		if (rc == 0 || !strstr(e.msg, bad[i].want))
			printf("#   got '%s'\n", rc < 0 ? e.msg : "success");
	}
	src.facts_file = "/nonexistent/facts";
	ok(facts_read(&src, &f, &e) < 0 && strstr(e.msg, "cannot open"), "a missing facts file is an error");

	hostile_files(&f, &src);

	/* Normalisation: any order of the same facts compares equal. */
	struct host_facts a = { 0 }, b = { 0 };
	struct ip_prefix x, y;
	ip_parse_host("192.0.2.10", &x);
	ip_parse_host("2001:db8::10", &y);
	facts_add_addr(&a, &x, 1, false);
	facts_add_addr(&a, &y, 1, false);
	facts_add_addr(&b, &y, 1, false);
	facts_add_addr(&b, &x, 1, false);
	facts_add_addr(&b, &x, 1, false);
	facts_normalize(&a);
	facts_normalize(&b);
	ok(facts_equal(&a, &b), "the same facts in another order, with a duplicate, are equal");
	struct host_facts c;
	ok(facts_copy(&c, &b) == 0 && facts_equal(&c, &a) && c.addrs != b.addrs,
	   "a copy is equal and owns its addresses");
	facts_move(&a, &c);
	ok(facts_equal(&a, &b) && c.n_addrs == 0 && c.addrs == NULL, "a move leaves the source empty");
	facts_free(&a);
	facts_free(&b);

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? done_testing() : 1;
}
