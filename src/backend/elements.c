// SPDX-License-Identifier: MIT
/* elements.c - element texts of the tier maps to netlink attributes. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/set.h>
#include <linux/netfilter.h>
#include <linux/netlink.h>
#include <linux/netfilter/nf_tables.h>
#include <stdlib.h>
#include <string.h>

#include "elements.h"

/* Elements a message carries: each takes under 250 bytes, and a message's
 * element list is one netlink attribute (at most 64 KiB). */
/* A message's element list is one netlink attribute, whose length is 16
 * bits: past 64 KiB it wraps, and the kernel drops the whole batch without
 * a reply (seen on fw1_10k, whose pieces have long comments). An element
 * is at most about 520 bytes (two 64-byte keys, a verdict chain, a 250-byte
 * comment), so 64 of them stay under half of that, and under a batch
 * page's overrun. */
enum { ELEMS_PER_MSG = 64, KEY_MAX = 64, COMMENT_MAX = 250 };

/* A key as nftables lays out a concatenation: each field in network
 * order, padded to 4 bytes; start and end of each range. */
struct key {
	uint8_t start[KEY_MAX], end[KEY_MAX];
	size_t len;
};

void elements_by_netlink(const struct nft_program *p, bool *by_netlink)
{
	for (size_t m = 0; m < p->n_maps; m++)
		by_netlink[m] = false;
	for (size_t i = 0; i < p->n_elems; i++)
		if (strstr(p->elems[i].text, " . "))
			by_netlink[p->elems[i].map] = true;
}

/* "192.0.2.0-192.0.2.99": the partitions' pieces that are not prefixes. */
static int put_addr_range(struct key *k, const char *s, size_t n, const char *dash, int family,
			  size_t alen)
{
	char lo[64], hi[64];
	size_t nlo = (size_t)(dash - s), nhi = n - nlo - 1;

	if (nlo >= sizeof(lo) || nhi >= sizeof(hi))
		return -1;
	memcpy(lo, s, nlo);
	lo[nlo] = '\0';
	memcpy(hi, dash + 1, nhi);
	hi[nhi] = '\0';
	if (inet_pton(family, lo, k->start + k->len) != 1 ||
	    inet_pton(family, hi, k->end + k->len) != 1 ||
	    memcmp(k->start + k->len, k->end + k->len, alen) > 0)
		return -1;
	k->len += alen;
	return 0;
}

static int put_prefix(struct key *k, const char *s, size_t n)
{
	char text[64];
	const char *slash = memchr(s, '/', n), *dash = memchr(s, '-', n);
	int family = memchr(s, ':', n) ? AF_INET6 : AF_INET;
	size_t alen = family == AF_INET ? 4 : 16;
	uint8_t addr[16];
	char *end;
	unsigned long plen;

	if (k->len + alen > KEY_MAX)
		return -1;
	if (!slash && dash)
		return put_addr_range(k, s, n, dash, family, alen);
	if (!slash || (size_t)(slash - s) >= sizeof(text))
		return -1;
	memcpy(text, s, (size_t)(slash - s));
	text[slash - s] = '\0';
	plen = strtoul(slash + 1, &end, 10);
	if (inet_pton(family, text, addr) != 1 || end != s + n || plen > alen * 8)
		return -1;
	for (size_t i = 0; i < alen; i++) {
		size_t at = i * 8; /* the prefix bits in this byte */
		unsigned bits = plen >= at + 8 ? 8 : plen > at ? (unsigned)(plen - at) : 0;
		uint8_t mask = (uint8_t)(0xff00u >> bits);
		k->start[k->len + i] = addr[i] & mask;
		k->end[k->len + i] = addr[i] | (uint8_t)~mask;
	}
	k->len += alen;
	return 0;
}

/* "6", "0-255", "1024-65535": a protocol (1 byte) or a port (2). */
static int put_range(struct key *k, const char *s, size_t n, size_t width)
{
	unsigned long lo, hi;
	char *end;

	if (k->len + 4 > KEY_MAX)
		return -1;
	lo = strtoul(s, &end, 10);
	hi = lo;
	if (end < s + n && *end == '-')
		hi = strtoul(end + 1, &end, 10);
	if (end != s + n || end == s || lo > hi || hi >> (8 * width))
		return -1;
	memset(k->start + k->len, 0, 4);
	memset(k->end + k->len, 0, 4);
	for (size_t i = 0; i < width; i++) {
		k->start[k->len + i] = (uint8_t)(lo >> (8 * (width - 1 - i)));
		k->end[k->len + i] = (uint8_t)(hi >> (8 * (width - 1 - i)));
	}
	k->len += 4;
	return 0;
}

/* "SRC/len . DST/len . PROTO[ . SPORT . DPORT]" */
static int parse_key(const char *text, size_t len, struct key *k)
{
	const char *s = text, *stop = text + len;
	size_t field = 0;

	k->len = 0;
	while (s < stop) {
		const char *sep = strstr(s, " . ");
		size_t n = (size_t)((sep && sep < stop ? sep : stop) - s);
		int rc = field < 2 ? put_prefix(k, s, n) : put_range(k, s, n, field == 2 ? 1 : 2);
		if (rc < 0 || ++field > 5)
			return -1;
		s += n + (s + n < stop ? 3 : 0);
	}
	return field == 3 || field == 5 ? 0 : -1;
}

/* ` comment "TEXT" : VERDICT` (the comment optional); the verdict's chain
 * in slot. */
static int parse_rest(const char *rest, char slot, char *comment, uint32_t *code, char *chain,
		      size_t chain_len)
{
	const char *v = strstr(rest, "\" : ");

	*comment = '\0';
	if (strncmp(rest, " comment \"", 10) == 0 && v && (size_t)(v - rest - 10) < COMMENT_MAX) {
		memcpy(comment, rest + 10, (size_t)(v - rest - 10));
		comment[v - rest - 10] = '\0';
		v += 4;
	} else if (strncmp(rest, " : ", 3) == 0) {
		v = rest + 3;
	} else {
		return -1;
	}
	*chain = '\0';
	if (!strcmp(v, "accept")) {
		*code = NF_ACCEPT;
	} else if (!strcmp(v, "drop")) {
		*code = NF_DROP;
	} else if (!strncmp(v, "goto ", 5) || !strncmp(v, "jump ", 5)) {
		const char *name = v + 5;
		*code = (uint32_t)(v[0] == 'g' ? NFT_GOTO : NFT_JUMP);
		if (!strncmp(name, SLOT_MARK, strlen(SLOT_MARK)))
			snprintf(chain, chain_len, "%c_%s", slot, name + strlen(SLOT_MARK));
		else
			snprintf(chain, chain_len, "%s", name);
	} else {
		return -1;
	}
	return 0;
}

/* An element, parsed: its key and (unless only the key was read) its
 * verdict and comment. */
struct parsed {
	struct key k;
	uint32_t code;
	char chain[128];
	uint8_t udata[COMMENT_MAX + 3];
	size_t udata_len;
};

static int parse(const struct nft_elem *el, bool key_only, char slot, struct parsed *out)
{
	char comment[COMMENT_MAX + 1];
	size_t n;

	if (parse_key(el->text, el->key_len, &out->k) < 0)
		return -1;
	if (key_only)
		return 0;
	if (parse_rest(el->text + el->key_len, slot, comment, &out->code, out->chain,
		       sizeof(out->chain)) < 0)
		return -1;
	/* libnftnl's udata TLV, as nftables writes a comment: type 0
	 * (NFTNL_UDATA_SET_ELEM_COMMENT), length, the string and its NUL */
	out->udata_len = 0;
	if (*comment) {
		n = strlen(comment) + 1;
		out->udata[0] = 0;
		out->udata[1] = (uint8_t)n;
		memcpy(out->udata + 2, comment, n);
		out->udata_len = n + 2;
	}
	return 0;
}

static struct nftnl_set_elem *encode(const struct nft_elem *el, bool del, char slot)
{
	struct nftnl_set_elem *out;
	struct parsed e;

	if (parse(el, del, slot, &e) < 0 || !(out = nftnl_set_elem_alloc()))
		return NULL;
	nftnl_set_elem_set(out, NFTNL_SET_ELEM_KEY, e.k.start, (uint32_t)e.k.len);
	nftnl_set_elem_set(out, NFTNL_SET_ELEM_KEY_END, e.k.end, (uint32_t)e.k.len);
	if (del)
		return out;
	nftnl_set_elem_set_u32(out, NFTNL_SET_ELEM_VERDICT, e.code);
	if (*e.chain)
		nftnl_set_elem_set_str(out, NFTNL_SET_ELEM_CHAIN, e.chain);
	if (e.udata_len)
		nftnl_set_elem_set(out, NFTNL_SET_ELEM_USERDATA, e.udata, (uint32_t)e.udata_len);
	return out;
}

/* The kernel nests without NLA_F_NESTED in its dumps. */
static struct nlattr *nest_start(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *a = mnl_attr_nest_start(nlh, type);

	a->nla_type = type;
	return a;
}

static void put_data(struct nlmsghdr *nlh, uint16_t type, const uint8_t *v, size_t len)
{
	struct nlattr *a = nest_start(nlh, type);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(nlh, a);
}

int elements_digest(const struct nft_elem *el, char slot, uint8_t out[FINGERPRINT_ELEM])
{
	char buf[1024] = { 0 }; /* the attributes' padding is hashed too: zeros */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *elem, *data, *verdict;
	struct parsed e;

	if (parse(el, false, slot, &e) < 0)
		return -1;
	/* the attributes in the order nf_tables dumps them */
	elem = nest_start(nlh, NFTA_LIST_ELEM);
	put_data(nlh, NFTA_SET_ELEM_KEY, e.k.start, e.k.len);
	put_data(nlh, NFTA_SET_ELEM_KEY_END, e.k.end, e.k.len);
	data = nest_start(nlh, NFTA_SET_ELEM_DATA);
	verdict = nest_start(nlh, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl(e.code));
	if (*e.chain)
		mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN, e.chain);
	mnl_attr_nest_end(nlh, verdict);
	mnl_attr_nest_end(nlh, data);
	if (e.udata_len)
		mnl_attr_put(nlh, NFTA_SET_ELEM_USERDATA, e.udata_len, e.udata);
	mnl_attr_nest_end(nlh, elem);
	fingerprint_element(elem, out);
	return 0;
}

/* One message: up to ELEMS_PER_MSG elements of one map. */
static int put_message(struct nlbatch *b, const char *map, const struct nft_elem *const *elems,
		       size_t n, bool del, char slot)
{
	struct nftnl_set *s = nftnl_set_alloc();
	char name[128];
	int rc = 0;

	if (!s)
		return -1;
	snprintf(name, sizeof(name), "%c_%s", slot,
		 strncmp(map, SLOT_MARK, strlen(SLOT_MARK)) ? map : map + strlen(SLOT_MARK));
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE_NAME);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct nftnl_set_elem *el = encode(elems[i], del, slot);
		if (el)
			nftnl_set_elem_add(s, el);
		else
			rc = -1;
	}
	if (rc == 0) {
		nftnl_set_elems_nlmsg_build_payload(
			nlbatch_msg(b, del ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM,
				    del ? 0 : NLM_F_CREATE),
			s);
		nlbatch_end_msg(b);
	}
	nftnl_set_free(s);
	return rc;
}

int elements_put(struct nlbatch *b, const struct nft_program *names,
		 const struct nft_elem *const *elems, size_t n, bool del, char slot, struct err *e)
{
	for (size_t i = 0; i < n;) {
		uint32_t map = elems[i]->map;
		size_t j = i;
		while (j < n && j - i < ELEMS_PER_MSG && elems[j]->map == map)
			j++;
		if (put_message(b, names->maps[map], elems + i, j - i, del, slot) < 0)
			return err_set(e, "map %s: cannot encode the element '%.*s'",
				       names->maps[map], (int)elems[i]->key_len, elems[i]->text);
		i = j;
	}
	return 0;
}

int elements_load(const struct nft_program *p, char slot, const bool *by_netlink, struct err *e)
{
	const struct nft_elem **of = malloc(sizeof(*of) * (p->n_elems ? p->n_elems : 1));
	struct nlbatch *b = nlbatch_new(0);
	size_t n = 0;
	int rc = -1;

	if (!of || !b) {
		err_set(e, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p->n_elems; i++)
		if (by_netlink[p->elems[i].map])
			of[n++] = &p->elems[i];
	if (elements_put(b, p, of, n, false, slot, e) == 0)
		rc = nlbatch_commit(b, "loading the map elements", e);
	if (rc == 0 && n > 0)
		rc = 1;
out:
	nlbatch_free(b);
	free(of);
	return rc;
}
