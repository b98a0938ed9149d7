// SPDX-License-Identifier: MIT
/* dirwrite.h - the domain's IPSec container (CN=IP Security,CN=System,
 * <base>, SPEC §16) read whole, and a new set of objects written to it so
 * that no reader ever sees a policy half old and half new.
 *
 * LDAP changes one entry atomically, never several. So an object whose
 * content changes is written as a new object (a fresh GUID, hence a fresh
 * DN) while the old one stays referenced; whatever references a changed
 * object changes too, up to the policy, which is modified in place with
 * one operation: that switch is the commit point. Objects nothing uses any
 * more are deleted last. A writer killed before or after the switch leaves
 * only unreferenced objects, which the next load leaves out
 * (dir_container_live) and the next write deletes. */
#ifndef IPSECFW_DIRWRITE_H
#define IPSECFW_DIRWRITE_H

#include "directory/dirread.h"
#include "gpipsec/dirobj.h"

#define DIR_IPSEC_CONTAINER "CN=IP Security,CN=System,"

/* Every object of the five ipsec classes directly under container, as
 * written (nothing left out). A missing container is an error. */
int dir_container_load(struct dir_conn *cn, const char *container, struct gp_objset *out,
		       struct err *e);
/* The objects of all that a reader can reach: the leftovers of an
 * interrupted write are left out (NFAs and ISAKMP policies no policy
 * references; filter lists and filter actions no live rule uses whose
 * ipsecOwnersReference names an object that exists). */
int dir_container_live(const struct gp_objset *all, struct gp_objset *out, struct err *e);

/* a and b hold the same objects (any order), back-links included. */
bool dir_objset_same(const struct gp_objset *a, const struct gp_objset *b);

struct dir_write_stats {
	size_t added, modified, deleted;
};

/* Makes the container hold want instead of cur (what it holds now, as
 * dir_container_load read it): want's changed objects are renamed to fresh
 * GUIDs first (see above). A policy to delete that a GPO under base still
 * assigns is refused before anything is written. */
int dir_write(struct dir_conn *cn, const char *base, const char *container,
	      const struct gp_objset *cur, struct gp_objset *want, struct dir_write_stats *st,
	      struct err *e);

#endif
