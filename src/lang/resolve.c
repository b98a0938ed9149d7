// SPDX-License-Identifier: MIT
#include "resolve.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int prefix_cmp(const void *a, const void *b)
{
	const struct ip_prefix *x = a, *y = b;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	return memcmp(x->bytes, y->bytes, 16);
}

/* A name that getaddrinfo would read as a number is no name: only the
 * strict textual forms (inet_pton) are addresses, and those never come
 * here; "0x7f.1" or "127.1" must not become 127.0.0.1 by the back door. */
static int refuse_numeric(const char *name, struct err *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST };
	struct addrinfo *res = NULL;
	unsigned char bytes[16];

	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	freeaddrinfo(res);
	if (inet_pton(AF_INET, name, bytes) == 1 || inet_pton(AF_INET6, name, bytes) == 1)
		return 0;
	return err_set(e, "'%.64s' is a numeric address in a loose form, not a host name; "
			  "write the address as four decimal numbers or in IPv6 notation", name);
}

int resolve_host(const char *name, struct ip_prefix *out, size_t max, size_t *n, struct err *e)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int rc;

	*n = 0;
	if (refuse_numeric(name, e) < 0)
		return -1;
	if ((rc = getaddrinfo(name, NULL, &hints, &res)) != 0)
		return err_set(e, "cannot resolve '%s': %s", name, gai_strerror(rc));
	for (struct addrinfo *ai = res; ai && *n < max; ai = ai->ai_next) {
		struct ip_prefix p = { 0 };
		if (ai->ai_family == AF_INET) {
			p.family = AF_INET;
			p.len = 32;
			memcpy(p.bytes, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
		} else if (ai->ai_family == AF_INET6) {
			p.family = AF_INET6;
			p.len = 128;
			memcpy(p.bytes, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
		} else {
			continue;
		}
		bool dup = false;
		for (size_t i = 0; i < *n; i++)
			dup |= prefix_cmp(&out[i], &p) == 0;
		if (!dup)
			out[(*n)++] = p;
	}
	freeaddrinfo(res);
	if (*n == 0)
		return err_set(e, "'%s' has no IPv4 or IPv6 address", name);
	qsort(out, *n, sizeof(*out), prefix_cmp);
	return 0;
}
