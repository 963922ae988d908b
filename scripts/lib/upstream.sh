# Mainline's KVM selftests from Debian's upstream kernel source packages:
# the pins, the cache and a private apt state. Sourced, not run.
#
# The apt state under the cache knows trixie and trixie-backports; it has
# its own lists, its own package cache and no sources.list.d, so the host's
# apt configuration is neither read for sources nor changed. Only
# "apt-get download" is run with it: nothing is installed.

# The trees and the Debian versions the conformance stage is pinned to.
# When a pinned version is no longer served, the newest one is used and
# upstream-selftests.sh says so.
UPSTREAM_TREES="6.12 7.3"
upstream_pin() {
	case $1 in
	6.12) echo 6.12.117-1 ;;
	7.3) echo 7.3.4-1~bpo13+1 ;;
	*) return 1 ;;
	esac
}

SNP_HOST_CACHE=${SNP_HOST_CACHE:-$HOME/.cache/snp-host}
UPSTREAM_CACHE=$SNP_HOST_CACHE/upstream

# upstream_dir TREE [VERSION]: the cache directory of one built tree
upstream_dir() {
	local v=${2:-$(upstream_pin "$1")}
	echo "$UPSTREAM_CACHE/$v"
}

_upstream_apt_opts() {
	local a=$UPSTREAM_CACHE/apt
	echo "-o Dir::State::Lists=$a/lists -o Dir::Etc::SourceList=$a/sources.list" \
	     "-o Dir::Etc::SourceParts=/dev/null -o Dir::Cache=$a/cache" \
	     "-o Dir::State::status=/dev/null -o APT::Sandbox::User=root"
}

# Refresh the private apt state once per run.
upstream_apt_update() {
	local a=$UPSTREAM_CACHE/apt
	[ -z "${_upstream_apt_updated:-}" ] || return 0
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
	cat > "$a/sources.list" <<-EOT
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
	deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
	EOT
	# shellcheck disable=SC2046
	apt-get -q $(_upstream_apt_opts) update >/dev/null
	_upstream_apt_updated=1
}

# shellcheck disable=SC2046
upstream_apt_get() { apt-get -q $(_upstream_apt_opts) "$@"; }
# shellcheck disable=SC2046
upstream_apt_cache() { apt-cache $(_upstream_apt_opts) "$@"; }
