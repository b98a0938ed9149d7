// SPDX-License-Identifier: MIT
/* domain_store.c - see domain_store.h. */
#include "cli/domain_store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "directory/dirwrite.h"
#include "directory/gpo.h"
#include "gpipsec/gpstore.h"

struct domain_store {
	struct db *db;      /* the session's database, while the scratch one stands in */
	struct db *scratch; /* the directory's objects as the domain store */
	char base[DOMAIN_VALUE_MAX];
	char container[DOMAIN_VALUE_MAX + 32];
	struct domain_conf conf;
	struct gp_objset loaded; /* every object of the container, as last read or written */
	/* A write failed after it had changed the directory, or the directory
	 * could not be read after a write: loaded and the scratch copy no
	 * longer tell what it holds, so the session writes no more. */
	bool out_of_step;
};

int domain_store_conf(struct domain_conf *c, struct err *e)
{
	const char *path = getenv("IPSECFW_DOMAIN_CONF");

	if (path && !*path)
		return 0;
	if (!path) {
		path = DOMAIN_CONF_DEFAULT;
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
	}
	return domain_conf_load(path, c, e) < 0 ? -1 : 1;
}

static void scratch_drop(struct domain_store *ds)
{
	db_close(ds->scratch);
	ds->scratch = NULL;
	gp_objset_free(&ds->loaded);
}

/* The container's objects into a new scratch database's domain store. */
static int scratch_load(struct domain_store *ds, struct err *e)
{
	struct dir_conn cn;
	bool refused;
	struct gp_objset live = { 0 };
	struct gp_domain dom = { 0 };
	int rc;

	if (dir_connect(&cn, &ds->conf, &refused, e) < 0)
		return -1;
	rc = dir_container_load(&cn, ds->container, &ds->loaded, e);
	dir_disconnect(&cn);
	if (rc == 0)
		rc = dir_container_live(&ds->loaded, &live, e);
	if (rc == 0)
		rc = gp_to_model(&live, &dom, e);
	gp_objset_free(&live);
	if (rc == 0)
		rc = db_open(&ds->scratch, ":memory:", e);
	if (rc == 0 && (rc = db_begin(ds->scratch, e)) == 0) {
		/* the scratch database stands in for the directory only: the
		 * built-in objects a new database gets in its local store carry
		 * Windows' well-known GUIDs, which a domain's own defaults
		 * (Samba provisions them; GUIDs are unique across stores) have too */
		rc = db_store_clear(ds->scratch, STORE_LOCAL, e) < 0 ||
				     db_store_clear(ds->scratch, STORE_DOMAIN, e) < 0 ||
				     gp_domain_insert(ds->scratch, STORE_DOMAIN, &dom, e) < 0
			     ? -1
			     : db_commit(ds->scratch, e);
		if (rc < 0)
			db_rollback(ds->scratch);
	}
	gp_domain_free(&dom);
	if (rc < 0)
		scratch_drop(ds);
	return rc;
}

static void domain_close(struct session *s)
{
	struct domain_store *ds = s->domain_ctx;

	if (!s->in_directory)
		return;
	s->db = ds->db;
	s->in_directory = false;
	scratch_drop(ds);
}

static int domain_open(struct session *s, const char *domain, struct err *e)
{
	struct domain_store *ds = s->domain_ctx;
	int rc = domain_store_conf(&ds->conf, e);

	if (rc <= 0)
		return rc;
	if (domain && dir_base_of_domain(domain, ds->base, sizeof ds->base, e) < 0)
		return -1;
	if (!domain)
		snprintf(ds->base, sizeof ds->base, "%s", ds->conf.base);
	snprintf(ds->container, sizeof ds->container, DIR_IPSEC_CONTAINER "%s", ds->base);
	ds->out_of_step = false;
	if (scratch_load(ds, e) < 0)
		return -1;
	ds->db = s->home_db = s->db;
	s->db = ds->scratch;
	s->in_directory = true;
	return 1;
}

/* Policies given a GPO with gponame=: the GPOs, found before anything is written. */
struct gpo_link {
	char policy_dn[2 * DOMAIN_VALUE_MAX];
	char gpo_dn[DOMAIN_VALUE_MAX];
};

static int gpo_links(struct dir_conn *cn, struct domain_store *ds, const struct gp_domain *dom,
		     struct gpo_link **out, size_t *n, struct err *e)
{
	*n = 0;
	if (!(*out = calloc(dom->n_policies + 1, sizeof **out)))
		return err_set(e, "out of memory");
	for (size_t i = 0; i < dom->n_policies; i++) {
		const struct policy *p = &dom->policies[i];
		struct gpo_link *l = &(*out)[*n];

		if (!p->gponame[0])
			continue;
		if (dir_gpo_find(cn, ds->base, p->gponame, l->gpo_dn, sizeof l->gpo_dn, e) < 0)
			return err_prefix(e, "policy '%s': gponame", p->name);
		snprintf(l->policy_dn, sizeof l->policy_dn, "CN=ipsecPolicy%s,%s", p->guid, ds->container);
		(*n)++;
	}
	return 0;
}

/* Once assigned, a gponame is the directory's (ipsecfw gpo show), not the store's. */
static int gpo_links_done(struct db *db, const struct gp_domain *dom, struct err *e)
{
	for (size_t i = 0; i < dom->n_policies; i++) {
		struct policy p;

		if (!dom->policies[i].gponame[0])
			continue;
		if (db_policy_find(db, STORE_DOMAIN, NULL, dom->policies[i].guid, &p, e) != 1)
			return -1;
		p.gponame[0] = '\0';
		if (db_policy_update(db, &p, e) < 0)
			return -1;
	}
	return 0;
}

static int domain_commit(struct session *s, struct err *e)
{
	struct domain_store *ds = s->domain_ctx;
	struct gp_domain dom = { 0 };
	struct gp_objset now = { 0 }, live = { 0 }, want = { 0 }, after = { 0 };
	struct dir_write_stats st;
	struct gpo_link *links = NULL;
	size_t n_links = 0;
	bool written;
	struct dir_conn cn;
	bool refused;
	int rc;

	if (ds->out_of_step)
		return err_set(e, "an earlier write to the directory failed half way (each policy "
				  "whole, old or new): set store again to read it anew");
	if (gp_domain_load(s->db, STORE_DOMAIN, &dom, e) < 0)
		return -1;
	if (dir_connect(&cn, &ds->conf, &refused, e) < 0) {
		gp_domain_free(&dom);
		return -1;
	}
	rc = dir_container_load(&cn, ds->container, &now, e);
	if (rc == 0 && !dir_objset_same(&now, &ds->loaded))
		rc = err_set(e, "%s: another writer changed the directory since this session read "
				"it; nothing was written (set store again to read it anew)",
			     ds->container);
	if (rc == 0)
		rc = dir_container_live(&now, &live, e);
	if (rc == 0)
		rc = gp_from_model(&dom, ds->container, &live, &want, e);
	if (rc == 0)
		rc = gpo_links(&cn, ds, &dom, &links, &n_links, e);
	if (rc == 0) {
		struct err ignored;

		rc = dir_write(&cn, ds->base, ds->container, &now, &want, &st, e);
		written = st.added || st.modified || st.deleted || (rc == 0 && n_links);
		for (size_t i = 0; i < n_links && rc == 0; i++)
			rc = dir_gpo_assign(&cn, links[i].gpo_dn, links[i].policy_dn, e);
		if (rc == 0 && n_links)
			rc = gpo_links_done(s->db, &dom, e);
		/* What the next transaction starts from. A write refused before
		 * it changed anything leaves the session as it was. */
		if (rc < 0 && written)
			ds->out_of_step = true;
		if (dir_container_load(&cn, ds->container, &after, &ignored) == 0) {
			gp_objset_free(&ds->loaded);
			ds->loaded = after;
		} else {
			ds->out_of_step = true;
		}
	}
	dir_disconnect(&cn);
	free(links);
	gp_objset_free(&now);
	gp_objset_free(&live);
	gp_objset_free(&want);
	gp_domain_free(&dom);
	return rc;
}

void domain_store_install(struct session *s)
{
	static struct domain_store ds;

	s->domain_open = domain_open;
	s->domain_commit = domain_commit;
	s->domain_close = domain_close;
	s->domain_ctx = &ds;
}
