import type { OpenApiDocument } from "./buildOpenApiDocument.ts";

/**
 * The browsable API reference (`GET /docs`): one self-contained HTML page (inline CSS and JS, no CDN) with
 * the OpenAPI document embedded, rendering the routes grouped by tag with their parameters, body and
 * response schemas, examples (given, or made up from the schema) and a curl line, plus every shared schema.
 *
 * @example
 * return c.html(renderDocsPage(document));
 */
export function renderDocsPage(document: OpenApiDocument): string {
  // `<` escaped so no string in the document can close the script element.
  const embedded = JSON.stringify(document).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(document.info.title)} reference</title>
<style>${CSS}</style>
</head>
<body>
<nav id="nav"><h1>${escapeHtml(document.info.title)}</h1><p class="muted">v${escapeHtml(document.info.version)} · <a href="/openapi.json">openapi.json</a></p>
<input id="filter" type="search" placeholder="Filter routes…" aria-label="Filter routes"><div id="toc"></div></nav>
<main id="main"><noscript>This page renders /openapi.json with JavaScript.</noscript></main>
<script type="application/json" id="openapi">${embedded}</script>
<script>${JS}</script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d232b;display:flex;background:#fafbfc}
nav{width:300px;height:100vh;position:sticky;top:0;overflow:auto;padding:16px;border-right:1px solid #e2e6ea;background:#fff;flex:none}
nav h1{font-size:18px;margin:0}nav input{width:100%;padding:6px 8px;margin:8px 0;border:1px solid #ccd3da;border-radius:6px}
nav h3{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#68717a;margin:14px 0 4px}
nav a.op{display:flex;gap:6px;align-items:baseline;padding:2px 4px;border-radius:4px;color:inherit;text-decoration:none;font-size:13px}
nav a.op:hover{background:#eef2f6}nav a.op code{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
main{flex:1;min-width:0;padding:24px 32px;max-width:1100px}
section.tag>h2{border-bottom:2px solid #e2e6ea;padding-bottom:4px;margin-top:32px;text-transform:capitalize}
.operation{background:#fff;border:1px solid #e2e6ea;border-radius:8px;margin:16px 0;padding:12px 16px}
.operation h4{margin:0;display:flex;gap:8px;align-items:center;flex-wrap:wrap;font-size:15px}
.m{font:bold 11px/1 ui-monospace,monospace;padding:4px 6px;border-radius:4px;color:#fff;text-transform:uppercase;min-width:48px;text-align:center}
.m.get{background:#2f7d32}.m.post{background:#1565c0}.m.put{background:#b26a00}.m.patch{background:#6a1b9a}.m.delete{background:#c62828}
.lock{font-size:11px;background:#fff3cd;color:#7a5b00;border:1px solid #f0d98c;border-radius:10px;padding:1px 8px}
.muted{color:#68717a}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
pre{background:#0f1720;color:#e6edf3;padding:10px 12px;border-radius:6px;overflow:auto;max-height:420px}
table{border-collapse:collapse;width:100%;margin:6px 0}td,th{border-bottom:1px solid #eef0f2;padding:4px 6px;text-align:left;vertical-align:top}
th{font-size:12px;color:#68717a;font-weight:600}
h5{margin:12px 0 4px;font-size:13px}.status{font-weight:bold}.s2{color:#2f7d32}.s4{color:#b26a00}.s5{color:#c62828}
.schema{font-family:ui-monospace,monospace;font-size:12.5px}.schema ul{list-style:none;margin:0;padding-left:16px;border-left:1px dotted #ccd3da}
.schema .t{color:#6a1b9a}.schema .req{color:#c62828}.schema .d{color:#68717a;font-family:system-ui,sans-serif}
details>summary{cursor:pointer;color:#1565c0;margin:4px 0}a{color:#1565c0}.hidden{display:none}
h4 code,td,.schema{overflow-wrap:anywhere}pre{white-space:pre-wrap;overflow-wrap:anywhere}
@media (max-width:760px){body{display:block}nav{width:auto;height:auto;max-height:45vh;position:static;border-right:0;border-bottom:1px solid #e2e6ea}main{padding:16px 12px}.operation{padding:10px}}
`;

// Plain ES2017 so every browser runs it; reads the embedded document, builds the DOM with textContent only.
const JS = `
(function(){
var doc=JSON.parse(document.getElementById('openapi').textContent);
var schemas=(doc.components&&doc.components.schemas)||{};
function el(tag,attrs,children){var e=document.createElement(tag);attrs=attrs||{};for(var k in attrs){if(k==='text')e.textContent=attrs[k];else if(k==='cls')e.className=attrs[k];else e.setAttribute(k,attrs[k]);}
(children||[]).forEach(function(c){if(c!=null)e.appendChild(typeof c==='string'?document.createTextNode(c):c);});return e;}
function deref(s){var seen=0;while(s&&s.$ref&&seen++<20){s=schemas[s.$ref.replace('#/components/schemas/','')]||{};}return s||{};}
function refName(s){return s&&s.$ref?s.$ref.replace('#/components/schemas/',''):null;}
function typeOf(s){var n=refName(s);if(n)return n;s=s||{};if(s.const!==undefined)return JSON.stringify(s.const);if(s.enum)return s.enum.map(function(v){return JSON.stringify(v);}).join(' | ');
var alts=s.anyOf||s.oneOf;if(alts)return alts.map(typeOf).join(' | ');var t=Array.isArray(s.type)?s.type.join(' | '):(s.type||'any');
if(t==='array')return typeOf(s.items||{})+'[]';if(s.format)t+=' ('+s.format+')';if(s.pattern)t+=' /'+s.pattern+'/';
var big=9007199254740991,lo=s.minimum===-big?undefined:s.minimum,hi=s.maximum===big?undefined:s.maximum;
if(lo!==undefined||hi!==undefined)t+=' ['+(lo!==undefined?lo:'')+'..'+(hi!==undefined?hi:'')+']';return t;}
function schemaTree(s,depth){depth=depth||0;var r=deref(s);var ul=el('ul');
if(depth>6)return ul;
var alts=r.anyOf||r.oneOf;if(alts&&depth<6){alts.forEach(function(a,i){var li=el('li',{},[el('span',{cls:'d',text:(i?'or ':'one of ')}),el('span',{cls:'t',text:typeOf(a)})]);var rr=deref(a);if(rr.properties)li.appendChild(schemaTree(a,depth+1));ul.appendChild(li);});return ul;}
if(r.type==='array'&&r.items){var it=deref(r.items);if(it.properties)return schemaTree(r.items,depth);return ul;}
var req=r.required||[];var props=r.properties||{};Object.keys(props).forEach(function(k){var p=props[k];var pr=deref(p);
var li=el('li',{},[el('b',{text:k}),req.indexOf(k)>=0?el('span',{cls:'req',text:'*'}):null,' ',el('span',{cls:'t',text:typeOf(p)}),
(p.description||pr.description)?el('span',{cls:'d',text:' — '+(p.description||pr.description)}):null,p.default!==undefined?el('span',{cls:'d',text:' (default '+JSON.stringify(p.default)+')'}):null]);
var inner=pr.type==='array'?deref(pr.items||{}):pr;if(inner.properties||inner.anyOf||inner.oneOf)li.appendChild(schemaTree(pr.type==='array'?pr.items:p,depth+1));ul.appendChild(li);});
return ul;}
function sample(s,depth){depth=depth||0;if(depth>8)return null;var r=deref(s);if(s&&s.example!==undefined)return s.example;if(r.example!==undefined)return r.example;if(r.examples&&r.examples.length)return r.examples[0];
if(r.default!==undefined)return r.default;if(r.const!==undefined)return r.const;if(r.enum)return r.enum[0];var alts=r.anyOf||r.oneOf;if(alts)return sample(alts[0],depth+1);
var t=Array.isArray(r.type)?r.type[0]:r.type;if(t==='object'||r.properties){var o={};var props=r.properties||{};Object.keys(props).forEach(function(k){o[k]=sample(props[k],depth+1);});return o;}
if(t==='array')return [sample(r.items||{},depth+1)];if(t==='integer'||t==='number')return r.minimum!==undefined?r.minimum:0;if(t==='boolean')return true;if(t==='null')return null;
if(t==='string'){var n=refName(s);if(n==='Address')return '0x'+'00'.repeat(20);if(n==='Bytes32')return '0x'+'00'.repeat(32);if(n==='DecimalString')return '1';if(r.format==='binary')return '<file>';return 'string';}return null;}
function pre(v){return el('pre',{text:typeof v==='string'?v:JSON.stringify(v,null,2)});}
function schemaBlock(media){var box=el('div');if(!media||!media.schema)return box;var s=media.schema;var n=refName(s);
box.appendChild(el('div',{cls:'schema'},[n?el('div',{},[el('span',{cls:'muted',text:'schema '}),el('a',{href:'#schema-'+n,text:n})]):null,schemaTree(s)]));
var ex=media.example!==undefined?media.example:sample(s);var d=el('details',{},[el('summary',{text:'Example'}),pre(ex)]);box.appendChild(d);return box;}
var ops=[];Object.keys(doc.paths).forEach(function(path){var item=doc.paths[path];Object.keys(item).forEach(function(m){ops.push({path:path,method:m,op:item[m]});});});
var tags=(doc.tags||[]).map(function(t){return t.name;});ops.forEach(function(o){(o.op.tags||['other']).forEach(function(t){if(tags.indexOf(t)<0)tags.push(t);});});
var main=document.getElementById('main'),toc=document.getElementById('toc');main.textContent='';
var intro=el('section',{},[el('h2',{text:doc.info.title}),doc.info.description?el('p',{text:doc.info.description}):null,
el('p',{cls:'muted',text:'Errors are {"error":{"code","message","hint"}}. Lists take ?limit=1..500&cursor=<nextCursor> and answer {items,nextCursor}. Routes marked operator need Authorization: Bearer <operator token>.'})]);main.appendChild(intro);
tags.forEach(function(tag){var tagOps=ops.filter(function(o){return (o.op.tags||['other']).indexOf(tag)>=0;});if(!tagOps.length)return;
var meta=(doc.tags||[]).filter(function(t){return t.name===tag;})[0];var sec=el('section',{cls:'tag',id:'tag-'+tag},[el('h2',{text:tag}),meta&&meta.description?el('p',{cls:'muted',text:meta.description}):null]);
toc.appendChild(el('h3',{text:tag}));
tagOps.forEach(function(o){var id=o.op.operationId||(o.method+o.path);var op=o.op;
toc.appendChild(el('a',{cls:'op',href:'#'+id,'data-search':(o.method+' '+o.path+' '+(op.summary||'')).toLowerCase()},[el('span',{cls:'m '+o.method,text:o.method}),el('code',{text:o.path})]));
var card=el('div',{cls:'operation',id:id,'data-search':(o.method+' '+o.path+' '+(op.summary||'')).toLowerCase()},[
el('h4',{},[el('span',{cls:'m '+o.method,text:o.method}),el('code',{text:o.path}),op['x-operator']?el('span',{cls:'lock',text:'operator'}):null]),
el('p',{text:op.summary||''}),op.description?el('p',{cls:'muted',text:op.description}):null]);
if(op.parameters&&op.parameters.length){card.appendChild(el('h5',{text:'Parameters'}));var t=el('table',{},[el('tr',{},[el('th',{text:'name'}),el('th',{text:'in'}),el('th',{text:'type'}),el('th',{text:'description'})])]);
op.parameters.forEach(function(p){t.appendChild(el('tr',{},[el('td',{},[el('code',{text:p.name}),p.required?el('span',{cls:'req',text:'*'}):null]),el('td',{text:p.in}),el('td',{},[el('code',{text:typeOf(p.schema)})]),el('td',{text:(p.description||'')+(p.schema&&p.schema.default!==undefined?' (default '+JSON.stringify(p.schema.default)+')':'')})]));});card.appendChild(t);}
var body=null;if(op.requestBody){card.appendChild(el('h5',{text:'Request body'+(op.requestBody.required?'':' (optional)')}));Object.keys(op.requestBody.content).forEach(function(ct){card.appendChild(el('div',{cls:'muted',text:ct}));var media=op.requestBody.content[ct];card.appendChild(schemaBlock(media));if(ct==='application/json')body=media.example!==undefined?media.example:sample(media.schema);});}
card.appendChild(el('h5',{text:'Responses'}));Object.keys(op.responses).forEach(function(st){var r=op.responses[st];var cts=Object.keys(r.content||{});
card.appendChild(el('div',{},[el('span',{cls:'status s'+st[0],text:st}),' ',r.description||'',cts.length?el('span',{cls:'muted',text:' · '+cts.join(', ')}):null]));
cts.forEach(function(ct){var media=r.content[ct];if(media.schema&&st[0]==='2')card.appendChild(schemaBlock(media));});});
var curl='curl'+(o.method!=='get'?' -X '+o.method.toUpperCase():'')+" '"+location.origin+o.path.replace(/{(\\w+)}/g,'1')+"'";if(op['x-operator'])curl+=" \\\\\\n  -H 'Authorization: Bearer $TRIBUTARY_OPERATOR_TOKEN'";
if(body!==null&&body!==undefined)curl+=" \\\\\\n  -H 'content-type: application/json' -d '"+JSON.stringify(body)+"'";
card.appendChild(el('details',{},[el('summary',{text:'curl'}),pre(curl)]));sec.appendChild(card);});main.appendChild(sec);});
var ss=el('section',{cls:'tag',id:'schemas'},[el('h2',{text:'schemas'})]);toc.appendChild(el('h3',{},[el('a',{href:'#schemas',text:'schemas'})]));
Object.keys(schemas).forEach(function(n){ss.appendChild(el('div',{cls:'operation',id:'schema-'+n},[el('h4',{},[el('code',{text:n})]),schemas[n].description?el('p',{cls:'muted',text:schemas[n].description}):null,el('div',{cls:'schema'},[el('span',{cls:'t',text:typeOf(Object.assign({},schemas[n]))}),schemaTree({$ref:'#/components/schemas/'+n})]),el('details',{},[el('summary',{text:'Example'}),pre(sample({$ref:'#/components/schemas/'+n}))])]));});
main.appendChild(ss);
document.getElementById('filter').addEventListener('input',function(e){var q=e.target.value.toLowerCase();document.querySelectorAll('[data-search]').forEach(function(n){n.classList.toggle('hidden',q!==''&&n.getAttribute('data-search').indexOf(q)<0);});});
if(location.hash){var target=document.getElementById(location.hash.slice(1));if(target)target.scrollIntoView();}
})();
`;
