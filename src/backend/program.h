/* program.h - what ipsecfw asks the kernel to enforce, as nftables text:
 * the table `inet ipsecfw` for one driver mode (SPEC §6, §10).
 *
 * A program is a body (sets, maps, chains; everything but map elements)
 * and the elements of its maps. Two programs with the same body differ
 * only in elements, and can be turned into each other by adding and
 * deleting elements in place. */
#ifndef IPSECFW_PROGRAM_H
#define IPSECFW_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/ftable.h"
#include "model/config.h"
#include "model/err.h"
#include "sys/facts.h"

#define NFT_TABLE_FAMILY "inet"
#define NFT_TABLE_NAME "ipsecfw"
enum { NFLOG_GROUP = 4280 };

/* The driver's modes (SPEC §6.1, §6.2). */
enum fw_mode {
	MODE_BOOT_PERMIT,
	MODE_BOOT_BLOCK,
	MODE_BOOT_STATEFUL,
	MODE_SECURE,
	MODE_PERMIT, /* the service was stopped */
	MODE_BLOCK,  /* the persistent policy could not be applied */
	MODE_COUNT,
};

const char *fw_mode_name(enum fw_mode m); /* "boot-block", "secure", ... */
int fw_mode_parse(const char *name, enum fw_mode *out);

struct nft_elem {
	uint32_t map;   /* index into maps */
	char *text;     /* "KEY comment \"...\" : VERDICT", or KEY for a set */
	size_t key_len; /* text[0..key_len) is the key */
};

struct nft_program {
	enum fw_mode mode;
	char *body;  /* table contents, maps declared empty */
	char **maps; /* names of the maps and sets that take elements */
	size_t n_maps;
	struct nft_elem *elems; /* grouped by map, in a fixed order */
	size_t n_elems;
	size_t n_tiers; /* map lookups on the longest path, for messages */
};

/* Secure mode: the FilterTable. Diagnostics decide which drops are logged. */
int program_secure(const struct ftable *t, const struct host_facts *facts,
		   const struct config *cfg, struct nft_program *out, struct err *e);
/* Any other mode: boot modes take the boot exemptions and DHCP. */
int program_mode(enum fw_mode m, const struct config *cfg, struct nft_program *out,
		 struct err *e);
void program_free(struct nft_program *p);

/* The text that replaces the table in one transaction, its comment telling
 * the mode and the generation. */
void program_write_load(const struct nft_program *p, uint64_t gen, FILE *out);

/* The text that turns old into new in place, or false when only a full
 * load is safe: their bodies differ, or a key leaves one map and comes
 * back in the same or another (maps are swapped one by one within a
 * commit). So addresses joining or leaving `me` are updates; a policy
 * change is a new table. No output when they are equal. */
bool program_write_update(const struct nft_program *old, const struct nft_program *new_,
			  FILE *out);

/* A program saved and read back (for the next update). */
char *program_serialize(const struct nft_program *p);
int program_deserialize(const char *text, struct nft_program *out, struct err *e);

#endif
