"""Frameworks a file imports are reported so routing can pick a specialised model."""

from __future__ import annotations

import pytest

from frugal_lsp.context.frameworks import detect_frameworks


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from django.db import models\n", {"django"}),
        ("from fastapi import FastAPI\nimport flask\n", {"fastapi", "flask"}),
        ("import React, { useState } from 'react';\n", {"react"}),
        ("const express = require('express');\n", {"express"}),
        ("import { createApp } from 'vue'\n", {"vue"}),
        ("import os\nimport json\n", set()),
    ],
)
def test_detects_imported_frameworks(text: str, expected: set[str]) -> None:
    assert detect_frameworks(text) == expected
