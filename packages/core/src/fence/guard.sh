#!/bin/sh
# pgwarden fence guard (see docs/fencing.md). A tiny POSIX sh process (dash: ~1 MB RSS),
# started detached by the agent in its own session, so it keeps running when the agent is
# SIGSTOPped or SIGKILLed. While armed it sleeps until the deadline the agent last wrote;
# if no heartbeat moved it by then, it stops the postmaster (fast, then immediate, then
# SIGKILL of its process group) before the leader lock can expire anywhere else.
#
# usage: guard.sh STATE_FILE REPORT_FILE FAST_CS QUIT_CS [IDLE_CS]
# STATE_FILE holds one line, replaced atomically (rename) by the agent:
#   armed DEADLINE_CS PM_PID PM_TICKS AGENT_PID AGENT_TICKS
#   disarmed AGENT_PID AGENT_TICKS
#   exit
# DEADLINE_CS is on the /proc/uptime clock (CLOCK_BOOTTIME) in centiseconds; *_TICKS are
# process start times (field 22 of /proc/PID/stat), so a reused PID is never signalled.
# The agent sends SIGUSR1 when the deadline moves earlier or the state changes.
# Lines appended to REPORT_FILE tell the agent what happened.
set -u
STATE=$1 REPORT=$2 FAST_CS=$3 QUIT_CS=$4
IDLE_CS=${5:-3000} # wake at least this often (a missed signal; the agent gone while disarmed)
WOKE=0
trap 'WOKE=1' USR1

now_cs() { # NOW = CLOCK_BOOTTIME in centiseconds; the kernel prints "%lu.%02lu"
	read -r up _ </proc/uptime
	NOW=$((${up%.*} * 100 + 1${up#*.} - 100))
}

proc_stat() { # PSTATE, PPGRP, PTICKS of pid $1; returns 1 if gone (or a zombie)
	line=
	{ read -r line </proc/"$1"/stat; } 2>/dev/null || return 1
	set -- ${line##*) }
	PSTATE=$1 PPGRP=$3
	shift 19
	PTICKS=$1
	[ "$PSTATE" != Z ] && [ "$PSTATE" != X ]
}

same_proc() { proc_stat "$1" && [ "$PTICKS" = "$2" ]; }

report() { now_cs; echo "$NOW $*" >>"$REPORT"; }

# One `sleep` child lasts at most this long (2 s). If the guard is SIGKILLed, nothing is
# left to kill its child, so a long sleep would linger as an orphan; 2 s steps bound that
# at the cost of one short-lived fork every 2 s while idle (no busy loop).
STEP_CS=200

nap() { # sleep $1 centiseconds unless woken by SIGUSR1, in steps of at most STEP_CS
	now_cs
	nap_end=$((NOW + $1))
	while [ "$WOKE" = 0 ]; do
		now_cs
		step=$((nap_end - NOW))
		[ "$step" -le 0 ] && return
		[ "$step" -gt "$STEP_CS" ] && step=$STEP_CS
		sleep "$((step / 100)).$((step % 100 / 10))$((step % 10))" &
		sp=$!
		# A signal between the test and `wait` is seen after this step (<= 2 s).
		[ "$WOKE" = 1 ] || wait "$sp"
		kill "$sp" 2>/dev/null
	done
}

gone_within() { # wait up to $1 cs for the postmaster to exit (a zombie counts as gone)
	now_cs
	until_cs=$((NOW + $1))
	while same_proc "$PM" "$PM_TICKS"; do
		now_cs
		[ "$NOW" -ge "$until_cs" ] && return 1
		sleep 0.05
	done
}

kill_children() { # SIGKILL each child with its process group: every Postgres child calls
	# setsid(), so a backend is NOT in the postmaster's group and survives `kill -- -PM`.
	for f in /proc/[0-9]*/stat; do
		line=
		{ read -r line <"$f"; } 2>/dev/null || continue
		set -- ${line##*) }
		[ "$2" = "$PM" ] || continue
		p=${f#/proc/}
		p=${p%/stat}
		kill -KILL "-$p" 2>/dev/null
		kill -KILL "$p" 2>/dev/null
	done
}

fire() { # $1 = why
	report "fired $1 deadline=$DEADLINE pm=$PM"
	if ! same_proc "$PM" "$PM_TICKS"; then
		report "done none postmaster-gone"
		exit 0
	fi
	# Fast shutdown: backends end at once (no new commit can be acknowledged), and the
	# walsenders still ship the WAL already written to streaming replicas.
	kill -INT "$PM" 2>/dev/null
	report "signal INT"
	gone_within "$FAST_CS" && { report "done fast"; exit 0; }
	kill -QUIT "$PM" 2>/dev/null
	report "signal QUIT"
	gone_within "$QUIT_CS" && { report "done immediate"; exit 0; }
	# Freeze the postmaster so it forks nothing new, kill its children, then it.
	kill -STOP "$PM" 2>/dev/null
	kill_children
	kill -KILL "-$PM" 2>/dev/null || kill -KILL "$PM" 2>/dev/null
	report "signal KILL"
	gone_within 100
	report "done kill"
	exit 0
}

report "started pid=$$"
while :; do
	WOKE=0
	set -- exit
	{ read -r l <"$STATE"; } 2>/dev/null && set -- $l
	case $1 in
	armed)
		DEADLINE=$2 PM=$3 PM_TICKS=$4
		now_cs
		if [ "$NOW" -ge "$DEADLINE" ]; then
			why=heartbeat-late
			if ! same_proc "$5" "$6"; then why=agent-gone; elif [ "$PSTATE" = T ] || [ "$PSTATE" = t ]; then why=agent-stopped; fi
			fire "$why"
		fi
		left=$((DEADLINE - NOW))
		[ "$left" -gt "$IDLE_CS" ] && left=$IDLE_CS
		nap "$left"
		;;
	disarmed)
		same_proc "$2" "$3" || { report "exit agent-gone"; exit 0; }
		nap "$IDLE_CS"
		;;
	*)
		report "exit requested"
		exit 0
		;;
	esac
done
