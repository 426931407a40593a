#!/usr/bin/env bash
# Checks that every #include "dir/..." of the library and the programs points down the layering of
# docs/architecture.md:
#
#   examples/ tools/ bench/   level 4
#   train/                    level 3
#   io/                       level 2
#   layers/ optim/            level 1 (siblings: neither includes the other)
#   core/                     level 0
#
# A file may include its own folder and folders of a lower level. Prints one line per include that
# points up or sideways (file:line: the include: why), and one per cycle between folders, then
# exits 1. tests/ and fuzz/ may include anything and are not read.
#
# It also keeps nlohmann/json's full header out of the library's headers: inside core, layers,
# optim, io and train only io/*.cpp may include <nlohmann/json.hpp> (headers that need the type
# in a signature include <nlohmann/json_fwd.hpp>).
#
#   tools/check_layering.sh [root]      # root: the source tree (default: this repository)
#   tools/check_layering.sh --self-test # a tree with bad includes must fail, a clean one pass
set -euo pipefail

declare -A level=([core]=0 [layers]=1 [optim]=1 [io]=2 [train]=3 [examples]=4 [tools]=4 [bench]=4)

check() (
    cd "$1"
    local dirs=() d file line text from to bad=0
    for d in "${!level[@]}"; do [[ -d $d ]] && dirs+=("$d"); done
    declare -A reach=()  # reach["a b"]: folder a includes folder b, directly or through others
    while IFS=: read -r file line text; do
        from=${file%%/*}
        [[ $text =~ \"([^/\"]+)/ ]] && to=${BASH_REMATCH[1]}
        [[ $to == "$from" ]] && continue
        if [[ -z ${level[$to]:-} ]]; then
            echo "$file:$line: $text: $to/ is no folder of the layering"
            bad=1
            continue
        fi
        reach["$from $to"]=1
        if ((level[$to] > level[$from])); then
            echo "$file:$line: $text: points up: $from (level ${level[$from]}) must not include $to (level ${level[$to]})"
            bad=1
        elif ((level[$to] == level[$from])); then
            echo "$file:$line: $text: points sideways: $from and $to are siblings (level ${level[$to]}); neither includes the other"
            bad=1
        fi
    done < <(grep -rnE --include='*.h' --include='*.cpp' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]+/' \
        "${dirs[@]}" | sort -t: -k1,1 -k2,2n)

    while IFS=: read -r file line text; do
        [[ $file == io/*.cpp ]] && continue
        echo "$file:$line: $text: only io/*.cpp may include nlohmann/json.hpp (headers use nlohmann/json_fwd.hpp)"
        bad=1
    done < <(grep -rnE --include='*.h' --include='*.cpp' '^[[:space:]]*#[[:space:]]*include[[:space:]]*<nlohmann/json\.hpp>' \
        $(for d in core layers optim io train; do [[ -d $d ]] && echo "$d"; done) | sort -t: -k1,1 -k2,2n)

    local i j k
    for k in "${dirs[@]}"; do for i in "${dirs[@]}"; do for j in "${dirs[@]}"; do
        [[ -n ${reach["$i $k"]:-} && -n ${reach["$k $j"]:-} ]] && reach["$i $j"]=1
    done; done; done
    for i in "${dirs[@]}"; do for j in "${dirs[@]}"; do
        if [[ $i < $j && -n ${reach["$i $j"]:-} && -n ${reach["$j $i"]:-} ]]; then
            echo "cycle: $i/ and $j/ include each other (directly or through other folders)"
            bad=1
        fi
    done; done
    return $bad
)

self_test() {
    local tmp out
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    mkdir -p "$tmp"/{core,layers,optim,io,train}
    echo '#include "core/a.h"' >"$tmp/layers/b.h"
    echo '#include "layers/b.h"' >"$tmp/train/c.cpp"
    check "$tmp" >/dev/null || { echo "check_layering self-test: a clean tree failed"; return 1; }
    echo '#include "layers/b.h"' >"$tmp/core/a.h"      # up, and a cycle core <-> layers
    echo '#include "layers/b.h"' >"$tmp/optim/d.h"     # sideways
    echo '#include <nlohmann/json.hpp>' >"$tmp/io/e.h" # the full JSON header in a header
    if out=$(check "$tmp"); then echo "check_layering self-test: a bad tree passed"; return 1; fi
    for want in 'core/a.h:1: #include "layers/b.h": points up' 'optim/d.h:1: #include "layers/b.h": points sideways' \
        'cycle: core/ and layers/' 'io/e.h:1: #include <nlohmann/json.hpp>: only io/*.cpp'; do
        [[ $out == *"$want"* ]] || { echo "check_layering self-test: no line with '$want' in:"$'\n'"$out"; return 1; }
    done
}

if [[ ${1:-} == --self-test ]]; then
    self_test
else
    check "${1:-$(dirname "$0")/..}"
fi
