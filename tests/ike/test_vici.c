// SPDX-License-Identifier: MIT
/* The VICI codec and client, and the mapping's messages: round trips of
 * every element type, refusals of malformed input, lookups, the
 * swanctl.conf rendering, a request with streamed events against a fake
 * charon on a unix socket, and the load-conn/load-shared messages of a
 * negotiate rule. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ike/mapping.h"
#include "ike/monitor.h"
#include "ike/sas.h"
#include "ike/vici.h"
#include "tap.h"

static void sample(struct vici_msg *m)
{
	vici_msg_init(m);
	vici_kv(m, "success", "yes");
	vici_section_start(m, "conn");
	vici_list_start(m, "proposals");
	vici_list_item(m, "aes128-sha256-modp2048");
	vici_list_item(m, "3des-sha1-modp1024");
	vici_list_end(m);
	vici_section_start(m, "local");
	vici_kv(m, "auth", "psk");
	vici_section_end(m);
	vici_kvf(m, "rekey_time", "%ds", 3600);
	vici_section_end(m);
}

static void test_codec(void)
{
	struct vici_msg m, back;
	uint8_t *buf;
	size_t len;
	struct err e;

	sample(&m);
	ok(vici_encode(&m, &buf, &len, &e) == 0, "a message with every element type encodes");
	/* "success" key-value: type, name length, name, 16-bit value length, value */
	ok(len > 12 && buf[0] == VICI_KEY_VALUE && buf[1] == 7 && memcmp(buf + 2, "success", 7) == 0 &&
		   buf[9] == 0 && buf[10] == 3 && memcmp(buf + 11, "yes", 3) == 0,
	   "key-value wire layout as documented");
	ok(vici_decode(buf, len, &back, &e) == 0 && back.n == m.n, "it decodes to as many elements");
	is_str(vici_get(&back, "success"), "yes", "top-level lookup");
	ok(vici_get(&back, "auth") == NULL, "lookup does not descend into sections");
	is_str(vici_get_in(&back, 1, "rekey_time"), "3600s", "lookup in a section skips its subsections");
	ok(vici_skip(&back, 1) == back.n, "skip goes past a whole section");
	for (size_t cut = 0; cut < len; cut++) {
		struct vici_msg part;
		if (vici_decode(buf, cut, &part, &e) == 0) {
			/* a cut between whole top-level elements is a valid message */
			vici_msg_free(&part);
			continue;
		}
	}
	ok(1, "every truncation decodes or is refused without a crash");
	free(buf);
	vici_msg_free(&back);

	char *text;
	size_t tlen;
	FILE *out = open_memstream(&text, &tlen);
	vici_write_conf(&m, out, 0);
	fclose(out);
	is_str(text,
	       "success = yes\nconn {\n    proposals = aes128-sha256-modp2048, 3des-sha1-modp1024\n"
	       "    local {\n        auth = psk\n    }\n    rekey_time = 3600s\n}\n",
	       "swanctl.conf rendering");
	free(text);
	vici_msg_free(&m);

	static const struct {
		const char *what;
		const char *bytes;
		size_t len;
	} bad[] = {
		{ "an unknown element type", "\x09", 1 },
		{ "a section never closed", "\x01\x01s", 3 },
		{ "a section end without a start", "\x02", 1 },
		{ "an empty name", "\x01\x00\x02", 3 },
		{ "a value longer than the message", "\x03\x01k\x00\x09xy", 7 },
		{ "an item outside a list", "\x05\x00\x01x", 4 },
		{ "a section inside a list", "\x04\x01l\x01\x01s\x02\x06", 8 },
		{ "a NUL in a name", "\x03\x02k\x00\x00\x00", 6 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(vici_decode((const uint8_t *)bad[i].bytes, bad[i].len, &back, &e) < 0,
		   "refused: %s (%s)", bad[i].what, e.msg);

	vici_msg_init(&m);
	for (int i = 0; i < VICI_MAX_DEPTH + 1; i++)
		vici_section_start(&m, "s");
	ok(m.failed && vici_encode(&m, &buf, &len, &e) < 0, "nesting over %d is refused when building",
	   VICI_MAX_DEPTH);
	vici_msg_free(&m);

	struct vici_packet p;
	sample(&m);
	ok(vici_packet_encode(VICI_CMD_REQUEST, "load-conn", &m, &buf, &len, &e) == 0 &&
		   (size_t)(buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]) == len - 4 &&
		   buf[4] == VICI_CMD_REQUEST && buf[5] == 9,
	   "a request packet: length header, type, command name");
	ok(vici_packet_decode(buf + 4, len - 4, &p, &e) == 0 && p.type == VICI_CMD_REQUEST &&
		   strcmp(p.name, "load-conn") == 0 && p.msg.n == m.n,
	   "it decodes back");
	vici_msg_free(&p.msg);
	free(buf);
	vici_msg_free(&m);
	ok(vici_packet_decode((const uint8_t *)"\x08", 1, &p, &e) < 0, "an unknown packet type is refused");
	ok(vici_packet_decode((const uint8_t *)"\x07\x05" "ab", 4, &p, &e) < 0,
	   "an event name longer than the packet is refused");
}

/* A fake charon: answers a register, a request with two list-sa events
 * and a response, an unregister, then a command it does not know. */
static void send_raw(int fd, uint8_t type, const char *name, const struct vici_msg *m)
{
	uint8_t *buf;
	size_t len;
	struct err e;

	if (vici_packet_encode(type, name, m, &buf, &len, &e) == 0) {
		if (write(fd, buf, len) != (ssize_t)len)
			_exit(3);
		free(buf);
	}
}

static int recv_raw(int fd, struct vici_packet *p)
{
	uint8_t hdr[4], buf[4096];
	size_t len;
	struct err e;

	if (recv(fd, hdr, 4, MSG_WAITALL) != 4)
		return -1;
	len = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (len > sizeof(buf) || recv(fd, buf, len, MSG_WAITALL) != (ssize_t)len)
		return -1;
	return vici_packet_decode(buf, len, p, &e);
}

static void fake_charon(int listener)
{
	int fd = accept(listener, NULL, NULL);
	struct vici_packet p;
	struct vici_msg m;

	if (fd < 0 || recv_raw(fd, &p) < 0 || p.type != VICI_EVENT_REGISTER)
		_exit(1);
	send_raw(fd, VICI_EVENT_CONFIRM, NULL, NULL);
	if (recv_raw(fd, &p) < 0 || p.type != VICI_CMD_REQUEST || strcmp(p.name, "list-sas") != 0)
		_exit(1);
	for (int i = 0; i < 2; i++) {
		vici_msg_init(&m);
		vici_section_start(&m, i ? "ipsecfw-b" : "ipsecfw-a");
		vici_kv(&m, "state", "ESTABLISHED");
		vici_section_end(&m);
		send_raw(fd, VICI_EVENT, "list-sa", &m);
		vici_msg_free(&m);
	}
	vici_msg_init(&m);
	vici_kv(&m, "success", "yes");
	send_raw(fd, VICI_CMD_RESPONSE, NULL, &m);
	vici_msg_free(&m);
	if (recv_raw(fd, &p) < 0 || p.type != VICI_EVENT_UNREGISTER)
		_exit(1);
	send_raw(fd, VICI_EVENT_CONFIRM, NULL, NULL);
	if (recv_raw(fd, &p) < 0)
		_exit(1);
	send_raw(fd, VICI_CMD_UNKNOWN, NULL, NULL);
	vici_msg_init(&m);
	vici_kv(&m, "success", "no");
	vici_kv(&m, "errmsg", "no such connection");
	if (recv_raw(fd, &p) < 0)
		_exit(1);
	send_raw(fd, VICI_CMD_RESPONSE, NULL, &m);
	_exit(0);
}

static int count_sa(const struct vici_msg *ev, void *ctx)
{
	(*(int *)ctx)++;
	return strcmp(vici_get_in(ev, 0, "state"), "ESTABLISHED") == 0 ? 0 : -1;
}

static void test_client(void)
{
	char dir[] = "/tmp/ipsecfw-vici-XXXXXX", path[64];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vici_msg resp;
	struct err e;
	int listener, fd, seen = 0, status;
	pid_t pid;

	if (!mkdtemp(dir))
		return (void)ok(0, "temp dir");
	snprintf(path, sizeof(path), "%s/charon.vici", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	listener = socket(AF_UNIX, SOCK_STREAM, 0);
	ok(bind(listener, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(listener, 1) == 0,
	   "a fake charon listens");
	if ((pid = fork()) == 0) {
		alarm(10);
		fake_charon(listener);
	}
	close(listener);
	char url[160];
	snprintf(url, sizeof(url), "unix://%s", path);
	fd = vici_connect(url, 5000, &e);
	ok(fd >= 0, "connect to a unix:// URL");
	ok(vici_call(fd, "list-sas", NULL, "list-sa", count_sa, &seen, &resp, &e) == 0 && seen == 2,
	   "list-sas: two streamed events, then the response (%s)", seen == 2 ? "2" : e.msg);
	ok(vici_check_success(&resp, "list-sas", &e) == 0, "its success=yes is accepted");
	vici_msg_free(&resp);
	ok(vici_call(fd, "no-such", NULL, NULL, NULL, NULL, &resp, &e) < 0 &&
		   strstr(e.msg, "does not know the command no-such"),
	   "an unknown command is an error naming it");
	ok(vici_call(fd, "unload-conn", NULL, NULL, NULL, NULL, &resp, &e) == 0 &&
		   vici_check_success(&resp, "unload-conn", &e) < 0 &&
		   strcmp(e.msg, "charon refused unload-conn: no such connection") == 0,
	   "success=no gives charon's reason");
	vici_msg_free(&resp);
	close(fd);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the fake charon saw the expected packets");
	ok(vici_connect(url, 1000, &e) < 0 && strstr(e.msg, "cannot reach charon"),
	   "no charon: a clear error");
	unlink(path);
	rmdir(dir);
}

/* The child named child of message m: its index, or SIZE_MAX. */
static size_t child_at(const struct vici_msg *m, const char *child)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->elems[i].type == VICI_SECTION_START && strcmp(m->elems[i].name, child) == 0)
			return i;
	return SIZE_MAX;
}

/* The first item of the list named list after index at. */
static const char *first_item(const struct vici_msg *m, size_t at, const char *list)
{
	for (size_t i = at; i + 1 < m->n; i++)
		if (m->elems[i].type == VICI_LIST_START && strcmp(m->elems[i].name, list) == 0 &&
		    m->elems[i + 1].type == VICI_LIST_ITEM)
			return (const char *)m->elems[i + 1].value;
	return "";
}

/* The rule of test_mapping_messages made soft (a dynamic rule's soft time)
 * and inpass: a fallback for a peer it covers adds pass children for that
 * peer alone; one for a peer it does not cover adds nothing. */
static void test_mapping_soft(struct ruleset *rs, const struct host_facts *facts)
{
	struct ike_fallback fb[2] = { { "ipsecfw-89abcdef", "198.51.100.7", 0, 0 },
				      { "ipsecfw-89abcdef", "203.0.113.9", 0, 0 } };
	struct ike_config cfg;
	struct ftable t;
	struct err e;
	size_t at;

	rs->rules[0].soft = rs->rules[0].inpass = true;
	rs->rules[0].ike.mm_softsa = 42;
	ok(ftable_compile(rs, facts, &t, &e) == 0 && ike_map(rs, &t, facts, fb, 2, &cfg, &e) == 0 &&
		   cfg.n == 2,
	   "a soft rule with a fallback: its connection and a -clear one");
	if (cfg.n == 2) {
		const struct ike_conn *rule = &cfg.conns[0], *clear = &cfg.conns[1];
		ok(rule->soft_seconds == 42, "soft time: the mmpolicy's softsaexpirationtime (%ld)",
		   rule->soft_seconds);
		at = child_at(&rule->conn, "f7");
		is_str(at == SIZE_MAX ? "" : vici_get_in(&rule->conn, at, "mark_in"),
		       "0x69707366/0xffffffff", "inpass: its inbound policies marked");
		is_str(clear->name, "ipsecfw-89abcdef-clear", "the fallback connection's name");
		at = child_at(&clear->conn, "f7-clear-198_51_100_7");
		ok(at != SIZE_MAX, "a pass child per filter and peer");
		if (at != SIZE_MAX) {
			is_str(vici_get_in(&clear->conn, at, "mode"), "pass", "mode pass");
			is_str(vici_get_in(&clear->conn, at, "start_action"), "trap",
			       "installed at once (a shunt)");
			is_str(first_item(&clear->conn, at, "local_ts"), "192.0.2.10/32[tcp/22]",
			       "local: the rule's");
			is_str(first_item(&clear->conn, at, "remote_ts"), "198.51.100.7/32[tcp]",
			       "remote: narrowed to the peer");
		}
		ok(child_at(&clear->conn, "f7-clear-203_0_113_9") == SIZE_MAX,
		   "a peer the rule does not cover gets nothing");
	}
	ike_config_free(&cfg);
	ok(ike_map(rs, &t, facts, fb + 1, 1, &cfg, &e) == 0 && cfg.n == 1,
	   "only uncovered peers: no -clear connection");
	ike_config_free(&cfg);
	ftable_free(&t);
	/* a tunnel rule: neither (its peer is the endpoint; what its SAs
	 * decrypt needs the inbound policy) */
	snprintf(rs->rules[0].ike.tunnel, sizeof(rs->rules[0].ike.tunnel), "203.0.113.1");
	ok(ftable_compile(rs, facts, &t, &e) == 0 && ike_map(rs, &t, facts, fb, 2, &cfg, &e) == 0 &&
		   cfg.n == 1 && cfg.conns[0].soft_seconds == 0,
	   "a tunnel rule: no fallback to clear");
	at = cfg.n ? child_at(&cfg.conns[0].conn, "f7") : SIZE_MAX;
	ok(at != SIZE_MAX && !vici_get_in(&cfg.conns[0].conn, at, "mark_in"),
	   "a tunnel rule: inbound policies not marked");
	ike_config_free(&cfg);
	ftable_free(&t);
	rs->rules[0].ike.tunnel[0] = 0;
}

static void test_mapping_messages(void)
{
	struct ruleset rs = { 0 };
	struct ruleset_rule r = { 0 };
	struct rs_filter f = { 0 };
	struct host_facts facts = { 0 };
	struct ftable t;
	struct ike_config cfg;
	struct ip_prefix ip;
	struct err e;

	rs.n_policies = 1;
	snprintf(rs.policies[0].name, sizeof(rs.policies[0].name), "P");
	snprintf(rs.policies[0].guid, sizeof(rs.policies[0].guid), "{0123ABCD-0000-0000-0000-000000000000}");
	snprintf(rs.policies[0].mmsecmethods, METHODS_MAX_LEN, "3DES-SHA1-2");
	rs.policies[0].mmlifetime = 480;
	snprintf(r.rule, sizeof(r.rule), "Admin");
	r.action_in = r.action_out = ACTION_NEGOTIATE;
	snprintf(r.ike.guid, sizeof(r.ike.guid), "{89ABCDEF-0000-0000-0000-000000000000}");
	snprintf(r.ike.qmsecmethods, METHODS_MAX_LEN, "ESP[3DES,SHA1]:100000k/3600s");
	snprintf(r.ike.auth, AUTH_MAX_LEN, "kerberos\npsk:s3cret");
	f.src.kind = ADDR_IP;
	ip_parse_host("198.51.100.0", &ip);
	ip.len = 24;
	f.src.ip = ip;
	f.dst.kind = ADDR_ME;
	f.proto = PROTO_TCP;
	f.sport = PORT_ANY;
	f.dport = (struct port_range){ 22, 22 };
	f.mirrored = true;
	f.id = f.seq = 7;
	f.icmp_type = f.icmp_code = -1;
	ruleset_add(&rs, &r, &f, 1);
	ip_parse_host("192.0.2.10", &ip);
	ip.len = 24;
	facts_add_addr(&facts, &ip, 1, false);
	facts_normalize(&facts);
	ok(ftable_compile(&rs, &facts, &t, &e) == 0 && ike_map(&rs, &t, &facts, NULL, 0, &cfg, &e) == 0 && cfg.n == 1,
	   "a negotiate rule maps to one connection");
	if (cfg.n != 1)
		return;
	struct ike_conn *c = &cfg.conns[0];
	uint8_t *buf;
	size_t len;
	struct vici_msg back;
	ok(c->mapped && strcmp(c->name, "ipsecfw-89abcdef") == 0, "named by its rule's GUID");
	ok(vici_encode(&c->conn, &buf, &len, &e) == 0 && vici_decode(buf, len, &back, &e) == 0,
	   "its load-conn message encodes and decodes");
	free(buf);
	is_str(vici_get_in(&back, 0, "version"), "1", "IKEv1, as Windows speaks");
	size_t children = child_at(&back, "f7");
	ok(children != SIZE_MAX, "a child per filter, named by its id");
	if (children != SIZE_MAX) {
		is_str(vici_get_in(&back, children, "start_action"), "trap", "started by the first packet");
		is_str(vici_get_in(&back, children, "mode"), "transport", "transport mode");
	}
	vici_msg_free(&back);
	is_str(vici_get(&c->secret, "data"), "s3cret", "load-shared carries the key");
	is_str(vici_get(&c->secret, "type"), "IKE", "as an IKE key");
	ok(strstr(c->notes, "kerberos") != NULL, "kerberos skipped, with a note");
	ok(c->soft_seconds == 0, "no soft: no fallback");
	ike_config_free(&cfg);
	ftable_free(&t);
	test_mapping_soft(&rs, &facts);
	ruleset_free(&rs);
	facts_free(&facts);
}

static struct vici_msg log_event(const char *uid, const char *name, const char *msg)
{
	struct vici_msg m;

	vici_msg_init(&m);
	vici_kv(&m, "group", "IKE");
	vici_kv(&m, "level", "1");
	if (uid) {
		vici_kv(&m, "ikesa-name", name);
		vici_kv(&m, "ikesa-uniqueid", uid);
	}
	vici_kv(&m, "msg", msg);
	return m;
}

static void test_monitor(void)
{
	struct ike_monitor mon = { .fd = -1 };
	struct ike_failure f;
	struct vici_msg m;

	m = log_event("3", "ipsecfw-0a0b0c0d", "initiating Main Mode IKE_SA ipsecfw-0a0b0c0d[3] to 203.0.113.5");
	ok(ike_monitor_take(&mon, &m, &f) == 0, "an ordinary log line is no failure");
	vici_msg_free(&m);
	m = log_event("3", "ipsecfw-0a0b0c0d", "giving up after 5 retransmits");
	ok(ike_monitor_take(&mon, &m, &f) == 1 && strcmp(f.peer, "203.0.113.5") == 0 &&
		   strcmp(f.conn, "ipsecfw-0a0b0c0d") == 0 && f.unanswered,
	   "a peer that does not answer: the connection, and the peer learned earlier");
	vici_msg_free(&m);
	m = log_event(NULL, NULL, "no IKE config found for 192.0.2.10...198.51.100.7, sending NO_PROPOSAL_CHOSEN");
	ok(ike_monitor_take(&mon, &m, &f) == 1 && strcmp(f.peer, "198.51.100.7") == 0 && !f.conn[0] &&
		   !f.unanswered,
	   "no config for a peer: the peer from the message, a peer that answered");
	vici_msg_free(&m);
}

/* The bytes protected: every quick mode SA of every main mode SA, each
 * way; a counter charon leaves out counts nothing. */
static void test_sas_bytes(void)
{
	json_t *sas = json_loads("[{\"child-sas\": [{\"bytes-in\": \"100\", \"bytes-out\": \"7\"},"
				 " {\"bytes-in\": \"5000000000\"}]},"
				 " {\"child-sas\": [{\"bytes-in\": \"1\", \"bytes-out\": \"2\"}]},"
				 " {\"name\": \"no children\"}]", 0, NULL);
	unsigned long long in, out;

	ike_sas_bytes(sas, &in, &out);
	ok(in == 5000000101ULL && out == 9, "bytes summed over the quick mode SAs (%llu in, %llu out)",
	   in, out);
	ok(ike_sas_count_children(sas) == 3, "three quick mode SAs");
	json_decref(sas);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_codec();
	test_client();
	test_mapping_messages();
	test_monitor();
	test_sas_bytes();
	return done_testing();
}
