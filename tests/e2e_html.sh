#!/bin/sh
# e2e_html.sh - the -o html page of a generated minidump, loaded in headless chromium: no script errors, tree and hex drawn and seen in a screenshot.
# usage: BUILD=build sh tests/e2e_html.sh      (also run by `make e2e`; skipped without chromium)
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. "$ROOT/tests/e2e_lib.sh"
GEN=$BUILD_DIR/tests/gen_minidump
KSY=$ROOT/formats/windows_minidump.ksy
[ -x "$GEN" ] || { echo "e2e-html: $GEN missing (run make)"; exit 1; }

CHROMIUM=
for c in chromium chromium-browser google-chrome; do
    if command -v "$c" >/dev/null 2>&1; then CHROMIUM=$c; break; fi
done

# browse URL ARGS...: headless chromium on URL; its stderr (console included) in $T/console.
browse() {
    url=$1
    shift
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
        --user-data-dir="$T/profile" "$@" "$url" 2>"$T/console"
}

"$GEN" "$T/sample.dmp" || exit 1

check "html: one page, data embedded, nothing loaded from outside"
run -f "$KSY" -o html "$T/sample.dmp"
expect_rc 0
cp "$T/out" "$T/sample.html"
has '<script type="application/json" id="fd-tree">{"_span":{"start":0,"end":32,"io":0},"magic1":"4d444d50"'
has "default-src 'none'"
grep -q '<script[^>]* src=\|<link\|https\?://' "$T/sample.html" && fail "the page refers to something outside"
# The thread list starts at 0xb68: the first thread's suspend_count is at 0xb70.
has '"suspend_count":{"start":8,"end":12,"io":2920}'
done_check

if [ -z "$CHROMIUM" ]; then
    echo "e2e-html: chromium absent, browser checks skipped"
    finish e2e-html
    exit
fi

check "html in chromium: no script error, the tree's rows drawn"
browse "file://$T/sample.html" --dump-dom >"$T/dom"
grep -q 'data-ready="[1-9]' "$T/dom" || fail "the script did not finish: $(head -c 300 "$T/console")"
grep -q 'class="hr"' "$T/dom" || fail "no hex rows"
if grep -q 'CONSOLE' "$T/console"; then fail "console: $(grep CONSOLE "$T/console" | head -3)"; fi
done_check

check "html in chromium: #OFFSET opens the tree at the deepest node of that byte"
browse "file://$T/sample.html#0xb70" --dump-dom >"$T/dom"
grep -q 'suspend_count bytes 2928..2932' "$T/dom" || fail "status: $(grep -o '<header[^<]*' "$T/dom")"
grep -q 'class="b hl">00<' "$T/dom" || fail "no highlighted byte"
if grep -q 'CONSOLE' "$T/console"; then fail "console: $(grep CONSOLE "$T/console" | head -3)"; fi
done_check

check "html in chromium: a screenshot of the two panes"
browse "file://$T/sample.html#0xb70" --screenshot="$T/shot.png" --window-size=1400,900 >/dev/null
[ -s "$T/shot.png" ] || fail "no screenshot"
[ -n "${E2E_HTML_SHOT:-}" ] && cp "$T/shot.png" "$E2E_HTML_SHOT"
# The pixels: header bar, text and the selected row on the left, text and the node's
# highlighted bytes on the right (python3 decodes the PNG; without it only the file is checked).
if command -v python3 >/dev/null 2>&1; then
    python3 "$ROOT/tests/png_panes.py" "$T/shot.png" >"$T/panes" || fail "$(cat "$T/panes")"
else
    echo "     (python3 absent: the screenshot's pixels are not checked)"
fi
done_check

finish e2e-html
