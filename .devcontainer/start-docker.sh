#!/bin/sh
# Entry point of the development container: starts a Docker engine inside
# this container, then runs the container's command (by default
# `sleep infinity`, which keeps the container up for the editor).
set -eu

if ! docker info >/dev/null 2>&1; then
  # With cgroup v2, a process may not sit in a cgroup whose controllers are
  # handed down to child cgroups. dockerd creates one child cgroup per
  # container (chapter 01 sets their memory and CPU limits there), so first
  # move this container's processes into a leaf cgroup, then hand every
  # controller down.
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    mkdir -p /sys/fs/cgroup/init
    while read -r pid; do
      echo "$pid" >/sys/fs/cgroup/init/cgroup.procs 2>/dev/null || true
    done </sys/fs/cgroup/cgroup.procs
    for controller in $(cat /sys/fs/cgroup/cgroup.controllers); do
      echo "+$controller" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || true
    done
  fi
  # Detached from this script, so the engine outlives it; its log is kept.
  setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  tries=0
  until docker info >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
      echo "dockerd did not start within 60 s; see /var/log/dockerd.log" >&2
      break
    fi
    sleep 1
  done
fi

exec "$@"
