# Shared by the kernel checks: two namespaces joined by a veth pair, node-1 ($A, 198.18.7.11 on
# va$$) and the master ($B, 198.18.7.10 on vb$$), removed again on every exit path.
# Source it after `set -euo pipefail`; it sets A, B and the trap.
A="nsim-node1-$$"; B="nsim-master-$$"
cleanup() { ip netns del "$A" 2>/dev/null || true; ip netns del "$B" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$A"; ip netns add "$B"
ip link add "va$$" netns "$A" type veth peer name "vb$$" netns "$B"
ip -n "$A" addr add 198.18.7.11/24 dev "va$$"; ip -n "$A" link set "va$$" up; ip -n "$A" link set lo up
ip -n "$B" addr add 198.18.7.10/24 dev "vb$$"; ip -n "$B" link set "vb$$" up; ip -n "$B" link set lo up
