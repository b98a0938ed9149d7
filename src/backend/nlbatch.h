// SPDX-License-Identifier: MIT
/* nlbatch.h - one nf_tables transaction built as netlink messages
 * (libnftnl batch pages, sent with libmnl): all of it commits or none. It
 * carries what nftables' text parser is too slow for (hundreds of thousands
 * of map elements), and can be bound to a ruleset generation, so that it
 * applies only if nothing was committed since. */
#ifndef IPSECFW_NLBATCH_H
#define IPSECFW_NLBATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "model/err.h"

struct nlmsghdr;
struct nlbatch;

/* A batch; genid not 0: the kernel refuses it unless the ruleset
 * generation is still genid. NULL when out of memory. */
struct nlbatch *nlbatch_new(uint32_t genid);
void nlbatch_free(struct nlbatch *b);

/* Room for one nf_tables message of our table's family, up to
 * NLBATCH_MSG_MAX bytes; call nlbatch_end_msg once it is filled. */
enum { NLBATCH_MSG_MAX = 60000 };
struct nlmsghdr *nlbatch_msg(struct nlbatch *b, uint16_t type, uint16_t flags);
void nlbatch_end_msg(struct nlbatch *b);

/* Renames the chain of that handle in our table (a chain deleted would
 * cost the commit an RCU grace period). */
void nlbatch_rename_chain(struct nlbatch *b, uint64_t handle, const char *name);

/* Sends the batch and waits for the kernel's verdict on it (a batch
 * without messages is not sent). what names the change in errors
 * ("loading the map elements"). */
int nlbatch_commit(struct nlbatch *b, const char *what, struct err *e);

#endif
