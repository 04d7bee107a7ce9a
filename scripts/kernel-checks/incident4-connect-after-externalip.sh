#!/usr/bin/env bash
# Real-kernel check of incident 4 (externalIP = node-1's IP bound on the master's kube-ipvs0):
# does node-1's connect to the master hang until timeout, or end with EHOSTUNREACH?
# Own namespaces only, addresses in 198.18.0.0/15, cleaned up on every exit path, every wait bounded.
# Run as root: bash scripts/kernel-checks/incident4-connect-after-externalip.sh
# Seen on Linux 6.18 (2026-11-22): "before: connected", then "after: No route to host after 14.4 s"
# and node-1's entry for the master FAILED — with base_reachable_time shortened to 2 s; netsim
# shows the same with the default 30 s (telnet hangs ~18 s, then No route to host).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
ip -n "$B" link add kube-ipvs0 type bridge   # no dummy driver in this kernel; a bridge left down holds local addresses the same way
# Short reachable time on node-1 so the neighbour machinery runs within a minute.
ip netns exec "$A" sysctl -qw net.ipv4.neigh."va$$".base_reachable_time_ms=2000
ip netns exec "$B" timeout 120 python3 -c '
import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("198.18.7.10", 6443)); s.listen(16)
while True:
    c,_=s.accept(); c.close()' &
sleep 0.5
ip netns exec "$A" timeout 10 python3 -c '
import socket; s=socket.create_connection(("198.18.7.10", 6443), timeout=5); print("before: connected")'
ip -n "$B" addr add 198.18.7.11/32 dev kube-ipvs0
echo "bound 198.18.7.11/32 on the master's kube-ipvs0 (down)"
ip netns exec "$A" timeout 150 python3 -c '
import socket, time, errno
t=time.time()
try:
    s=socket.create_connection(("198.18.7.10", 6443), timeout=130); print("after: connected?!")
except OSError as e:
    print("after: %s after %.1f s" % (e.strerror or e, time.time()-t))
' || true
ip -n "$A" neigh show
