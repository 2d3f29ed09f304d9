/**
 * The Connect page's stylesheet, served at `/connect/assets/connect.css` (no CDN, no web font:
 * the system font stack). Colours meet WCAG AA in light and dark (`prefers-color-scheme`); the
 * accent colour comes from the tenant's branding through `--accent`.
 */
export const CONNECT_CSS = `:root{--accent:#0b57d0;--bg:#ffffff;--fg:#1f1f1f;--muted:#4a4a4a;--line:#8a8a8a;--card:#f6f7f9;--error:#b3261e;--error-bg:#fdecea;--focus:#1a1a1a;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#141414;--fg:#ececec;--muted:#c4c4c4;--line:#8f8f8f;--card:#1f2023;--error:#ffb4ab;--error-bg:#3b1512;--focus:#ffffff}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:40rem;padding:1rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
h1{font-size:1.5rem;margin:.5rem 0}
a{color:inherit}
.brand{display:flex;align-items:center;gap:.5rem;font-weight:600;padding:.25rem 0 1rem}
.brand-logo{border-radius:4px}
.muted,.hint{color:var(--muted)}
.hint{margin:.1rem 0 .35rem;font-size:.9rem}
.cards{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}
.card{display:flex;gap:.75rem;align-items:center;padding:.75rem;border:1px solid var(--line);border-radius:8px;background:var(--card);text-decoration:none;min-height:44px}
.card:hover{border-color:var(--fg)}
.card-text{display:flex;flex-direction:column;min-width:0}
.card-name{font-weight:600}
.card-desc{color:var(--muted);font-size:.9rem;overflow-wrap:anywhere}
.logo{flex:none;display:inline-flex;align-items:center;justify-content:center;width:2.25rem;height:2.25rem;border-radius:6px;background:var(--accent);color:#fff;font-weight:700}
.field{margin:1rem 0}
.field label{display:block;font-weight:600}
.field.check{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.field.check .hint{flex-basis:100%}
input[type=text],input[type=password],input[type=number],input[type=search]{width:100%;padding:.6rem;font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;min-height:44px}
.req{color:var(--error)}
button{font:inherit;min-height:44px;padding:.6rem 1.2rem;border-radius:6px;cursor:pointer}
button.primary{background:var(--accent);color:#fff;border:1px solid var(--accent);font-weight:600}
button.secondary{background:transparent;color:var(--fg);border:1px solid var(--line)}
button[disabled]{opacity:.7;cursor:progress}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.error:not(:empty){color:var(--error);background:var(--error-bg);border:1px solid var(--error);border-radius:6px;padding:.75rem;margin:1rem 0;overflow-wrap:anywhere}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.done{font-size:1.1rem}
footer{margin-top:2rem;font-size:.85rem}
[hidden]{display:none!important}
`
