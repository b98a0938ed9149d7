// SPDX-License-Identifier: MIT
/* domainconf.c - the domain.conf parser and the password file check. */
#include "directory/domainconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sys/safefile.h"

#define CONF_MAX_BYTES (64 * 1024)

static bool starts_with(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int copy_value(char *dst, size_t size, const char *v, const char *where, const char *key,
		      struct err *e)
{
	if (!*v)
		return err_set(e, "%s: %s needs a value", where, key);
	if (strlen(v) >= size)
		return err_set(e, "%s: %s is longer than %zu bytes", where, key, size - 1);
	strcpy(dst, v);
	return 0;
}

static int read_seconds(const char *v, int max, int *out, const char *where, const char *key,
			struct err *e)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < 1 || n > max)
		return err_set(e, "%s: %s must be a whole number of seconds from 1 to %d", where,
			       key, max);
	*out = (int)n;
	return 0;
}

static int read_yes_no(const char *v, bool *out, const char *where, const char *key,
		       struct err *e)
{
	if (strcasecmp(v, "yes") == 0)
		*out = true;
	else if (strcasecmp(v, "no") == 0)
		*out = false;
	else
		return err_set(e, "%s: %s must be yes or no", where, key);
	return 0;
}

static int take(struct domain_conf *c, const char *key, const char *v, const char *where,
		struct err *e)
{
	if (strcasecmp(key, "uri") == 0) {
		if (c->n_uris == DOMAIN_MAX_URIS)
			return err_set(e, "%s: more than %d uri lines", where, DOMAIN_MAX_URIS);
		if (!starts_with(v, "ldap://") && !starts_with(v, "ldaps://") &&
		    !starts_with(v, "ldapi://"))
			return err_set(e, "%s: uri must start with ldap://, ldaps:// or ldapi://",
				       where);
		if (strpbrk(v, " \t"))
			return err_set(e, "%s: one uri a line", where);
		return copy_value(c->uris[c->n_uris++], sizeof c->uris[0], v, where, key, e);
	}
	if (strcasecmp(key, "base") == 0)
		return copy_value(c->base, sizeof c->base, v, where, key, e);
	if (strcasecmp(key, "computer") == 0)
		return copy_value(c->computer, sizeof c->computer, v, where, key, e);
	if (strcasecmp(key, "hostname") == 0) {
		for (const char *p = v; *p; p++)
			if (!(*p == '-' || *p == '.' || *p == '_' || (*p >= '0' && *p <= '9') ||
			      ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z')))
				return err_set(e, "%s: hostname may hold letters, digits, '-', '.' "
						  "and '_' only", where);
		return copy_value(c->hostname, sizeof c->hostname, v, where, key, e);
	}
	if (strcasecmp(key, "bind") == 0) {
		if (strcasecmp(v, "simple") == 0)
			c->bind = BIND_SIMPLE;
		else if (strcasecmp(v, "external") == 0)
			c->bind = BIND_EXTERNAL;
		else if (strcasecmp(v, "gssapi") == 0)
			c->bind = BIND_GSSAPI;
		else
			return err_set(e, "%s: bind must be simple, external or gssapi", where);
		return 0;
	}
	if (strcasecmp(key, "binddn") == 0)
		return copy_value(c->binddn, sizeof c->binddn, v, where, key, e);
	if (strcasecmp(key, "passwordfile") == 0) {
		if (*v != '/')
			return err_set(e, "%s: passwordfile must be an absolute path", where);
		return copy_value(c->passwordfile, sizeof c->passwordfile, v, where, key, e);
	}
	if (strcasecmp(key, "keytab") == 0) {
		if (*v != '/')
			return err_set(e, "%s: keytab must be an absolute path", where);
		return copy_value(c->keytab, sizeof c->keytab, v, where, key, e);
	}
	if (strcasecmp(key, "cafile") == 0) {
		if (*v != '/')
			return err_set(e, "%s: cafile must be an absolute path", where);
		return copy_value(c->cafile, sizeof c->cafile, v, where, key, e);
	}
	if (strcasecmp(key, "starttls") == 0)
		return read_yes_no(v, &c->starttls, where, key, e);
	if (strcasecmp(key, "poll") == 0)
		return read_seconds(v, 7 * 24 * 3600, &c->poll_s, where, key, e);
	if (strcasecmp(key, "timeout") == 0)
		return read_seconds(v, 300, &c->timeout_s, where, key, e);
	return err_set(e, "%s: unknown setting (uri, base, computer, hostname, bind, binddn, "
			  "passwordfile, keytab, cafile, starttls, poll, timeout)", where);
}

/* What must hold of the whole file. */
static int check(const struct domain_conf *c, const char *name, struct err *e)
{
	if (c->n_uris == 0)
		return err_set(e, "%s: no uri line", name);
	if (!*c->base)
		return err_set(e, "%s: no base line", name);
	if (*c->computer && *c->hostname)
		return err_set(e, "%s: give computer or hostname, not both", name);
	for (size_t i = 0; i < c->n_uris; i++) {
		bool local = starts_with(c->uris[i], "ldapi://");
		/* gssapi seals ldap:// itself (SASL confidentiality, as AD does) */
		if (starts_with(c->uris[i], "ldap://") && !c->starttls && c->bind != BIND_GSSAPI)
			return err_set(e, "%s: uri %zu is ldap:// without starttls = yes: the policy "
					  "and the password would cross the network in clear",
				       name, i + 1);
		if (c->bind == BIND_EXTERNAL && !local)
			return err_set(e, "%s: bind = external is for ldapi:// only (uri %zu)", name,
				       i + 1);
	}
	if (c->bind == BIND_SIMPLE && (!*c->binddn || !*c->passwordfile))
		return err_set(e, "%s: bind = simple needs binddn and passwordfile", name);
	if (c->bind == BIND_GSSAPI && !*c->keytab)
		return err_set(e, "%s: bind = gssapi needs keytab", name);
	if (c->bind == BIND_GSSAPI) {
		for (size_t i = 0; i < c->n_uris; i++)
			if (starts_with(c->uris[i], "ldapi://"))
				return err_set(e, "%s: bind = gssapi needs a network uri (uri %zu is "
						  "ldapi://)", name, i + 1);
	}
	return 0;
}

int domain_conf_host_check(const struct domain_conf *c, const char *name, struct err *e)
{
	if (!*c->computer && !*c->hostname)
		return err_set(e, "%s: no computer or hostname line: the agent needs its computer "
				  "object (only the CLI, which writes the directory, goes without)",
			       name);
	return 0;
}

int domain_conf_parse(const char *text, size_t len, const char *name, struct domain_conf *out,
		      struct err *e)
{
	char line[DOMAIN_VALUE_MAX + 64], where[320];
	size_t pos = 0;
	int lineno = 0;

	memset(out, 0, sizeof *out);
	out->timeout_s = 5;
	while (pos < len) {
		size_t end = pos, n;
		char *key, *value, *eq, *p;

		while (end < len && text[end] != '\n')
			end++;
		n = end - pos;
		lineno++;
		snprintf(where, sizeof where, "%s:%d", name, lineno);
		if (n >= sizeof line)
			return err_set(e, "%s: line longer than %zu bytes", where, sizeof line - 1);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end < len ? end + 1 : end;
		if (memchr(line, '\0', n))
			return err_set(e, "%s: a NUL byte", where);
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		key = p;
		if (!*key || *key == '#' || *key == '\r')
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return err_set(e, "%s: expected key = value", where);
		value = eq + 1;
		while (eq > key && (eq[-1] == ' ' || eq[-1] == '\t'))
			eq--;
		*eq = '\0';
		while (*value == ' ' || *value == '\t')
			value++;
		p = value + strlen(value);
		while (p > value && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\r'))
			p--;
		*p = '\0';
		for (p = value; *p; p++)
			if ((unsigned char)*p < 0x20)
				return err_set(e, "%s: a control character in the value", where);
		if (take(out, key, value, where, e) < 0)
			return -1;
	}
	return check(out, name, e);
}

int domain_conf_load(const char *path, struct domain_conf *out, struct err *e)
{
	FILE *f = safe_fopen_read(path, e);
	char *text;
	size_t n;
	int rc;

	if (!f) {
		if (errno == ENOENT)
			return err_set(e, "%s: no such file", path);
		return -1;
	}
	text = malloc(CONF_MAX_BYTES + 1);
	if (!text) {
		fclose(f);
		return err_set(e, "%s: out of memory", path);
	}
	n = fread(text, 1, CONF_MAX_BYTES + 1, f);
	fclose(f);
	if (n > CONF_MAX_BYTES)
		rc = err_set(e, "%s: larger than %d bytes", path, CONF_MAX_BYTES);
	else
		rc = domain_conf_parse(text, n, path, out, e);
	free(text);
	return rc;
}

/* A secret's file (what names it in messages): opened only when it is a
 * regular file, not a link, ours, and 0600 or tighter. */
static int open_secret(const char *what, const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return err_set(e, "%s %s: %s", what, path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		return err_set(e, "%s %s: refused: it must be a regular file owned by "
				  "uid %u with mode 0600 or tighter",
			       what, path, (unsigned)geteuid());
	}
	return fd;
}

int domain_keytab_check(const char *path, struct err *e)
{
	int fd = open_secret("keytab", path, e);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

int domain_password_read(const char *path, char *buf, size_t len, struct err *e)
{
	int fd = open_secret("passwordfile", path, e);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	if (n < 0)
		return err_set(e, "passwordfile %s: %s", path, strerror(errno));
	if ((size_t)n >= len)
		return err_set(e, "passwordfile %s: longer than %zu bytes", path, len - 1);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (n == 0 || memchr(buf, '\0', (size_t)n))
		return err_set(e, "passwordfile %s: empty or holds a NUL byte", path);
	return 0;
}
