#!/bin/sh
# Add Lucy to your applications menu (for the unpacked .tar.gz; the .deb does this itself).
#   ./install-desktop-entry.sh            install for you (~/.local/share)
#   ./install-desktop-entry.sh --remove   take it out again
# It only writes a launcher and icons pointing at this folder; move the folder, run it again.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
desktop="$data/applications/lucy.desktop"
if [ "${1:-}" = "--remove" ]; then
    rm -f "$desktop"
    find "$data/icons/hicolor" -path '*/apps/lucy.*' -delete 2>/dev/null || true
    echo "Removed Lucy's menu entry (your journal is untouched)."
    exit 0
fi
mkdir -p "$data/applications"
for png in "$here"/_internal/resources/icons/hicolor/*/apps/lucy.png; do
    size=$(basename "$(dirname "$(dirname "$png")")")
    mkdir -p "$data/icons/hicolor/$size/apps"
    cp "$png" "$data/icons/hicolor/$size/apps/lucy.png"
done
mkdir -p "$data/icons/hicolor/scalable/apps"
cp "$here/_internal/resources/icons/lucy.svg" "$data/icons/hicolor/scalable/apps/lucy.svg"
sed -e "s|^Exec=.*|Exec=\"$here/lucy\"|" -e "s|^TryExec=.*|TryExec=$here/lucy|" \
    "$here/_internal/resources/lucy.desktop" > "$desktop"
chmod 644 "$desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "Lucy is in your applications menu ($desktop)."
