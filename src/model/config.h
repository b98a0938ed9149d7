// SPDX-License-Identifier: MIT
/* config.h - the `netsh ipsec dynamic set config` values (SPEC §3.1), which
 * persist in the store, and the boot exemptions grammar (SPEC §6.3). */
#ifndef IPSECFW_CONFIG_H
#define IPSECFW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum bootmode { BOOT_PERMIT, BOOT_BLOCK, BOOT_STATEFUL };

enum { BOOTEXEMPT_MAX = 64 };

struct bootexemption {
	uint8_t proto;
	uint16_t a, b; /* ports (0 = any) or ICMP type and code */
	bool inbound;
};

struct config {
	int ipsecdiagnostics; /* 0..7 bit mask (SPEC §7.1, Q5) */
	int ikelogging;       /* 0..1 */
	int strongcrlcheck;   /* 0..2 */
	int ipsecloginterval; /* 60..86400 seconds */
	int ipsecexempt;      /* 0..3 */
	int filtercounters;   /* 0..1: a counter on every filter's map elements (show stats) */
	enum bootmode bootmode;
	bool bootmode_set;    /* else: stateful once a policy is assigned */
	size_t n_bootexemptions;
	struct bootexemption bootexemptions[BOOTEXEMPT_MAX];
};

enum config_property {
	CFG_IPSECDIAGNOSTICS,
	CFG_IKELOGGING,
	CFG_STRONGCRLCHECK,
	CFG_IPSECLOGINTERVAL,
	CFG_IPSECEXEMPT,
	CFG_BOOTMODE,
	CFG_BOOTEXEMPTIONS,
	CFG_FILTERCOUNTERS,
	CFG_COUNT,
};

void config_init(struct config *c);
const char *config_property_name(enum config_property p);
/* Accepts any unambiguous prefix of a property name. */
int config_property_parse(const char *text, enum config_property *out, struct err *e);
/* Validates and sets one property from its netsh text. */
int config_set(struct config *c, enum config_property p, const char *value, struct err *e);
/* The value as netsh text ("7", "block", "tcp:0:3389:inbound ..."). */
void config_format(const struct config *c, enum config_property p, char *buf, size_t len);

const char *bootmode_name(enum bootmode m);

#endif
