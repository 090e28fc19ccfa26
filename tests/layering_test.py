#!/usr/bin/python3
"""The include-edge check: every `#include "..."` in lib/ and cli/ against the layer table.

The table is the fenced block after the `<!-- layer table -->` marker in docs/architecture.md,
one layer per line, lowest first:

    layer NAME: module module ...

A file in lib/src/M may include its own module's headers, the public headers (esign/...), and
the headers of a module in a strictly lower layer; modules of one layer never include each
other, so the module graph has no cycle. lib/include/esign may include only esign/ headers;
cli/ only esign/ headers and its own (no lib/src internals), and no third-party library that
the library owns (OpenSSL, SQLite, yaml-cpp, libcurl, libp11, PoDoFo, qpdf).

The same script keeps library messages in the library's terms: a string literal in lib/src
that names a command-line flag (--force, --otp CODE) is refused; the CLI adds such hints
(cli/hints.cpp).

    layering_test.py ROOT                check the source tree at ROOT (exit 1 on a forbidden edge)
    layering_test.py --messages ROOT     check lib/src's string literals for flag names
    layering_test.py --self-test         check that both checks fail on what they forbid
"""

import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
MARKER = "<!-- layer table -->"
SOURCE_EXTENSIONS = (".h", ".hpp", ".cpp", ".cc")
# Third-party headers cli/ must not see: the library wraps them (STYLE.md "Errors", "Shape").
CLI_FORBIDDEN_SYSTEM = ("openssl/", "sqlite3", "SQLiteCpp/", "yaml-cpp/", "curl/", "libp11", "podofo/", "qpdf/")


STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
FLAG = re.compile(r"(?<![\w-])--[a-z]")


def read_table(architecture_md):
    """{module: layer index} from the fenced block after the marker; raises ValueError if malformed."""
    with open(architecture_md, encoding="utf-8") as f:
        text = f.read()
    at = text.find(MARKER)
    if at < 0:
        raise ValueError(f"{architecture_md}: no '{MARKER}' marker")
    block = re.search(r"```[a-z]*\n(.*?)```", text[at:], re.S)
    if not block:
        raise ValueError(f"{architecture_md}: no fenced block after the layer table marker")
    layers = {}
    for number, line in enumerate(l for l in block.group(1).splitlines() if l.strip()):
        m = re.fullmatch(r"\s*layer\s+[\w-]+:\s*([\w\s]+?)\s*(#.*)?", line)
        if not m:
            raise ValueError(f"{architecture_md}: layer table line not understood: {line!r}")
        for module in m.group(1).split():
            if module in layers:
                raise ValueError(f"{architecture_md}: module {module} is in two layers")
            layers[module] = number
    if not layers:
        raise ValueError(f"{architecture_md}: the layer table is empty")
    return layers


def sources(folder):
    for dirpath, _, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith(SOURCE_EXTENSIONS):
                yield os.path.join(dirpath, name)


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for m in INCLUDE.finditer(text):
        yield text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2)


def check(root):
    """(problems, number of quoted includes checked) for the tree at root."""
    problems = []
    checked = 0
    layers = read_table(os.path.join(root, "docs", "architecture.md"))
    src = os.path.join(root, "lib", "src")
    modules = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    for module in modules:
        if module not in layers:
            problems.append(f"lib/src/{module}: a module the layer table in docs/architecture.md does not list")
    for module in layers:
        if module not in modules:
            problems.append(f"docs/architecture.md: the layer table lists {module}, which is not a folder of lib/src")

    def where(path, line):
        return f"{os.path.relpath(path, root)}:{line}"

    for module in modules:
        for path in sources(os.path.join(src, module)):
            for line, kind, target in includes(path):
                if kind != '"':
                    continue
                checked += 1
                if target.startswith("esign/"):
                    continue
                if "/" not in target:
                    if not os.path.exists(os.path.join(os.path.dirname(path), target)):
                        problems.append(f"{where(path, line)}: \"{target}\" is not a header of {module}")
                    continue
                to = target.split("/", 1)[0]
                if to == module:
                    continue
                if to not in layers:
                    problems.append(f"{where(path, line)}: {module} includes \"{target}\" of {to}, which the layer table does not list")
                elif module in layers and layers[to] >= layers[module]:
                    relation = "the same layer as" if layers[to] == layers[module] else "a layer above"
                    problems.append(f"{where(path, line)}: {module} includes \"{target}\", but {to} is in {relation} {module}")

    for path in sources(os.path.join(root, "lib", "include")):
        for line, kind, target in includes(path):
            if kind == '"':
                checked += 1
                if not target.startswith("esign/"):
                    problems.append(f"{where(path, line)}: a public header includes \"{target}\" (only esign/ headers)")

    cli = os.path.join(root, "cli")
    for path in sources(cli):
        for line, kind, target in includes(path):
            if kind == '"':
                checked += 1
                if target.startswith("esign/"):
                    continue
                if "/" in target or not os.path.exists(os.path.join(cli, target)):
                    problems.append(f"{where(path, line)}: cli includes \"{target}\" (only esign/ public headers and cli's own)")
            elif target.startswith(CLI_FORBIDDEN_SYSTEM):
                problems.append(f"{where(path, line)}: cli includes <{target}>, a library the core owns")
    return problems, checked


def check_messages(root):
    """Problems: string literals in lib/src that name a command-line flag."""
    problems = []
    src = os.path.join(root, "lib", "src")
    for path in sources(src):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                code = line.split("//", 1)[0] if line.lstrip().startswith("//") else line
                for literal in STRING.findall(code):
                    if FLAG.search(literal):
                        problems.append(f"{rel}:{number}: a library message names a flag: {literal}")
    return problems


def run_messages(root):
    problems = check_messages(root)
    for p in problems:
        print(f"messages: {p}", file=sys.stderr)
    if problems:
        print("messages: say it in the library's terms; the CLI adds flag hints (esign::Remedy, cli/hints.cpp)",
              file=sys.stderr)
        return 1
    print("messages: no library message names a flag")
    return 0


def run(root):
    try:
        problems, checked = check(root)
    except (OSError, ValueError) as e:
        print(f"layering: {e}", file=sys.stderr)
        return 1
    for p in problems:
        print(f"layering: {p}", file=sys.stderr)
    if problems:
        print(f"layering: {len(problems)} forbidden include edge(s); the table is in docs/architecture.md", file=sys.stderr)
        return 1
    print(f"layering: {checked} includes follow the layer table")
    return 0


def self_test():
    """A small tree that passes, then one forbidden edge at a time must each fail."""
    table = "\n".join([
        "# Layers", MARKER, "```", "layer base: common", "layer low: der", "layer mid: cms pdf", "layer top: sign", "```", ""])
    clean = {
        "docs/architecture.md": table,
        "lib/include/esign/error.h": '#include <string>\n',
        "lib/include/esign/sign.h": '#include "esign/error.h"\n',
        "lib/src/common/time.h": "",
        "lib/src/der/der.h": '#include "common/time.h"\n',
        "lib/src/cms/signed_data.h": '#include "der/der.h"\n#include "esign/sign.h"\n',
        "lib/src/cms/signed_data.cpp": '#include "cms/signed_data.h"\n#include "signed_data.h"\n#include <openssl/cms.h>\n',
        "lib/src/pdf/pades.cpp": '#include "der/der.h"\n',
        "lib/src/sign/sign.cpp": '#include "cms/signed_data.h"\n#include "pdf/pades.h"\n',
        "cli/context.h": '#include "esign/sign.h"\n',
        "cli/main.cpp": '#include "context.h"\n#include <fmt/core.h>\n',
    }
    forbidden = {
        "a lower layer includes a higher one": ("lib/src/der/der.cpp", '#include "cms/signed_data.h"\n'),
        "two modules of one layer": ("lib/src/pdf/dss.cpp", '#include "cms/signed_data.h"\n'),
        "a cycle through the top": ("lib/src/cms/use_sign.cpp", '#include "sign/stages.h"\n'),
        "cli reaching into lib/src": ("cli/verify.cpp", '#include "cms/signed_data.h"\n'),
        "cli using OpenSSL": ("cli/print.cpp", '#include <openssl/x509.h>\n'),
        "a public header including an internal one": ("lib/include/esign/verify.h", '#include "pdf/pades.h"\n'),
        "a module missing from the table": ("lib/src/newmod/a.cpp", '#include "common/time.h"\n'),
        "a module not in the table": ("lib/src/sign/b.cpp", '#include "ghost/g.h"\n'),
        "a local header of another folder": ("lib/src/pdf/c.cpp", '#include "der.h"\n'),
    }
    failures = []

    def tree(extra):
        d = tempfile.TemporaryDirectory()
        for rel, content in {**clean, **extra}.items():
            path = os.path.join(d.name, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
        return d

    with tree({}) as d:
        problems, checked = check(d)
        if problems or checked < 10:
            failures.append(f"the clean tree: {problems or 'too few includes seen'}")
    for what, (rel, content) in forbidden.items():
        with tree({rel: content}) as d:
            problems, _ = check(d)
            if len(problems) != 1:
                failures.append(f"{what}: expected one problem, got {problems}")
    with tree({"docs/architecture.md": table.replace("layer top: sign", "layer top: sign cms")}) as d:
        try:
            check(d)
            failures.append("a module in two layers was accepted")
        except ValueError:
            pass
    messages = {
        "lib/src/common/output.cpp": 'throw Error(Errc::conflict, t, "output exists (use --force to overwrite)");\n',
        "lib/src/keys/login.cpp": '  // a comment may name --otp\nauto s = "a--b"; auto t = "give the \\"--otp\\" value";\n',
        "lib/src/auth/session.cpp": 'fail("log in with --user");\n',
    }
    with tree(messages) as d:
        problems = check_messages(d)
        expected = ("output.cpp:1", "login.cpp:2", "session.cpp:1")
        if len(problems) != 3 or not all(any(e in p for e in expected) for p in problems):
            failures.append(f"messages: expected {', '.join(expected)}, got {problems}")
    for f in failures:
        print(f"layering self-test: {f}", file=sys.stderr)
    if failures:
        return 1
    print(f"layering self-test: the clean tree passes, {len(forbidden) + 1} forbidden shapes fail, flag names in messages fail")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    if len(sys.argv) == 3 and sys.argv[1] == "--messages":
        sys.exit(run_messages(sys.argv[2]))
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(run(sys.argv[1]))
