#!/usr/bin/env bash
# Installs workflowd: the binaries, the systemd units (system and user), the sysusers.d entry,
# the man pages, the shell completions and the example definitions.
#
#   Contrib/install.sh [--prefix P] [--root DIR] [--bin-dir DIR]
#
#   --prefix P     where binaries and data go (default /usr/local); the units' ExecStart= and
#                  ExecReload= are rewritten to P/bin
#   --root DIR     install into DIR as if it were / (packaging, tests); nothing is started
#   --bin-dir DIR  take workflowd and wfctl from DIR instead of building them (swift build -c release
#                  --static-swift-stdlib: binaries that run where no Swift toolchain is)
#
# Afterwards (as root, without --root): systemd-sysusers, systemctl daemon-reload,
# systemctl enable --now workflowd.socket, and add users to the workflowd group.
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=/usr/local
root=""
bin_dir=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$2"; shift 2 ;;
        --root) root="${2%/}"; shift 2 ;;
        --bin-dir) bin_dir="$2"; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done
case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be absolute" >&2; exit 64 ;; esac

if [ -z "$bin_dir" ]; then
    swift build -c release --static-swift-stdlib --product workflowd
    swift build -c release --static-swift-stdlib --product wfctl
    bin_dir="$(swift build -c release --static-swift-stdlib --show-bin-path)"
fi
for binary in workflowd wfctl; do
    [ -x "$bin_dir/$binary" ] || { echo "install.sh: $bin_dir/$binary is not built" >&2; exit 66; }
    # A binary that needs the Swift toolchain's libraries would not start where there is none.
    if ldd "$bin_dir/$binary" 2>/dev/null | grep -q "libswiftCore"; then
        echo "install.sh: $bin_dir/$binary needs the Swift runtime's shared libraries; build it with --static-swift-stdlib" >&2
        exit 65
    fi
done

units="$root$prefix/lib/systemd/system"
user_units="$root$prefix/lib/systemd/user"
rewrite() {  # unit file -> destination, with the binaries' paths under the prefix
    sed -e "s#/usr/local/bin/workflowd#$prefix/bin/workflowd#g" -e "s#/usr/local/bin/wfctl#$prefix/bin/wfctl#g" "$1" > "$2"
    chmod 0644 "$2"
}

install -d "$root$prefix/bin" "$units" "$user_units" "$root$prefix/lib/sysusers.d" "$root$prefix/share/man/man1" \
    "$root$prefix/share/bash-completion/completions" "$root$prefix/share/zsh/site-functions" \
    "$root$prefix/share/fish/vendor_completions.d" "$root$prefix/share/doc/workflowd" "$root/etc/workflowd"
install -m 0755 "$bin_dir/workflowd" "$bin_dir/wfctl" "$root$prefix/bin/"
rewrite systemd/workflowd.socket "$units/workflowd.socket"
rewrite systemd/workflowd.service "$units/workflowd.service"
rewrite systemd/workflowd-metrics.socket "$units/workflowd-metrics.socket"
rewrite systemd/user/workflowd.socket "$user_units/workflowd.socket"
rewrite systemd/user/workflowd.service "$user_units/workflowd.service"
install -m 0644 systemd/sysusers.d/workflowd.conf "$root$prefix/lib/sysusers.d/workflowd.conf"
install -m 0644 Contrib/man/wfctl.1 Contrib/man/workflowd.1 "$root$prefix/share/man/man1/"
install -m 0644 Contrib/completions/wfctl.bash "$root$prefix/share/bash-completion/completions/wfctl"
install -m 0644 Contrib/completions/_wfctl "$root$prefix/share/zsh/site-functions/_wfctl"
install -m 0644 Contrib/completions/wfctl.fish "$root$prefix/share/fish/vendor_completions.d/wfctl.fish"
install -m 0644 systemd/examples/network.conf Contrib/docs/protocol.md Contrib/openrpc.json "$root$prefix/share/doc/workflowd/"

# The example definitions, only where no definitions are installed yet (never over an operator's).
definitions="$root/etc/workflowd/workflows.d"
if [ ! -d "$definitions" ] || [ -z "$(ls -A "$definitions")" ]; then
    install -d "$definitions"
    cp -R Contrib/examples/. "$definitions/"
    chmod -R u=rwX,go=rX "$definitions"
    echo "installed the example definitions in $definitions"
else
    echo "kept the definitions in $definitions (examples not copied)"
fi

echo "installed workflowd into ${root:-/}${root:+ }(prefix $prefix)"
if [ -z "$root" ]; then
    cat <<NEXT
next, as root:
  systemd-sysusers $prefix/lib/sysusers.d/workflowd.conf
  systemctl daemon-reload
  systemctl enable --now workflowd.socket
  usermod -aG workflowd <user>      # who may use wfctl
NEXT
fi
