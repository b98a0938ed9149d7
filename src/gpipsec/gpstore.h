// SPDX-License-Identifier: MIT
/* gpstore.h - a store's policy objects as a gp_domain and back: what the
 * domain store will cache (SPEC §16) and what gets written to a
 * directory. The caller holds the transaction. */
#ifndef IPSECFW_GP_STORE_H
#define IPSECFW_GP_STORE_H

#include "gpipsec/gpmodel.h"
#include "store/store.h"

/* Every policy, rule, filter list (with its filters) and filter action of store s. */
int gp_domain_load(struct db *db, enum store_kind s, struct gp_domain *out, struct err *e);
/* Adds d's objects to store s, GUIDs kept: lists and actions, then
 * policies, then their rules. */
int gp_domain_insert(struct db *db, enum store_kind s, const struct gp_domain *d, struct err *e);
/* The agent's cached copy: an object whose GUID db uses already (in the
 * local store: Windows' built-in objects, which AD provisions with the
 * same well-known GUIDs) takes a GUID derived from it, the references to
 * it and assigned (the assigned policy's GUID) too. GUIDs are unique
 * across the stores; the copy is never written back. */
int gp_domain_rekey(struct db *db, struct gp_domain *d, char assigned[GUID_LEN], struct err *e);

#endif
