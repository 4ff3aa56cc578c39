from __future__ import annotations

import pytest

from portal.auth.passwords import (
    common_passwords,
    hash_password,
    password_problems,
    verify_password,
)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "at least 10"),
        ("qwertyuiop", "too common"),
        ("1234567890", "too common"),
        ("PASSWORD123", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("fran@example.test", "email address or your name"),
        ("Frances Family", "email address or your name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, problem):
    problems = password_problems(password, email="fran@example.test", name="Frances Family")
    assert problems
    assert problem in problems[0]


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "my dog likes long walks in the rain " * 5, "Tr1cky-but-fine"],
)
def test_long_and_unusual_passwords_are_welcome(password):
    assert password_problems(password, email="fran@example.test", name="Fran") == []


def test_the_shipped_list_is_loaded():
    assert len(common_passwords()) > 1000
    assert "qwertyuiop" in common_passwords()


def test_hashes_use_scrypt_and_verify():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("scrypt:")
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse battery!")
