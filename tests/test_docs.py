"""The documentation matches the code: every command is in the README, the set-up commands come first,
and CI runs the README's test command."""

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
