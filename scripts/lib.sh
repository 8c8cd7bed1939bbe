#!/usr/bin/env bash
# Shared by the scripts: install only what is missing, as root or through sudo.

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_pkgs() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

ensure_rust() {
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    if ! command -v cargo >/dev/null 2>&1; then
        say "installing Rust with rustup"
        local msrv
        msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)
        if ! curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs -o /tmp/rustup-init.sh; then
            echo "cannot reach https://sh.rustup.rs to install Rust. Instead:" >&2
            echo "  - a distribution's cargo, if it is Rust $msrv or newer (rustc --version);" >&2
            echo "    Debian 12's is 1.63, too old: use backports or rustup on another network" >&2
            echo "  - or a release tarball of unhunch, which needs no Rust: unpack it and run ./install.sh" >&2
            exit 1
        fi
        sh /tmp/rustup-init.sh -y --profile minimal
        . "$HOME/.cargo/env"
    fi
    if command -v rustup >/dev/null 2>&1; then
        for c in rustfmt clippy; do
            rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
        done
    fi
}

