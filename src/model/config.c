// SPDX-License-Identifier: MIT
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto.h"

static const char *const property_names[CFG_COUNT] = {
	"ipsecdiagnostics", "ikelogging", "strongcrlcheck", "ipsecloginterval",
	"ipsecexempt",      "bootmode",   "bootexemptions", "filtercounters",
};

static const struct {
	long lo, hi;
} int_ranges[] = {
	[CFG_IPSECDIAGNOSTICS] = { 0, 7 }, [CFG_IKELOGGING] = { 0, 1 },
	[CFG_STRONGCRLCHECK] = { 0, 2 },   [CFG_IPSECLOGINTERVAL] = { 60, 86400 },
	[CFG_IPSECEXEMPT] = { 0, 3 },	   [CFG_FILTERCOUNTERS] = { 0, 1 },
};

static const char *const bootmode_names[] = { "permit", "block", "stateful" };

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->strongcrlcheck = 1;
	c->ipsecloginterval = 3600;
	c->ipsecexempt = 3;
	c->bootmode = BOOT_PERMIT;
	c->filtercounters = 1;
}

const char *config_property_name(enum config_property p)
{
	return property_names[p];
}

const char *bootmode_name(enum bootmode m)
{
	return bootmode_names[m];
}

int config_property_parse(const char *text, enum config_property *out, struct err *e)
{
	size_t n = strlen(text);
	int found = -1;

	for (int i = 0; i < CFG_COUNT; i++) {
		if (strcasecmp(text, property_names[i]) == 0) {
			*out = (enum config_property)i;
			return 0;
		}
		if (n && strncasecmp(text, property_names[i], n) == 0) {
			if (found >= 0)
				return err_set(e, "ambiguous property '%s'", text);
			found = i;
		}
	}
	if (found < 0)
		return err_set(e, "unknown property '%s' (ipsecdiagnostics, ikelogging, strongcrlcheck, "
				  "ipsecloginterval, ipsecexempt, bootmode, bootexemptions, filtercounters)",
				  text);
	*out = (enum config_property)found;
	return 0;
}

static int parse_exemption(const char *text, struct bootexemption *x, struct err *e)
{
	char proto[16], a[16], b[16], dir[16];
	long va, vb;
	int n = 0;

	if (sscanf(text, "%15[^:]:%15[^:]:%15[^:]:%15s%n", proto, a, b, dir, &n) != 4 ||
	    (size_t)n != strlen(text))
		return err_set(e, "bad boot exemption '%s' (protocol:a:b:inbound|outbound)", text);
	if (proto_parse(proto, &x->proto, e) < 0)
		return err_prefix(e, "boot exemption '%s'", text);
	if (x->proto == PROTO_ANY)
		return err_set(e, "boot exemption '%s': give a protocol, not ANY", text);
	long max = proto_has_ports(x->proto) ? 65535 : 255;
	if (int_parse(a, 0, max, &va) < 0 || int_parse(b, 0, max, &vb) < 0)
		return err_set(e, "boot exemption '%s': bad %s (0..%ld)", text,
			       proto_has_ports(x->proto) ? "port" : "type or code", max);
	if (!proto_has_ports(x->proto) && !proto_is_icmp(x->proto) && (va || vb))
		return err_set(e, "boot exemption '%s': only TCP, UDP and ICMP take values", text);
	if (strcasecmp(dir, "inbound") == 0)
		x->inbound = true;
	else if (strcasecmp(dir, "outbound") == 0)
		x->inbound = false;
	else
		return err_set(e, "boot exemption '%s': direction is inbound or outbound", text);
	x->a = (uint16_t)va;
	x->b = (uint16_t)vb;
	return 0;
}

static int set_bootexemptions(struct config *c, const char *value, struct err *e)
{
	struct bootexemption list[BOOTEXEMPT_MAX];
	size_t n = 0;
	char *copy, *save = NULL;
	int rc = 0;

	if (strcasecmp(value, "none") == 0) {
		c->n_bootexemptions = 0;
		return 0;
	}
	if (!(copy = strdup(value)))
		return err_set(e, "out of memory");
	for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == BOOTEXEMPT_MAX) {
			rc = err_set(e, "too many boot exemptions (at most %d)", BOOTEXEMPT_MAX);
			break;
		}
		if ((rc = parse_exemption(t, &list[n++], e)) < 0)
			break;
	}
	free(copy);
	if (rc == 0 && n == 0)
		rc = err_set(e, "bootexemptions: give 'none' or a list of protocol:a:b:direction");
	if (rc == 0) {
		memcpy(c->bootexemptions, list, n * sizeof(list[0]));
		c->n_bootexemptions = n;
	}
	return rc;
}

int config_set(struct config *c, enum config_property p, const char *value, struct err *e)
{
	long v;

	switch (p) {
	case CFG_BOOTMODE:
		for (int i = 0; i < 3; i++) {
			if (strcasecmp(value, bootmode_names[i]) == 0) {
				c->bootmode = (enum bootmode)i;
				c->bootmode_set = true;
				return 0;
			}
		}
		return err_set(e, "bad bootmode '%s' (stateful, block or permit)", value);
	case CFG_BOOTEXEMPTIONS:
		return set_bootexemptions(c, value, e);
	default:
		if (int_parse(value, int_ranges[p].lo, int_ranges[p].hi, &v) < 0)
			return err_set(e, "bad %s value '%s' (%ld..%ld)", property_names[p], value,
				       int_ranges[p].lo, int_ranges[p].hi);
		break;
	}
	switch (p) {
	case CFG_IPSECDIAGNOSTICS: c->ipsecdiagnostics = (int)v; break;
	case CFG_IKELOGGING: c->ikelogging = (int)v; break;
	case CFG_STRONGCRLCHECK: c->strongcrlcheck = (int)v; break;
	case CFG_IPSECLOGINTERVAL: c->ipsecloginterval = (int)v; break;
	case CFG_IPSECEXEMPT: c->ipsecexempt = (int)v; break;
	case CFG_FILTERCOUNTERS: c->filtercounters = (int)v; break;
	default: break;
	}
	return 0;
}

void config_format(const struct config *c, enum config_property p, char *buf, size_t len)
{
	size_t used = 0;

	switch (p) {
	case CFG_IPSECDIAGNOSTICS: snprintf(buf, len, "%d", c->ipsecdiagnostics); return;
	case CFG_IKELOGGING: snprintf(buf, len, "%d", c->ikelogging); return;
	case CFG_STRONGCRLCHECK: snprintf(buf, len, "%d", c->strongcrlcheck); return;
	case CFG_IPSECLOGINTERVAL: snprintf(buf, len, "%d", c->ipsecloginterval); return;
	case CFG_IPSECEXEMPT: snprintf(buf, len, "%d", c->ipsecexempt); return;
	case CFG_FILTERCOUNTERS: snprintf(buf, len, "%d", c->filtercounters); return;
	case CFG_BOOTMODE: snprintf(buf, len, "%s", bootmode_names[c->bootmode]); return;
	case CFG_BOOTEXEMPTIONS:
		buf[0] = '\0';
		if (c->n_bootexemptions == 0) {
			snprintf(buf, len, "none");
			return;
		}
		for (size_t i = 0; i < c->n_bootexemptions && used < len; i++) {
			const struct bootexemption *x = &c->bootexemptions[i];
			char proto[16];
			proto_format(x->proto, proto, sizeof(proto));
			for (char *q = proto; *q; q++)
				*q = (char)(*q >= 'A' && *q <= 'Z' ? *q + 32 : *q);
			int n = snprintf(buf + used, len - used, "%s%s:%u:%u:%s", i ? " " : "", proto,
					 x->a, x->b, x->inbound ? "inbound" : "outbound");
			if (n < 0)
				return;
			used += (size_t)n;
		}
		return;
	case CFG_COUNT: break;
	}
}
