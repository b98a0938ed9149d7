// SPDX-License-Identifier: MIT
/* facts.h - what the host is right now: its local addresses (for `me`), its
 * DNS, WINS and DHCP servers and default gateways (for the server types of
 * SPEC §1.1), each read from its own source. Every source can be pointed at
 * a fixture, so tests and what-if queries do not depend on this machine. */
#ifndef IPSECFW_FACTS_H
#define IPSECFW_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/addr.h"
#include "model/err.h"
#include "textfile.h"

/* Local addresses have no fixed cap (a container host has thousands);
 * server lists do. */
enum { FACTS_SERVER_MAX = 32 };

struct local_addr {
	struct ip_prefix ip; /* the address; len is its subnet's prefix length */
	int ifindex;
	bool dialup; /* on a point-to-point (PPP) link: conntype dialup */
};

/* Zeroed memory is an empty host_facts; one that holds addresses owns
 * them (facts_free). */
struct host_facts {
	size_t n_addrs, cap_addrs;
	struct local_addr *addrs; /* sorted, no loopback; grown as needed */
	size_t n_servers[SRV_GATEWAY + 1];
	struct ip_prefix servers[SRV_GATEWAY + 1][FACTS_SERVER_MAX]; /* sorted, unique */
	/* Sources that were not what they should be ("" when all were): their
	 * servers are left out, and the agent keeps the ones it had. */
	char refused[256];
	unsigned refused_types; /* 1u << type for each server type refused */
};

/* Where each fact comes from. NULL fields take the machine's defaults. */
struct facts_sources {
	const char *root;       /* prefix for every file below ("" = /) */
	const char *facts_file; /* if set: everything from this file, no netlink */
};

/* Reads every fact into out (overwritten: free what it held first; on
 * failure it holds nothing). Missing files give no servers, not an error;
 * one that is not a small regular text file (textfile.h) or not of its
 * format is refused (out->refused). A broken facts file or netlink failure
 * is an error. */
int facts_read(const struct facts_sources *src, struct host_facts *out, struct err *e);

/* The fixture format, one fact per line ('#' comments):
 *   addr 192.0.2.10/24 [dialup]     a local address with its prefix length
 *   dns|wins|dhcp|gateway ADDRESS   a server of that type
 * A FIFO, a device, a file over 1 MiB or with a NUL byte is an error. */
int facts_parse_file(const char *path, struct host_facts *out, struct err *e);
/* The same over a text already read; name prefixes errors ("NAME:LINE"). */
int facts_parse_text(struct text *t, const char *name, struct host_facts *out, struct err *e);

/* Leaves the servers of type t out: its source (why says which, and what
 * is wrong) was refused. The first reason is kept; later ones are added
 * while there is room. */
void facts_refuse(struct host_facts *f, enum server_type t, const char *why);

/* Sorts and de-duplicates, so equal facts compare equal byte for byte. */
void facts_normalize(struct host_facts *f);
bool facts_equal(const struct host_facts *a, const struct host_facts *b);

void facts_free(struct host_facts *f);
/* A deep copy into out (overwritten); -1 when out of memory. */
int facts_copy(struct host_facts *out, const struct host_facts *from);
/* Moves from's facts into out, freeing what out held; from is left empty. */
void facts_move(struct host_facts *out, struct host_facts *from);

/* -1 only when out of memory. */
int facts_add_addr(struct host_facts *f, const struct ip_prefix *ip, int ifindex, bool dialup);
int facts_add_server(struct host_facts *f, enum server_type t, const struct ip_prefix *ip);

/* The directed broadcast of a local IPv4 subnet into out; false for IPv6
 * and for /31 and /32, which have none. */
bool local_addr_broadcast(const struct local_addr *a, uint8_t out[4]);

/* Loopback (127/8, ::1) is never filtered (SPEC §5.2). */
bool ip_is_loopback(const struct ip_prefix *ip);

/* The files facts are read from, under facts_sources.root. */
#define FACTS_RESOLV_CONF "/etc/resolv.conf"
#define FACTS_RESOLVED_UPLINK "/run/systemd/resolve/resolv.conf"
#define FACTS_WINS_CONF "/etc/ipsecfw/wins.conf"
#define FACTS_DHCLIENT_DIR "/var/lib/dhcp"
#define FACTS_NETWORKD_DIR "/run/systemd/netif/leases"
#define FACTS_NM_DIR "/var/lib/NetworkManager"

/* The directories holding every file above, for a watcher: NULL-ended. */
extern const char *const facts_file_dirs[];

/* Sources, each in its own file. */
int facts_read_netlink(struct host_facts *out, struct err *e);         /* netlink.c */
int facts_read_resolv(const char *root, struct host_facts *out, struct err *e); /* resolv.c */
int facts_read_leases(const char *root, struct host_facts *out, struct err *e); /* leases.c */
int facts_read_wins(const char *root, struct host_facts *out, struct err *e);   /* resolv.c */

/* The parsers of the files above over whole texts (the readers and the
 * fuzz target use them). resolv_scan adds the servers of "KEYWORD ADDRESS"
 * lines and returns the number of the first line whose first word is not
 * in known (NULL-ended; NULL: any word), 0 when none; `stub` (may be NULL)
 * counts loopback servers instead of adding them. */
long resolv_scan(struct text *t, const char *keyword, const char *const *known,
		 enum server_type type, struct host_facts *out, int *stub);
void lease_scan_dhclient(struct text *t, struct host_facts *out);
void lease_scan_keyfile(struct text *t, struct host_facts *out);

/* Parses "192.0.2.1" or "2001:db8::1" as a host prefix; -1 if it is not. */
int ip_parse_host(const char *text, struct ip_prefix *out);

#endif
