"""A tiny package for relgate's demo."""


def greet(name: str) -> str:
    return f"hello, {name}"
