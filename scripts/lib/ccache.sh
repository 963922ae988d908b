# ccache settings shared by every script that compiles. Sourced, not run.
#
# The cache lives outside the checkout (default ~/.cache/ccache) so that a
# fresh clone on the same machine builds warm. Paths under the checkout are
# made relative, so clones in different directories share hits.
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_BASEDIR=$top
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export CCACHE_COMPILERCHECK=content
# Fixed build identity: the kernel's version string does not change from one
# build to the next, and neither do the objects that include it.
export KBUILD_BUILD_TIMESTAMP="${KBUILD_BUILD_TIMESTAMP:-2026-01-01}"
export KBUILD_BUILD_USER=snp KBUILD_BUILD_HOST=build
