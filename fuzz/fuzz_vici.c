// SPDX-License-Identifier: MIT
/* libFuzzer target: any bytes as a VICI packet from charon (the bytes
 * after the length header) and as a bare message. Nothing may crash, leak
 * or read out of bounds; a message that decodes encodes back to the same
 * bytes, and lookups, the swanctl.conf rendering and the negotiation
 * failure classifier (charon's log events) walk it safely. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/monitor.h"
#include "ike/vici.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *null_out;

static struct ike_monitor monitor = { .fd = -1 };

static void exercise(const struct vici_msg *m)
{
	struct ike_failure f;

	/* a log event's message classified, peers remembered */
	if (ike_monitor_take(&monitor, m, &f) == 1 && (strlen(f.peer) >= sizeof(f.peer) ||
							strlen(f.conn) >= sizeof(f.conn)))
		abort();
	for (size_t i = 0; i < m->n; i = vici_skip(m, i))
		if (m->elems[i].type == VICI_SECTION_START)
			(void)vici_get_in(m, i, "state");
	(void)vici_get(m, "success");
	vici_write_conf(m, null_out, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vici_packet p;
	struct vici_msg m;
	struct err e;
	uint8_t *buf;
	size_t len;

	if (!null_out && !(null_out = fopen("/dev/null", "w")))
		abort();
	if (vici_packet_decode(data, size, &p, &e) == 0) {
		exercise(&p.msg);
		vici_msg_free(&p.msg);
	}
	if (vici_decode(data, size, &m, &e) == 0) {
		exercise(&m);
		if (vici_encode(&m, &buf, &len, &e) < 0)
			abort(); /* what decodes must encode */
		if (len != size || (size && memcmp(buf, data, size) != 0))
			abort(); /* and give back the same bytes */
		free(buf);
		vici_msg_free(&m);
	}
	return 0;
}
