// SPDX-License-Identifier: MIT
/* lifecycle.c - the agent's locks, and asking systemd why it stops. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-login.h>
#include <unistd.h>

#include "backend/program.h"
#include "lifecycle.h"
#include "sys/safefile.h"

/* An abstract unix socket: its names are per network namespace, it has
 * no file to delete, and the kernel frees it when the holder dies, even
 * by kill -9. (Anyone may bind an abstract name: a holder that is not
 * root is named in the refusal.) */
#define NETNS_LOCK "ipsecfwd " NFT_TABLE_FAMILY " " NFT_TABLE_NAME

static void lock_holder(const struct sockaddr_un *sa, socklen_t len, char *buf, size_t size)
{
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct ucred cred;
	socklen_t clen = sizeof(cred);

	snprintf(buf, size, "another ipsecfwd");
	if (fd < 0)
		return;
	if (connect(fd, (const struct sockaddr *)sa, len) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
		snprintf(buf, size, "%s (pid %ld, uid %ld)",
			 cred.uid == 0 ? "another ipsecfwd" : "a process that is not root",
			 (long)cred.pid, (long)cred.uid);
	close(fd);
}

static int lock_netns(struct err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(NETNS_LOCK));
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	char holder[128];

	memcpy(sa.sun_path + 1, NETNS_LOCK, strlen(NETNS_LOCK));
	if (fd < 0)
		return err_set(e, "agent lock: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, len) == 0 && listen(fd, 1) == 0)
		return fd; /* held until exit */
	if (errno != EADDRINUSE) {
		close(fd);
		return err_set(e, "agent lock: %s", strerror(errno));
	}
	close(fd);
	lock_holder(&sa, len, holder, sizeof(holder));
	return err_set(e, "%s runs in this network namespace (it holds the table "
			  NFT_TABLE_FAMILY " " NFT_TABLE_NAME ")", holder);
}

static int lock_run_dir(const char *dir, struct err *e)
{
	char path[4096];
	int fd;

	if (safe_dir(dir, e) < 0)
		return err_prefix(e, "run directory");
	snprintf(path, sizeof(path), "%s/agent.lock", dir);
	if ((fd = safe_open_write(path, 0, e)) < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return err_set(e, "another ipsecfwd runs for %s", dir);
	}
	return fd; /* held until exit */
}

int lifecycle_lock(const char *run_dir, struct err *e)
{
	int netns = lock_netns(e);

	if (netns < 0)
		return -1;
	if (lock_run_dir(run_dir, e) < 0) {
		close(netns);
		return -1;
	}
	return 0;
}

/* systemd's own socket answers even when the D-Bus daemon is gone (at
 * shutdown); the system bus otherwise. Calls wait 1 s at most. */
static sd_bus *systemd_bus(void)
{
	sd_bus *bus = NULL;

	if (sd_bus_new(&bus) >= 0 && sd_bus_set_address(bus, "unix:path=/run/systemd/private") >= 0 &&
	    sd_bus_start(bus) >= 0)
		goto ready;
	sd_bus_unref(bus);
	bus = NULL;
	if (sd_bus_open_system(&bus) < 0)
		return NULL;
ready:
	sd_bus_set_method_call_timeout(bus, 1000000);
	return bus;
}

bool lifecycle_restarting(void)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	char *unit = NULL, *path = NULL, *type = NULL;
	const char *job;
	sd_bus *bus = NULL;
	uint32_t id;
	bool restart = false;

	if (!getenv("INVOCATION_ID") || sd_pid_get_unit(0, &unit) < 0 ||
	    sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path) < 0 ||
	    !(bus = systemd_bus()))
		goto out;
	/* The unit's job: (0, "/") when none runs. */
	if (sd_bus_get_property(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Unit",
				"Job", &error, &reply, "(uo)") < 0 ||
	    sd_bus_message_read(reply, "(uo)", &id, &job) < 0 || id == 0)
		goto out;
	if (sd_bus_get_property_string(bus, "org.freedesktop.systemd1", job,
				       "org.freedesktop.systemd1.Job", "JobType", &error, &type) >= 0)
		restart = !strcmp(type, "restart") || !strcmp(type, "try-restart");
out:
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	sd_bus_unref(bus);
	free(type);
	free(path);
	free(unit);
	return restart;
}
