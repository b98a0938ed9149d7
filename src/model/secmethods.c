// SPDX-License-Identifier: MIT
#include "secmethods.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto.h"

/* Appends a normalised item to out, space-separated. */
static int append(char *out, size_t len, const char *item, struct err *e)
{
	size_t used = strlen(out), n = strlen(item);

	if (used + n + 2 > len)
		return err_set(e, "security method list is too long");
	if (used)
		out[used++] = ' ';
	memcpy(out + used, item, n + 1);
	return 0;
}

static const char *canon_word(const char *w, const char *const *allowed)
{
	for (const char *const *a = allowed; *a; a++)
		if (strcasecmp(w, *a) == 0)
			return *a;
	if (strcasecmp(w, "SHA") == 0)
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, "SHA1") == 0)
				return "SHA1";
	return NULL;
}

static const char *const mm_conf[] = { "DES", "3DES", NULL };
static const char *const mm_hash[] = { "MD5", "SHA1", NULL };
static const char *const qm_conf[] = { "DES", "3DES", "None", NULL };
static const char *const qm_auth[] = { "MD5", "SHA1", "None", NULL };

int mmsecmethods_parse(const char *text, char *out, size_t len, struct err *e)
{
	char *copy = strdup(text), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return err_set(e, "out of memory");
	out[0] = '\0';
	for (tok = strtok_r(copy, " \t", &save); tok && rc == 0; tok = strtok_r(NULL, " \t", &save)) {
		char c[16], h[16], item[48];
		const char *cc, *hh;
		int g = 0, used = 0;
		if (sscanf(tok, "%15[^-]-%15[^-]-%d%n", c, h, &g, &used) != 3 ||
		    (size_t)used != strlen(tok) || !(cc = canon_word(c, mm_conf)) ||
		    !(hh = canon_word(h, mm_hash)) || g < 1 || g > 3) {
			rc = err_set(e, "bad main-mode security method '%s' "
					"(ConfAlg-HashAlg-Group: DES|3DES - MD5|SHA1 - 1|2|3)", tok);
			break;
		}
		snprintf(item, sizeof(item), "%s-%s-%d", cc, hh, g);
		rc = append(out, len, item, e);
	}
	if (rc == 0 && out[0] == '\0')
		rc = err_set(e, "empty main-mode security method list");
	free(copy);
	return rc;
}

/* One "ESP[C,A]" or "AH[H]" part; *p advances past it. */
static int qm_part(const char **p, char *out, size_t len)
{
	char a[16] = "", b[16] = "";
	const char *s = *p, *x, *y;
	int n = 0;

	if (strncasecmp(s, "ESP[", 4) == 0) {
		if (sscanf(s + 4, "%15[^],],%15[^]]]%n", a, b, &n) != 2 || n == 0)
			return -1;
		if (!(x = canon_word(a, qm_conf)) || !(y = canon_word(b, qm_auth)))
			return -1;
		if (strcmp(x, "None") == 0 && strcmp(y, "None") == 0)
			return -1;
		snprintf(out, len, "ESP[%s,%s]", x, y);
		*p = s + 4 + n;
		return 0;
	}
	if (strncasecmp(s, "AH[", 3) == 0) {
		if (sscanf(s + 3, "%15[^]]]%n", a, &n) != 1 || n == 0 || !(x = canon_word(a, mm_hash)))
			return -1;
		snprintf(out, len, "AH[%s]", x);
		*p = s + 3 + n;
		return 0;
	}
	return -1;
}

/* One lifetime "100000k" or "3600s"; *p advances past it. */
static int qm_lifetime(const char **p, char *unit, long *out)
{
	char digits[16];
	int n = 0;

	if (sscanf(*p, "%12[0-9]%n", digits, &n) != 1 || int_parse(digits, 1, 2147483647, out) < 0)
		return -1;
	*unit = (char)tolower((unsigned char)(*p)[n]);
	if (*unit != 'k' && *unit != 's')
		return -1;
	*p += n + 1;
	return 0;
}

/* "k/s", "k" or "s" after the ':' (netsh takes either alone; the other
 * keeps its default). */
static int qm_lifetimes(const char *p, long *kb, long *sec)
{
	char first, second;
	long a, b;

	if (qm_lifetime(&p, &first, &a) < 0)
		return -1;
	if (*p == '\0') {
		*(first == 'k' ? kb : sec) = a;
		return 0;
	}
	if (first != 'k' || *p++ != '/' || qm_lifetime(&p, &second, &b) < 0 || second != 's' ||
	    *p)
		return -1;
	*kb = a;
	*sec = b;
	return 0;
}

int qmsecmethods_parse(const char *text, char *out, size_t len, struct err *e)
{
	char *copy = strdup(text), *save = NULL, *tok;
	int rc = 0, count = 0;

	if (!copy)
		return err_set(e, "out of memory");
	out[0] = '\0';
	for (tok = strtok_r(copy, " \t", &save); tok && rc == 0; tok = strtok_r(NULL, " \t", &save)) {
		char first[32], second[32] = "", item[128];
		const char *p = tok;
		long kb = 100000, sec = 3600;
		bool ok = qm_part(&p, first, sizeof(first)) == 0;
		if (ok && *p == '+') {
			p++;
			ok = strncmp(first, "AH", 2) == 0 && qm_part(&p, second, sizeof(second)) == 0 &&
			     strncmp(second, "ESP", 3) == 0;
		}
		if (ok && *p == ':') {
			ok = qm_lifetimes(p + 1, &kb, &sec) == 0;
			p = ok ? p + strlen(p) : p;
		}
		if (!ok || *p) {
			rc = err_set(e, "bad quick-mode security method '%s' (ESP[ConfAlg,AuthAlg]:k/s, "
					"AH[HashAlg]:k/s or AH[HashAlg]+ESP[ConfAlg,AuthAlg]:k/s, "
					"where :k/s is 100000k/3600s, 100000k or 3600s)", tok);
			break;
		}
		if (++count > 16) {
			rc = err_set(e, "too many quick-mode security methods");
			break;
		}
		snprintf(item, sizeof(item), "%s%s%s:%ldk/%lds", first, second[0] ? "+" : "", second,
			 kb, sec);
		rc = append(out, len, item, e);
	}
	if (rc == 0 && out[0] == '\0')
		rc = err_set(e, "empty quick-mode security method list");
	free(copy);
	return rc;
}
