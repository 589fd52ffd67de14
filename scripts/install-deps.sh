#!/bin/sh
# Installs the Debian packages lskel builds and tests with, only those missing.
set -e
PKGS="libbpf-dev libelf-dev zlib1g-dev libcmocka-dev libssl-dev clang llvm bpftool keyutils iproute2 make gcc g++ pkg-config musl-tools strace file libxdp1 libbpf-tools golang-github-cilium-ebpf-dev openssl valgrind qemu-system-x86 busybox-static cpio gnuplot-nox systemtap-sdt-dev"
missing=""
for p in $PKGS; do
	# dpkg-query's "no packages found" for a missing one stays in the variable
	st=$(dpkg-query -W -f='${Status}' "$p" 2>&1) || true
	[ "$st" = "install ok installed" ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
echo "install-deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
