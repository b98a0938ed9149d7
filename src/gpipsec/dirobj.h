// SPDX-License-Identifier: MIT
/* dirobj.h - an in-memory set of the directory objects of MS-GPIPSEC
 * §2.2.1 (DN, class, the attributes of §2.3 and the decoded ipsecData),
 * and their LDIF form (RFC 2849: what ldapadd reads and ldapsearch
 * writes). Only the five ipsec classes are kept; other entries and other
 * attributes are skipped. No LDAP here. */
#ifndef IPSECFW_GP_DIROBJ_H
#define IPSECFW_GP_DIROBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gpipsec/blobs.h"
#include "model/err.h"

enum gp_class { GPC_POLICY, GPC_ISAKMP, GPC_NFA, GPC_NEGPOL, GPC_FILTER, GPC_COUNT };

struct gp_strs {
	char **v;
	size_t n;
};

struct gp_object {
	enum gp_class cls;
	char *dn;
	char *name;        /* ipsecName, or NULL */
	char *description; /* or NULL */
	char *id;          /* ipsecID, braced GUID text */
	char *data_type;   /* ipsecDataType as written ("598" on Windows) */
	char *when_changed;
	uint8_t *data; /* ipsecData as read */
	size_t data_len;
	struct gp_blob blob; /* decoded */
	char *isakmp_ref;                          /* ipsecPolicy */
	struct gp_strs nfa_refs;                   /* ipsecPolicy */
	struct gp_strs filter_refs;                /* ipsecNFA */
	char *negpol_ref;                          /* ipsecNFA */
	struct gp_strs owners;                     /* ipsecOwnersReference */
	char *negpol_action, *negpol_type;         /* ipsecNegotiationPolicy */
};

struct gp_objset {
	struct gp_object *objs;
	size_t n, cap;
};

const char *gp_class_name(enum gp_class c);
/* Parses an LDIF text. Entries of other classes are skipped. Every
 * ipsecData is decoded; an error names the entry and the field. */
int gp_ldif_read(const char *text, size_t len, struct gp_objset *out, struct err *e);
/* Writes the set as LDIF for ldapadd (objectClass top, ipsecBase, class). */
void gp_ldif_write(const struct gp_objset *set, FILE *out);

/* One "attr:: base64" line: any value, as LDIF carries binary ones. */
void gp_ldif_put_binary(FILE *out, const char *attr, const void *v, size_t n);

/* Room for n objects: pointers into the set stay valid until it is full. */
int gp_objset_reserve(struct gp_objset *set, size_t n);
/* A new object of a class at dn, appended; NULL when out of memory. It may
 * move the others (see gp_objset_reserve). */
struct gp_object *gp_objset_add(struct gp_objset *set, enum gp_class cls, const char *dn);
struct gp_object *gp_objset_find(const struct gp_objset *set, const char *dn);
void gp_objset_free(struct gp_objset *set);

/* Encodes o->blob into o->data. */
int gp_object_encode(struct gp_object *o, struct err *e);
int gp_strs_add(struct gp_strs *s, const char *v);
/* Two DNs are the same entry: compared case-insensitively, ignoring spaces
 * after commas (MS-GPIPSEC's own examples have both). */
bool gp_dn_equal(const char *a, const char *b);
/* The same DNs, in any order. */
bool gp_dn_set_equal(const struct gp_strs *a, const struct gp_strs *b);

#endif
