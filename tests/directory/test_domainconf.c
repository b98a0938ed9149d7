// SPDX-License-Identifier: MIT
/* domain.conf (domainconf.h): the gssapi bind and its keytab, which must
 * be root's (ours) and 0600 like the simple bind's password file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "directory/domainconf.h"
#include "tap.h"

static int parse(const char *text, struct domain_conf *c, struct err *e)
{
	return domain_conf_parse(text, strlen(text), "t.conf", c, e);
}

static void refused(const char *text, const char *want, const char *what)
{
	struct domain_conf c;
	struct err e = { "" };

	ok(parse(text, &c, &e) < 0 && strstr(e.msg, want), "%s: %s", what, e.msg);
	if (!strstr(e.msg, want))
		printf("#   want '%s'\n", want);
}

#define HEAD "uri = ldap://dc1.example.com\nbase = DC=example,DC=com\nhostname = web1\n"

int main(void)
{
	struct domain_conf c;
	struct err e = { "" };
	char dir[] = "/tmp/ipsecfw-domainconf.XXXXXX", path[64];
	int fd;

	ok(parse(HEAD "bind = gssapi\nkeytab = /etc/ipsecfw/host.keytab\n", &c, &e) == 0 &&
		   c.bind == BIND_GSSAPI && strcmp(c.keytab, "/etc/ipsecfw/host.keytab") == 0 &&
		   !c.starttls,
	   "gssapi over ldap:// without StartTLS (SASL seals it): %s", e.msg);
	ok(parse("uri = ldaps://dc1.example.com\nbase = DC=example,DC=com\ncomputer = "
		 "CN=web1,DC=example,DC=com\nbind = GSSAPI\nkeytab = /k\n",
		 &c, &e) == 0 && c.bind == BIND_GSSAPI,
	   "gssapi over ldaps://, the keyword in any case");
	ok(parse("uri = ldaps://dc1.example.com\nbase = DC=example,DC=com\nbinddn = CN=a\n"
		 "passwordfile = /p\n", &c, &e) == 0 && domain_conf_host_check(&c, "t.conf", &e) < 0 &&
		   strstr(e.msg, "t.conf: no computer or hostname line"),
	   "without a computer: the CLI's, refused for the agent: %s", e.msg);
	refused(HEAD "computer = CN=web1,DC=example,DC=com\n", "give computer or hostname, not both",
		"both a computer and a hostname");
	refused(HEAD "bind = gssapi\n", "bind = gssapi needs keytab", "gssapi without a keytab");
	refused(HEAD "bind = gssapi\nkeytab = host.keytab\n", "t.conf:5: keytab must be an absolute path",
		"a relative keytab");
	refused("uri = ldapi://%2Frun%2Fslapd\nbase = DC=x\nhostname = h\nbind = gssapi\nkeytab = /k\n",
		"needs a network uri (uri 1", "gssapi on ldapi://");
	refused(HEAD "bind = kerberos\n", "t.conf:4: bind must be simple, external or gssapi",
		"an unknown bind");
	refused(HEAD "bind = simple\nbinddn = CN=x\npasswordfile = /p\n",
		"ldap:// without starttls", "simple over ldap:// still needs StartTLS");

	/* the keytab's file */
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return done_testing();
	}
	snprintf(path, sizeof path, "%s/k", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ok(fd >= 0 && write(fd, "\x05\x02", 2) == 2, "a keytab of mode 0600");
	close(fd);
	ok(domain_keytab_check(path, &e) == 0, "is taken");
	chmod(path, 0640);
	ok(domain_keytab_check(path, &e) < 0 && strstr(e.msg, "keytab") &&
		   strstr(e.msg, "mode 0600 or tighter"),
	   "mode 0640 is refused: %s", e.msg);
	unlink(path);
	ok(symlink("/etc/hostname", path) == 0 && domain_keytab_check(path, &e) < 0,
	   "a link is refused: %s", e.msg);
	unlink(path);
	ok(domain_keytab_check(path, &e) < 0 && strstr(e.msg, "No such file"), "a missing one: %s",
	   e.msg);
	rmdir(dir);
	return done_testing();
}
