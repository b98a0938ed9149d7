# SPDX-License-Identifier: MIT
# pid.sh - stopping a server a test started, by its PID (sourced).

# stop_pid PID: SIGTERM, then 5 s at most for it to end, then SIGKILL; reaps
# it when it is the shell's child. Nothing when PID is empty.
stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	_stop_i=0
	while kill -0 "$1" 2>/dev/null && [ $_stop_i -lt 50 ]; do
		sleep 0.1
		_stop_i=$((_stop_i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}
