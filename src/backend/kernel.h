// SPDX-License-Identifier: MIT
/* kernel.h - talking to nftables through libnftables: running one batch of
 * commands as one kernel transaction, and reading our table back. */
#ifndef IPSECFW_KERNEL_H
#define IPSECFW_KERNEL_H

#include <jansson.h>
#include <stdint.h>

#include "fingerprint.h"
#include "model/err.h"
#include "program.h"

/* Runs text as one transaction: all of it or none. On failure e holds
 * nftables' own message. */
int kernel_run(const char *text, struct err *e);

/* Runs a listing command with JSON output ("list table inet ipsecfw").
 * *out is the parsed document; 0 when the object does not exist. */
int kernel_list_json(const char *cmd, json_t **out, struct err *e);

/* Our table as the kernel holds it. */
struct kernel_table {
	bool exists;
	bool loaded;  /* a program is in force; mode, gen and slot tell which */
	enum fw_mode mode;
	uint64_t gen;
	char slot;
	/* What the state chain says was loaded: the program's fingerprint,
	 * and the kernel's once its listing was read back ("" if not yet). */
	char program_fp[FINGERPRINT_HEX + 1];
	char kernel_fp[FINGERPRINT_HEX + 1];
	char state_chain[128];
	uint64_t state_handle; /* the state chain's */
	struct nft_object *objects; /* all of them but the base chains */
	size_t n_objects;
};

/* Reads our table (no elements): -1 on error, and a table of that name not
 * written by ipsecfw is an error. */
int kernel_table_read(struct kernel_table *t, struct err *e);
void kernel_table_free(struct kernel_table *t);

#endif
