"""The documentation matches the code: every command is in the README, the set-up commands come first,
CI runs the README's test command, the README's commands use only options they have, and the links
between documents resolve."""

import re
import shlex
from pathlib import Path

from tocsin.cli import main

REPO = Path(__file__).resolve().parents[1]


def test_every_command_is_in_the_readme_tour() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in main.commands if f"tocsin {name}" not in readme]
    assert not missing, f"commands not documented in README.md: {missing}"


def test_readme_opens_with_the_two_setup_commands_and_ci_runs_the_second() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```bash\n")[1:3]
    commands = [b.split("\n```")[0].strip() for b in blocks]
    assert commands[0].endswith("tocsin demo")
    assert commands[1].endswith("python -m pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_readme_commands_use_only_options_their_command_has() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    wrong = []
    for block in readme.split("```bash\n")[1:]:
        for line in block.split("\n```")[0].splitlines():
            words = shlex.split(line.split("#")[0])
            if len(words) < 2 or words[0] != "tocsin" or words[1] not in main.commands:
                continue
            known = {o for p in main.commands[words[1]].params for o in (*p.opts, *p.secondary_opts)}
            wrong += [f"{words[1]} {w}" for w in words[2:] if w.startswith("-") and w != "-" and w not in known]
    assert not wrong, f"options the README uses that the command lacks: {wrong}"


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_between_documents_resolve() -> None:
    broken = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for link in re.findall(r"\]\(([^)\s]+)\)", doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", link):
                continue
            path, _, anchor = link.partition("#")
            target = (doc.parent / path) if path else doc
            if not target.exists():
                broken.append(f"{doc.name}: {link}")
            elif anchor and target.suffix == ".md":
                headings = re.findall(r"^#+ (.*)$", target.read_text(encoding="utf-8"), re.MULTILINE)
                if anchor not in {_anchor(h) for h in headings}:
                    broken.append(f"{doc.name}: {link}")
    assert not broken, f"links that do not resolve: {broken}"
