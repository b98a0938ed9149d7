// SPDX-License-Identifier: MIT
/* view_cache.h - the views of the last secure-mode program, kept for the
 * next one. An address change alters the entries of few views (those that
 * hold a filter on `me` or a server address), yet building a program cuts
 * every view into partitions and tiers again: most of an address change's
 * time. A view whose input boxes and element tails (comment and verdict)
 * are the same as when it was built gets the same lookups, so its maps and
 * elements are taken from here instead (secure.c). Exact, not hashed: the
 * inputs are compared in full. */
#ifndef IPSECFW_VIEW_CACHE_H
#define IPSECFW_VIEW_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"
#include "tiers.h"

struct view_cache;

struct view_cache *view_cache_new(void); /* NULL: out of memory */
void view_cache_free(struct view_cache *c);

/* What a view built: its lookup maps, their elements (map: the view's
 * lookup k, in the order they were added), and the lookups on its longest
 * path. */
struct view_built {
	size_t n_maps;
	long lookups;
	const struct nft_elem *elems;
	size_t n_elems;
};

/* The view of this name built from boxes[n] with these element tails
 * (tails_len bytes: each tail and its NUL, box by box), or NULL. */
const struct view_built *view_cache_find(struct view_cache *c, const char *name,
					 const struct tier_box *boxes, size_t n, const char *tails,
					 size_t tails_len);
/* Keeps what a view built (elems[i].map - first_map: its lookup); a
 * failure only costs the next build its reuse. */
void view_cache_put(struct view_cache *c, const char *name, const struct tier_box *boxes,
		    size_t n, const char *tails, size_t tails_len, const struct view_built *built,
		    uint32_t first_map);
/* Forgets the views neither found nor put since the last sweep (those of
 * a program no longer built): the end of a build. */
void view_cache_sweep(struct view_cache *c);
/* How many views the build the last sweep ended took from the cache. */
size_t view_cache_reused(const struct view_cache *c);

#endif
