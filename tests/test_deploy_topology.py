"""The Procfile, deploy/compose and deploy/systemd describe one topology: every role with the
same command in each, the roles' environment alike, and the proxy forwarding WebSocket upgrades.
There is no Docker here: the files are parsed. And `make up` refuses to start without its
settings."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.topology import REPOSITORY, ROLES, procfile_commands

DEPLOY = REPOSITORY / "deploy"
COMPOSE = DEPLOY / "compose" / "compose.yaml"
NGINX = DEPLOY / "compose" / "nginx.conf"
SYSTEMD = DEPLOY / "systemd"
ENVIRONMENT_FILE = SYSTEMD / "paperex.env.example"
RUN_ONCE_ELSEWHERE = {
    "PAPEREX_RUN_ENGINE": "false",
    "PAPEREX_RUN_FEEDS": "false",
    "PAPEREX_RUN_BOTS": "false",
}
"""Every role's environment: the engine, the feeds and the bots run in their own roles only."""
_VARIABLE = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def argv(command: str) -> list[str]:
    """A command as the words it runs: ``exec`` (the Procfile's shell) and the program's folder
    left out, ``${NAME:-default}`` as ``${NAME}`` (each file gives its variables their values)."""
    words = shlex.split(command)
    if words[0] == "exec":
        words = words[1:]
    return [Path(words[0]).name, *(_VARIABLE.sub(r"${\1}", word) for word in words[1:])]


def variables(command: str) -> set[str]:
    return set(_VARIABLE.findall(command))


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def unit(role: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((SYSTEMD / f"paperex-{role}.service").read_text())
    return parser


def environment_file() -> dict[str, str]:
    lines = ENVIRONMENT_FILE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_procfile_runs_every_role_each_as_its_own_program() -> None:
    commands = procfile_commands()
    assert list(commands) == list(ROLES)
    assert all(command.startswith("exec ") for command in commands.values())
    assert argv(commands["web"])[:2] == ["paperex", "serve"]
    assert argv(commands["worker"])[:4] == ["celery", "-A", "paperex.config", "worker"]
    assert argv(commands["beat"])[:4] == ["celery", "-A", "paperex.config", "beat"]


@pytest.mark.parametrize("role", ROLES)
def test_compose_runs_the_role_with_the_procfile_command(role: str) -> None:
    service = compose()["services"][role]
    assert argv(service["command"]) == argv(procfile_commands()[role])
    assert service["image"] == "paperex:latest"
    assert (COMPOSE.parent / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
    assert service["environment"].items() >= RUN_ONCE_ELSEWHERE.items()
    assert service["environment"]["DATABASE_URL"].startswith("postgres://")
    assert service["environment"]["REDIS_URL"].startswith("redis://")
    assert service["depends_on"]["prepare"] == {"condition": "service_completed_successfully"}


def test_compose_prepares_the_database_and_runs_the_services_the_roles_need() -> None:
    services = compose()["services"]
    assert argv(services["prepare"]["command"]) == ["sh", "-c", "paperex migrate && paperex seed"]
    assert {"postgres", "redis", "minio", "minio-bucket", "proxy"} <= services.keys()
    environment = services["worker"]["environment"]
    assert environment["PAPEREX_EXPORT_TARGET"].startswith("s3://paperex-exports/")
    assert environment["PAPEREX_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert "store/paperex-exports" in services["minio-bucket"]["entrypoint"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["proxy"]["volumes"]


@pytest.mark.parametrize("role", ROLES)
def test_the_systemd_unit_runs_the_role_with_the_procfile_command(role: str) -> None:
    service = unit(role)["Service"]
    command = service["ExecStart"]
    assert argv(command) == argv(procfile_commands()[role])
    assert Path(shlex.split(command)[0]).is_absolute()  # systemd looks up no PATH
    assert service["EnvironmentFile"] == "/etc/paperex/paperex.env"
    assert service["Restart"] == "on-failure"
    assert variables(command) <= environment_file().keys()
    assert unit(role)["Unit"]["Requires"] == "paperex-prepare.service"


def test_the_systemd_target_starts_every_role_with_their_environment() -> None:
    target = (SYSTEMD / "paperex.target").read_text()
    wanted = {
        word
        for line in target.splitlines()
        if line.startswith("Wants=")
        for word in line[6:].split()
    }
    assert wanted == {"paperex-prepare.service", *(f"paperex-{role}.service" for role in ROLES)}
    assert environment_file().items() >= RUN_ONCE_ELSEWHERE.items()
    prepare = (SYSTEMD / "paperex-prepare.service").read_text()
    assert re.findall(r"^ExecStart=\S+/paperex (\w+)$", prepare, re.MULTILINE) == [
        "migrate",
        "seed",
    ]


@dataclass
class Directive:
    """One nginx directive: its name, its arguments and, for a block, what it holds."""

    name: str
    arguments: list[str]
    block: list[Directive] = field(default_factory=list)

    def find(self, name: str) -> list[Directive]:
        """Every directive called ``name`` at any depth inside this one."""
        return [
            d
            for child in self.block
            for d in ([child] if child.name == name else []) + child.find(name)
        ]


def nginx_config(text: str) -> Directive:
    """The directives of an nginx configuration (quoted words, comments, blocks)."""
    tokens = re.findall(r'"[^"]*"|[{};]|[^\s{};"#]+|#[^\n]*', text)
    root = Directive("", [])
    stack, words = [root], []
    for token in tokens:
        if token.startswith("#"):
            continue
        if token in (";", "{"):
            directive = Directive(words[0], [w.strip('"') for w in words[1:]])
            stack[-1].block.append(directive)
            if token == "{":
                stack.append(directive)
            words = []
        elif token == "}":
            stack.pop()
        else:
            words.append(token)
    if stack != [root] or words:
        raise ValueError("unbalanced nginx configuration")
    return root


def test_the_proxy_forwards_websocket_upgrades_to_the_web_role() -> None:
    config = nginx_config(NGINX.read_text())
    [upgrade_map] = config.find("map")
    assert upgrade_map.arguments == ["$http_upgrade", "$connection_upgrade"]
    assert {d.name: d.arguments for d in upgrade_map.block}["default"] == ["upgrade"]
    [upstream] = config.find("upstream")
    [web] = upstream.find("server")
    web_port = re.search(r"--port \$\{WEB_PORT:-(\d+)\}", compose()["services"]["web"]["command"])
    assert web_port is not None
    assert web.arguments == [f"web:{web_port[1]}"]
    [location] = [loc for loc in config.find("location") if loc.find("proxy_pass")]
    settings = [(d.name, d.arguments) for d in location.block]
    assert ("proxy_pass", [f"http://{upstream.arguments[0]}"]) in settings
    assert ("proxy_http_version", ["1.1"]) in settings
    assert ("proxy_set_header", ["Upgrade", "$http_upgrade"]) in settings
    assert ("proxy_set_header", ["Connection", "$connection_upgrade"]) in settings
    assert ("proxy_set_header", ["X-Forwarded-Proto", "$scheme"]) in settings


def test_the_nginx_reader_sees_blocks_and_quoted_words() -> None:
    config = nginx_config('map $a $b { default "x y"; "" ""; }  # note {\nlisten 80;')
    assert [(d.name, d.arguments) for d in config.block] == [
        ("map", ["$a", "$b"]),
        ("listen", ["80"]),
    ]
    assert [(d.name, d.arguments) for d in config.block[0].block] == [
        ("default", ["x y"]),
        ('""', [""]),
    ]


def make_up_without(**settings: str) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "MAKEFLAGS"}
    }
    return subprocess.run(  # a dry run: a check that let it through would install nothing
        ["make", "--no-print-directory", "--dry-run", "up"],
        cwd=REPOSITORY,
        env={**env, **settings},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///data/paperex.sqlite3"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://localhost/paperex"}, "REDIS_URL"),
        ({"DATABASE_URL": "postgres://localhost/paperex", "REDIS_URL": "memory://"}, "REDIS_URL"),
    ],
)
def test_make_up_without_its_settings_says_so_in_one_line_and_exits_2(
    settings: dict[str, str], named: str
) -> None:
    answer = make_up_without(**settings)
    assert answer.returncode == 2
    assert answer.stdout == ""
    [line] = answer.stderr.splitlines()
    assert f"make up needs {named}=" in line
