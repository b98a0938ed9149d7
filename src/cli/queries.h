// SPDX-License-Identifier: MIT
/* queries.h - the commands that ask the compiled policy questions: test,
 * replay, analyze, and show facts/table. */
#ifndef IPSECFW_QUERIES_H
#define IPSECFW_QUERIES_H

#include <jansson.h>
#include <stdio.h>

#include "view.h"

struct query_opts {
	bool json;
	bool frag;     /* test: a non-first fragment */
	uint8_t iface; /* test: CONN_LAN_BIT, CONN_DIALUP_BIT or 0 */
	bool each;     /* replay: one line per packet */
};

int cmd_test(const struct view *v, int argc, char **argv, const struct query_opts *o);
int cmd_replay(const struct view *v, int argc, char **argv, const struct query_opts *o);
int cmd_analyze(const struct view *v, int argc, char **argv, const struct query_opts *o);
int cmd_show_facts(const struct view *v, const struct query_opts *o);
int cmd_show_table(const struct view *v, const struct query_opts *o);
int cmd_show_ike(const struct view *v, const struct query_opts *o);
int cmd_ike(struct db *db, const struct facts_sources *src, const char *run_dir, bool json,
	    int argc, char **argv);

/* Parses "in|out PROTO SRC[:PORT] DST[:PORT] [type N] [code N]". */
int test_parse_packet(int argc, char **argv, const struct host_facts *facts, struct packet *p,
		      struct err *e);

/* Prints v indented, in key order, and releases it. */
void json_print(json_t *v);

/* One entry of the table, as JSON or as two indented lines. */
json_t *entry_json(const struct ftable *t, size_t i, bool inbound);
void entry_print(FILE *out, const struct ftable *t, size_t i, bool inbound, const char *indent);

#endif
