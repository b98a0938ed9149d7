// SPDX-License-Identifier: MIT
/* netlink.c - local addresses and default gateways from rtnetlink (libmnl):
 * one dump each of links (which are PPP, i.e. "dialup"), addresses and
 * routes. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "facts.h"

enum { LINK_MAX = 4096 };

struct dump_ctx {
	struct host_facts *facts;
	/* ifindexes of point-to-point links, read before the addresses */
	int dialup[LINK_MAX];
	size_t n_dialup;
	bool out_of_memory;
	bool interrupted; /* a dump the kernel marked inconsistent */
};

static bool is_dialup(const struct dump_ctx *c, int ifindex)
{
	for (size_t i = 0; i < c->n_dialup; i++)
		if (c->dialup[i] == ifindex)
			return true;
	return false;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct dump_ctx *c = data;

	if (ifi->ifi_type == ARPHRD_PPP && c->n_dialup < LINK_MAX)
		c->dialup[c->n_dialup++] = ifi->ifi_index;
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr, *local = NULL, *address = NULL;
	struct dump_ctx *c = data;
	struct ip_prefix ip = { .family = ifa->ifa_family, .len = ifa->ifa_prefixlen };

	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(attr) == IFA_LOCAL)
			local = attr;
		else if (mnl_attr_get_type(attr) == IFA_ADDRESS)
			address = attr;
	}
	/* On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours. */
	attr = local ? local : address;
	if (!attr || mnl_attr_get_payload_len(attr) != (ifa->ifa_family == AF_INET ? 4u : 16u))
		return MNL_CB_OK;
	memcpy(ip.bytes, mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr));
	if (facts_add_addr(c->facts, &ip, (int)ifa->ifa_index, is_dialup(c, (int)ifa->ifa_index)) < 0)
		c->out_of_memory = true;
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rt = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	struct dump_ctx *c = data;
	struct ip_prefix ip = { .family = rt->rtm_family };
	uint32_t table = rt->rtm_table;

	if (rt->rtm_dst_len != 0 || rt->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*rt)) {
		if (mnl_attr_get_type(attr) == RTA_TABLE)
			table = mnl_attr_get_u32(attr);
	}
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*rt)) {
		size_t len = mnl_attr_get_payload_len(attr);
		if (mnl_attr_get_type(attr) != RTA_GATEWAY || len > sizeof(ip.bytes))
			continue;
		memcpy(ip.bytes, mnl_attr_get_payload(attr), len);
		ip.len = (uint8_t)(len * 8);
		facts_add_server(c->facts, SRV_GATEWAY, &ip);
	}
	return MNL_CB_OK;
}

/* One dump request, answered until NLMSG_DONE. */
static int dump(struct mnl_socket *nl, uint16_t type, size_t hdr_len, mnl_cb_t cb,
		struct dump_ctx *c, struct err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE > 32768 ? MNL_SOCKET_BUFFER_SIZE : 32768];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	unsigned seq = (unsigned)time(NULL) + type, portid = mnl_socket_get_portid(nl);
	struct rtgenmsg *g;
	ssize_t n;
	int rc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, hdr_len);
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return err_set(e, "rtnetlink: send: %s", strerror(errno));
	do {
		if ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) <= 0)
			return err_set(e, "rtnetlink: receive: %s", strerror(errno));
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, cb, c);
	} while (rc > MNL_CB_STOP);
	if (rc < 0) {
		c->interrupted = errno == EINTR;
		return err_set(e, "rtnetlink: dump: %s", strerror(errno));
	}
	return 0;
}

/* One reading of links, addresses and routes on a fresh socket. */
static int read_once(struct dump_ctx *c, struct err *e)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int rc = -1;

	if (!nl)
		return err_set(e, "rtnetlink: %s", strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		err_set(e, "rtnetlink: bind: %s", strerror(errno));
	else if (dump(nl, RTM_GETLINK, sizeof(struct ifinfomsg), link_cb, c, e) == 0 &&
		 dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), addr_cb, c, e) == 0 &&
		 dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), route_cb, c, e) == 0)
		rc = c->out_of_memory ? err_set(e, "out of memory reading the local addresses") : 0;
	mnl_socket_close(nl);
	return rc;
}

/* A dump the kernel marks interrupted (the addresses changed meanwhile,
 * NLM_F_DUMP_INTR: libmnl says EINTR) is inconsistent: read again. */
enum { NETLINK_ATTEMPTS = 5 };

int facts_read_netlink(struct host_facts *out, struct err *e)
{
	struct dump_ctx *c = malloc(sizeof(*c));
	int rc = -1;

	if (!c)
		return err_set(e, "out of memory");
	for (int attempt = 0; attempt < NETLINK_ATTEMPTS; attempt++) {
		memset(c, 0, sizeof(*c));
		c->facts = out;
		out->n_addrs = 0;
		out->n_servers[SRV_GATEWAY] = 0;
		if ((rc = read_once(c, e)) == 0 || !c->interrupted)
			break;
	}
	free(c);
	return rc;
}
