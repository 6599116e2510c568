"""Scope finding per language: the user sees context from the function they are in."""

from __future__ import annotations

from pathlib import Path

import pytest

from frugal_lsp.context import ContextBuilder
from frugal_lsp.tasks import Task
from tests.unit.context.conftest import build, doc_at

PYTHON = """import os
import json

LIMIT = 10


def helper(path):
    return os.path.exists(path)


class Outer:
    class Inner:
        @staticmethod
        @cache
        async def fetch(self, url):
            data = await get(url)
            if helper(data):
                return json.loads(data)
            return LIMIT

    def other(self):
        return 2
"""

JAVASCRIPT = """import { readFile } from 'fs';

const MAX = 3;

export const load = async (path) => {
  const text = await readFile(path);
  const parsed = JSON.parse(text);
  if (parsed.items.length > MAX) {
    return parsed.items.slice(0, MAX);
  }
  return parsed.items.map((x) => x.id);
};

function unrelated() {
  return 1;
}
"""

TSX = """import React from 'react';

interface Props { name: string }

export function Hello({ name }: Props) {
  const greeting = `Hi ${name}`;
  const upper = greeting.toUpperCase();
  const lower = greeting.toLowerCase();
  const both = upper + lower;
  return <div>{both}</div>;
}
"""

RUST = """use std::fmt;

struct Point { x: i32, y: i32 }

impl fmt::Display for Point {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let sum = self.x + self.y;
        write!(f, "{}", sum)
    }
}

fn far() -> i32 { 1 }
"""

GO = """package main

import "fmt"

type Server struct{ name string }

func (s *Server) Handle(req string) string {
	msg := fmt.Sprintf("%s: %s", s.name, req)
	return msg
}

func other() {}
"""

JAVA = """package demo;

import java.util.List;

public class Repo {
    private final List<String> items;

    public int count(String prefix) {
        int n = 0;
        for (String s : items) {
            if (s.startsWith(prefix)) n++;
        }
        return n;
    }
}
"""

CPP = """#include <vector>

namespace geo {
class Shape {
 public:
  double area(double w, double h) {
    double a = w * h;
    return a;
  }
};
}
"""

C = """#include <stdio.h>

static int counter = 0;

int bump(int by) {
    counter += by;
    return counter;
}
"""

RUBY = """require 'json'

module Shop
  class Cart
    def total(items)
      sum = items.map(&:price).sum
      sum * 1.2
    end
  end
end
"""

BASH = """#!/bin/bash
source ./lib.sh

deploy() {
  local target=$1
  echo "deploying $target"
  rsync -a . "$target"
}
"""

CASES = [
    # name, text, (line, character), kind, scope name, must include, must exclude
    ("a.py", PYTHON, (16, 12), "method", "fetch", ["import json", "class Inner", "@staticmethod",
     "def helper(path):", "LIMIT = 10"], ["return 2", "os.path.exists"]),
    ("a.js", JAVASCRIPT, (7, 4), "function", "load", ["import { readFile }", "const MAX = 3"],
     ["return 1"]),
    ("a.tsx", TSX, (7, 4), "function", "Hello", ["import React", "toUpperCase"], []),
    ("a.rs", RUST, (6, 8), "method", "fmt", ["use std::fmt;", "impl fmt::Display for Point"],
     ["fn far"]),
    ("a.go", GO, (7, 4), "method", "Handle", ['import "fmt"'], ["func other"]),
    ("A.java", JAVA, (9, 12), "method", "count", ["import java.util.List;", "public class Repo"],
     []),
    ("a.cpp", CPP, (6, 4), "method", "area", ["#include <vector>", "class Shape"], []),
    ("a.c", C, (5, 4), "function", "bump", ["#include <stdio.h>", "static int counter"], []),
    ("a.rb", RUBY, (5, 6), "method", "total", ["require 'json'", "class Cart"], []),
    ("a.sh", BASH, (5, 2), "function", "deploy", ["source ./lib.sh"], []),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "pos", "kind", "scope", "inc", "exc"), CASES)
def test_scope_per_language(
    builder: ContextBuilder,
    workspace: Path,
    name: str,
    text: str,
    pos: tuple[int, int],
    kind: str,
    scope: str,
    inc: list[str],
    exc: list[str],
) -> None:
    prompt = build(builder, doc_at(workspace, name, text), *pos)
    assert (prompt.scope.kind, prompt.scope.name) == (kind, scope)
    assert prompt.scope.start_line <= pos[0] <= prompt.scope.end_line
    code = prompt.messages[-1].content
    for snippet in inc:
        assert snippet in code, snippet
    scope_text = "\n".join(text.split("\n")[prompt.scope.start_line : prompt.scope.end_line + 1])
    for snippet in exc:
        assert snippet not in scope_text, snippet


def test_small_arrow_function_is_not_the_scope(builder: ContextBuilder, workspace: Path) -> None:
    prompt = build(builder, doc_at(workspace, "a.js", JAVASCRIPT), 10, 39)
    assert prompt.scope.name == "load"


def test_referenced_function_contributes_signature_not_body(
    builder: ContextBuilder, workspace: Path
) -> None:
    body = "\n".join(f"    step_{i} = {i}" for i in range(400))
    text = (
        f"def big(a, b):\n{body}\n    return a\n\n\ndef user():\n    x = big(1, 2)\n    return x\n"
    )
    prompt = build(builder, doc_at(workspace, "b.py", text), 405, 4, Task.ASK, question="why?")
    assert prompt.scope.name == "user"
    assert "## Referenced definitions" in prompt.text and "def big(a, b):" in prompt.text
    assert "step_399" not in prompt.text


def test_unsupported_language_falls_back_to_indented_block(
    builder: ContextBuilder, workspace: Path
) -> None:
    text = "top:\n  first: 1\n  second:\n    deep: 2\n    deeper: 3\nother: 4\n"
    prompt = build(builder, doc_at(workspace, "c.yaml", text), 4, 4)
    assert prompt.scope.kind in {"block", "window"}
    assert "deep: 2" in prompt.text
