#!/bin/sh
# Installs unhunch into a prefix (default ~/.local; /usr/local as root): the
# binary, man pages, shell completions (bash, zsh, fish), the application
# entry and its icons, the AppStream data; says what it put where, and
# keeps a list of it so that --uninstall takes exactly that out again.
#   install.sh [--prefix DIR] [--bin PATH-TO-unhunch]
#   install.sh [--prefix DIR] --uninstall
# Run from a clone (scripts/setup run does) or from an unpacked release.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# The packaging files are beside this script in a clone (packaging/) and
# in a release tarball (share/ ... laid out the same way under packaging/).
src=$here
if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
bin=
uninstall=false
while [ $# -gt 0 ]; do
    case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --bin) bin=$2; shift 2 ;;
    --uninstall) uninstall=true; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
share=$prefix/share
list=$share/unhunch/installed-files

# Menus and icon themes see what changed (where the tools exist; their
# caches are theirs, made again here, not ours to delete).
refresh() {
    if command -v update-desktop-database >/dev/null 2>&1 && [ -d "$share/applications" ]; then
        update-desktop-database -q "$share/applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -d "$share/icons/hicolor" ]; then
        gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
    fi
}

if $uninstall; then
    if [ ! -f "$list" ]; then
        echo "nothing to uninstall: no $list" >&2
        exit 1
    fi
    n=0
    while IFS= read -r f; do
        if [ -e "$f" ] || [ -L "$f" ]; then rm -f "$f"; n=$((n + 1)); fi
    done < "$list"
    rm -f "$list"
    rmdir "$share/unhunch" 2>/dev/null || true
    refresh
    echo "removed $n files installed under $prefix"
    exit 0
fi

if [ -z "$bin" ]; then
    for b in "$here/bin/unhunch" "$here/../target/release/unhunch"; do
        if [ -x "$b" ]; then bin=$b; break; fi
    done
fi
[ -n "$bin" ] && [ -x "$bin" ] || { echo "install.sh: no unhunch binary found: give --bin PATH" >&2; exit 1; }

mkdir -p "$share/unhunch"
: > "$list.new"
put() { # put MODE SOURCE DEST
    mkdir -p "$(dirname "$3")"
    install -m "$1" "$2" "$3.new"
    mv -f "$3.new" "$3"
    echo "$3" >> "$list.new"
}
id=io.github.unhunch.unhunch

put 755 "$bin" "$prefix/bin/unhunch"
for m in "$src"/man/*.1; do put 644 "$m" "$share/man/man1/$(basename "$m")"; done
put 644 "$src/completions/unhunch.bash" "$share/bash-completion/completions/unhunch"
put 644 "$src/completions/_unhunch" "$share/zsh/site-functions/_unhunch"
put 644 "$src/completions/unhunch.fish" "$share/fish/vendor_completions.d/unhunch.fish"
# The application entry runs the binary just installed, wherever that is.
sed "s|^Exec=unhunch|Exec=$prefix/bin/unhunch|" "$src/xdg/$id.desktop" > "$share/unhunch/$id.desktop"
put 644 "$share/unhunch/$id.desktop" "$share/applications/$id.desktop"
rm -f "$share/unhunch/$id.desktop"
put 644 "$src/appstream/$id.metainfo.xml" "$share/metainfo/$id.metainfo.xml"
put 644 "$src/icons/hicolor/scalable/apps/unhunch.svg" "$share/icons/hicolor/scalable/apps/$id.svg"
for d in "$src"/icons/hicolor/*x*; do
    size=$(basename "$d")
    put 644 "$d/apps/unhunch.png" "$share/icons/hicolor/$size/apps/$id.png"
done
for k in stand neck decompress massage meditate wind-down; do
    put 644 "$src/icons/kinds/$k.svg" "$share/icons/hicolor/scalable/apps/$id-$k.svg"
done
mv -f "$list.new" "$list"

refresh

cat <<EOF
installed unhunch under $prefix:
  the program         $prefix/bin/unhunch
  man pages           $share/man/man1/unhunch.1 and one per command (man unhunch)
  completions         bash, zsh and fish, under $share
  application entry   $share/applications/$id.desktop, with its icons
  the list of files   $list  (install.sh --prefix $prefix --uninstall takes them out)
EOF
case ":$PATH:" in
*":$prefix/bin:"*) ;;
*) echo "$prefix/bin is not on your PATH: add  export PATH=\"$prefix/bin:\$PATH\"  to ~/.profile" ;;
esac
