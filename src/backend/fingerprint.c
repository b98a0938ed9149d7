// SPDX-License-Identifier: MIT
/* fingerprint.c - SHA-256 (nettle) over a program's text, or over our
 * table as nftables' netlink dumps give it. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "program.h"

enum { ELEM_DIGEST = FINGERPRINT_ELEM, DUMP_TRIES = 3 };

static void to_hex(const uint8_t *digest, char out[FINGERPRINT_HEX + 1])
{
	for (size_t i = 0; i < FINGERPRINT_HEX / 2; i++)
		snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

void fingerprint_text(const char *text, size_t len, char out[FINGERPRINT_HEX + 1])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)text);
	sha256_digest(&ctx, sizeof(digest), digest);
	to_hex(digest, out);
}

struct dump {
	struct mnl_socket *nl;
	unsigned seq, portid;
	const char *skip_prefix;
	struct sha256_ctx sum;
	char **sets; /* named sets and maps, whose elements are dumped next */
	size_t n_sets;
	uint8_t (*elems)[ELEM_DIGEST]; /* the current set's, sorted before use */
	size_t n_elems, cap_elems;
	struct fingerprint_state *state; /* what was read */
	uint32_t gen; /* the last generation the kernel told */
	bool interrupted;
};

static void sum_attr(struct sha256_ctx *c, const struct nlattr *a)
{
	sha256_update(c, mnl_attr_get_len(a), (const uint8_t *)a);
}

bool fingerprint_names_our_table(const struct nlmsghdr *nlh)
{
	const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g) || g->nfgen_family != NFPROTO_INET)
		return false;
	mnl_attr_for_each(a, nlh, sizeof(*g))
		if (mnl_attr_get_type(a) == 1)
			return mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
			       !strcmp(mnl_attr_get_str(a), NFT_TABLE_NAME);
	return false;
}

static const char *str_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == type && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			return mnl_attr_get_str(a);
	return NULL;
}

static uint32_t u32_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(a) == type && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			return ntohl(mnl_attr_get_u32(a));
	return 0;
}

/* A rule's expressions, a counter's values left out. */
static void sum_exprs(struct sha256_ctx *c, const struct nlattr *list)
{
	const struct nlattr *expr, *a;

	mnl_attr_for_each_nested(expr, list) {
		bool counter = false;
		mnl_attr_for_each_nested(a, expr)
			if (mnl_attr_get_type(a) == NFTA_EXPR_NAME &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
			    !strcmp(mnl_attr_get_str(a), "counter"))
				counter = true;
		if (!counter) {
			sum_attr(c, expr);
			continue;
		}
		mnl_attr_for_each_nested(a, expr)
			if (mnl_attr_get_type(a) == NFTA_EXPR_NAME)
				sum_attr(c, a);
	}
}

/* A set's element count (NFTA_SET_COUNT, kernels from 6.14 on; Debian 12's
 * headers predate it). */
enum { SET_COUNT_ATTR = 20 };

/* Whether attribute a of a message of type msg is left out. */
static bool volatile_attr(const struct nlmsghdr *nlh, uint8_t msg, const struct nlattr *a)
{
	uint16_t t = mnl_attr_get_type(a);

	/* a chain's use counts the map elements that jump to it, and a set
	 * tells how many elements it holds: derived from what is summed
	 * anyway, and left out so that element changes leave the objects'
	 * part alone (fingerprint_state_update) */
	return (msg == NFT_MSG_NEWCHAIN && (t == NFTA_CHAIN_COUNTERS || t == NFTA_CHAIN_USE)) ||
	       (msg == NFT_MSG_NEWSET && t == SET_COUNT_ATTR) ||
	       (msg == NFT_MSG_NEWOBJ && t == NFTA_OBJ_DATA &&
		u32_attr(nlh, NFTA_OBJ_TYPE) == NFT_OBJECT_COUNTER);
}

static int keep_set(struct dump *d, const struct nlmsghdr *nlh)
{
	const char *name = str_attr(nlh, NFTA_SET_NAME);
	char **sets;

	if (!name)
		return 0;
	if (!(sets = realloc(d->sets, (d->n_sets + 1) * sizeof(*sets))) ||
	    !(sets[d->n_sets] = strdup(name))) {
		d->sets = sets ? sets : d->sets;
		return -1;
	}
	d->sets = sets;
	d->n_sets++;
	return 0;
}

void fingerprint_element(const struct nlattr *elem, uint8_t out[FINGERPRINT_ELEM])
{
	const struct nlattr *a;
	struct sha256_ctx c;

	sha256_init(&c);
	mnl_attr_for_each_nested(a, elem) {
		uint16_t t = mnl_attr_get_type(a);
		if (t != NFTA_SET_ELEM_EXPR && t != NFTA_SET_ELEM_EXPRESSIONS &&
		    t != NFTA_SET_ELEM_EXPIRATION)
			sum_attr(&c, a);
	}
	sha256_digest(&c, FINGERPRINT_ELEM, out);
}

/* Each element alone; the set's elements are summed in sorted order
 * later. */
static int add_elems(struct dump *d, const struct nlmsghdr *nlh)
{
	const struct nlattr *list, *el;

	mnl_attr_for_each(list, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(list) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, list) {
			if (d->n_elems == d->cap_elems) {
				size_t cap = d->cap_elems ? 2 * d->cap_elems : 1024;
				void *more = realloc(d->elems, cap * sizeof(*d->elems));
				if (!more)
					return -1;
				d->elems = more;
				d->cap_elems = cap;
			}
			fingerprint_element(el, d->elems[d->n_elems++]);
		}
	}
	return 0;
}

static int on_message(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	uint8_t msg = (uint8_t)NFNL_MSG_TYPE(nlh->nlmsg_type);
	const struct nlattr *a;
	const char *name;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->interrupted = true;
	if (msg == NFT_MSG_NEWGEN && mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct nfgenmsg)) {
		d->gen = u32_attr(nlh, NFTA_GEN_ID);
		return MNL_CB_OK;
	}
	if (!fingerprint_names_our_table(nlh))
		return MNL_CB_OK;
	if (msg == NFT_MSG_NEWSETELEM)
		return add_elems(d, nlh) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
	if (msg == NFT_MSG_NEWCHAIN && (name = str_attr(nlh, NFTA_CHAIN_NAME)) &&
	    !strncmp(name, d->skip_prefix, strlen(d->skip_prefix)))
		return MNL_CB_OK;
	/* the agent's own sets (program.h): their elements come and go, and
	 * the kernel's message for a set changes with them */
	if (msg == NFT_MSG_NEWSET && (name = str_attr(nlh, NFTA_SET_NAME)) && program_slot_of(name) &&
	    !strncmp(name + 2, LIVE_SET_MARK, strlen(LIVE_SET_MARK)))
		return MNL_CB_OK;
	if (msg == NFT_MSG_NEWSET && keep_set(d, nlh) < 0)
		return MNL_CB_ERROR;
	sha256_update(&d->sum, 1, &msg);
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (msg == NFT_MSG_NEWRULE && mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS)
			sum_exprs(&d->sum, a);
		else if (!volatile_attr(nlh, msg, a))
			sum_attr(&d->sum, a);
	}
	return MNL_CB_OK;
}

/* One request (a dump, or a get of the table) and its answers. 0 done,
 * 1 no such table or set, -1 error. */
static int request(struct dump *d, uint8_t msg, const char *set)
{
	static char buf[1 << 16];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;
	ssize_t n;
	int rc;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | (msg == NFT_MSG_GETTABLE || msg == NFT_MSG_GETGEN
						    ? NLM_F_ACK : NLM_F_DUMP);
	nlh->nlmsg_seq = ++d->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = msg == NFT_MSG_GETGEN ? AF_UNSPEC : NFPROTO_INET;
	g->version = NFNETLINK_V0;
	if (msg != NFT_MSG_GETGEN)
		mnl_attr_put_strz(nlh, 1, NFT_TABLE_NAME); /* NFTA_*_TABLE */
	if (set)
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		if ((n = mnl_socket_recvfrom(d->nl, buf, sizeof(buf))) <= 0)
			return -1;
		rc = mnl_cb_run(buf, (size_t)n, d->seq, d->portid, on_message, d);
	} while (rc > MNL_CB_STOP);
	if (rc < 0)
		return errno == ENOENT ? 1 : -1;
	return 0;
}

static int by_bytes(const void *a, const void *b)
{
	return memcmp(a, b, ELEM_DIGEST);
}

/* The set's element digests, sorted, handed to the state. */
static int dump_elements(struct dump *d, const char *set)
{
	struct fingerprint_state *s = d->state;
	struct fingerprint_set *sets;

	d->n_elems = 0;
	if (request(d, NFT_MSG_GETSETELEM, set) < 0)
		return -1;
	if (d->n_elems) /* an empty set has no array: qsort wants one */
		qsort(d->elems, d->n_elems, ELEM_DIGEST, by_bytes);
	if (!(sets = realloc(s->sets, (s->n_sets + 1) * sizeof(*sets))))
		return -1;
	s->sets = sets;
	if (!(sets[s->n_sets].name = strdup(set)))
		return -1;
	sets[s->n_sets].elems = d->elems;
	sets[s->n_sets++].n = d->n_elems;
	d->elems = NULL;
	d->cap_elems = 0;
	return 0;
}

void fingerprint_state_free(struct fingerprint_state *s)
{
	for (size_t i = 0; i < s->n_sets; i++) {
		free(s->sets[i].name);
		free(s->sets[i].elems);
	}
	free(s->sets);
	memset(s, 0, sizeof(*s));
}

void fingerprint_state_hex(const struct fingerprint_state *s, char out[FINGERPRINT_HEX + 1])
{
	struct sha256_ctx c = s->objects;
	uint8_t digest[SHA256_DIGEST_SIZE];

	for (size_t i = 0; i < s->n_sets; i++) {
		sha256_update(&c, strlen(s->sets[i].name) + 1, (const uint8_t *)s->sets[i].name);
		sha256_update(&c, s->sets[i].n * ELEM_DIGEST, (const uint8_t *)s->sets[i].elems);
	}
	sha256_digest(&c, sizeof(digest), digest);
	to_hex(digest, out);
}

int fingerprint_state_update(struct fingerprint_state *s, const char *set,
			     const uint8_t (*gone)[FINGERPRINT_ELEM], size_t n_gone,
			     const uint8_t (*fresh)[FINGERPRINT_ELEM], size_t n_fresh)
{
	struct fingerprint_set *fs = NULL;
	uint8_t (*g)[ELEM_DIGEST] = malloc((n_gone ? n_gone : 1) * ELEM_DIGEST);
	uint8_t (*f)[ELEM_DIGEST] = malloc((n_fresh ? n_fresh : 1) * ELEM_DIGEST);
	uint8_t (*out)[ELEM_DIGEST] = NULL;
	size_t i = 0, j = 0, k = 0, n = 0;
	int rc = -1;

	for (size_t x = 0; x < s->n_sets && !fs; x++)
		if (!strcmp(s->sets[x].name, set))
			fs = &s->sets[x];
	if (!fs || !g || !f || n_gone > fs->n ||
	    !(out = malloc((fs->n - n_gone + n_fresh + 1) * ELEM_DIGEST)))
		goto done;
	if (n_gone) /* gone and fresh may be NULL when empty */
		memcpy(g, gone, n_gone * ELEM_DIGEST);
	if (n_fresh)
		memcpy(f, fresh, n_fresh * ELEM_DIGEST);
	qsort(g, n_gone, ELEM_DIGEST, by_bytes);
	qsort(f, n_fresh, ELEM_DIGEST, by_bytes);
	/* the kept ones (all but gone, each gone one found), merged with fresh */
	while (i < fs->n || k < n_fresh) {
		if (i < fs->n && j < n_gone && !memcmp(fs->elems[i], g[j], ELEM_DIGEST)) {
			i++, j++;
			continue;
		}
		if (j < n_gone && i < fs->n && memcmp(fs->elems[i], g[j], ELEM_DIGEST) > 0)
			goto done; /* g[j] is not in the set */
		if (k < n_fresh && (i == fs->n || memcmp(f[k], fs->elems[i], ELEM_DIGEST) < 0))
			memcpy(out[n++], f[k++], ELEM_DIGEST);
		else
			memcpy(out[n++], fs->elems[i++], ELEM_DIGEST);
	}
	if (j < n_gone)
		goto done;
	free(fs->elems);
	fs->elems = out;
	fs->n = n;
	out = NULL;
	rc = 0;
done:
	free(out);
	free(g);
	free(f);
	return rc;
}

static void clear_sets(struct dump *d)
{
	for (size_t i = 0; i < d->n_sets; i++)
		free(d->sets[i]);
	free(d->sets);
	d->sets = NULL;
	d->n_sets = 0;
}

/* One pass over the table, between two readings of the generation
 * (they differ: a commit came in between). 1, 0 no table, -1 error. */
static int dump_table(struct dump *d)
{
	static const uint8_t kinds[] = { NFT_MSG_GETCHAIN, NFT_MSG_GETRULE, NFT_MSG_GETSET,
					 NFT_MSG_GETOBJ };
	uint32_t gen;
	int rc;

	sha256_init(&d->sum);
	d->interrupted = false;
	clear_sets(d);
	fingerprint_state_free(d->state);
	if (request(d, NFT_MSG_GETGEN, NULL) != 0)
		return -1;
	gen = d->gen;
	if ((rc = request(d, NFT_MSG_GETTABLE, NULL)) != 0)
		return rc > 0 ? 0 : -1;
	for (size_t i = 0; i < sizeof(kinds); i++)
		if (request(d, kinds[i], NULL) != 0)
			return -1;
	d->state->objects = d->sum;
	for (size_t i = 0; i < d->n_sets; i++)
		if (dump_elements(d, d->sets[i]) < 0)
			return -1;
	if (request(d, NFT_MSG_GETGEN, NULL) != 0)
		return -1;
	d->interrupted = d->interrupted || d->gen != gen;
	return 1;
}

static int open_dump(struct dump *d, struct err *e)
{
	if (!(d->nl = mnl_socket_open(NETLINK_NETFILTER)) ||
	    mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return err_set(e, "nftables: %s", strerror(errno));
	d->portid = mnl_socket_get_portid(d->nl);
	return 0;
}

static void close_dump(struct dump *d)
{
	clear_sets(d);
	free(d->elems);
	if (d->nl)
		mnl_socket_close(d->nl);
}

int fingerprint_generation(uint32_t *gen, struct err *e)
{
	struct dump d = { 0 };
	int rc = open_dump(&d, e);

	if (rc == 0 && request(&d, NFT_MSG_GETGEN, NULL) != 0)
		rc = err_set(e, "nftables: reading the generation: %s", strerror(errno));
	*gen = d.gen;
	close_dump(&d);
	return rc;
}

int fingerprint_kernel_state(const char *skip_prefix, struct fingerprint_state *out,
			     uint32_t *gen, struct err *e)
{
	struct dump d = { .skip_prefix = skip_prefix, .state = out };
	int rc = -1;

	memset(out, 0, sizeof(*out));

	if (open_dump(&d, e) < 0)
		goto out;
	/* a dump a commit interrupted is taken again */
	for (int tries = 0; tries < DUMP_TRIES; tries++)
		if ((rc = dump_table(&d)) != 1 || !d.interrupted)
			break;
	if (rc < 0 || (rc == 1 && d.interrupted)) {
		rc = err_set(e, "nftables: reading table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME
				" back: %s", d.interrupted ? "it kept changing" : strerror(errno));
		goto out;
	}
	if (rc == 1)
		*gen = d.gen;
out:
	close_dump(&d);
	if (rc != 1)
		fingerprint_state_free(out);
	return rc;
}

int fingerprint_kernel(const char *skip_prefix, char out[FINGERPRINT_HEX + 1], uint32_t *gen,
		       struct err *e)
{
	struct fingerprint_state s;
	int rc = fingerprint_kernel_state(skip_prefix, &s, gen, e);

	if (rc == 1)
		fingerprint_state_hex(&s, out);
	fingerprint_state_free(&s);
	return rc;
}
