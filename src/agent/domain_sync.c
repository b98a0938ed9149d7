// SPDX-License-Identifier: MIT
/* domain_sync.c - see domain_sync.h. */
#include "domain_sync.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "directory/dirfetch.h"
#include "directory/domainsrc.h"
#include "gpipsec/gpmodel.h"
#include "gpipsec/gpstore.h"
#include "store/store.h"

#define DEFAULT_POLL_MIN 180
#define DEBOUNCE_MS 200
#define DEBOUNCE_MAX_MS 1000 /* a stream of changes waits no longer */
#define BACKOFF_MAX_S 30

int domain_sync_init(struct domain_sync *d, const char *path, bool explicit_path,
		     int poll_override_s, bool *enabled, struct err *e)
{
	memset(d, 0, sizeof *d);
	d->poll_override_s = poll_override_s;
	d->first = true;
	*enabled = false;
	if (domain_conf_load(path, &d->conf, e) < 0) {
		if (!explicit_path && errno == ENOENT && strstr(e->msg, "no such file"))
			return 0;
		return -1;
	}
	if (domain_conf_host_check(&d->conf, path, e) < 0)
		return -1;
	/* a secret others can read is refused now, not at each poll */
	if (d->conf.bind == BIND_GSSAPI && domain_keytab_check(d->conf.keytab, e) < 0)
		return err_prefix(e, "%s", path);
	if (d->conf.bind == BIND_SIMPLE) {
		char password[512];
		int rc = domain_password_read(d->conf.passwordfile, password, sizeof password, e);

		explicit_bzero(password, sizeof password);
		if (rc < 0)
			return err_prefix(e, "%s", path);
	}
	*enabled = true;
	return 0;
}

/* A digest of what was fetched (FNV-1a over its LDIF and the GPO), to
 * leave the cached copy and the kernel alone when nothing changed. */
static void digest(const struct dir_fetch *f, char out[17])
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	uint64_t h = 1469598103934665603ULL;

	if (m) {
		gp_ldif_write(&f->set, m);
		fprintf(m, "%s\n%s\n%s\n", f->gpo_dn, f->gpo_name, f->policy_dn);
		fclose(m);
	}
	for (size_t i = 0; text && i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 1099511628211ULL;
	free(text);
	snprintf(out, 17, "%016" PRIx64, h);
}

/* The objects as the model, and the assigned policy's rules compiled
 * once, so nothing the engine would refuse reaches the cache. */
static int validate(const struct dir_fetch *f, struct gp_domain *dom, char guid[GUID_LEN],
		    struct err *e)
{
	const struct gp_object *p = gp_objset_find(&f->set, f->policy_dn);
	struct ruleset rs;

	if (!p || !p->id)
		return err_set(e, "%s: no ipsecID", f->policy_dn);
	snprintf(guid, GUID_LEN, "%s", p->id);
	if (gp_to_model(&f->set, dom, e) < 0)
		return -1;
	if (gp_policy_ruleset(dom, guid, WSTORE_POLICY, &rs, e) < 0)
		return err_prefix(e, "%s", f->policy_dn);
	ruleset_free(&rs);
	return 0;
}

static int source_set(struct db *db, const struct dir_fetch *f, const char *dig, struct err *e)
{
	struct domain_source src = { 0 };
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(src.fetched, sizeof src.fetched, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(src.gpo, sizeof src.gpo, "%s", f->gpo_dn);
	snprintf(src.gponame, sizeof src.gponame, "%s", f->gpo_name);
	snprintf(src.policydn, sizeof src.policydn, "%s", f->policy_dn);
	snprintf(src.server, sizeof src.server, "%s", f->server);
	snprintf(src.digest, sizeof src.digest, "%s", dig);
	return domain_source_set(db, &src, e);
}

/* The cached copy replaced by dom (NULL: no policy assigned), in one
 * transaction: a failure leaves the old copy whole. */
static int cache(struct db *db, const struct dir_fetch *f, struct gp_domain *dom, char *guid,
		 const char *dig, struct err *e)
{
	struct policy p;
	int rc;

	if (db_begin(db, e) < 0)
		return -1;
	rc = db_store_clear(db, STORE_DOMAIN, e);
	if (rc == 0 && dom)
		rc = gp_domain_rekey(db, dom, guid, e);
	if (rc == 0 && dom)
		rc = gp_domain_insert(db, STORE_DOMAIN, dom, e);
	if (rc == 0 && dom) {
		rc = db_policy_find(db, STORE_DOMAIN, NULL, guid, &p, e);
		if (rc == 0)
			rc = err_set(e, "%s: the policy was not stored", f->policy_dn);
		else if (rc == 1) {
			snprintf(p.gponame, sizeof p.gponame, "%s", f->gpo_name);
			rc = db_policy_update(db, &p, e) < 0 || db_policy_assign(db, STORE_DOMAIN, p.id, e) < 0
				     ? -1
				     : 0;
		}
	}
	if (rc == 0)
		rc = source_set(db, f, dig, e);
	if (rc == 0)
		return db_commit(db, e);
	db_rollback(db);
	return -1;
}

static bool have_cached(struct agent *a, struct policy *p)
{
	struct err e;

	return db_policy_assigned(a->db, STORE_DOMAIN, p, &e) == 1;
}

static void failed(struct domain_sync *d, struct agent *a, const struct dir_fetch *f,
		   const char *why)
{
	struct policy p;
	bool cached = have_cached(a, &p), outage = !d->failing || strcmp(d->last_error, why) != 0;

	a->directory_gpo[0] = a->directory_server[0] = '\0';
	if (outage && !f->unreachable)
		event_write(a->log, EV_POLICY_FAILED,
			    json_pack("{s:s,s:s,s:s?}", "source", "directory", "error", why, "server",
				      *f->server ? f->server : NULL),
			    "failed to apply the directory's policy: %s", why);
	if (outage && cached)
		event_write(a->log, EV_POLICY_CACHED,
			    json_pack("{s:s,s:s,s:s}", "source", "cache", "policy", p.name, "reason", why),
			    "the cached copy of domain policy '%s' stays in force: %s", p.name, why);
	else if (outage && f->unreachable)
		event_write(a->log, EV_POLICY_FAILED,
			    json_pack("{s:s,s:s}", "source", "directory", "error", why),
			    "no directory policy and no cached copy: %s", why);
	d->failing = true;
	snprintf(d->last_error, sizeof d->last_error, "%s", why);
}

int domain_sync_run(struct domain_sync *d, struct agent *a)
{
	struct dir_fetch f;
	struct gp_domain dom = { 0 };
	char guid[GUID_LEN] = "", dig[17];
	struct domain_source old;
	struct policy p;
	struct err e;
	int rc;

	d->change_first_ms = d->change_last_ms = 0;
	if (dir_fetch(&d->conf, &f, &e) < 0 || (f.assigned && validate(&f, &dom, guid, &e) < 0)) {
		d->unreachable = f.unreachable;
		failed(d, a, &f, e.msg);
		gp_domain_free(&dom);
		dir_fetch_free(&f);
		d->first = false;
		return -1;
	}
	d->unreachable = false;
	digest(&f, dig);
	rc = 0;
	if (domain_source_get(a->db, &old, &e) < 0 || strcmp(dig, old.digest) != 0) {
		if (cache(a->db, &f, f.assigned ? &dom : NULL, guid, dig, &e) < 0) {
			failed(d, a, &f, e.msg);
			rc = -1;
		} else {
			rc = 1;
		}
	}
	if (rc >= 0) {
		snprintf(a->directory_gpo, sizeof a->directory_gpo, "%s", f.gpo_name);
		snprintf(a->directory_server, sizeof a->directory_server, "%s", f.server);
		if (!f.assigned && (rc == 1 || d->failing || d->first))
			event_write(a->log, EV_POLICY_APPLIED,
				    json_pack("{s:s,s:s,s:s,s:I}", "source", "directory", "computer",
					      f.computer, "server", f.server, "gpos", (json_int_t)f.n_gpos),
				    "the directory assigns no IPSec policy to %s (%zu GPOs linked): "
				    "the local store's applies", f.computer, f.n_gpos);
		/* back after an outage (or at start) with the policy unchanged:
		 * the directory's copy is what is in force */
		if (rc == 0 && f.assigned && (d->failing || d->first) && have_cached(a, &p))
			event_write(a->log, EV_POLICY_APPLIED,
				    json_pack("{s:s,s:s,s:s,s:s,s:s}", "source", "directory", "policy",
					      p.name, "directory object", f.policy_dn, "gpo", f.gpo_name,
					      "server", f.server),
				    "the directory's policy '%s' is the cached copy in force (GPO '%s', %s)",
				    p.name, f.gpo_name, f.server);
		d->failing = false;
		d->last_error[0] = '\0';
	}
	d->first = false;
	gp_domain_free(&dom);
	dir_fetch_free(&f);
	return rc;
}

int domain_sync_interval(const struct domain_sync *d, struct agent *a)
{
	struct policy p;

	if (d->poll_override_s > 0)
		return d->poll_override_s;
	if (d->conf.poll_s > 0)
		return d->conf.poll_s;
	if (have_cached(a, &p) && p.pollinginterval > 0)
		return (int)(p.pollinginterval * 60);
	return DEFAULT_POLL_MIN * 60;
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void changed(void *ctx)
{
	struct domain_sync *d = ctx;

	d->change_last_ms = monotonic_ms();
	if (!d->change_first_ms)
		d->change_first_ms = d->change_last_ms;
}

/* The next try after a failure: 1, 2, 4 ... BACKOFF_MAX_S seconds, never
 * later than the poll interval. */
static long long backoff(struct domain_sync *d, struct agent *a)
{
	int every = domain_sync_interval(d, a);

	d->backoff_s = d->backoff_s ? d->backoff_s * 2 : 1;
	if (d->backoff_s > BACKOFF_MAX_S)
		d->backoff_s = BACKOFF_MAX_S;
	return (d->backoff_s < every ? d->backoff_s : every) * 1000LL;
}

static void unwatch(struct domain_sync *d)
{
	dir_watch_close(d->watch);
	d->watch = NULL;
}

long long domain_sync_schedule(struct domain_sync *d, struct agent *a, int rc)
{
	struct err e;
	bool refused;

	if (rc < 0 && d->unreachable) {
		unwatch(d);
		return backoff(d, a);
	}
	/* reached: a policy refused for its content stays watched, so the
	 * write that completes it is seen */
	if (!d->watch && monotonic_ms() >= d->watch_after_ms) {
		int opened = dir_watch_open(&d->watch, &d->conf, changed, d, &refused, &e);

		if (opened < 0)
			return backoff(d, a);
		if (opened == 1)
			d->watch_generation++;
	}
	d->backoff_s = 0;
	return domain_sync_interval(d, a) * 1000LL;
}

int domain_sync_watch_fd(const struct domain_sync *d, unsigned *generation)
{
	*generation = d->watch_generation;
	return d->watch ? dir_watch_fd(d->watch) : -1;
}

long long domain_sync_watch_read(struct domain_sync *d, struct agent *a)
{
	struct err e;
	long long now, due;

	if (!d->watch)
		return -1;
	if (dir_watch_read(d->watch, &e) < 0) {
		/* fetch again (the server may be gone: the fetch says so), and
		 * watch again after it; not at once if it refused the watch */
		if (!dir_watch_established(d->watch))
			d->watch_after_ms = monotonic_ms() + domain_sync_interval(d, a) * 1000LL;
		unwatch(d);
		return backoff(d, a);
	}
	if (!d->change_first_ms)
		return -1;
	now = monotonic_ms();
	due = d->change_last_ms + DEBOUNCE_MS;
	if (due > d->change_first_ms + DEBOUNCE_MAX_MS)
		due = d->change_first_ms + DEBOUNCE_MAX_MS;
	return due > now ? due - now : 1;
}

json_t *domain_sync_status(const struct domain_sync *d, struct agent *a)
{
	struct policy p;
	bool cached = d->failing && have_cached(a, &p);

	return json_pack("{s:s?,s:i,s:s?,s:o,s:s?}", "following",
			 d->watch ? dir_watch_describe(d->watch) : NULL, "poll",
			 domain_sync_interval(d, a), "server",
			 *a->directory_server ? a->directory_server : NULL, "cached",
			 cached ? json_pack("{s:s,s:s}", "policy", p.name, "reason", d->last_error)
				: json_null(),
			 "error", d->failing && !cached ? d->last_error : NULL);
}

void domain_sync_close(struct domain_sync *d)
{
	unwatch(d);
}
