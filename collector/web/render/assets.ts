import { createHash } from 'node:crypto';

/**
 * The pages' only stylesheet and script, served from the collector (schools filter the internet, so nothing
 * comes from a CDN). Colours meet WCAG 2.1 AA contrast (4.5:1) on white; the layout is one column on a phone.
 */
const CSS = `
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;font-size:100%;line-height:1.5;color:#1b1b1b;background:#f6f7f9}
body{margin:0}
a{color:#0b4fa8}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:2}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.top{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.6rem 1rem;background:#16324f;color:#fff}
.top a,.top button{color:#fff}
.brand{font-weight:700;letter-spacing:.02em}
main{max-width:72rem;margin:0 auto;padding:1rem}
main:focus{outline:none}
h1{font-size:1.6rem;margin:.5rem 0 .25rem}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
.muted{color:#4a4f55}
.panel{background:#fff;border:1px solid #d5d9de;border-radius:.5rem;padding:1rem;margin:.5rem 0}
.alert-box{background:#fff4f2;border-color:#c0392b}
.services{list-style:none;margin:0;padding:0;display:grid;gap:.75rem;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr))}
.services li{background:#fff;border:1px solid #d5d9de;border-left-width:.5rem;border-radius:.5rem;padding:.75rem 1rem}
.services .name{font-weight:700;display:block}
.services .detail,.services .since{display:block;font-size:.9rem;color:#4a4f55}
.badge{display:inline-block;font-weight:700;border-radius:1rem;padding:.05rem .6rem;font-size:.9rem}
.s-working,.s-up,.s-online{background:#dff3e4;color:#0e5a25}
.s-slow,.s-degraded{background:#fff0cc;color:#6b4500}
.s-not-working,.s-down,.s-offline{background:#fde2df;color:#9b1c10}
.s-maintenance,.s-unreachable{background:#e3e9f7;color:#23407a}
.s-unknown,.s-never{background:#eceef0;color:#3c4146}
li.b-working{border-left-color:#2e8b4a}li.b-slow{border-left-color:#c98a00}li.b-not-working{border-left-color:#c0392b}
li.b-maintenance{border-left-color:#4a6bb5}li.b-unknown{border-left-color:#8a9096}
table{border-collapse:collapse;width:100%;background:#fff}
caption{text-align:left;font-weight:700;padding:.25rem 0}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e1e4e8;vertical-align:top}
th{background:#eef1f4}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.table-wrap{overflow-x:auto}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:.5rem 0 1rem}
label{display:block;font-weight:600;font-size:.9rem}
input,select,textarea,button{font:inherit;padding:.4rem .5rem;border:1px solid #6b7178;border-radius:.3rem;background:#fff;color:#1b1b1b}
textarea{display:block;width:100%;max-width:40rem;box-sizing:border-box}
button{background:#0b4fa8;color:#fff;border-color:#0b4fa8;cursor:pointer}
button.link{background:none;border:none;text-decoration:underline;padding:0}
.login{max-width:24rem;margin:3rem auto}
.login input{width:100%;margin-bottom:.75rem}
.error{color:#9b1c10;font-weight:600}
.figures{margin:0;padding:0;list-style:none;font-size:.9rem}
.note{border-left:.25rem solid #4a6bb5;padding-left:.5rem;margin:.25rem 0}
@media (max-width:40rem){th,td{padding:.35rem .4rem}h1{font-size:1.35rem}.hide-small{display:none}}
`;

/**
 * Live updates without a reload: every data-refresh seconds, the page asks for its own address with
 * "X-Fragment: 1" and swaps in the new <main>. It waits while the tab is hidden or while someone is typing in a
 * form (checked again when the answer arrives: a fetch begun before the typing must not wipe what was typed),
 * and tells screen readers only when the overall state changed.
 */
const JS = `(function(){
var b=document.body,s=Number(b.getAttribute('data-refresh'));if(!s)return;
var busy=false;
function typing(){var a=document.activeElement;return a&&a.closest&&a.closest('main form')!==null&&a!==document.body;}
function tick(){if(busy||document.hidden||typing())return;busy=true;
fetch(location.pathname+location.search,{headers:{'X-Fragment':'1'},credentials:'same-origin',cache:'no-store'}).then(function(r){
if(r.redirected||!r.ok)return null;return r.text();}).then(function(t){if(t===null)return;
if(typing())return;var m=document.getElementById('main');var n=new DOMParser().parseFromString(t,'text/html').getElementById('main');if(!n||!m)return;
var before=m.getAttribute('data-overall');m.innerHTML=n.innerHTML;var after=n.getAttribute('data-overall');
if(after!==null){m.setAttribute('data-overall',after);if(before!==null&&before!==after){var a=document.getElementById('announce');if(a)a.textContent='Status changed: '+after;}}
}).catch(function(){}).then(function(){busy=false;});}
setInterval(tick,s*1000);})();
`;

const etag = (s: string) => `"${createHash('sha256').update(s).digest('base64url').slice(0, 16)}"`;

/**
 * The stylesheet goes inline in each page (one round trip fewer before the first paint), allowed by its hash in
 * the CSP (CSP Level 2 hash-source): no other inline style can apply.
 */
export const INLINE_CSS = CSS;
export const CSS_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

export const ASSETS: ReadonlyMap<string, { body: string; type: string; etag: string }> = new Map([
  ['app.css', { body: CSS, type: 'text/css; charset=utf-8', etag: etag(CSS) }],
  ['live.js', { body: JS, type: 'text/javascript; charset=utf-8', etag: etag(JS) }],
]);
