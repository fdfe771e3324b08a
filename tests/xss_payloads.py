"""Script-injection payloads for the hostile-text tests: each one, if it ever ran, would set ``__pwned``.

Kinds: script tags, event handlers, ``javascript:`` URLs, SVG and MathML, attributes and
comments broken out of, JavaScript template literals, Markdown links and images, and Unicode
tricks (full-width brackets, zero-width and right-to-left characters, entities). Each uses
``window.__pwned`` or ``alert`` (which the tests replace with a recorder), so a run of any of
them is seen.
"""

RUN = "window.__pwned=1"

PAYLOADS: tuple[str, ...] = (
    # Script tags
    f"<script>{RUN}</script>",
    f"<SCRIPT>{RUN}</SCRIPT>",
    f"<script src=data:text/javascript,{RUN}></script>",
    f"<scr<script>ipt>{RUN}</scr</script>ipt>",
    f"</title><script>{RUN}</script>",
    f"</textarea><script>{RUN}</script>",
    f"--><script>{RUN}</script><!--",
    f"]]><script>{RUN}</script>",
    f"</script><script>{RUN}</script>",
    f"<script>/*</script><script>*/{RUN}</script>",
    # Event handlers
    f'<img src=x onerror="{RUN}">',
    f"<img src=x onerror={RUN}>",
    f"<IMG SRC=x OnErRoR={RUN}>",
    f'<svg onload="{RUN}">',
    f"<body onload={RUN}>",
    f"<details open ontoggle={RUN}>",
    f"<input autofocus onfocus={RUN}>",
    f"<video><source onerror={RUN}></video>",
    f"<audio src=x onerror={RUN}>",
    f"<marquee onstart={RUN}>x</marquee>",
    f"<div onmouseover={RUN}>hover me</div>",
    f"<iframe onload={RUN}></iframe>",
    f'<object data=x onerror="{RUN}"></object>',
    f"<select autofocus onfocus={RUN}></select>",
    f"<textarea autofocus onfocus={RUN}></textarea>",
    # javascript: and data: URLs
    f'<a href="javascript:{RUN}">click</a>',
    f"<a href=JaVaScRiPt:{RUN}>click</a>",
    f'<a href="jav&#x09;ascript:{RUN}">tab</a>',
    f'<iframe src="javascript:{RUN}"></iframe>',
    f'<iframe srcdoc="<script>parent.{RUN}</script>"></iframe>',
    f'<form action="javascript:{RUN}"><button>go</button></form>',
    f'<embed src="javascript:{RUN}">',
    f'<meta http-equiv="refresh" content="0;url=javascript:{RUN}">',
    f'<base href="javascript:{RUN}//">',
    f'<iframe src="data:text/html,<script>parent.{RUN}</script>"></iframe>',
    # SVG and MathML
    f"<svg><script>{RUN}</script></svg>",
    f'<svg><animate onbegin="{RUN}" attributeName=x dur=1s>',
    f'<svg><a xlink:href="javascript:{RUN}"><text x=20 y=20>x</text></a></svg>',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{RUN}">',
    f'<svg><foreignObject><img src=x onerror="{RUN}"></foreignObject></svg>',
    # Breaking out of attributes and strings
    f'"><script>{RUN}</script>',
    f"'><img src=x onerror={RUN}>",
    f'" onmouseover="{RUN}" x="',
    f"' onfocus='{RUN}' autofocus '",
    f'";{RUN};//',
    f"';{RUN};//",
    f"</style><script>{RUN}</script>",
    f'<style>@import "javascript:{RUN}";</style>',
    # JavaScript template literals
    f"`;{RUN};`",
    f"${{{RUN}}}",
    f"`${{{RUN}}}`",
    "{{constructor.constructor('window.__pwned=1')()}}",
    # Markdown (the article reader goes through Streamlit's Markdown)
    f"[click](javascript:{RUN})",
    f'![x](x" onerror="{RUN})',
    f"<javascript:{RUN}>",
    # Unicode tricks
    f"\uff1cscript\uff1e{RUN}\uff1c/script\uff1e",
    f"<scr\u200bipt>{RUN}</scr\u200bipt>",
    f"\u202e<script>{RUN}</script>\u202c",
    f"&lt;script&gt;{RUN}&lt;/script&gt;",
    f"&#60;img src=x onerror={RUN}&#62;",
    f"\\u003cscript\\u003e{RUN}\\u003c/script\\u003e",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert`1`>",
)
