// SPDX-License-Identifier: MIT
/* program.c - modes to nftables text: the builder every program is written
 * with, the drop chains and prelude every mode shares, the modes other than
 * secure (secure.c), and writing, updating and saving programs. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "program.h"
#include "program_build.h"

static const char *const mode_names[MODE_COUNT] = {
	[MODE_BOOT_PERMIT] = "boot-permit", [MODE_BOOT_BLOCK] = "boot-block",
	[MODE_BOOT_STATEFUL] = "boot-stateful", [MODE_SECURE] = "secure",
	[MODE_PERMIT] = "permit", [MODE_BLOCK] = "block",
};

const char *fw_mode_name(enum fw_mode m)
{
	return m < MODE_COUNT ? mode_names[m] : "unknown";
}

int fw_mode_parse(const char *name, enum fw_mode *out)
{
	for (int m = 0; m < MODE_COUNT; m++)
		if (strcmp(name, mode_names[m]) == 0) {
			*out = (enum fw_mode)m;
			return 0;
		}
	return -1;
}

static const char *const drop_reason_names[DR_COUNT] = {
	[DR_BLOCK] = "block-filter", [DR_NEGOTIATE] = "negotiate-required",
	[DR_BOOT_BLOCK] = "boot-block", [DR_BOOT_STATEFUL] = "boot-stateful",
	[DR_OP_BLOCK] = "op-block", [DR_UNKNOWN_LOCAL] = "unknown-local",
};

int builder_open(struct builder *b, struct nft_program *p, enum fw_mode mode)
{
	memset(p, 0, sizeof(*p));
	memset(b, 0, sizeof(*b));
	p->mode = mode;
	b->p = p;
	b->decl = open_memstream(&b->decl_buf, &b->decl_len);
	b->chains = open_memstream(&b->chains_buf, &b->chains_len);
	return b->decl && b->chains ? 0 : -1;
}

/* Joins declarations and chains into the body. */
int builder_close(struct builder *b, struct err *e)
{
	if (b->decl)
		fclose(b->decl);
	if (b->chains)
		fclose(b->chains);
	if (!b->failed && b->decl_buf && b->chains_buf &&
	    (b->p->body = malloc(b->decl_len + b->chains_len + 1))) {
		memcpy(b->p->body, b->decl_buf, b->decl_len);
		memcpy(b->p->body + b->decl_len, b->chains_buf, b->chains_len + 1);
	}
	free(b->decl_buf);
	free(b->chains_buf);
	if (!b->p->body) {
		program_free(b->p);
		return err_set(e, "out of memory writing the nftables program");
	}
	return 0;
}

uint32_t add_map(struct builder *b, const char *name)
{
	if (b->p->n_maps == b->cap_maps) {
		size_t cap = b->cap_maps ? 2 * b->cap_maps : 16;
		char **m = realloc(b->p->maps, cap * sizeof(*m));
		if (!m) {
			b->failed = true;
			return 0;
		}
		b->p->maps = m;
		b->cap_maps = cap;
	}
	if (!(b->p->maps[b->p->n_maps] = strdup(name)))
		b->failed = true;
	return (uint32_t)b->p->n_maps++;
}

/* A new element of map with room for a text of len bytes, or NULL. */
static struct nft_elem *new_elem(struct builder *b, uint32_t map, size_t len)
{
	struct nft_elem *el;

	if (b->p->n_elems == b->cap_elems) {
		size_t cap = b->cap_elems ? 2 * b->cap_elems : 256;
		struct nft_elem *n = realloc(b->p->elems, cap * sizeof(*n));
		if (!n) {
			b->failed = true;
			return NULL;
		}
		b->p->elems = n;
		b->cap_elems = cap;
	}
	el = &b->p->elems[b->p->n_elems];
	if (!(el->text = malloc(len + 1))) {
		b->failed = true;
		return NULL;
	}
	el->map = map;
	b->p->n_elems++;
	return el;
}

void add_elem(struct builder *b, uint32_t map, const char *key, const char *rest)
{
	size_t klen = strlen(key), rlen = strlen(rest);
	struct nft_elem *el = new_elem(b, map, klen + rlen);

	if (!el)
		return;
	memcpy(el->text, key, klen);
	memcpy(el->text + klen, rest, rlen + 1);
	el->key_len = klen;
}

void add_elem_text(struct builder *b, uint32_t map, const char *text, size_t key_len)
{
	size_t len = strlen(text);
	struct nft_elem *el = new_elem(b, map, len);

	if (!el)
		return;
	memcpy(el->text, text, len + 1);
	el->key_len = key_len;
}

/* --- drop chains and the prelude every mode shares --- */

void drop_chain_name(bool in, enum drop_reason r, char *buf, size_t len)
{
	snprintf(buf, len, SLOT_MARK "drop_%s_%s", in ? "in" : "out", drop_reason_names[r]);
}

bool has_negotiate(const struct ftable *t)
{
	for (size_t i = 0; i < t->n_entries; i++)
		if (t->entries[i].action_in == ACTION_NEGOTIATE ||
		    t->entries[i].action_out == ACTION_NEGOTIATE)
			return true;
	return false;
}

/* The TUN device of strongSwan's userspace ESP (kernel-libipsec, for a
 * kernel without ESP): what comes out of it libipsec decrypted, what is
 * routed into it libipsec encrypts. Such packets carry no secpath and
 * have no XFRM route (measured in e2e-ike-esp). */
#define LIBIPSEC_TUN "ipsec0"

/* Negotiate (SPEC §5.5) passes what IPsec protects: inbound, a packet
 * charon's SA decrypted (its secpath) or libipsec's TUN device gave;
 * outbound, one whose route is an XFRM bundle or that device. Anything else is dropped as before: with no charon, or
 * before the SA exists (the trap policy holds the first packets and
 * starts IKE), negotiate stays closed. Inbound, a soft rule also passes
 * clear traffic from a peer in its fallback to clear: the agent puts a
 * peer that did not answer IKE in the live_soft sets, with a timeout. */
void emit_negotiate_chains(struct builder *b)
{
	char drop[64];

	for (int in = 1; in >= 0; in--) {
		drop_chain_name(in, DR_NEGOTIATE, drop, sizeof(drop));
		fprintf(b->chains,
			"\tchain " SLOT_MARK "negotiate_%s {\n\t\t%s ipsec exists accept\n"
			"\t\t%s \"" LIBIPSEC_TUN "\" accept\n\t\tgoto %s\n\t}\n",
			in ? "in" : "out", in ? "meta" : "rt", in ? "iifname" : "oifname", drop);
	}
	fprintf(b->decl,
		"\tset " SLOT_MARK SOFT_PEERS "4 {\n\t\ttype ipv4_addr\n\t\tflags timeout\n\t}\n"
		"\tset " SLOT_MARK SOFT_PEERS "6 {\n\t\ttype ipv6_addr\n\t\tflags timeout\n\t}\n");
	fprintf(b->chains,
		"\tchain " SLOT_MARK "soft_in {\n\t\tip saddr @" SLOT_MARK SOFT_PEERS "4 accept\n"
		"\t\tip6 saddr @" SLOT_MARK SOFT_PEERS "6 accept\n"
		"\t\tgoto " SLOT_MARK "negotiate_in\n\t}\n");
}

void emit_drop_chains(struct builder *b)
{
	int diag = b->cfg ? b->cfg->ipsecdiagnostics : 0;
	char name[64];

	for (int in = 1; in >= 0; in--)
		for (int r = 0; r < DR_COUNT; r++) {
			if (r == DR_UNKNOWN_LOCAL && !b->unknown_local_since)
				continue;
			drop_chain_name(in, (enum drop_reason)r, name, sizeof(name));
			fprintf(b->decl, "\tcounter %s {\n\t}\n", name);
			fprintf(b->chains, "\tchain %s {\n", name);
			/* SPEC §7.1: bit 1 logs inbound drops, bit 2 outbound; the
			 * kernel's rate limit keeps a flood from the logger. */
			if (diag & (in ? 2 : 4))
				fprintf(b->chains,
					"\t\tlimit rate 200/second burst 400 packets log group %d "
					"prefix \"ipsecfw %s %s\"\n",
					NFLOG_GROUP, in ? "in" : "out", drop_reason_names[r]);
			fprintf(b->chains, "\t\tcounter name \"%s\" drop\n\t}\n", name);
		}
}

/* Loopback is never filtered (SPEC §10), and neither is IPv6 neighbour
 * discovery: it is what ARP is to IPv4, which no IP filter sees. */
static void emit_prelude(struct builder *b, bool in)
{
	const char *io = in ? "iif" : "oif";

	fprintf(b->chains,
		"\t\t%s \"lo\" accept\n"
		"\t\tip saddr 127.0.0.0/8 accept\n\t\tip daddr 127.0.0.0/8 accept\n"
		"\t\tip6 saddr ::1 accept\n\t\tip6 daddr ::1 accept\n"
		"\t\ticmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, "
		"nd-neighbor-advert } accept\n",
		io);
}

/* The chain the base chain of a direction jumps to. */
void open_top_chain(struct builder *b, bool in)
{
	fprintf(b->chains, "\tchain " SLOT_MARK "%s {\n", in ? "input" : "output");
	emit_prelude(b, in);
}

/* --- the other modes --- */

static void emit_dhcp(struct builder *b, bool in)
{
	/* DHCP is always allowed at boot (SPEC §6.1), and DHCPv6 with it. */
	if (in)
		fprintf(b->chains, "\t\tudp sport 67 udp dport 68 accept\n"
				   "\t\tudp sport 547 udp dport 546 accept\n");
	else
		fprintf(b->chains, "\t\tudp sport 68 udp dport 67 accept\n"
				   "\t\tudp sport 546 udp dport 547 accept\n");
}

/* One half of a boot exemption's flow (SPEC §6.3): forward is the direction
 * it names, the reverse carries the replies. */
static void emit_bootexemption(struct builder *b, const struct bootexemption *x, bool in)
{
	bool forward = x->inbound == in;

	if (proto_has_ports(x->proto)) {
		uint16_t sp = forward ? x->a : x->b, dp = forward ? x->b : x->a;
		fprintf(b->chains, "\t\tmeta l4proto %u", x->proto);
		if (sp)
			fprintf(b->chains, " th sport %u", sp);
		if (dp)
			fprintf(b->chains, " th dport %u", dp);
		fprintf(b->chains, " accept\n");
	} else if (proto_is_icmp(x->proto)) {
		/* type and code; an echo request's reply comes back */
		unsigned type = x->a;
		if (!forward) {
			if (type == 8 || type == 128)
				type = type == 8 ? 0 : 129;
			else
				return;
		}
		fprintf(b->chains, "\t\tmeta l4proto %u th sport %u accept\n", x->proto,
			type << 8 | x->b);
	} else {
		fprintf(b->chains, "\t\tmeta l4proto %u accept\n", x->proto);
	}
}

static void emit_final_drop(struct builder *b, bool in, enum drop_reason r)
{
	char name[64];

	drop_chain_name(in, r, name, sizeof(name));
	fprintf(b->chains, "\t\tgoto %s\n", name);
}

int program_mode(enum fw_mode m, const struct config *cfg, struct nft_program *out,
		 struct err *e)
{
	struct builder b;

	if (m == MODE_SECURE)
		return err_set(e, "secure mode needs a filter table");
	if (builder_open(&b, out, m) < 0) {
		b.failed = true;
		return builder_close(&b, e);
	}
	b.cfg = cfg;
	emit_drop_chains(&b);
	for (int in = 1; in >= 0; in--) {
		open_top_chain(&b, in);
		if (m == MODE_BOOT_BLOCK || (m == MODE_BOOT_STATEFUL && in)) {
			emit_dhcp(&b, in);
			for (size_t i = 0; cfg && i < cfg->n_bootexemptions; i++)
				emit_bootexemption(&b, &cfg->bootexemptions[i], in);
		}
		if (m == MODE_BOOT_STATEFUL && in)
			fprintf(b.chains, "\t\tct state established,related accept\n");
		if (m == MODE_BOOT_BLOCK)
			emit_final_drop(&b, in, DR_BOOT_BLOCK);
		else if (m == MODE_BOOT_STATEFUL && in)
			emit_final_drop(&b, in, DR_BOOT_STATEFUL);
		else if (m == MODE_BLOCK)
			emit_final_drop(&b, in, DR_OP_BLOCK);
		fprintf(b.chains, "\t}\n");
	}
	return builder_close(&b, e);
}

void program_free(struct nft_program *p)
{
	for (size_t i = 0; i < p->n_maps; i++)
		free(p->maps[i]);
	for (size_t i = 0; i < p->n_elems; i++)
		free(p->elems[i].text);
	free(p->maps);
	free(p->elems);
	free(p->body);
	memset(p, 0, sizeof(*p));
}

/* --- writing --- */

/* Writes text with each SLOT_MARK replaced by the slot's prefix. */
static void put_slotted(FILE *out, const char *text, char slot)
{
	const char *at;

	while ((at = strstr(text, SLOT_MARK))) {
		fwrite(text, 1, (size_t)(at - text), out);
		fprintf(out, "%c_", slot);
		text = at + strlen(SLOT_MARK);
	}
	fputs(text, out);
}

/* An element's verdict may name a chain of the slot. */
static void put_element(FILE *out, const char *text, char slot)
{
	fputc('\t', out);
	put_slotted(out, text, slot);
	fputs(",\n", out);
}

static void open_elements(FILE *out, const char *verb, const char *map, char slot)
{
	fprintf(out, "%s element " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " ", verb);
	put_slotted(out, map, slot);
	fprintf(out, " {\n");
}

static void write_elements(const struct nft_program *p, char slot, const bool *skip, FILE *out)
{
	for (size_t i = 0; i < p->n_elems;) {
		uint32_t map = p->elems[i].map;
		if (skip && skip[map]) {
			i++;
			continue;
		}
		open_elements(out, "add", p->maps[map], slot);
		for (; i < p->n_elems && p->elems[i].map == map; i++)
			put_element(out, p->elems[i].text, slot);
		fprintf(out, "}\n");
	}
}

/* Opens the table's block with its comment and base chains (all made if
 * missing, unchanged if there). No `flags owner`: the kernel deletes an
 * owned table when its owner's netlink socket closes (the rules must
 * outlive kill -9 and a CLI-only apply) and lets no one else change it
 * (the CLI loads while the agent runs); the agent watches the table and
 * restores it instead (enforce.h, README). */
static void open_table(FILE *out)
{
	fprintf(out, "table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " {\n"
		     "\tcomment \"ipsecfw\"\n"
		     "\tchain inbound {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n"
		     "\tchain outbound {\n\t\ttype filter hook output priority filter; policy accept;\n\t}\n");
}

void program_state_name(enum fw_mode m, uint64_t gen, char slot, const char *program_fp,
			const char *kernel_fp, char *buf, size_t len)
{
	snprintf(buf, len, "state_%s_%016llx_%c%s%s%s%s", fw_mode_name(m), (unsigned long long)gen,
		 slot, *program_fp ? "_" : "", program_fp, *kernel_fp ? "_" : "", kernel_fp);
}

static void write_jumps(const struct nft_program *p, char slot, uint64_t gen,
			const char *program_fp, FILE *out)
{
	char state[160];

	program_state_name(p->mode, gen, slot, program_fp, "", state, sizeof(state));
	fprintf(out,
		"add rule " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " inbound jump %c_input\n"
		"add rule " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " outbound jump %c_output\n"
		"add chain " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " %s\n",
		slot, slot, state);
}

char program_slot_of(const char *name)
{
	return (name[0] == 'a' || name[0] == 'b') && name[1] == '_' ? name[0] : 0;
}

/* Deletes the listed objects of slot (in_slot) or of any other, in an
 * order that deletes nothing still referenced: rules go first (they name
 * maps, chains and counters), then maps (their verdicts name chains).
 * Counters are not listed (that is slow): each drop chain has one of its
 * name. */
static void write_deletions(const struct nft_object *objs, size_t n, char slot, bool in_slot,
			    FILE *out)
{
	static const char *const steps[][3] = {
		{ "chain", "flush", "chain" }, { "map", "delete", "map" },
		{ "set", "delete", "set" },    { "chain", "delete", "chain" },
		{ "chain", "delete", "counter" },
	};

	for (size_t s = 0; s < sizeof(steps) / sizeof(steps[0]); s++)
		for (size_t i = 0; i < n; i++) {
			const char *name = objs[i].name;
			char at = program_slot_of(name);
			if (strcmp(objs[i].kind, steps[s][0]) != 0 || (at == slot) != in_slot ||
			    (strcmp(steps[s][2], "counter") == 0 &&
			     !(at && strncmp(name + 2, "drop_", 5) == 0)))
				continue;
			fprintf(out, "%s %s " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " %s\n", steps[s][1],
				steps[s][2], name);
		}
}

void program_write_discard(char slot, const struct nft_object *objects, size_t n_objects,
			   FILE *out)
{
	write_deletions(objects, n_objects, slot, true, out);
}

static void write_flush_base_chains(FILE *out)
{
	fprintf(out, "flush chain " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " inbound\n"
		     "flush chain " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " outbound\n");
}

void program_write_stage(const struct nft_program *p, char slot, bool flush_base,
			 const struct nft_object *objects, size_t n_objects, const bool *skip,
			 FILE *out)
{
	open_table(out);
	fprintf(out, "}\n");
	if (flush_base)
		write_flush_base_chains(out);
	write_deletions(objects, n_objects, slot, true, out);
	fprintf(out, "table " NFT_TABLE_FAMILY " " NFT_TABLE_NAME " {\n");
	put_slotted(out, p->body, slot);
	fprintf(out, "}\n");
	write_elements(p, slot, skip, out);
}

void program_write_switch(const struct nft_program *p, char slot, uint64_t gen,
			  const char *program_fp, const struct nft_object *objects, size_t n_objects,
			  FILE *out)
{
	write_flush_base_chains(out);
	write_jumps(p, slot, gen, program_fp, out);
	write_deletions(objects, n_objects, slot, false, out);
}

void program_write_table(const struct nft_program *p, FILE *out)
{
	open_table(out);
	put_slotted(out, p->body, 'a');
	fprintf(out, "}\n");
	write_elements(p, 'a', NULL, out);
	write_jumps(p, 'a', 0, "", out);
}

/* Elements as delete (keys) or add (whole) commands, grouped by map. */
static void write_elems(const struct nft_program *names, char slot, const struct nft_elem **v,
			size_t n, bool del, FILE *out)
{
	for (size_t i = 0; i < n;) {
		uint32_t map = v[i]->map;
		open_elements(out, del ? "delete" : "add", names->maps[map], slot);
		for (; i < n && v[i]->map == map; i++) {
			if (del)
				fprintf(out, "\t%.*s,\n", (int)v[i]->key_len, v[i]->text);
			else
				put_element(out, v[i]->text, slot);
		}
		fprintf(out, "}\n");
	}
}

bool program_write_update(const struct nft_program *old, const struct nft_program *new_,
			  char slot, FILE *out)
{
	struct program_diff d;

	if (!program_diff(old, new_, &d))
		return false;
	write_elems(old, slot, d.gone, d.n_gone, true, out);
	write_elems(new_, slot, d.fresh, d.n_fresh, false, out);
	program_diff_free(&d);
	return true;
}

/* --- saving --- */

/* "e KEY_LEN TEXT\n": without fprintf, whose parsing of the format was
 * most of saving a program of hundreds of thousands of elements (each
 * address change saves one). */
static void put_saved_elem(FILE *f, const struct nft_elem *el)
{
	char digits[24];
	size_t n = sizeof(digits), v = el->key_len;

	do
		digits[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	fputs_unlocked("e ", f);
	fwrite_unlocked(digits + n, 1, sizeof(digits) - n, f);
	fputc_unlocked(' ', f);
	fputs_unlocked(el->text, f);
	fputc_unlocked('\n', f);
}

char *program_serialize(const struct nft_program *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	uint32_t map = UINT32_MAX;

	if (!f)
		return NULL;
	fprintf(f, "ipsecfw-program 1\nmode %s\ntiers %zu\nbody %zu\n%s\n", fw_mode_name(p->mode),
		p->n_tiers, strlen(p->body), p->body);
	for (size_t i = 0; i < p->n_maps; i++)
		fprintf(f, "map %s\n", p->maps[i]);
	for (size_t i = 0; i < p->n_elems; i++) {
		if (p->elems[i].map != map) {
			map = p->elems[i].map;
			fprintf(f, "in %u\n", map);
		}
		put_saved_elem(f, &p->elems[i]);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *take_line(char **cursor)
{
	char *line = *cursor, *nl;

	if (!line || !*line)
		return NULL;
	if ((nl = strchr(line, '\n'))) {
		*nl = '\0';
		*cursor = nl + 1;
	} else {
		*cursor = line + strlen(line);
	}
	return line;
}

int program_deserialize(const char *text, struct nft_program *out, struct err *e)
{
	struct builder b;
	char *copy = strdup(text), *cur = copy, *line, mode[32];
	size_t body_len, key_len;
	unsigned map = 0;
	int used = 0;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	b.p = out;
	if (!copy)
		return err_set(e, "out of memory");
	if (!(line = take_line(&cur)) || strcmp(line, "ipsecfw-program 1") != 0 ||
	    !(line = take_line(&cur)) || sscanf(line, "mode %31s", mode) != 1 ||
	    fw_mode_parse(mode, &out->mode) < 0 || !(line = take_line(&cur)) ||
	    sscanf(line, "tiers %zu", &out->n_tiers) != 1 || !(line = take_line(&cur)) ||
	    sscanf(line, "body %zu", &body_len) != 1 || strlen(cur) < body_len + 1 ||
	    !(out->body = strndup(cur, body_len)))
		goto bad;
	cur += body_len + 1;
	while ((line = take_line(&cur))) {
		if (strncmp(line, "map ", 4) == 0) {
			add_map(&b, line + 4);
		} else if (sscanf(line, "in %u", &map) == 1) {
			if (map >= out->n_maps)
				goto bad;
		} else if (sscanf(line, "e %zu %n", &key_len, &used) == 1 && used > 0 &&
			   key_len <= strlen(line + used)) {
			char *t = line + used;
			char saved = t[key_len];
			t[key_len] = '\0';
			char *key = strdup(t);
			t[key_len] = saved;
			if (key)
				add_elem(&b, map, key, t + key_len);
			else
				b.failed = true;
			free(key);
		} else {
			goto bad;
		}
		if (b.failed)
			break;
	}
	free(copy);
	if (b.failed) {
		program_free(out);
		return err_set(e, "out of memory");
	}
	return 0;
bad:
	free(copy);
	program_free(out);
	return err_set(e, "the saved nftables program is damaged");
}
