/* emit_html.c - the HTML writer: one self-contained page, the tree beside a hex view of the file's bytes. */
#include "emit.h"

#include "interp.h"
#include "value.h"

/*
 * The page holds everything it shows, and its Content-Security-Policy lets
 * it load nothing: three data elements and one script.
 *   fd-meta   {"id": TYPE, "size": FILE SIZE, "window": BYTES EMBEDDED}
 *   fd-tree   the JSON tree with spans (see emit_json.c), compact; its strings
 *             escape < > & so nothing in the data can close the element
 *   fd-bytes  base64 of the file's first `window` bytes (fd_emit_opts.html_window,
 *             default 1 MiB): nodes past it, or in processed bytes, show no hex
 * Clicking a node selects its bytes; clicking a byte opens the tree at the
 * deepest node covering it (the one with the smallest range, when instances
 * elsewhere cover it too), as does PAGE#OFFSET (decimal or 0x hex).
 * The tree is written under the output budget like JSON; the bytes are
 * written first and take at most half of the budget.
 */

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
    "<title>fmtdump: ";

static const char html_style[] =
    "</title>\n<style>\n"
    "body{margin:0;font:13px/1.4 monospace;color:#222;background:#fafafa}\n"
    "header{padding:6px 10px;background:#234;color:#fff}\n"
    "main{display:flex;height:calc(100vh - 32px)}\n"
    "#tree{flex:1 1 50%;overflow:auto;padding:4px 8px;border-right:1px solid #ccc}\n"
    "#hex{flex:1 1 50%;overflow:auto;position:relative}\n"
    ".row{white-space:pre;cursor:pointer}.row:hover{background:#eef}\n"
    ".row.sel{background:#cde}.k{color:#246}.err{color:#b00}\n"
    ".hl{background:#fd6}.ho{color:#888}.hr{position:absolute;left:8px;white-space:pre;height:18px}\n"
    ".b{cursor:pointer}.b:hover{outline:1px solid #888}\n"
    "</style>\n</head>\n<body>\n<header id=\"status\">fmtdump</header>\n"
    "<main><div id=\"tree\"></div><div id=\"hex\"><div id=\"hexin\"></div></div></main>\n";

/* Everything after the data: the script and the end of the page. */
static const char html_tail[] =
    "<script>\n"
    "'use strict';\n"
    "const $ = (id) => document.getElementById(id);\n"
    "const meta = JSON.parse($('fd-meta').textContent);\n"
    "const root = JSON.parse($('fd-tree').textContent);\n"
    "const bytes = Uint8Array.from(atob($('fd-bytes').textContent.trim()), (ch) => ch.charCodeAt(0));\n"
    "const ROWH = 18, CHUNK = 500;\n"
    "let sel = null, selRow = null, nrows = 0;\n"
    "\n"
    "// A node: {name, value, span}; span is where its bytes are, when known.\n"
    "const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);\n"
    "// An error value is {_error: {...}} alone; a partial struct has fields beside it.\n"
    "const isErr = (v) => isObj(v) && v._error !== undefined && Object.keys(v).length === 1;\n"
    "function range(n) {\n"
    "  const sp = n.span || (isObj(n.value) ? n.value._span : null);\n"
    "  return sp && sp.io !== null ? [sp.io + sp.start, sp.io + sp.end] : null;\n"
    "}\n"
    "function children(n) {\n"
    "  const v = n.value;\n"
    "  if (Array.isArray(v)) {\n"
    "    const items = (n.span && n.span.items) || [];\n"
    "    return v.map((x, i) => ({name: '[' + i + ']', value: x, span: items[i] || null}));\n"
    "  }\n"
    "  if (!isObj(v) || isErr(v)) return [];\n"
    "  const spans = v._spans || {}, shown = ['_error', '_cycle', '_depth_limit', '_node_limit'];\n"
    "  return Object.keys(v).filter((k) => k[0] !== '_' || shown.includes(k)).map((k) =>\n"
    "      ({name: k, value: k === '_error' ? {_error: v[k]} : v[k], span: spans[k] || null}));\n"
    "}\n"
    "function summary(n) {\n"
    "  const v = n.value;\n"
    "  if (Array.isArray(v)) return '[' + v.length + ']';\n"
    "  if (isErr(v)) return v._error.kind + ': ' + v._error.message;\n"
    "  if (isObj(v)) return '{' + children(n).length + '}';\n"
    "  const s = JSON.stringify(v);\n"
    "  return s.length > 80 ? s.slice(0, 77) + '...' : s;\n"
    "}\n"
    "\n"
    "// Tree rows are built when their parent opens, CHUNK at a time.\n"
    "function makeRow(n, depth) {\n"
    "  const row = document.createElement('div');\n"
    "  row.className = 'row';\n"
    "  row.style.paddingLeft = depth * 14 + 'px';\n"
    "  const kids = children(n);\n"
    "  const key = document.createElement('span');\n"
    "  key.className = 'k';\n"
    "  key.textContent = (kids.length ? '+ ' : '  ') + n.name;\n"
    "  const val = document.createElement('span');\n"
    "  val.textContent = ' ' + summary(n);\n"
    "  if (isErr(n.value)) val.className = 'err';\n"
    "  row.append(key, val);\n"
    "  row.node = n; row.depth = depth; row.kids = kids; row.box = null; row.key = key;\n"
    "  row.onclick = () => { select(row); toggle(row); };\n"
    "  nrows++;\n"
    "  return row;\n"
    "}\n"
    "function fill(row, upto) {\n"
    "  while (row.box.shown < Math.min(upto, row.kids.length)) {\n"
    "    const end = Math.min(row.box.shown + CHUNK, row.kids.length);\n"
    "    for (let i = row.box.shown; i < end; i++) row.box.append(makeRow(row.kids[i], row.depth + 1));\n"
    "    row.box.shown = end;\n"
    "  }\n"
    "  if (row.box.more) row.box.more.remove();\n"
    "  row.box.more = null;\n"
    "  if (row.box.shown < row.kids.length) {\n"
    "    const more = document.createElement('div');\n"
    "    more.className = 'row k';\n"
    "    more.style.paddingLeft = (row.depth + 1) * 14 + 'px';\n"
    "    more.textContent = '... ' + (row.kids.length - row.box.shown) + ' more';\n"
    "    more.onclick = () => fill(row, row.box.shown + CHUNK);\n"
    "    row.box.append(more);\n"
    "    row.box.more = more;\n"
    "  }\n"
    "}\n"
    "function expand(row, upto) {\n"
    "  if (!row.kids.length) return;\n"
    "  if (!row.box) {\n"
    "    row.box = document.createElement('div');\n"
    "    row.box.shown = 0;\n"
    "    row.after(row.box);\n"
    "  }\n"
    "  row.box.hidden = false;\n"
    "  row.key.textContent = '- ' + row.node.name;\n"
    "  fill(row, Math.max(upto, CHUNK));\n"
    "}\n"
    "function toggle(row) {\n"
    "  if (row.box && !row.box.hidden) {\n"
    "    row.box.hidden = true;\n"
    "    row.key.textContent = '+ ' + row.node.name;\n"
    "  } else {\n"
    "    expand(row, CHUNK);\n"
    "  }\n"
    "}\n"
    "function select(row) {\n"
    "  if (selRow) selRow.classList.remove('sel');\n"
    "  selRow = row;\n"
    "  row.classList.add('sel');\n"
    "  sel = range(row.node);\n"
    "  const where = sel ? ' bytes ' + sel[0] + '..' + sel[1] +\n"
    "      (sel[0] < bytes.length ? '' : ' (past the embedded window)') : ' no bytes in the file';\n"
    "  $('status').textContent = 'fmtdump ' + meta.id + ': ' + row.node.name + where;\n"
    "  if (sel && sel[0] < bytes.length) $('hex').scrollTop = Math.floor(sel[0] / 16) * ROWH - 2 * ROWH;\n"
    "  drawHex();\n"
    "}\n"
    "\n"
    "// The node whose bytes cover off most closely: the smallest range, then\n"
    "// the deepest (in a tree of nested ranges, the deepest node).  Every\n"
    "// subtree is searched, as instances point anywhere.  Returns\n"
    "// {path: child indices, size} or null.\n"
    "function locate(n, off, depth) {\n"
    "  let best = null;\n"
    "  if (depth > 600) return best;\n"
    "  children(n).forEach((k, i) => {\n"
    "    const r = range(k), sub = locate(k, off, depth + 1);\n"
    "    let got = sub ? {path: [i].concat(sub.path), size: sub.size} : null;\n"
    "    if (!got && r && off >= r[0] && off < r[1]) got = {path: [i], size: r[1] - r[0]};\n"
    "    if (got && (!best || got.size < best.size ||\n"
    "        (got.size === best.size && got.path.length > best.path.length))) best = got;\n"
    "  });\n"
    "  return best;\n"
    "}\n"
    "function reveal(off) {\n"
    "  let row = $('tree').firstChild;\n"
    "  const found = locate(row.node, off, 0);\n"
    "  for (const i of found ? found.path : []) {\n"
    "    expand(row, i + 1);\n"
    "    row = row.box.children[i];\n"
    "  }\n"
    "  select(row);\n"
    "  row.scrollIntoView({block: 'center'});\n"
    "}\n"
    "\n"
    "// The hex view draws only the rows in sight.\n"
    "const hex2 = (b) => (b < 16 ? '0' : '') + b.toString(16);\n"
    "function drawHex() {\n"
    "  const box = $('hex'), inner = $('hexin');\n"
    "  inner.style.height = Math.ceil(bytes.length / 16) * ROWH + 'px';\n"
    "  const first = Math.floor(box.scrollTop / ROWH), last = first + Math.ceil(box.clientHeight / ROWH) + 1;\n"
    "  inner.textContent = '';\n"
    "  for (let r = first; r <= last && r * 16 < bytes.length; r++) {\n"
    "    const line = document.createElement('div');\n"
    "    line.className = 'hr';\n"
    "    line.style.top = r * ROWH + 'px';\n"
    "    const o = document.createElement('span');\n"
    "    o.className = 'ho';\n"
    "    o.textContent = (r * 16).toString(16).padStart(8, '0') + '  ';\n"
    "    line.append(o);\n"
    "    let text = '';\n"
    "    for (let k = r * 16; k < Math.min(r * 16 + 16, bytes.length); k++) {\n"
    "      const b = document.createElement('span');\n"
    "      b.className = 'b' + (sel && k >= sel[0] && k < sel[1] ? ' hl' : '');\n"
    "      b.textContent = hex2(bytes[k]);\n"
    "      b.onclick = () => reveal(k);\n"
    "      line.append(b, ' ');\n"
    "      text += bytes[k] >= 32 && bytes[k] < 127 ? String.fromCharCode(bytes[k]) : '.';\n"
    "    }\n"
    "    line.append(' ' + text);\n"
    "    inner.append(line);\n"
    "  }\n"
    "}\n"
    "\n"
    "const rootRow = makeRow({name: meta.id, value: root, span: null}, 0);\n"
    "$('tree').append(rootRow);\n"
    "expand(rootRow, CHUNK);\n"
    "$('hex').onscroll = drawHex;\n"
    "window.onresize = drawHex;\n"
    "drawHex();\n"
    "$('status').textContent = 'fmtdump ' + meta.id + ': ' + meta.size + ' bytes, ' + meta.window +\n"
    "    ' shown in hex';\n"
    "// page.html#0x40 opens the tree at the node holding byte 0x40.\n"
    "const want = /^#(0x[0-9a-fA-F]+|[0-9]+)$/.exec(location.hash);\n"
    "if (want) reveal(Number(want[1]));\n"
    "document.body.dataset.ready = String(nrows);\n"
    "</script>\n</body>\n</html>\n";

/* Text for HTML outside the data: & < > " escaped. */
static void html_text(fd_emit_ctx *c, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fd_emit_puts(c, "&amp;"); break;
        case '<': fd_emit_puts(c, "&lt;"); break;
        case '>': fd_emit_puts(c, "&gt;"); break;
        case '"': fd_emit_puts(c, "&quot;"); break;
        default: fd_emit_putc(c, *s);
        }
    }
}

static void html_base64(fd_emit_ctx *c, const uint8_t *p, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t x = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            x |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            x |= p[i + 2];
        char q[4] = {b64[x >> 18], b64[(x >> 12) & 63], i + 1 < n ? b64[(x >> 6) & 63] : '=',
                     i + 2 < n ? b64[x & 63] : '='};
        fd_emit_put(c, q, 4);
        /* Lines of 76 characters keep the page readable in an editor. */
        if (i % 57 == 54)
            fd_emit_putc(c, '\n');
    }
}

void fd_emit_html(fd_emit_ctx *c, fd_value v, const fd_emit_opts *opts)
{
    const uint8_t *data = NULL;
    uint64_t size = 0;
    if (fd_value_kind(v) == FD_STRUCT) {
        const fd_doc *doc = fd_v_as_obj(v)->doc;
        data = doc->data;
        size = doc->size;
    }
    if (!c->max_output)
        c->max_output = fd_emit_budget_for(v);
    uint64_t window = opts->html_window ? opts->html_window : FD_EMIT_HTML_WINDOW;
    if (window > size)
        window = size;
    /* Base64 takes 4/3 and a newline per 57 bytes: half the budget at most. */
    if (c->max_output && window > c->max_output / 4)
        window = c->max_output / 4;
    const char *id = fd_value_kind(v) == FD_STRUCT ? fd_struct_type_name(v) : NULL;
    if (!id)
        id = "value";

    fd_emit_puts(c, html_head);
    html_text(c, id);
    fd_emit_puts(c, html_style);
    fd_emit_json_html(c);
    fd_emit_puts(c, "<script type=\"application/json\" id=\"fd-meta\">{\"id\":");
    fd_emit_json_string(c, id, strlen(id));
    fd_emit_puts(c, ",\"size\":");
    fd_emit_u64(c, size);
    fd_emit_puts(c, ",\"window\":");
    fd_emit_u64(c, window);
    fd_emit_puts(c, "}</script>\n<script type=\"text/plain\" id=\"fd-bytes\">\n");
    html_base64(c, data, (size_t)window);
    fd_emit_puts(c, "\n</script>\n<script type=\"application/json\" id=\"fd-tree\">");
    fd_emit_layout(c, 1, 0, sizeof html_tail + 16);
    fd_emit_json_body(c, v, true, true);
    fd_emit_puts(c, "</script>\n");
    fd_emit_puts(c, html_tail);
}
