#!/usr/bin/env bash
# Real-kernel check of incident 4's second variant: the master's IP bound on node-1's kube-ipvs0.
# Expect: node-1's connect to the master is refused at once (its own stack), and the master's ping
# to node-1 ends in "Destination Host Unreachable" (its ARP requests are martians on node-1).
# Own namespaces only, addresses in 198.18.0.0/15, cleaned up on every exit path, every wait bounded.
# Run as root: bash scripts/kernel-checks/incident4-master-ip-on-node.sh (needs iputils-ping)
# Seen on Linux 6.18 (2026-11-22): "node-1 connect: Connection refused after 0.004 s", then five
# "From 198.18.7.10 icmp_seq=N Destination Host Unreachable" and the master's entry FAILED.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
ip -n "$A" link add kube-ipvs0 type bridge   # stands in for the dummy: a down device holding local addresses
ip netns exec "$B" timeout 60 python3 -c '
import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("198.18.7.10", 6443)); s.listen(16)
while True:
    c,_=s.accept(); c.close()' &
sleep 0.5
ip -n "$A" addr add 198.18.7.10/32 dev kube-ipvs0
ip netns exec "$A" timeout 10 python3 -c '
import socket, time
t=time.time()
try:
    socket.create_connection(("198.18.7.10", 6443), timeout=5); print("node-1 connect: connected (to itself?)")
except OSError as e:
    print("node-1 connect: %s after %.3f s" % (e.strerror or e, time.time()-t))
'
ip netns exec "$B" timeout 20 ping -c 5 -i 1 198.18.7.11 2>&1 | grep -E "Unreachable|transmitted" || true
ip -n "$B" neigh show
