// SPDX-License-Identifier: MIT
/* ipsecpol_spec.c - the ipsecpol value grammars of SPEC §4.2-§4.3 (-f, -n,
 * -a, -1s, -1k) as netsh tags, with the leniencies admins' scripts rely on
 * (ipsecfw-netsh(5), IPSECPOL): `*` as a port or protocol, an empty
 * protocol, a lower-case protocol (warned). */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipsecpol_int.h"

int pol_append(char *line, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(line);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line + used, cap - used, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= cap - used ? -1 : 0;
}

void pol_warn(struct session *s, const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(s->err, "%s: warning: %s: ", s->source ? s->source : "ipsecpol", what);
	va_start(ap, fmt);
	vfprintf(s->err, fmt, ap);
	va_end(ap);
	fputc('\n', s->err);
}

bool pol_quotable(const char *v)
{
	return strchr(v, '"') == NULL;
}

/* ---- -f ------------------------------------------------------------------- */

struct endpoint {
	char addr[ADDR_NAME_MAX]; /* netsh operand: me, any, an IP or a name */
	char mask[64];            /* "" = none */
	char port[8];             /* "" = any */
};

/* "*" and "" both mean any port or any protocol. */
static bool is_any(const char *field)
{
	return field[0] == '\0' || strcmp(field, "*") == 0;
}

/* Octet wildcards: 198.51.*.* is 198.51.0.0/16. */
static int parse_wildcard(char *addr, bool has_mask, struct endpoint *ep, struct err *e)
{
	unsigned octets[4], n = 0, fixed = 0;
	bool wild = false;

	for (char *tok = strtok(addr, "."); tok; tok = strtok(NULL, ".")) {
		if (n == 4)
			return err_set(e, "bad address wildcard");
		if (strcmp(tok, "*") == 0) {
			wild = true;
			octets[n++] = 0;
			continue;
		}
		char *end;
		unsigned long v = strtoul(tok, &end, 10);
		if (wild || *end || !isdigit((unsigned char)tok[0]) || v > 255)
			return err_set(e, "bad address wildcard (A.B.*.* form)");
		octets[n++] = (unsigned)v;
		fixed++;
	}
	if (n != 4)
		return err_set(e, "bad address wildcard (A.B.*.* form)");
	if (has_mask)
		return err_set(e, "a wildcard address takes no mask");
	if (fixed == 0) {
		snprintf(ep->addr, sizeof(ep->addr), "any");
		return 0;
	}
	snprintf(ep->addr, sizeof(ep->addr), "%u.%u.%u.%u", octets[0], octets[1], octets[2],
		 octets[3]);
	snprintf(ep->mask, sizeof(ep->mask), "%u", fixed * 8);
	return 0;
}

/* Addr[/Mask][:Port[:Proto]]; only the destination's protocol counts (the
 * source may carry an "any" one: 192.0.2.9:*:*+*). */
static int parse_endpoint(const char *text, size_t len, bool last, char *proto, size_t plen,
			  struct endpoint *ep, struct err *e)
{
	char buf[512];
	char *addr, *rest, *port = NULL, *mask;

	memset(ep, 0, sizeof(*ep));
	if (len >= sizeof(buf))
		return err_set(e, "endpoint too long");
	memcpy(buf, text, len);
	buf[len] = '\0';
	addr = buf;
	if (buf[0] == '[') { /* [IPv6] */
		char *close = strchr(buf, ']');
		if (!close)
			return err_set(e, "'[' without ']'");
		*close = '\0';
		addr = buf + 1;
		rest = close + 1;
	} else {
		rest = buf + strcspn(buf, ":");
	}
	if (*rest == ':') {
		*rest++ = '\0';
		port = rest;
		char *colon = strchr(port, ':');
		if (colon) {
			*colon = '\0';
			if (last)
				snprintf(proto, plen, "%s", colon + 1);
			else if (!is_any(colon + 1))
				return err_set(e, "only the destination may name a protocol");
		}
	} else if (*rest) {
		return err_set(e, "unexpected '%s'", rest);
	}
	if ((mask = strchr(addr, '/')))
		*mask++ = '\0';
	if (!addr[0])
		return err_set(e, "missing address");
	if (strcmp(addr, "*") == 0) {
		snprintf(ep->addr, sizeof(ep->addr), "any");
	} else if (strcmp(addr, "0") == 0) {
		snprintf(ep->addr, sizeof(ep->addr), "me");
	} else if (strchr(addr, '*')) {
		if (parse_wildcard(addr, mask != NULL, ep, e) < 0)
			return -1;
	} else {
		if (strlen(addr) >= sizeof(ep->addr))
			return err_set(e, "address too long");
		snprintf(ep->addr, sizeof(ep->addr), "%s", addr);
	}
	if (mask) {
		if (!mask[0] || strlen(mask) >= sizeof(ep->mask))
			return err_set(e, "bad mask");
		snprintf(ep->mask, sizeof(ep->mask), "%s", mask);
	}
	if (port && !is_any(port) && strcmp(port, "0") != 0) {
		if (strlen(port) > 5 || strspn(port, "0123456789") != strlen(port) ||
		    atol(port) > 65535)
			return err_set(e, "bad port '%s' (0..65535 or *)", port);
		snprintf(ep->port, sizeof(ep->port), "%s", port);
	}
	return 0;
}

/* The protocol as netsh takes it: "" (any), a number or an upper-case name.
 * Other casings are read with a warning (admins write ::icmp). */
static int check_proto(struct session *s, const char *spec, char *proto, struct err *e)
{
	static const char *const protos[] = { "TCP", "UDP", "ICMP", "RAW", NULL };

	if (is_any(proto)) {
		proto[0] = '\0';
		return 0;
	}
	if (strspn(proto, "0123456789") == strlen(proto))
		return 0;
	for (int i = 0; protos[i]; i++) {
		if (strcmp(proto, protos[i]) == 0)
			return 0;
		if (strcasecmp(proto, protos[i]) == 0) {
			char what[300];
			snprintf(what, sizeof(what), "-f '%.200s'", spec);
			pol_warn(s, what, "protocol '%s' read as %s (ipsecpol takes upper case)", proto,
				 protos[i]);
			strcpy(proto, protos[i]);
			return 0;
		}
	}
	return err_set(e, "unknown protocol '%s' (TCP, UDP, ICMP, RAW, a number or *)", proto);
}

const char *pol_filter_own_action(const char *spec, char *inner, size_t cap)
{
	size_t len = strlen(spec);
	const char *action = NULL;

	/* An IPv6 endpoint is bracketed too, so the inside holds no brackets. */
	if (len > 2 && spec[0] == '[' && spec[len - 1] == ']' && strcspn(spec + 1, "[]") == len - 2)
		action = "block";
	else if (len > 2 && spec[0] == '(' && spec[len - 1] == ')' &&
		 strcspn(spec + 1, "()") == len - 2)
		action = "permit";
	if (action && len - 2 < cap)
		snprintf(inner, cap, "%.*s", (int)(len - 2), spec + 1);
	else
		snprintf(inner, cap, "%s", spec);
	return action;
}

int pol_filter_tags(struct session *s, const char *spec, char *tags, size_t cap, struct err *e)
{
	char proto[32] = "";
	struct endpoint src, dst;
	size_t dir;

	dir = strcspn(spec, "=+");
	if (spec[dir] == '\0')
		return err_set(e, "expected Src=Dst or Src+Dst");
	if (parse_endpoint(spec, dir, false, proto, sizeof(proto), &src, e) < 0 ||
	    parse_endpoint(spec + dir + 1, strlen(spec + dir + 1), true, proto, sizeof(proto),
			   &dst, e) < 0 ||
	    check_proto(s, spec, proto, e) < 0)
		return -1;
	tags[0] = '\0';
	int rc = pol_append(tags, cap, " srcaddr=\"%s\" dstaddr=\"%s\"", src.addr, dst.addr);
	if (rc == 0 && src.mask[0])
		rc = pol_append(tags, cap, " srcmask=%s", src.mask);
	if (rc == 0 && dst.mask[0])
		rc = pol_append(tags, cap, " dstmask=%s", dst.mask);
	if (rc == 0 && proto[0])
		rc = pol_append(tags, cap, " protocol=%s", proto);
	if (rc == 0 && src.port[0])
		rc = pol_append(tags, cap, " srcport=%s", src.port);
	if (rc == 0 && dst.port[0])
		rc = pol_append(tags, cap, " dstport=%s", dst.port);
	if (rc == 0)
		rc = pol_append(tags, cap, " mirrored=%s", spec[dir] == '+' ? "yes" : "no");
	return rc < 0 ? err_set(e, "filter too long") : 0;
}

/* ---- -n ------------------------------------------------------------------- */

/* Upper case only, as the original (SPEC §4.1). */
static bool has_lower(const char *s)
{
	for (; *s; s++)
		if (islower((unsigned char)*s))
			return true;
	return false;
}

/* One term of a rekey such as 100000K/3600S: a '/' (*unit = 0), or up to
 * nine digits and one of units. */
static int rekey_term(const char **p, const char *units, char *unit, long *v)
{
	size_t digits = strspn(*p, "0123456789");

	*unit = 0;
	if (digits == 0 && **p == '/') {
		++*p;
		return 0;
	}
	if (digits == 0 || digits > 9 || !(*p)[digits] || !strchr(units, (*p)[digits]))
		return -1;
	*v = atol(*p);
	*unit = (*p)[digits];
	*p += digits + 1;
	return 0;
}

/* ESP[C,A] | AH[H] | AH[H]+ESP[C,A], then [nK][/][nS], then [PFS[n]]. */
static int parse_offer(const char *tok, struct negpol *n, struct err *e)
{
	char base[64], k[16] = "", sec[16] = "";
	const char *p = tok;
	size_t blen = 0;

	while (*p && (blen == 0 || p[-1] != ']' || *p == '+')) {
		if (blen + 1 >= sizeof(base))
			return err_set(e, "bad offer '%s'", tok);
		base[blen++] = *p++;
	}
	base[blen] = '\0';
	if (strncmp(base, "ESP[", 4) != 0 && strncmp(base, "AH[", 3) != 0)
		return err_set(e, "unknown negotiation policy '%s' (PASS, BLOCK, INPASS, ESP[..] "
				  "or AH[..], upper case)", tok);
	/* Rekey: 100000K/3600S, either part optional. */
	while (*p && strncmp(p, "PFS", 3) != 0) {
		char unit;
		long v;
		if (rekey_term(&p, "KS", &unit, &v) < 0)
			return err_set(e, "bad rekey in '%s' (nK/nS)", tok);
		if (unit)
			snprintf(unit == 'K' ? k : sec, sizeof(k), "%ld", v);
	}
	if (strncmp(p, "PFS", 3) == 0) {
		p += 3;
		if (*p && (strchr("123", *p) == NULL || p[1]))
			return err_set(e, "bad PFS group in '%s'", tok);
		if (!n->pfs)
			snprintf(n->pfsgroup, sizeof(n->pfsgroup), *p ? "GRP%c" : "GRPMM", *p);
		n->pfs = true;
		p += *p != '\0';
	}
	if (*p)
		return err_set(e, "bad offer '%s'", tok);
	size_t used = strlen(n->offers);
	snprintf(n->offers + used, sizeof(n->offers) - used, "%s%s:%sk/%ss", used ? " " : "", base,
		 k[0] ? k : "100000", sec[0] ? sec : "3600");
	return 0;
}

int pol_negpols(const struct pol_args *a, struct negpol *n, struct err *e)
{
	memset(n, 0, sizeof(*n));
	n->action = "negotiate";
	for (size_t i = 0; i < a->n_negpols; i++) {
		const char *t = a->negpols[i];
		if (strcmp(t, "PASS") == 0 || strcmp(t, "BLOCK") == 0) {
			if (a->n_negpols > 1)
				return err_set(e, "-n: %s stands alone", t);
			n->action = strcmp(t, "PASS") == 0 ? "permit" : "block";
		} else if (strcmp(t, "INPASS") == 0) {
			n->inpass = true;
		} else if (has_lower(t)) {
			return err_set(e, "-n: '%s' must be upper case", t);
		} else if (parse_offer(t, n, e) < 0) {
			return err_prefix(e, "-n");
		}
	}
	return 0;
}

/* ---- -a, -1s, -1k ---------------------------------------------------------- */

int pol_auth_tags(const struct pol_args *a, char *out, size_t cap, struct err *e)
{
	out[0] = '\0';
	for (size_t i = 0; i < a->n_auths; i++) {
		const char *t = a->auths[i];
		int rc;
		if (strchr(t, '"'))
			return err_set(e, "-a: '%s' holds a quote", t);
		if (strcmp(t, "KERBEROS") == 0)
			rc = pol_append(out, cap, " kerberos=yes");
		else if (strncmp(t, "PRESHARE:", 9) == 0 && t[9])
			rc = pol_append(out, cap, " psk=\"%s\"", t + 9);
		else if (strncmp(t, "CERT:", 5) == 0 && t[5])
			rc = pol_append(out, cap, " rootca=\"%s\"", t + 5);
		else
			return err_set(e, "-a: unknown method '%s' (KERBEROS, PRESHARE:\"key\" or "
					  "CERT:\"CA name\")", t);
		if (rc < 0)
			return err_set(e, "-a: too long");
	}
	return 0;
}

int pol_mmoffers_tag(const struct pol_args *a, char *out, size_t cap, struct err *e)
{
	out[0] = '\0';
	if (!a->n_mmoffers)
		return 0;
	pol_append(out, cap, " mmsecmethods=\"");
	for (size_t i = 0; i < a->n_mmoffers; i++)
		if (!pol_quotable(a->mmoffers[i]) ||
		    pol_append(out, cap, "%s%s", i ? " " : "", a->mmoffers[i]) < 0)
			return err_set(e, "-1s: bad offers");
	return pol_append(out, cap, "\"") < 0 ? err_set(e, "-1s: too long") : 0;
}

/* nQ (quick modes per main mode) and/or nS (main-mode lifetime). */
int pol_rekey(const char *text, struct rekey *r, struct err *e)
{
	const char *p = text;

	memset(r, 0, sizeof(*r));
	while (text && *p) {
		char unit;
		long v;
		if (rekey_term(&p, "QS", &unit, &v) < 0)
			return err_set(e, "-1k: bad value '%s' (nQ/nS)", text);
		if (unit == 'Q')
			r->qmpermm = v;
		else if (unit == 'S')
			r->mmlifetime = (v + 59) / 60;
	}
	return 0;
}
