// SPDX-License-Identifier: MIT
/* spd_file.c - dynamic rules as JSON in the run directory. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spd_file.h"
#include "sys/safefile.h"

static void path_of(const char *run_dir, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" SPD_FILE, run_dir);
}

static json_t *addr_json(const struct addr *a)
{
	char ip[INET6_ADDRSTRLEN] = "";

	if (a->kind == ADDR_IP)
		inet_ntop(a->ip.family, a->ip.bytes, ip, sizeof(ip));
	return json_pack("{s:i,s:i,s:s,s:i,s:s}", "kind", (int)a->kind, "server", (int)a->server,
			 "ip", ip, "len", a->ip.len, "name", a->name);
}

static int addr_from(json_t *j, struct addr *a)
{
	const char *ip = json_string_value(json_object_get(j, "ip"));
	const char *name = json_string_value(json_object_get(j, "name"));

	memset(a, 0, sizeof(*a));
	a->kind = (enum addr_kind)json_integer_value(json_object_get(j, "kind"));
	a->server = (enum server_type)json_integer_value(json_object_get(j, "server"));
	a->ip.len = (uint8_t)json_integer_value(json_object_get(j, "len"));
	snprintf(a->name, sizeof(a->name), "%s", name ? name : "");
	if (a->kind != ADDR_IP)
		return 0;
	if (ip && inet_pton(AF_INET, ip, a->ip.bytes) == 1)
		a->ip.family = AF_INET;
	else if (ip && inet_pton(AF_INET6, ip, a->ip.bytes) == 1)
		a->ip.family = AF_INET6;
	else
		return -1;
	return a->ip.len <= (a->ip.family == AF_INET ? 32 : 128) ? 0 : -1;
}

static void text_from(json_t *j, const char *key, char *out, size_t len)
{
	const char *text = json_string_value(json_object_get(j, key));

	if (text)
		snprintf(out, len, "%s", text);
}

static json_t *rule_json(const struct dyn_rule *r)
{
	return json_pack("{s:s,s:o,s:o,s:i,s:[i,i],s:[i,i],s:b,s:i,s:s,s:i,s:i,s:s,s:s,s:I,s:s}",
			 "guid", r->guid, "src", addr_json(&r->f.src), "dst", addr_json(&r->f.dst),
			 "protocol", r->f.proto, "srcport", r->f.sport.lo, r->f.sport.hi,
			 "dstport", r->f.dport.lo, r->f.dport.hi, "mirrored", r->f.mirrored,
			 "conntype", (int)r->conntype, "tunnel", r->tunnel, "in",
			 (int)r->action_in, "out", (int)r->action_out, "mmpolicy", r->mmpolicy,
			 "qmpolicy", r->qmpolicy, "seq", (json_int_t)r->f.seq, "auth", r->auth);
}

/* The main and quick mode policies the rules name: their offers, PFS and
 * soft go to charon and the kernel with the rules. */
json_t *spd_mm_json(const struct mm_policy *p)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}", "name", p->name, "guid", p->guid, "qmpermm",
			 (json_int_t)p->qmpermm, "mmlifetime", (json_int_t)p->mmlifetime,
			 "softsaexpirationtime", (json_int_t)p->softsaexpirationtime,
			 "mmsecmethods", p->mmsecmethods);
}

json_t *spd_qm_json(const struct qm_policy *p)
{
	return json_pack("{s:s,s:s,s:b,s:s,s:s}", "name", p->name, "guid", p->guid, "soft", p->soft,
			 "pfsgroup", pfs_group_name(p->pfsgroup), "qmsecmethods", p->qmsecmethods);
}

static int mm_from(json_t *j, struct mm_policy *p)
{
	mm_policy_init(p);
	if (!json_is_object(j))
		return -1;
	text_from(j, "guid", p->guid, sizeof(p->guid));
	text_from(j, "name", p->name, sizeof(p->name));
	text_from(j, "mmsecmethods", p->mmsecmethods, sizeof(p->mmsecmethods));
	p->qmpermm = (long)json_integer_value(json_object_get(j, "qmpermm"));
	p->mmlifetime = (long)json_integer_value(json_object_get(j, "mmlifetime"));
	p->softsaexpirationtime = (long)json_integer_value(json_object_get(j, "softsaexpirationtime"));
	return 0;
}

static int qm_from(json_t *j, struct qm_policy *p)
{
	const char *pfs = json_string_value(json_object_get(j, "pfsgroup"));

	qm_policy_init(p);
	if (!json_is_object(j))
		return -1;
	text_from(j, "guid", p->guid, sizeof(p->guid));
	text_from(j, "name", p->name, sizeof(p->name));
	text_from(j, "qmsecmethods", p->qmsecmethods, sizeof(p->qmsecmethods));
	p->soft = json_is_true(json_object_get(j, "soft"));
	return pfs && pfs_group_parse(pfs, &p->pfsgroup) == 0 ? 0 : -1;
}

static int rule_from(json_t *j, struct dyn_rule *r)
{
	json_t *sp = json_object_get(j, "srcport"), *dp = json_object_get(j, "dstport");
	const char *text;

	dyn_rule_init(r);
	if (!json_is_object(j) || addr_from(json_object_get(j, "src"), &r->f.src) < 0 ||
	    addr_from(json_object_get(j, "dst"), &r->f.dst) < 0 || !json_is_array(sp) ||
	    !json_is_array(dp))
		return -1;
	if ((text = json_string_value(json_object_get(j, "guid"))))
		snprintf(r->guid, sizeof(r->guid), "%s", text);
	memcpy(r->f.guid, r->guid, sizeof(r->f.guid));
	r->f.proto = (uint8_t)json_integer_value(json_object_get(j, "protocol"));
	r->f.sport.lo = (uint16_t)json_integer_value(json_array_get(sp, 0));
	r->f.sport.hi = (uint16_t)json_integer_value(json_array_get(sp, 1));
	r->f.dport.lo = (uint16_t)json_integer_value(json_array_get(dp, 0));
	r->f.dport.hi = (uint16_t)json_integer_value(json_array_get(dp, 1));
	r->f.mirrored = json_is_true(json_object_get(j, "mirrored"));
	r->f.seq = json_integer_value(json_object_get(j, "seq"));
	r->conntype = (enum conntype)json_integer_value(json_object_get(j, "conntype"));
	r->action_in = (enum action)json_integer_value(json_object_get(j, "in"));
	r->action_out = (enum action)json_integer_value(json_object_get(j, "out"));
	if ((text = json_string_value(json_object_get(j, "tunnel"))))
		snprintf(r->tunnel, sizeof(r->tunnel), "%s", text);
	if ((text = json_string_value(json_object_get(j, "mmpolicy"))))
		snprintf(r->mmpolicy, sizeof(r->mmpolicy), "%s", text);
	if ((text = json_string_value(json_object_get(j, "qmpolicy"))))
		snprintf(r->qmpolicy, sizeof(r->qmpolicy), "%s", text);
	text_from(j, "auth", r->auth, sizeof(r->auth));
	if (r->conntype > CONN_DIALUP || r->action_in > ACTION_NEGOTIATE ||
	    r->action_out > ACTION_NEGOTIATE)
		return -1;
	return 0;
}

/* A full disk must not pin a rule the admin deletes: when the new
 * mirror is no larger than the old, it is rewritten in place (the
 * truncation frees the room it needs). */
static int rewrite_in_place(const char *path, const char *text, size_t len, struct err *e)
{
	struct stat st;
	size_t done = 0;
	ssize_t n = 0;
	int fd;

	if (stat(path, &st) < 0 || (size_t)st.st_size < len)
		return -1;
	if ((fd = safe_open_write(path, O_TRUNC, e)) < 0)
		return -1;
	while (done < len && (n = write(fd, text + done, len - done)) > 0)
		done += (size_t)n;
	if (close(fd) < 0 || done < len)
		return err_set(e, "%s: %s", path, n == 0 ? "no space" : strerror(errno));
	return 0;
}

int spd_file_save(const char *run_dir, const struct spd *s, struct err *e)
{
	char path[4096], *text;
	json_t *rules = json_array(), *mm = json_array(), *qm = json_array(), *all;
	struct err first;
	int rc;

	for (size_t i = 0; i < s->n_rules; i++)
		json_array_append_new(rules, rule_json(&s->rules[i]));
	for (size_t i = 0; i < s->n_mm; i++)
		json_array_append_new(mm, spd_mm_json(&s->mm[i]));
	for (size_t i = 0; i < s->n_qm; i++)
		json_array_append_new(qm, spd_qm_json(&s->qm[i]));
	path_of(run_dir, path, sizeof(path));
	all = json_pack("{s:o,s:o,s:o}", "rules", rules, "mmpolicies", mm, "qmpolicies", qm);
	text = all ? json_dumps(all, JSON_COMPACT) : NULL;
	json_decref(all);
	if (!text)
		return err_set(e, "out of memory");
	rc = safe_write_file(path, text, strlen(text), &first);
	if (rc < 0 && rewrite_in_place(path, text, strlen(text), e) == 0)
		rc = 0;
	else if (rc < 0)
		*e = first;
	free(text);
	return rc;
}

static int load_policies(json_t *all, struct spd *out)
{
	json_t *mm = json_object_get(all, "mmpolicies"), *qm = json_object_get(all, "qmpolicies");
	size_t n_mm = json_array_size(mm), n_qm = json_array_size(qm);

	if (!json_is_array(mm) || !json_is_array(qm))
		return -1;
	out->mm = n_mm ? calloc(n_mm, sizeof(*out->mm)) : NULL;
	out->qm = n_qm ? calloc(n_qm, sizeof(*out->qm)) : NULL;
	if ((n_mm && !out->mm) || (n_qm && !out->qm))
		return -1;
	for (; out->n_mm < n_mm; out->n_mm++)
		if (mm_from(json_array_get(mm, out->n_mm), &out->mm[out->n_mm]) < 0)
			return -1;
	for (; out->n_qm < n_qm; out->n_qm++)
		if (qm_from(json_array_get(qm, out->n_qm), &out->qm[out->n_qm]) < 0)
			return -1;
	return 0;
}

int spd_file_load(const char *run_dir, struct spd *out, struct err *e)
{
	char path[4096];
	json_error_t je;
	json_t *all, *rules, *j;
	size_t i;
	FILE *f;

	memset(out, 0, sizeof(*out));
	path_of(run_dir, path, sizeof(path));
	if (!(f = safe_fopen_read(path, e)))
		return errno == ENOENT ? 0 : -1;
	all = json_loadf(f, 0, &je);
	fclose(f);
	rules = json_object_get(all, "rules");
	if (!json_is_array(rules) || load_policies(all, out) < 0) {
		json_decref(all);
		spd_clear(out);
		return err_set(e, "%s: the agent's dynamic rules are unreadable", path);
	}
	json_array_foreach (rules, i, j) {
		struct dyn_rule r;
		void *grown;
		if (rule_from(j, &r) < 0 ||
		    !(grown = realloc(out->rules, (out->n_rules + 1) * sizeof(r)))) {
			json_decref(all);
			spd_clear(out);
			return err_set(e, "%s: dynamic rule %zu is unreadable", path, i + 1);
		}
		out->rules = grown;
		out->rules[out->n_rules++] = r;
		if (r.f.seq > out->next_seq)
			out->next_seq = r.f.seq;
	}
	json_decref(all);
	return 0;
}

int spd_file_load_rules(const char *run_dir, struct ruleset *rs, struct err *e)
{
	struct spd s;
	int rc;

	if (spd_file_load(run_dir, &s, e) < 0)
		return -1;
	rc = spd_to_ruleset(&s, rs);
	spd_clear(&s);
	return rc < 0 ? err_set(e, "out of memory") : 0;
}

void spd_file_remove(const char *run_dir)
{
	char path[4096];

	path_of(run_dir, path, sizeof(path));
	unlink(path);
}
