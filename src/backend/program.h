// SPDX-License-Identifier: MIT
/* program.h - what ipsecfw asks the kernel to enforce, as nftables text:
 * the table `inet ipsecfw` for one driver mode (SPEC §6, §10).
 *
 * A program is a body (sets, maps, counters, chains; everything but map
 * elements) and the elements of its maps. Two programs with the same body
 * differ only in elements, and can be turned into each other by adding and
 * deleting elements in place.
 *
 * The table keeps two fixed base chains, inbound and outbound (on the
 * input and output hooks), each holding
 * one rule: a jump into the program in force. Every object of a program
 * lives in a slot, "a" or "b", its names prefixed "a_" or "b_"; a new
 * program is staged in the free slot in one transaction (filled, but no
 * packet reaches it), then the base chains jump to it and the old slot is
 * deleted in a second. Both are small steps the kernel makes atomically:
 * in one transaction that also fills new interval maps, the rules go live
 * before the maps' contents do. An empty chain made and deleted with the
 * jumps tells the table's state by its name: state_<mode>_<generation>_<slot>
 * (chain names can be listed without the set elements), then _<program
 * fingerprint>, then, once the table was read back after the load,
 * _<kernel fingerprint> (fingerprint.h): what the table must still list
 * for the program to be in force, unchanged. */
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

/* Starts every object name in a program's text; the writers put the slot
 * ("a_" or "b_") in its place. */
#define SLOT_MARK "$SLOT_"

/* Sets the agent fills while a program is in force, whose elements the
 * kernel's fingerprint leaves out (fingerprint.h): LIVE_SET_MARK starts
 * their names (after the slot). SOFT_PEERS "4" and "6": the peers of soft
 * rules in their fallback to clear, each with a timeout. */
#define LIVE_SET_MARK "live_"
#define SOFT_PEERS LIVE_SET_MARK "soft"

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
static inline bool fw_mode_is_boot(enum fw_mode m)
{
	return m == MODE_BOOT_PERMIT || m == MODE_BOOT_BLOCK || m == MODE_BOOT_STATEFUL;
}
int fw_mode_parse(const char *name, enum fw_mode *out);

struct nft_elem {
	uint32_t map;   /* index into maps */
	char *text;     /* "KEY comment \"...\" : VERDICT", or KEY for a set */
	size_t key_len; /* text[0..key_len) is the key */
};

struct nft_program {
	enum fw_mode mode;
	char *body;  /* the slot's objects, maps declared empty */
	char **maps; /* names of the maps and sets that take elements */
	size_t n_maps;
	struct nft_elem *elems; /* grouped by map, in a fixed order */
	size_t n_elems;
	size_t n_tiers; /* map lookups on the longest path, for messages */
};

/* Names the empty chain of a fail-closed program, followed by the unix
 * time since when: `show mode` reads it. */
#define UNKNOWN_LOCAL_MARK "unknown_local_dropped_since_"

struct view_cache; /* view_cache.h */

/* Secure mode: the FilterTable. Diagnostics decide which drops are logged.
 * unknown_local_since, when not 0, fails closed for what the facts could
 * not tell (they were unreadable since then): unicast to or from a local
 * address not among facts' is dropped (drop reason unknown-local).
 * views (optional): the views of the program built before, reused where
 * their input is the same, and updated to this program's. */
int program_secure(const struct ftable *t, const struct host_facts *facts,
		   const struct config *cfg, long long unknown_local_since,
		   struct view_cache *views, struct nft_program *out, struct err *e);
/* Any other mode: boot modes take the boot exemptions and DHCP. */
int program_mode(enum fw_mode m, const struct config *cfg, struct nft_program *out,
		 struct err *e);
void program_free(struct nft_program *p);

/* An object of our table, as the kernel lists it. */
struct nft_object {
	char kind[8]; /* "chain", "set", "map" (counters: see write_deletions) */
	char name[128];
};

/* The slot an object's name belongs to ('a', 'b'), or 0. */
char program_slot_of(const char *name);

/* The first transaction of a load: the base chains (made if missing, or
 * emptied when no program is known to be in force), the leftovers of slot
 * among the table's objects deleted, and the program staged in slot, maps
 * filled but those skip[map] (NULL: none), whose elements are loaded by
 * netlink next (elements.h). Packets do not reach it yet. */
void program_write_stage(const struct nft_program *p, char slot, bool flush_base,
			 const struct nft_object *objects, size_t n_objects, const bool *skip,
			 FILE *out);
/* The second: the base chains jump into slot, the state chain tells so,
 * and every other object listed (the old slot, the old state) is deleted. */
void program_write_switch(const struct nft_program *p, char slot, uint64_t gen,
			  const char *program_fp, const struct nft_object *objects, size_t n_objects,
			  FILE *out);
/* The state chain's name; empty fingerprints are left out. */
void program_state_name(enum fw_mode m, uint64_t gen, char slot, const char *program_fp,
			const char *kernel_fp, char *buf, size_t len);
/* Deletes the objects of slot (a stage that could not be switched to). */
void program_write_discard(char slot, const struct nft_object *objects, size_t n_objects,
			   FILE *out);
/* The whole table as it stands once p is loaded in slot a, as one nft
 * script (what `apply --dry-run` shows). */
void program_write_table(const struct nft_program *p, FILE *out);

/* The text that turns old, in force in slot, into new in place, or false
 * when only a full load is safe: their bodies differ, or a key leaves one
 * map and comes back in the same or another (maps are swapped one by one
 * within a commit). So addresses joining or leaving `me` are updates; a
 * policy change is a new program. No output when they are equal. */
bool program_write_update(const struct nft_program *old, const struct nft_program *new_,
			  char slot, FILE *out);

/* The elements that turn old into new_ in place: gone (of old) to delete,
 * fresh (of new_) to add, each sorted by map. False when only a full load
 * is safe (as for program_write_update). */
struct program_diff {
	const struct nft_elem **gone, **fresh;
	size_t n_gone, n_fresh;
};
bool program_diff(const struct nft_program *old, const struct nft_program *new_,
		  struct program_diff *d);
void program_diff_free(struct program_diff *d);

/* A program saved and read back (for the next update). */
char *program_serialize(const struct nft_program *p);
int program_deserialize(const char *text, struct nft_program *out, struct err *e);

#endif
