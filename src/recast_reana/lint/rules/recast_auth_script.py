"""A step script calls recast-atlas's `/recast_auth/getkrb.sh`, which does not exist on REANA.

Applies to: yadage steps.

## What it does
Finds every call of `/recast_auth/getkrb.sh` in a step's `process.script` or `process.cmd`:
dot-sourced (`. /recast_auth/getkrb.sh`), `source`d, run as a command, inside `&&` chains or
after `;`. Comments and calls guarded by a file test (`[ -f /recast_auth/getkrb.sh ] && ...`,
`if [ -f ... ]; then ... fi`) are left alone.

## Why is this bad?
`recast auth write` creates `getkrb.sh` and packtivity mounts it at `/recast_auth` for steps that
list `GRIDProxy` or `KRB5Auth`. REANA mounts nothing there. Scripts run with `sh` (packtivity's
default interpreter), which on the CentOS/Alma images ATLAS uses is bash in POSIX mode: sourcing
a missing file is a fatal error there, even with `|| true`, so the step aborts on its first line.
Run as a command, the call fails quietly and every later `xrdcp` or EOS access fails without a
kerberos ticket. REANA makes the ticket itself when the step asks for `kerberos: true`.

## Example
```yaml
skimming_eos:
  process:
    process_type: interpolated-script-cmd
    script: |
      . /recast_auth/getkrb.sh
      xrdcp {input_file} {local_dir}/input.root
  environment:
    environment_type: docker-encapsulated
    image: gitlab-registry.cern.ch/recast-examples/event-selection
    imagetag: final
    resources:
      - GRIDProxy
```

## Use instead
```yaml
skimming_eos:
  process:
    process_type: interpolated-script-cmd
    script: |
      xrdcp {input_file} {local_dir}/input.root
  environment:
    environment_type: docker-encapsulated
    image: gitlab-registry.cern.ch/recast-examples/event-selection
    imagetag: final
    resources:
      - kerberos: true
```

## Fix
`recast-reana convert` removes the call and adds `- kerberos: true`; on the recast-atlas main
branch this is information only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import yaml

from recast_reana.lint.contract import at
from recast_reana.lint.diagnostics import Diagnostic, Severity
from recast_reana.model.patterns import LazyPattern
from recast_reana.model.positioned_yaml import Pos
from recast_reana.model.project import Project
from recast_reana.model.source_file import SourceFile
from recast_reana.model.stage_graph import Step
from recast_reana.model.text_edits import Edit, delete_lines, line_end, line_start
from recast_reana.type_names import Any

ID = "RR401"
NAME = "recast-auth-script"
SEVERITY = Severity.ERROR
CONVERTIBLE = True

NEEDLE = "/recast_auth/getkrb.sh"
# What starts a new simple command on the same line; quotes too, for `sh -c ". getkrb.sh"`.
_SEPARATOR = LazyPattern(r"&&|\|\||\$\(|[;|&(){}`'\"]")
_IF_FI = LazyPattern(r"(?<![\w./-])(if|fi)(?![\w./-])")
_COMMENT = LazyPattern(r"(?:^|\s)#")
_KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "time"}
_TESTS = {"[", "[[", "test"}
_SOURCE = {".", "source"}
_SH_C = LazyPattern(r"(?<![\w./-])(?:/bin/)?sh\s+-c\b")
# Where the words of a call end: the next command separator, a comment, or a backslash (a `\n`
# escape of a double-quoted one-line script).
_COMMAND_END = LazyPattern(r"&&|\|\||[;|)`\\]|(?<![<>])&(?!>)|\s#")
_JOINER = LazyPattern(r"[ \t]*(&&|;(?!;))[ \t]*")


def check(project: Project, options: Mapping[str, Any]) -> Iterator[Diagnostic]:
    for step in project.steps:
        src = project.source(step.file)
        process = step.data.get("process")
        if src is None or not isinstance(process, dict):
            continue
        for key, text in step.commands:
            if NEEDLE in text:
                # Scripts are piped to `interpreter` (packtivity's default `sh`: POSIX mode, where
                # a failed `.` is fatal); a `cmd` runs under REANA's plain `bash -c`, where not.
                interpreter = process.get("interpreter", "sh") if key == "script" else "bash"
                posix = interpreter in ("sh", "/bin/sh")
                yield from _check_text(src, step, (*step.path, "process", key), text, posix)


def _check_text(
    src: SourceFile, step: Step, path: tuple[Any, ...], text: str, posix: bool
) -> Iterator[Diagnostic]:
    span = src.pos(path)
    name = step.name
    has_kerberos = any(
        isinstance(item, dict) and item.get("kerberos") is True for item in step.resources
    )
    nth = 0  # occurrences of NEEDLE seen so far, for SourceFile.find
    guards: list[bool] = []  # enclosing `if` blocks: does the condition test the file?
    for line in text.split("\n"):
        comment = _COMMENT.search(line)
        code = line[: comment.start()] if comment else line
        guarded_line = False
        events = sorted(
            [(m.start(), m.group(1)) for m in _IF_FI.finditer(code)]
            + [(m.start(), "call") for m in re.finditer(re.escape(NEEDLE), code)]
        )
        for offset, kind in events:
            if kind == "if":
                guards.append(NEEDLE in code[offset:] and _tests_file(code[offset:]))
                continue
            if kind == "fi":
                if guards:
                    guards.pop()
                continue
            this = nth
            nth += 1
            words = _SEPARATOR.split(code[:offset])[-1].split()
            while words and words[0] in _KEYWORDS:
                words.pop(0)
            if words and words[0] in _TESTS:
                guarded_line = True  # `[ -f getkrb.sh ] && . getkrb.sh` is safe everywhere
                continue
            if guarded_line or any(guards):
                continue
            prefix = " ".join(words)
            pos = _position(src, span, this, code[:offset], words)
            # `sh -c ". getkrb.sh; ..."` sources it in a POSIX shell whatever runs the step.
            in_sh = posix or bool(_SH_C.search(code[:offset]))
            message = _message(name, prefix, has_kerberos, in_sh)
            # A failing call that aborts nothing only clutters the log: REANA gives the ticket.
            harmless = has_kerberos and not (in_sh and prefix.split()[:1] in (["."], ["source"]))
            yield at(ID, src.path, pos, message, Severity.WARNING if harmless else None)
        nth += line.count(NEEDLE) - code.count(NEEDLE)  # occurrences inside the comment


def _tests_file(condition: str) -> bool:
    words = _SEPARATOR.split(condition.split(NEEDLE)[0])[-1].split()
    return bool(set(words) & _TESTS)


def _position(src: SourceFile, span: Pos, nth: int, before: str, words: list[str]) -> Pos:
    """The call in the file: from `.`/`source` (when written on the same line) to the path."""
    pos = src.find(span, NEEDLE, nth)
    if pos is None:
        return span
    if not words or src.text is None:
        return pos
    command = before[before.rindex(words[0]) :] if words[0] in before else ""
    start = src.offset(pos.line, pos.col) - len(command)
    if command and src.text[start : start + len(command)] == command:
        line, col = src.line_col(start)
        return Pos(line, col, pos.end_line, pos.end_col)
    return pos


def _message(step: str, prefix: str, has_kerberos: bool, posix: bool) -> str:
    call = f"{prefix} {NEEDLE}".strip()
    sourced = prefix.split()[:1] and prefix.split()[0] in _SOURCE
    if posix and sourced:
        effect = "the file does not exist on REANA, so sourcing it aborts the step"
    elif has_kerberos:
        effect = "the file does not exist on REANA, so the call fails and does nothing"
    else:
        effect = "the file does not exist on REANA, so the step gets no kerberos ticket"
    if has_kerberos:
        todo = "remove the call: REANA already gives the step a ticket (`kerberos: true`)"
    else:
        todo = "remove it and request kerberos with `- kerberos: true` in environment.resources"
    return f"step '{step}' runs `{call}`: {effect}; {todo}"


def fix(project: Project, options: Mapping[str, Any]) -> Iterator[Edit]:
    """Remove each call of /recast_auth/getkrb.sh the rule reports, keeping the rest.

    The calls are the rule's findings, so calls guarded by a file test and comments stay as they
    are. A call joined to its line by `&&` or `;` goes with that joiner; one alone on a line of a
    multi-line script goes with its line; where removing it would leave a shell syntax error
    (`then . getkrb.sh; fi`, `. getkrb.sh || exit 1`) it becomes `true`, which is what it did
    when it worked.
    """
    scalars: dict[str, list[Pos]] = {}
    for step in project.steps:
        doc = project.files[step.file].doc
        for key, _ in step.commands:
            path = (*step.path, "process", key)
            if doc is not None and path in doc.positions:
                scalars.setdefault(step.file, []).append(doc.pos(path))
    calls: dict[tuple[str, int], list[int]] = {}
    for d in check(project, {}):
        calls.setdefault((d.path, d.line), []).append(d.col - 1)
    for (file, line), cols in sorted(calls.items()):
        src = project.files[file]
        pos = next((p for p in scalars.get(file, []) if p.line <= line <= p.end_line), None)
        if pos is not None:
            yield _remove_calls(src, pos, line, sorted(set(cols), reverse=True))


def _remove_calls(src: SourceFile, scalar: Pos, line: int, cols: list[int]) -> Edit:
    """The edit of one line of a script holding calls that start at `cols` (right to left)."""
    text = src.lines[line - 1]
    quoted = src.lines[scalar.line - 1][scalar.col - 1 : scalar.col] in ("'", '"')
    lo = scalar.col - 1 + quoted if line == scalar.line else 0
    hi = scalar.end_col - 1 - quoted if line == scalar.end_line else len(text)
    tail = len(text) - hi  # the text after the scalar on its last line never changes
    for col in cols:
        text = _remove_call(text, col, lo, len(text) - tail)
    content = text[lo : len(text) - tail]
    if not content.strip() and line != scalar.line:  # nothing left on this line of a script
        return delete_lines(src, line, line, ID)
    if not content.strip():
        content = "true"  # a one-line script that was only the call
    if not quoted and scalar.line == scalar.end_line and _loads_as(content) != content:
        content = "'" + content.replace("'", "''") + "'"  # `[ -f x ]`, `true`: keep a string
    text = text[:lo] + content + text[len(text) - tail :]
    return Edit(src.path, line_start(src, line), line_end(src, line), text.rstrip(), ID)


def _loads_as(plain: str) -> Any:
    try:
        return yaml.safe_load(plain)
    except yaml.YAMLError:
        return None


def _remove_call(text: str, start: int, lo: int, hi: int) -> str:
    """`text` without the call starting at `start`, its arguments and the joiner binding it."""
    at = text.find(NEEDLE, start, hi)
    stop = _COMMAND_END.search(text, at + len(NEEDLE), hi) if at >= 0 else None
    end = start + len(text[start : stop.start() if stop else hi].rstrip())
    before = text[lo:start].rstrip()
    rest = text[end:hi].strip()
    if not before.strip() and rest.startswith("#"):
        end = hi  # `. getkrb.sh  # get a ticket`: the comment was about the call
    joined_before = _joiner(before[::-1])  # reversed: `&&`/`;` ending the text before
    follow = _JOINER.match(text, end, hi)
    joined_after = follow.group(1) if follow else None
    if not before.strip() and (joined_after or not text[end:hi].strip()):
        # `. getkrb.sh && xrdcp ...` -> `xrdcp ...`; alone on its line -> the caller drops it
        return text[:start] + text[follow.end() if follow else end :]
    ends = joined_after or not text[end:hi].strip()  # nothing but a joiner after the call
    if joined_before and ends and (joined_before == "&&" or not joined_after):
        # `a && . getkrb.sh` -> `a`; `a && . getkrb.sh; b` -> `a; b`
        cut = lo + len(before[: -len(joined_before)].rstrip())
        return text[:cut] + text[end:]
    if joined_before and follow:  # `a; . getkrb.sh && b` -> `a; b`
        return text[:start] + text[follow.end() :]
    return text[:start] + "true" + text[end:]


def _joiner(reversed_text: str) -> str | None:
    """`&&` or `;` at the start of `reversed_text` (`;;` ends a case branch, not a command)."""
    if reversed_text.startswith("&&"):
        return "&&"
    if reversed_text.startswith(";") and not reversed_text.startswith(";;"):
        return ";"
    return None
