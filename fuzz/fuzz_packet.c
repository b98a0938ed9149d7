// SPDX-License-Identifier: MIT
/* Fuzzes captured-packet decoding (any bytes, any of the link types replay
 * reads) and then the classifiers on what was decoded: the fast one must
 * agree with the reference on a fixed random policy. */
#include <stdlib.h>
#include <string.h>

#include "engine/classify.h"
#include "engine/decide.h"
#include "engine/pktparse.h"
#include "../tests/engine/gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ftable table;
static struct fast_cls *fast;
static struct host_facts facts;

static void setup(void)
{
	struct ruleset rs;
	struct err e;

	gen_facts(&facts);
	gen_ruleset(&rs, 400);
	if (ftable_compile(&rs, &facts, &table, &e) < 0 || !(fast = fast_new()) ||
	    fast_build(fast, &table) < 0)
		abort();
	ruleset_free(&rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int links[] = { LINK_ETHERNET, LINK_RAW, LINK_LINUX_SLL, LINK_LINUX_SLL2,
				     LINK_IPV4, LINK_IPV6, 101, 147 };
	struct packet p;

	if (!fast)
		setup();
	if (size < 2)
		return 0;
	/* a copy of exactly the input's size, so reads past it are caught */
	uint8_t *frame = malloc(size - 1);
	memcpy(frame, data + 1, size - 1);
	if (packet_parse_link(links[data[0] % 8], frame, size - 1, &p) == PARSE_OK) {
		p.inbound = data[0] & 8;
		p.iface = (uint8_t)((data[0] >> 4) % 3);
		packet_mark_bcast(&p, &facts);
		if (fast_classify(fast, &p) != ref_classify(&table, &p))
			abort();
	}
	free(frame);
	return 0;
}
