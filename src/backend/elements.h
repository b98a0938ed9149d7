// SPDX-License-Identifier: MIT
/* elements.h - a program's map elements as nf_tables netlink messages.
 * The tier maps (keys of two prefixes, a protocol and two port ranges, or
 * the first three alone) hold nearly all of a big program's elements; they
 * are encoded here instead of being parsed by nftables, attribute for
 * attribute what nftables would send for their text, so the kernel holds
 * (and fingerprint.c reads back) the same table either way. The small sets
 * (broadcast and local addresses) stay in the program's text. */
#ifndef IPSECFW_ELEMENTS_H
#define IPSECFW_ELEMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "fingerprint.h"
#include "model/err.h"
#include "nlbatch.h"
#include "program.h"

/* Which maps of p are loaded here: by_netlink[m] for each of p->n_maps. */
void elements_by_netlink(const struct nft_program *p, bool *by_netlink);

/* Adds elems (each in its map of slot, named by names->maps) to batch b,
 * or with del deletes them by key. They come grouped by map. */
int elements_put(struct nlbatch *b, const struct nft_program *names,
		 const struct nft_elem *const *elems, size_t n, bool del, char slot, struct err *e);

/* The digest fingerprint.c reads for el once loaded in slot
 * (fingerprint_element). -1 when el is not a tier map's. */
int elements_digest(const struct nft_elem *el, char slot, uint8_t out[FINGERPRINT_ELEM]);

/* Loads the elements of the maps by_netlink of p, staged in slot, in one
 * transaction of their own: 1 when it committed one, 0 when there were
 * none to load, -1 on error. */
int elements_load(const struct nft_program *p, char slot, const bool *by_netlink, struct err *e);

#endif
