"""Which frameworks a file imports: routing sends those files to specialised models."""

from __future__ import annotations

import re

# import root (lower-case) -> framework name routing knows
_FRAMEWORKS: dict[str, str] = {
    "django": "django", "flask": "flask", "fastapi": "fastapi", "starlette": "fastapi",
    "pydantic": "pydantic", "sqlalchemy": "sqlalchemy", "pandas": "pandas", "numpy": "numpy",
    "torch": "pytorch", "tensorflow": "tensorflow", "pytest": "pytest",
    "react": "react", "react-dom": "react", "next": "next", "vue": "vue", "nuxt": "nuxt",
    "@angular": "angular", "svelte": "svelte", "express": "express", "koa": "koa",
    "@nestjs": "nestjs", "jquery": "jquery", "@vue": "vue", "@sveltejs": "svelte",
    "rails": "rails", "sinatra": "sinatra",
    "org.springframework": "spring", "github.com/gin-gonic": "gin",
    "actix_web": "actix", "rocket": "rocket", "tokio": "tokio",
}  # fmt: skip

_IMPORTS = re.compile(
    r"""^[ \t]*(?:
        (?:from|import)[ \t]+(?P<py>[\w.]+)                                    # python, java
      | (?:import|export)\b[^'"\n;]*?\bfrom[ \t]*['"](?P<es>[^'"]+)['"]       # ES modules
      | import[ \t]+['"](?P<bare>[^'"]+)['"]                                  # side-effect / go
      | [ \t]*['"](?P<go>[\w.\-/]+)['"][ \t]*$                                # go import block
      | use[ \t]+(?P<rs>\w+)                                                  # rust
      | require(?:_relative)?[ \t(]*['"](?P<rb>[^'"]+)['"]                    # ruby
    )""",
    re.MULTILINE | re.VERBOSE,
)
_REQUIRE = re.compile(r"""\brequire\(\s*['"](?P<cjs>[^'"]+)['"]\s*\)""")


def detect_frameworks(text: str) -> frozenset[str]:
    """Lower-case framework names the file imports ("django", "react", ...)."""
    roots = {m.group(m.lastgroup) for m in _IMPORTS.finditer(text) if m.lastgroup}
    roots.update(m.group("cjs") for m in _REQUIRE.finditer(text))
    return frozenset(name for root in roots if (name := _framework(root)))


def _framework(module: str) -> str | None:
    module = module.lower()
    for prefix in ("org.springframework", "github.com/gin-gonic"):
        if module.startswith(prefix):
            return _FRAMEWORKS[prefix]
    if module.startswith("@"):
        scope, _, rest = module.partition("/")
        return _FRAMEWORKS.get(scope) or _FRAMEWORKS.get(rest.split("/", 1)[0])
    root = re.split(r"[./:]", module, maxsplit=1)[0]
    return _FRAMEWORKS.get(root)
