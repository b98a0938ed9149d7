// SPDX-License-Identifier: MIT
/* program_build.h - what program.c and secure.c share to write a program:
 * the builder (body text, maps, elements) and the chains every mode has. */
#ifndef IPSECFW_PROGRAM_BUILD_H
#define IPSECFW_PROGRAM_BUILD_H

#include "program.h"

struct view_cache;
struct view_cut;

/* Why a packet is dropped: the reasons of SPEC §7.3, one drop chain each
 * per direction, where drops are counted and (if asked) logged. */
enum drop_reason {
	DR_BLOCK,
	DR_NEGOTIATE,
	DR_BOOT_BLOCK,
	DR_BOOT_STATEFUL,
	DR_OP_BLOCK,
	DR_UNKNOWN_LOCAL, /* fail-closed programs only */
	DR_COUNT,
};

struct builder {
	struct nft_program *p;
	FILE *decl, *chains; /* sets, maps and counters; chains */
	char *decl_buf, *chains_buf;
	size_t decl_len, chains_len, cap_maps, cap_elems;
	const struct ftable *t;
	const struct config *cfg;
	long long unknown_local_since; /* fail closed since then; 0: not */
	struct view_cache *views;      /* views built before, to reuse; NULL: none */
	struct view_cut *cuts;	       /* the views' cuts in this build (secure.c) */
	size_t n_cuts;
	bool failed; /* out of memory somewhere */
};

int builder_open(struct builder *b, struct nft_program *p, enum fw_mode mode);
/* Joins declarations and chains into the body. */
int builder_close(struct builder *b, struct err *e);
/* A map or set that takes elements: its index in p->maps. */
uint32_t add_map(struct builder *b, const char *name);
/* An element of map: its key and what follows it (comment, verdict). */
void add_elem(struct builder *b, uint32_t map, const char *key, const char *rest);
/* An element whose text (key, then what follows it) is whole already. */
void add_elem_text(struct builder *b, uint32_t map, const char *text, size_t key_len);

void drop_chain_name(bool in, enum drop_reason r, char *buf, size_t len);
bool has_negotiate(const struct ftable *t);
void emit_negotiate_chains(struct builder *b);
void emit_drop_chains(struct builder *b);
/* The chain the base chain of a direction jumps to, opened. */
void open_top_chain(struct builder *b, bool in);

#endif
