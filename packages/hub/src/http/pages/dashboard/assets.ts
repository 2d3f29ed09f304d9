/**
 * The dashboard's stylesheet and its one small script, served by the hub itself
 * (`/dashboard/assets/…`): no CDN, no external font, so the strict CSP (`style-src 'self'`,
 * `script-src 'self'`) holds. Colours meet WCAG AA (4.5:1) in light and dark mode.
 */

/** The default accent (links, buttons) in light mode: 6.3:1 on white. */
export const DEFAULT_ACCENT = '#0b57d0'

/** The stylesheet, with the configured accent colour (already checked for contrast). */
export function dashboardCss(accent: string = DEFAULT_ACCENT): string {
  return `:root{color-scheme:light dark;--bg:#ffffff;--fg:#1a1a1a;--muted:#4d4d4d;--line:#c4c4c4;--panel:#f4f5f7;--accent:${accent};--on-accent:#ffffff;--link:${accent};--ok:#137333;--bad:#b3261e;--warn:#7a4d00;--focus:#1a1a1a;--code:#eef0f3}
@media (prefers-color-scheme:dark){:root{--bg:#121212;--fg:#e8e8e8;--muted:#b8b8b8;--line:#5c5c5c;--panel:#1e1f22;--accent:#8ab4f8;--on-accent:#0b0b0b;--link:#8ab4f8;--ok:#81c995;--bad:#f2b8b5;--warn:#fdd663;--focus:#ffffff;--code:#26282c}}
*{box-sizing:border-box}
html{font-size:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;background:var(--bg);color:var(--fg)}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:.5rem}
.skip:focus{left:.5rem}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.75rem 1rem;border-bottom:1px solid var(--line);background:var(--panel)}
header.top .brand{font-weight:700;font-size:1.1rem;margin-right:auto}
nav ul{display:flex;flex-wrap:wrap;gap:.25rem .75rem;list-style:none;margin:0;padding:0}
nav a{display:inline-block;padding:.25rem .1rem}
nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.muted{color:var(--muted)}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:.25rem}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;padding:.5rem;font-weight:600}
th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-top:1px solid var(--line)}
thead th{background:var(--panel)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);border-radius:.2rem}
code{padding:.05rem .25rem;overflow-wrap:anywhere}
td code{white-space:nowrap}
td code.wrap{white-space:normal}
pre{padding:.75rem;overflow:auto;max-height:36rem;font-size:.85rem}
form.inline{display:inline}
form.row,.secret{margin-bottom:1rem}
.stack{display:grid;gap:.75rem;max-width:32rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end}
label{display:block;font-weight:600}
.hint{font-weight:400;color:var(--muted);font-size:.9rem}
input[type=text],input[type=password],input[type=url],input[type=search],select{display:block;width:100%;min-width:12rem;padding:.45rem .5rem;font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--muted);border-radius:.25rem}
fieldset{border:1px solid var(--line);border-radius:.25rem;padding:.5rem .75rem}
fieldset label{display:inline-flex;gap:.35rem;font-weight:400;margin-right:1rem}
button,.button{display:inline-block;font:inherit;padding:.45rem .9rem;border-radius:.25rem;border:1px solid var(--accent);background:var(--accent);color:var(--on-accent);cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:transparent;color:var(--link)}
button.danger{background:var(--bad);border-color:var(--bad);color:var(--bg)}
.notice{border-left:4px solid var(--ok);background:var(--panel);padding:.6rem .8rem;margin:1rem 0}
.notice.error{border-color:var(--bad)}
.status-ACTIVE,.status-SUCCESS,.status-DELIVERED{color:var(--ok);font-weight:600}
.status-FAILED,.status-EXPIRED,.status-ERROR{color:var(--bad);font-weight:600}
.status-PENDING{color:var(--warn);font-weight:600}
.secret{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.secret code{font-size:1rem;padding:.3rem .5rem}
.signin{max-width:26rem;margin:3rem auto}
@media (max-width:40rem){main{padding:.75rem}th,td{padding:.35rem .4rem}}
`
}

/**
 * The script: a copy button next to values shown once (a new key, a webhook secret, the redirect
 * URL). Everything else works without it.
 */
export const DASHBOARD_JS = `'use strict';
document.addEventListener('click', function (e) {
  var b = e.target instanceof Element ? e.target.closest('button[data-copy]') : null;
  if (!b) return;
  var el = document.getElementById(b.getAttribute('data-copy'));
  if (!el || !navigator.clipboard) return;
  navigator.clipboard.writeText(el.textContent || '').then(function () {
    var s = document.getElementById(b.getAttribute('data-copy') + '-status');
    if (s) s.textContent = 'Copied';
  }, function () {});
});
`
