"""The HTML around every page of `omskg serve`: its head, style, navigation and the
source's medical disclaimer, shown at the top of every page."""

from __future__ import annotations

import html

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.45; color: #1d2430; }
a { color: #1a4f9c; }
table { border-collapse: collapse; width: 100%; } td, th { border-top: 1px solid #ddd; padding: .4rem; vertical-align: top; text-align: left; }
th { font-size: .85rem; color: #555; }
blockquote { margin: 0; font-style: italic; } .where, .kind, .count { color: #555; font-size: .85rem; }
ul.qualifiers { margin: 0; padding-left: 1.1rem; } ul.qualifiers li { margin: 0; }
.statement .fact { font-size: 1.2rem; }
mark { background: #fff3b0; } .context { color: #777; }
.disclaimer { margin: 1.5rem 0; padding: .75rem 1rem; border: 1px solid #d9a300; background: #fff8e1; border-radius: .4rem; }
dl.facts-about { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; } dl.facts-about dd { margin: 0; }
ul.sources { margin: 0; padding-left: 1.1rem; }
form.query textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .9rem; box-sizing: border-box; }
form.query button { margin-top: .5rem; padding: .4rem 1rem; font-size: 1rem; }
.problem { color: #9c1a1a; white-space: pre-wrap; }
.scroll { overflow-x: auto; }
figure.diagram { margin: 1rem 0; } figure.diagram svg { width: 100%; height: auto; }
figure.diagram .narrow { display: none; }
@media (max-width: 700px) { figure.diagram .wide { display: none; } figure.diagram .narrow { display: block; }
  td, th { padding: .25rem; } table.facts td { display: block; border: 0; } table.facts tr { display: block; border-top: 1px solid #ddd; padding: .3rem 0; }
  table.facts tr:first-child { display: none; } }
"""


def document(title: str, body: str, jsonld: str, disclaimer: str) -> str:
    notice = f'<aside class="disclaimer" role="note">{html.escape(disclaimer)}</aside>' if disclaimer else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · omskg</title>
<style>{STYLE}</style>
<script type="application/ld+json">
{jsonld}
</script>
</head>
<body>
<nav><a href="/">omskg</a> · <a href="/sparql">SPARQL</a></nav>
{notice}
{body}
</body>
</html>
"""
