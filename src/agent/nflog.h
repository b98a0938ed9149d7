// SPDX-License-Identifier: MIT
/* nflog.h - the kernel's drop log: packets the table's drop chains send to
 * an NFLOG group (program.h: NFLOG_GROUP), read with libnetfilter_log. */
#ifndef IPSECFW_NFLOG_H
#define IPSECFW_NFLOG_H

#include <stddef.h>
#include <stdint.h>

#include "model/err.h"

/* prefix: "ipsecfw in block-filter"; packet: from the network header on
 * (at most the headers: the copy is cut at 128 bytes); when: unix
 * seconds. */
typedef void (*nflog_cb)(void *ctx, const char *prefix, const uint8_t *packet, size_t len,
			 long long when);

struct nflog_source;

int nflog_source_open(struct nflog_source **out, uint16_t group, nflog_cb cb, void *ctx,
		      struct err *e);
int nflog_source_fd(const struct nflog_source *s);
/* Handles what is waiting, without blocking. */
void nflog_source_read(struct nflog_source *s);
void nflog_source_close(struct nflog_source *s);

#endif
