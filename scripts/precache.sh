#!/usr/bin/env bash
# Trunk post-build hook: write dist's sw.js from public/sw-template.js with the exact list of
# files this build produced and a version derived from their contents.
set -euo pipefail
staging="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
cd "$staging"
files=$(find . -type f ! -name 'sw.js' ! -name 'sw-template.js' | sed 's|^\./|/|' | sort)
version=$(for f in $files; do sha256sum ".$f"; done | sha256sum | cut -c1-16)
list=$(printf '%s\n' $files | sed 's/.*/  "&",/' | sed '$ s/,$//')
template="$(cat sw-template.js)"
rm -f sw-template.js
precache=$'[\n'"$list"$'\n]'
template="${template/__VERSION__/$version}"
printf '%s\n' "${template/__PRECACHE__/$precache}" > sw.js
echo "precache.sh: sw.js version $version, $(printf '%s\n' $files | wc -l) files"
