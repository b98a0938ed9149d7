#include "ipsecpol.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "model/policy.h"

enum { SPECS_MAX = 256, LINE_MAX_LEN = 8192 };

struct pol_args {
	const char *filters[SPECS_MAX];
	size_t n_filters;
	const char *negpols[SPECS_MAX];
	size_t n_negpols;
	const char *auths[SPECS_MAX];
	size_t n_auths;
	const char *mmoffers[SPECS_MAX];
	size_t n_mmoffers;
	const char *w, *p, *r, *t, *rekey;
	bool soft, lan, dialup, mmpfs, assign, unassign, del, delete_dynamic, confirm;
};

void ipsecpol_usage(FILE *out)
{
	fputs("usage: ipsecpol -w REG|DS[:domain] -p Policy[:PollMinutes] [-r Rule]\n"
	      "                [-f FilterSpec ...] [-n PASS|BLOCK|INPASS|Offer ...]\n"
	      "                [-a KERBEROS|PRESHARE:\"key\"|CERT:\"CA\" ...] [-t Tunnel]\n"
	      "                [-soft] [-lan|-dialup] [-1s Offer ...] [-1k NQ/NS] [-1p]\n"
	      "                [-x | -y | -o]\n"
	      "  FilterSpec := Src(=|+)Dst[:Proto] | DEFAULT\n"
	      "  Src, Dst   := Addr[/Mask][:Port]; Addr: A.B.C.D, 0 (me), * (any),\n"
	      "                A.B.*.* (octet wildcard), [IPv6] or a DNS name\n"
	      "  Proto      := TCP | UDP | ICMP | RAW | number (upper case only)\n",
	      out);
}

/* The article's typeset commands use an en dash (U+2013) for '-'. */
static const char *flag_name(const char *arg)
{
	if (arg[0] == '-')
		return arg + 1;
	if ((unsigned char)arg[0] == 0xe2 && (unsigned char)arg[1] == 0x80 &&
	    (unsigned char)arg[2] == 0x93)
		return arg + 3;
	return NULL;
}

/* Flags that take a list: every following non-flag argument belongs. */
static int take_list(int argc, char **argv, int *i, const char **out, size_t *n,
		     const char *attached, const char *flag, struct err *e)
{
	if (attached && *attached) {
		if (*n == SPECS_MAX)
			return err_set(e, "-%s: too many values", flag);
		out[(*n)++] = attached;
	}
	while (*i + 1 < argc && !flag_name(argv[*i + 1])) {
		if (*n == SPECS_MAX)
			return err_set(e, "-%s: too many values", flag);
		out[(*n)++] = argv[++*i];
	}
	if (*n == 0)
		return err_set(e, "-%s: a value is required", flag);
	return 0;
}

static int take_one(int argc, char **argv, int *i, const char **out, const char *flag,
		    struct err *e)
{
	if (*i + 1 >= argc || flag_name(argv[*i + 1]))
		return err_set(e, "-%s: a value is required", flag);
	*out = argv[++*i];
	return 0;
}

static int parse_args(int argc, char **argv, struct pol_args *a, struct err *e)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *f = flag_name(argv[i]);
		if (i == 0 && strncmp(argv[i], "\\\\", 2) == 0)
			return err_set(e, "%s: remote machines are not supported; run ipsecfw on "
					  "that machine", argv[i]);
		if (!f)
			return err_set(e, "unexpected argument '%.64s'", argv[i]);
		/* -f and -n may be glued to their value ("-f*:25:TCP"). */
		if (f[0] == 'f' && strcmp(f, "file") != 0) {
			if (take_list(argc, argv, &i, a->filters, &a->n_filters, f + 1, "f", e) < 0)
				return -1;
		} else if (f[0] == 'n' && f[1] != '\0' && strcmp(f, "n") != 0) {
			a->negpols[a->n_negpols++] = f + 1;
		} else if (strcmp(f, "n") == 0) {
			if (take_list(argc, argv, &i, a->negpols, &a->n_negpols, NULL, "n", e) < 0)
				return -1;
		} else if (strcmp(f, "a") == 0) {
			if (take_list(argc, argv, &i, a->auths, &a->n_auths, NULL, "a", e) < 0)
				return -1;
		} else if (strcmp(f, "1s") == 0) {
			if (take_list(argc, argv, &i, a->mmoffers, &a->n_mmoffers, NULL, "1s", e) < 0)
				return -1;
		} else if (strcmp(f, "w") == 0) {
			if (take_one(argc, argv, &i, &a->w, "w", e) < 0)
				return -1;
		} else if (strcmp(f, "p") == 0) {
			if (take_one(argc, argv, &i, &a->p, "p", e) < 0)
				return -1;
		} else if (strcmp(f, "r") == 0) {
			if (take_one(argc, argv, &i, &a->r, "r", e) < 0)
				return -1;
		} else if (strcmp(f, "t") == 0) {
			if (take_one(argc, argv, &i, &a->t, "t", e) < 0)
				return -1;
		} else if (strcmp(f, "1k") == 0) {
			if (take_one(argc, argv, &i, &a->rekey, "1k", e) < 0)
				return -1;
		} else if (strcmp(f, "soft") == 0) {
			a->soft = true;
		} else if (strcmp(f, "lan") == 0) {
			a->lan = true;
		} else if (strcmp(f, "dialup") == 0) {
			a->dialup = true;
		} else if (strcmp(f, "1p") == 0) {
			a->mmpfs = true;
		} else if (strcmp(f, "x") == 0) {
			a->assign = true;
		} else if (strcmp(f, "y") == 0) {
			a->unassign = true;
		} else if (strcmp(f, "o") == 0) {
			a->del = true;
		} else if (strcmp(f, "u") == 0) {
			a->delete_dynamic = true;
		} else if (strcmp(f, "confirm") == 0) {
			a->confirm = true;
		} else {
			return err_set(e, "unknown flag '%.64s' (ipsecpol -? lists them)", argv[i]);
		}
	}
	if (a->lan && a->dialup)
		return err_set(e, "-lan and -dialup exclude each other");
	if (a->assign + a->unassign + a->del > 1)
		return err_set(e, "-x, -y and -o exclude each other");
	return 0;
}

/* ---- the -f grammar ------------------------------------------------------ */

/* Upper case only, as the original (SPEC §4.1). */
static bool has_lower(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (islower((unsigned char)s[i]))
			return true;
	return false;
}

struct endpoint {
	char addr[ADDR_NAME_MAX]; /* netsh operand: me, any, an IP or a name */
	char mask[64];            /* "" = none */
	char port[8];             /* "" = any */
};

/* Addr[/Mask][:Port] */
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
			if (!last)
				return err_set(e, "only the destination may name a protocol");
			*colon = '\0';
			snprintf(proto, plen, "%s", colon + 1);
			if (!proto[0])
				return err_set(e, "empty protocol after ':'");
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
		/* Octet wildcards: 198.51.*.* is 198.51.0.0/255.255.0.0. */
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
		if (mask)
			return err_set(e, "a wildcard address takes no mask");
		snprintf(ep->addr, sizeof(ep->addr), "%u.%u.%u.%u", octets[0], octets[1],
			 octets[2], octets[3]);
		snprintf(ep->mask, sizeof(ep->mask), "%u", fixed * 8);
		if (fixed == 0)
			snprintf(ep->addr, sizeof(ep->addr), "any"), ep->mask[0] = '\0';
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
	if (port && port[0]) {
		if (strlen(port) > 5 || strspn(port, "0123456789") != strlen(port))
			return err_set(e, "bad port '%s' (0..65535)", port);
		if (atol(port) > 65535)
			return err_set(e, "bad port '%s' (0..65535)", port);
		snprintf(ep->port, sizeof(ep->port), "%s", port);
	}
	return 0;
}

static int append(char *line, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int append(char *line, size_t cap, const char *fmt, ...)
{
	size_t used = strlen(line);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line + used, cap - used, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= cap - used ? -1 : 0;
}

/* One FilterSpec as a netsh `add filter` line. */
static int filter_line(const char *spec, const char *list, char *line, size_t cap,
		       struct err *e)
{
	static const char *const protos[] = { "TCP", "UDP", "ICMP", "RAW", NULL };
	size_t dir = strcspn(spec, "=+");
	char proto[32] = "";
	struct endpoint src, dst;

	if (spec[dir] == '\0')
		return err_set(e, "expected Src=Dst or Src+Dst");
	if (parse_endpoint(spec, dir, false, proto, sizeof(proto), &src, e) < 0 ||
	    parse_endpoint(spec + dir + 1, strlen(spec + dir + 1), true, proto, sizeof(proto),
			   &dst, e) < 0)
		return -1;
	if (proto[0]) {
		bool known = strspn(proto, "0123456789") == strlen(proto);
		for (int i = 0; protos[i] && !known; i++)
			known = strcmp(proto, protos[i]) == 0;
		if (!known && has_lower(proto, strlen(proto)))
			return err_set(e, "protocol '%s' must be upper case", proto);
		if (!known)
			return err_set(e, "unknown protocol '%s' (TCP, UDP, ICMP, RAW or a number)",
				       proto);
	}
	line[0] = '\0';
	int rc = append(line, cap, "add filter filterlist=\"%s\" srcaddr=\"%s\" dstaddr=\"%s\"",
			list, src.addr, dst.addr);
	if (rc == 0 && src.mask[0])
		rc = append(line, cap, " srcmask=%s", src.mask);
	if (rc == 0 && dst.mask[0])
		rc = append(line, cap, " dstmask=%s", dst.mask);
	if (rc == 0 && proto[0])
		rc = append(line, cap, " protocol=%s", proto);
	if (rc == 0 && src.port[0] && strcmp(src.port, "0") != 0)
		rc = append(line, cap, " srcport=%s", src.port);
	if (rc == 0 && dst.port[0] && strcmp(dst.port, "0") != 0)
		rc = append(line, cap, " dstport=%s", dst.port);
	if (rc == 0)
		rc = append(line, cap, " mirrored=%s", spec[dir] == '+' ? "yes" : "no");
	return rc < 0 ? err_set(e, "filter too long") : 0;
}

/* ---- -n, -a, -1k ---------------------------------------------------------- */

struct negpol {
	const char *action; /* permit, block, negotiate */
	bool inpass, pfs;
	char offers[METHODS_MAX_LEN]; /* netsh qmsecmethods, "" = default */
};

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
		size_t digits = strspn(p, "0123456789");
		if (digits == 0 && *p == '/') {
			p++;
			continue;
		}
		if (digits == 0 || digits > 9 || (p[digits] != 'K' && p[digits] != 'S'))
			return err_set(e, "bad rekey in '%s' (nK/nS)", tok);
		snprintf(p[digits] == 'K' ? k : sec, sizeof(k), "%.*s", (int)digits, p);
		p += digits + 1;
	}
	if (strncmp(p, "PFS", 3) == 0) {
		n->pfs = true;
		p += 3;
		if (*p && (strchr("123", *p) == NULL || p[1]))
			return err_set(e, "bad PFS group in '%s'", tok);
		p += *p != '\0';
	}
	if (*p)
		return err_set(e, "bad offer '%s'", tok);
	size_t used = strlen(n->offers);
	snprintf(n->offers + used, sizeof(n->offers) - used, "%s%s:%sk/%ss", used ? " " : "", base,
		 k[0] ? k : "100000", sec[0] ? sec : "3600");
	return 0;
}

static int parse_negpols(const struct pol_args *a, struct negpol *n, struct err *e)
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
		} else if (has_lower(t, strlen(t))) {
			return err_set(e, "-n: '%s' must be upper case", t);
		} else if (parse_offer(t, n, e) < 0) {
			return err_prefix(e, "-n");
		}
	}
	return 0;
}

/* -a list as netsh auth tags, in preference order. */
static int auth_tags(const struct pol_args *a, char *out, size_t cap, struct err *e)
{
	out[0] = '\0';
	for (size_t i = 0; i < a->n_auths; i++) {
		const char *t = a->auths[i];
		int rc;
		if (strcmp(t, "KERBEROS") == 0)
			rc = append(out, cap, " kerberos=yes");
		else if (strncmp(t, "PRESHARE:", 9) == 0 && t[9])
			rc = append(out, cap, " psk=\"%s\"", t + 9);
		else if (strncmp(t, "CERT:", 5) == 0 && t[5])
			rc = append(out, cap, " rootca=\"%s\"", t + 5);
		else
			return err_set(e, "-a: unknown method '%s' (KERBEROS, PRESHARE:\"key\" or "
					  "CERT:\"CA name\")", t);
		if (rc < 0)
			return err_set(e, "-a: too long");
		if (strchr(t, '"'))
			return err_set(e, "-a: '%s' holds a quote", t);
	}
	return 0;
}

/* -1k: nQ (quick modes per main mode) and/or nS (main-mode lifetime). */
static int rekey_tags(const char *text, char *out, size_t cap, struct err *e)
{
	const char *p = text;

	out[0] = '\0';
	while (text && *p) {
		size_t digits = strspn(p, "0123456789");
		if (digits == 0 && *p == '/') {
			p++;
			continue;
		}
		if (digits == 0 || digits > 9 || (p[digits] != 'Q' && p[digits] != 'S'))
			return err_set(e, "-1k: bad value '%s' (nQ/nS)", text);
		long v = atol(p);
		if (p[digits] == 'Q')
			append(out, cap, " qmpermm=%ld", v);
		else
			append(out, cap, " mmlifetime=%ld", (v + 59) / 60);
		p += digits + 1;
	}
	return 0;
}

/* ---- running -------------------------------------------------------------- */

/* Runs one generated netsh line; errors name what the user wrote. */
static int run(struct session *s, const char *what, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int run(struct session *s, const char *what, struct err *e, const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int col, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return err_set(e, "%s: too long", what);
	if (session_line(s, line, (size_t)n, &col, e) < 0)
		return err_prefix(e, "%s", what);
	return 0;
}

static bool quotable(const char *v)
{
	return strchr(v, '"') == NULL;
}

/* Deletes a filter list or filter action when no rule uses it any more. */
static int delete_if_unused(struct session *s, enum rule_ref ref, int64_t id, struct err *e)
{
	size_t users;

	if (db_rules_using(s->db, ref, id, &users, e) < 0)
		return -1;
	if (users > 0)
		return 0;
	return ref == REF_FILTERLIST ? db_filterlist_delete(s->db, id, e)
				     : db_filteraction_delete(s->db, id, e);
}

/* -o: the policy with the filter lists and actions its rules used, when
 * no other rule still uses them (SPEC §4.1). */
static int delete_policy(struct session *s, const char *name, struct err *e)
{
	struct policy p;
	struct rule *rules;
	size_t n;
	int rc = db_policy_find(s->db, s->store, name, NULL, &p, e);

	if (rc <= 0)
		return rc < 0 ? -1 : err_set(e, "-p: no policy named '%s' in the %s store", name,
					     store_kind_name(s->store));
	if (db_rule_list(s->db, p.id, &rules, &n, e) < 0)
		return -1;
	rc = db_policy_delete(s->db, p.id, e);
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = delete_if_unused(s, REF_FILTERLIST, rules[i].filterlist_id, e);
		if (rc == 0)
			rc = delete_if_unused(s, REF_FILTERACTION, rules[i].filteraction_id, e);
	}
	free(rules);
	return rc;
}

/* Re-running a build script replaces the rule, its list and its action. */
static int drop_rule(struct session *s, const struct policy *p, const char *rule,
		     const char *action, struct err *e)
{
	struct rule r;
	struct filterlist l;
	struct filteraction a;
	int rc = db_rule_find(s->db, p->id, rule, 0, &r, e);

	if (rc > 0)
		rc = db_rule_delete(s->db, r.id, e);
	if (rc >= 0 && (rc = db_filterlist_find(s->db, s->store, rule, NULL, &l, e)) > 0)
		rc = delete_if_unused(s, REF_FILTERLIST, l.id, e);
	if (rc >= 0 && (rc = db_filteraction_find(s->db, s->store, action, NULL, &a, e)) > 0)
		rc = delete_if_unused(s, REF_FILTERACTION, a.id, e);
	return rc < 0 ? -1 : 0;
}

static int policy_tags(const struct pol_args *a, const char *poll, char *out, size_t cap,
		       struct err *e)
{
	out[0] = '\0';
	if (poll && append(out, cap, " pollinginterval=%s", poll) < 0)
		return err_set(e, "-p: too long");
	if (a->mmpfs)
		append(out, cap, " mmpfs=yes");
	if (a->n_mmoffers) {
		append(out, cap, " mmsecmethods=\"");
		for (size_t i = 0; i < a->n_mmoffers; i++)
			if (append(out, cap, "%s%s", i ? " " : "", a->mmoffers[i]) < 0 ||
			    !quotable(a->mmoffers[i]))
				return err_set(e, "-1s: bad offers");
		append(out, cap, "\"");
	}
	char rekey[64];
	if (rekey_tags(a->rekey, rekey, sizeof(rekey), e) < 0)
		return -1;
	return append(out, cap, "%s", rekey) < 0 ? err_set(e, "too long") : 0;
}

static int run_static(struct session *s, const struct pol_args *a, struct err *e)
{
	char name[NAME_MAX_LEN], ptags[LINE_MAX_LEN / 2], auth[LINE_MAX_LEN / 2],
		line[LINE_MAX_LEN], action[NAME_MAX_LEN + 8];
	const char *poll = NULL;
	struct policy p;
	struct negpol np;
	int rc;

	if (strcmp(a->w, "REG") == 0) {
		s->store = STORE_LOCAL;
	} else if (strncmp(a->w, "DS", 2) == 0 && (a->w[2] == '\0' || a->w[2] == ':')) {
		s->store = STORE_DOMAIN;
		if (a->w[2] == ':')
			snprintf(s->domain, sizeof(s->domain), "%s", a->w + 3);
	} else if (has_lower(a->w, strlen(a->w))) {
		return err_set(e, "-w: '%s' must be upper case (REG or DS)", a->w);
	} else {
		return err_set(e, "-w: '%s' is neither REG nor DS[:domain]", a->w);
	}
	if (!a->p)
		return err_set(e, "-p: a policy name is required with -w");
	if (a->delete_dynamic || a->confirm)
		return err_set(e, "-%s acts on dynamic policy; drop -w", a->confirm ? "confirm" : "u");
	const char *colon = strrchr(a->p, ':');
	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		poll = colon + 1;
		snprintf(name, sizeof(name), "%.*s", (int)(colon - a->p), a->p);
	} else {
		snprintf(name, sizeof(name), "%s", a->p);
	}
	if (!quotable(name) || (a->r && !quotable(a->r)) || (a->t && !quotable(a->t)))
		return err_set(e, "names cannot hold '\"'");
	if (a->del) {
		if (a->n_filters || a->r)
			return err_set(e, "-o deletes the policy; it takes no -r or -f");
		return delete_policy(s, name, e);
	}
	if (policy_tags(a, poll, ptags, sizeof(ptags), e) < 0 || parse_negpols(a, &np, e) < 0 ||
	    auth_tags(a, auth, sizeof(auth), e) < 0)
		return -1;
	rc = db_policy_find(s->db, s->store, name, NULL, &p, e);
	if (rc < 0)
		return -1;
	if (rc == 0 && run(s, "-p", e, "add policy name=\"%s\"%s", name, ptags) < 0)
		return -1;
	if (rc == 1 && ptags[0] && run(s, "-p", e, "set policy name=\"%s\"%s", name, ptags) < 0)
		return -1;
	if (db_policy_find(s->db, s->store, name, NULL, &p, e) <= 0)
		return -1;

	bool is_default = a->n_filters == 1 && strcmp(a->filters[0], "DEFAULT") == 0;
	if (is_default) {
		/* The default response rule always negotiates (SPEC §2.6). */
		if (strcmp(np.action, "negotiate") != 0)
			return err_set(e, "-f DEFAULT: the default response rule always negotiates; "
					  "-n PASS or BLOCK cannot apply");
		line[0] = '\0';
		if (np.offers[0])
			append(line, sizeof(line), " qmsecmethods=\"%s\"", np.offers);
		if (run(s, "-f DEFAULT", e, "set defaultrule policy=\"%s\" qmpfs=%s%s%s", name,
			np.pfs ? "yes" : "no", line, auth) < 0)
			return -1;
	} else if (a->n_filters) {
		if (!a->r)
			return err_set(e, "-r: a rule name is required with -f in static mode");
		/* SPEC §4.1: the rule names its filter list and its own "<rule> negpol" action. */
		snprintf(action, sizeof(action), "%s negpol", a->r);
		if (drop_rule(s, &p, a->r, action, e) < 0 ||
		    run(s, "-r", e, "add filterlist name=\"%s\"", a->r) < 0)
			return -1;
		for (size_t i = 0; i < a->n_filters; i++) {
			char what[300];
			snprintf(what, sizeof(what), "-f '%.200s'", a->filters[i]);
			if (strcmp(a->filters[i], "DEFAULT") == 0)
				return err_set(e, "-f DEFAULT stands alone");
			if (filter_line(a->filters[i], a->r, line, sizeof(line), e) < 0)
				return err_prefix(e, "%s", what);
			if (run(s, what, e, "%s", line) < 0)
				return -1;
		}
		line[0] = '\0';
		if (np.offers[0])
			append(line, sizeof(line), " qmsecmethods=\"%s\"", np.offers);
		if (run(s, "-n", e,
			"add filteraction name=\"%s\" action=%s inpass=%s soft=%s qmpfs=%s%s", action,
			np.action, np.inpass ? "yes" : "no", a->soft ? "yes" : "no",
			np.pfs ? "yes" : "no", line) < 0)
			return -1;
		line[0] = '\0';
		if (a->t)
			append(line, sizeof(line), " tunnel=\"%s\"", a->t);
		if (run(s, "-r", e,
			"add rule name=\"%s\" policy=\"%s\" filterlist=\"%s\" filteraction=\"%s\" "
			"conntype=%s%s%s",
			a->r, name, a->r, action, a->lan ? "lan" : a->dialup ? "dialup" : "all", line,
			auth) < 0)
			return -1;
	} else if (a->r || a->n_negpols || a->n_auths) {
		return err_set(e, "-r, -n and -a need -f");
	}
	if (a->assign)
		return run(s, "-x", e, "set policy name=\"%s\" assign=yes", name);
	if (a->unassign)
		return run(s, "-y", e, "set policy name=\"%s\" assign=no", name);
	return 0;
}

int ipsecpol_run(struct session *s, int argc, char **argv, struct err *e)
{
	struct pol_args *a = malloc(sizeof(*a));
	int rc;

	if (!a)
		return err_set(e, "out of memory");
	if (argc == 0 || (argc == 1 && (strcmp(argv[0], "-?") == 0 || strcmp(argv[0], "/?") == 0 ||
					 strcmp(argv[0], "-h") == 0))) {
		ipsecpol_usage(s->out);
		free(a);
		return argc == 0 ? err_set(e, "no arguments") : 0;
	}
	rc = parse_args(argc, argv, a, e);
	if (rc == 0 && !a->w)
		rc = err_set(e, "dynamic mode (no -w) hands rules to the policy agent ipsecfwd, "
				"which is not running; use -w REG for a stored policy");
	if (rc == 0) {
		/* One transaction: a failing invocation changes nothing. */
		s->batch = true;
		s->all_or_nothing = true;
		rc = db_in_transaction(s->db) ? 0 : db_begin(s->db, e);
		if (rc == 0)
			rc = run_static(s, a, e);
		if (rc == 0)
			rc = session_finish(s, e);
		else if (db_in_transaction(s->db))
			db_rollback(s->db);
		s->batch = false;
		s->all_or_nothing = false;
	}
	free(a);
	return rc < 0 ? err_prefix(e, "ipsecpol") : 0;
}
