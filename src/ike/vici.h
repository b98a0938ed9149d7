// SPDX-License-Identifier: MIT
/* vici.h - strongSwan's Versatile IKE Control Interface, spoken directly
 * (the documented wire protocol; libvici is GPLv2, ipsecfw is MIT).
 *
 * A message is a flat sequence of elements: sections and lists open and
 * close, key/value pairs and list items carry bytes. Values are kept with
 * a NUL after them, so text values read as C strings. */
#ifndef IPSECFW_VICI_H
#define IPSECFW_VICI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/err.h"

enum vici_elem_type {
	VICI_SECTION_START = 1,
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,
	VICI_LIST_START = 4,
	VICI_LIST_ITEM = 5,
	VICI_LIST_END = 6,
};

enum vici_packet_type {
	VICI_CMD_REQUEST = 0,
	VICI_CMD_RESPONSE = 1,
	VICI_CMD_UNKNOWN = 2,
	VICI_EVENT_REGISTER = 3,
	VICI_EVENT_UNREGISTER = 4,
	VICI_EVENT_CONFIRM = 5,
	VICI_EVENT_UNKNOWN = 6,
	VICI_EVENT = 7,
};

enum {
	VICI_MAX_SEGMENT = 512 * 1024, /* the transport's limit on one packet */
	VICI_MAX_DEPTH = 32,           /* nesting of sections, ours and charon's */
};

struct vici_elem {
	uint8_t type;
	char *name;     /* sections, lists and keys; NULL otherwise */
	uint8_t *value; /* key values and list items, NUL-terminated copy */
	size_t len;
};

struct vici_msg {
	struct vici_elem *elems;
	size_t n, cap;
	int depth;   /* while building */
	bool failed; /* out of memory or misuse while building */
};

void vici_msg_init(struct vici_msg *m);
void vici_msg_free(struct vici_msg *m);

/* Building: misuse or exhaustion sets m->failed, which encoding reports. */
void vici_section_start(struct vici_msg *m, const char *name);
void vici_section_end(struct vici_msg *m);
void vici_list_start(struct vici_msg *m, const char *name);
void vici_list_item(struct vici_msg *m, const char *value);
void vici_list_end(struct vici_msg *m);
void vici_kv(struct vici_msg *m, const char *key, const char *value);
void vici_kvf(struct vici_msg *m, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends every element of src (a whole message) to m. */
void vici_append(struct vici_msg *m, const struct vici_msg *src);

/* The message body as the wire carries it. */
int vici_encode(const struct vici_msg *m, uint8_t **out, size_t *len, struct err *e);
/* Parses and checks a message body: element types, lengths, nesting
 * (balanced, at most VICI_MAX_DEPTH, items only in lists). */
int vici_decode(const uint8_t *buf, size_t len, struct vici_msg *out, struct err *e);

/* A packet: its type, the name of named types, and a message. */
struct vici_packet {
	uint8_t type;
	char name[256];
	struct vici_msg msg;
};

/* The bytes after the 32-bit length header. */
int vici_packet_decode(const uint8_t *buf, size_t len, struct vici_packet *out, struct err *e);
/* With the length header. name: for CMD_REQUEST, EVENT_(UN)REGISTER, EVENT. */
int vici_packet_encode(uint8_t type, const char *name, const struct vici_msg *m, uint8_t **out,
		       size_t *len, struct err *e);

/* The value of key at the top level, or NULL. */
const char *vici_get(const struct vici_msg *m, const char *key);
/* The value of key directly inside the section starting at element
 * `section` (or at the top level when section is SIZE_MAX), or NULL. */
const char *vici_get_in(const struct vici_msg *m, size_t section, const char *key);
/* The index after the element opening at i (its matching end + 1). */
size_t vici_skip(const struct vici_msg *m, size_t i);

/* Prints the message in swanctl.conf syntax at the given indent; lists as
 * comma-separated values. The values of keys named "secret" are shown as
 * <hidden>: the text is for people, never for loading. */
void vici_write_conf(const struct vici_msg *m, FILE *out, int indent);

/* The socket's file of a VICI URL (unix:///PATH, or a bare path). */
const char *vici_socket_file(const char *url);
/* A client connection to charon's socket (a unix:// path). */
int vici_connect(const char *path, int timeout_ms, struct err *e);
/* Sends command cmd with req (NULL: empty) and reads its response into
 * resp. When event is not NULL, it is registered first, and each event of
 * that name before the response (streamed results, e.g. list-sa for
 * list-sas) goes to on_event; it is unregistered afterwards. Events of
 * other names are skipped. */
typedef int (*vici_event_cb)(const struct vici_msg *ev, void *ctx);
int vici_call(int fd, const char *cmd, const struct vici_msg *req, const char *event,
	      vici_event_cb on_event, void *ctx, struct vici_msg *resp, struct err *e);
/* Registers for an event and reads the next event packet of any
 * registered name; for monitors. */
int vici_register(int fd, const char *event, bool on, struct err *e);
int vici_next_event(int fd, struct vici_packet *out, struct err *e);
/* Checks a command response: success=yes, or the error charon gave. */
int vici_check_success(const struct vici_msg *resp, const char *cmd, struct err *e);

#endif
