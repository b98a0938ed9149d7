// SPDX-License-Identifier: MIT
#include "filterspec.h"

#include <string.h>
#include <strings.h>

/* One side: address tag plus its mask tag. */
static int read_side(struct session *s, struct bound *b, const char *addr_tag,
		     const char *mask_tag, const char *name_tag, bool resolve, struct addr *out,
		     size_t *n, bool *has_mask, struct err *e)
{
	const char *text = args_get(b, addr_tag), *mask = args_get(b, mask_tag);
	const char *name = name_tag ? args_get(b, name_tag) : NULL;
	struct addr a;
	int inline_len;
	uint8_t len = 0;

	*n = 0;
	*has_mask = mask != NULL;
	if (!text)
		return 0;
	enum addr_parse_result r = addr_parse(text, &a, &inline_len, e);
	if (r == ADDR_BAD)
		return args_fail(b, addr_tag, e);
	if (name && (a.kind != ADDR_IP || r == ADDR_NEEDS_DNS)) {
		err_set(e, "a recorded host name goes with an IP address");
		return args_fail(b, name_tag, e);
	}
	if (r == ADDR_NEEDS_DNS && !resolve) {
		out[(*n)++] = a;
		return 0;
	}
	if (mask && a.kind != ADDR_IP) {
		*has_mask = false; /* SPEC §2.4: ignored for me, any and server types */
		mask = NULL;
	}
	if (r == ADDR_NEEDS_DNS) {
		struct ip_prefix ips[RESOLVE_MAX];
		size_t count;
		if (s->resolve(a.name, ips, RESOLVE_MAX, &count, e) < 0)
			return args_fail(b, addr_tag, e);
		for (size_t i = 0; i < count; i++) {
			out[i] = a;
			out[i].ip = ips[i];
		}
		*n = count;
	} else {
		out[0] = a;
		*n = 1;
		if (name)
			snprintf(out[0].name, sizeof(out[0].name), "%s", name);
	}
	for (size_t i = 0; i < *n && out[i].kind == ADDR_IP; i++) {
		len = out[i].ip.len;
		if (mask && mask_parse(mask, out[i].ip.family, &len, e) < 0)
			return args_fail(b, mask_tag, e);
		if (mask && inline_len >= 0 && len != inline_len) {
			err_set(e, "'%s' disagrees with the prefix in %s=%s", mask, addr_tag, text);
			return args_fail(b, mask_tag, e);
		}
		if (addr_apply_prefix(&out[i], len)) {
			char shown[64];
			addr_format(&out[i], shown, sizeof(shown));
			session_warn(s, "%s %s has host bits set under its mask; using %s", addr_tag,
				     text, shown);
		}
	}
	return 0;
}

static int read_port(struct bound *b, const char *tag, struct port_range *p, bool *has,
		     struct err *e)
{
	const char *v = args_get(b, tag);

	*has = v != NULL;
	if (v && port_parse(v, p, e) < 0)
		return args_fail(b, tag, e);
	return 0;
}

static int read_icmp(struct bound *b, const char *tag, int16_t *out, bool *has, struct err *e)
{
	long v = -1;

	*has = args_has(b, tag);
	if (args_long(b, tag, 0, 255, &v, e) < 0)
		return -1;
	*out = (int16_t)v;
	return 0;
}

int filterspec_read(struct session *s, struct bound *b, bool resolve, struct filter_spec *fs,
		    struct err *e)
{
	struct filter *f = &fs->base;
	const char *v;

	memset(fs, 0, sizeof(*fs));
	filter_init(f);
	/* srcname=/dstname= exist only where exports are read back (add filter). */
	const char *srcname = args_declares(b, "srcname") ? "srcname" : NULL;
	const char *dstname = args_declares(b, "dstname") ? "dstname" : NULL;
	if (read_side(s, b, "srcaddr", "srcmask", srcname, resolve, fs->src, &fs->n_src,
		      &fs->has_srcmask, e) < 0 ||
	    read_side(s, b, "dstaddr", "dstmask", dstname, resolve, fs->dst, &fs->n_dst,
		      &fs->has_dstmask, e) < 0)
		return -1;
	if ((v = args_get(b, "protocol"))) {
		fs->has_proto = true;
		if (proto_parse(v, &f->proto, e) < 0)
			return args_fail(b, "protocol", e);
	}
	if (args_has(b, "mirrored")) {
		fs->has_mirrored = true;
		if (args_bool(b, "mirrored", &f->mirrored, e) < 0)
			return -1;
	}
	if (read_port(b, "srcport", &f->sport, &fs->has_sport, e) < 0 ||
	    read_port(b, "dstport", &f->dport, &fs->has_dport, e) < 0)
		return -1;
	if (args_declares(b, "icmptype") &&
	    (read_icmp(b, "icmptype", &f->icmp_type, &fs->has_icmp_type, e) < 0 ||
	     read_icmp(b, "icmpcode", &f->icmp_code, &fs->has_icmp_code, e) < 0))
		return -1;
	return 0;
}

int filterspec_each(const struct filter_spec *fs,
		    int (*fn)(struct filter *f, void *ctx, struct err *e), void *ctx,
		    struct err *e)
{
	struct err first = { "" };
	size_t made = 0;

	for (size_t i = 0; i < fs->n_src; i++) {
		for (size_t j = 0; j < fs->n_dst; j++) {
			struct filter f = fs->base;
			f.src = fs->src[i];
			f.dst = fs->dst[j];
			if (filter_validate(&f, &first) < 0) {
				if (fs->n_src * fs->n_dst == 1 || strstr(first.msg, "famil") == NULL)
					return err_set(e, "%s", first.msg);
				continue; /* a name's IPv6 address beside an IPv4 peer */
			}
			if (fn(&f, ctx, e) < 0)
				return -1;
			made++;
		}
	}
	if (made == 0)
		return err_set(e, "%s", first.msg[0] ? first.msg : "no filter to add");
	return 0;
}

static bool side_matches(const struct addr *want, bool has_mask, const struct addr *have)
{
	if (want->kind != have->kind)
		return false;
	if (want->kind == ADDR_SERVER)
		return want->server == have->server;
	if (want->kind != ADDR_IP)
		return true;
	if (want->name[0] && want->ip.family == 0)
		return strcasecmp(want->name, have->name) == 0;
	if (want->ip.family != have->ip.family)
		return false;
	if (has_mask && want->ip.len != have->ip.len)
		return false;
	/* Without a mask, compare the stored network under the stored mask. */
	struct addr w = *want;
	addr_apply_prefix(&w, have->ip.len);
	return memcmp(w.ip.bytes, have->ip.bytes, 16) == 0;
}

bool filterspec_matches(const struct filter_spec *fs, const struct filter *f)
{
	const struct filter *c = &fs->base;

	if (!side_matches(&fs->src[0], fs->has_srcmask, &f->src) ||
	    !side_matches(&fs->dst[0], fs->has_dstmask, &f->dst))
		return false;
	if (fs->has_proto && c->proto != f->proto)
		return false;
	if (fs->has_mirrored && c->mirrored != f->mirrored)
		return false;
	if (fs->has_sport && memcmp(&c->sport, &f->sport, sizeof(c->sport)) != 0)
		return false;
	if (fs->has_dport && memcmp(&c->dport, &f->dport, sizeof(c->dport)) != 0)
		return false;
	if (fs->has_icmp_type && c->icmp_type != f->icmp_type)
		return false;
	if (fs->has_icmp_code && c->icmp_code != f->icmp_code)
		return false;
	return true;
}
