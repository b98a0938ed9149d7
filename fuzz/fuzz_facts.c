// SPDX-License-Identifier: MIT
/* libFuzzer target: any bytes as each host facts file the programs read
 * (the --facts fixture, resolv.conf, wins.conf, a dhclient lease, a
 * networkd or NetworkManager lease) and as a name or description (the
 * label check, and the escaping of a store edited by hand, whose output
 * the check must accept). Nothing may crash, leak or read out of bounds;
 * the lists of facts stay within their bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/label.h"
#include "sys/facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const resolv_words[] = { "nameserver", "domain", "search", "sortlist",
					    "options", NULL };

static void scan(uint8_t which, struct text *t, struct host_facts *f)
{
	struct err e;
	int stub = 0;

	switch (which % 5) {
	case 0:
		facts_parse_text(t, "fuzz", f, &e);
		break;
	case 1:
		resolv_scan(t, "nameserver", resolv_words, SRV_DNS, f, &stub);
		break;
	case 2:
		resolv_scan(t, "wins", NULL, SRV_WINS, f, NULL);
		break;
	case 3:
		lease_scan_dhclient(t, f);
		break;
	default:
		lease_scan_keyfile(t, f);
		break;
	}
}

static void labels(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), esc[1024];
	struct err e;

	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	label_check(s, &e);
	snprintf(esc, sizeof(esc), "%s", s);
	label_escape(esc, sizeof(esc));
	if (label_check(esc, &e) < 0)
		abort(); /* escaped text must pass */
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct host_facts f; /* servers: 2 KB, not on the stack */
	struct text t;
	struct err e;

	if (size < 1)
		return 0;
	if (data[0] >= 0xf0) {
		labels(data + 1, size - 1);
		return 0;
	}
	facts_free(&f); /* what the last input left */
	if (text_from_bytes(data + 1, size - 1, &t, &e) == 0) {
		scan(data[0], &t, &f);
		text_free(&t);
	}
	facts_normalize(&f);
	if (f.n_addrs > f.cap_addrs)
		abort();
	for (int i = SRV_DNS; i <= SRV_GATEWAY; i++)
		if (f.n_servers[i] > FACTS_SERVER_MAX)
			abort();
	return 0;
}
