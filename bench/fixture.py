#!/usr/bin/env python3
"""Generate the benchmark's fixture Python project, deterministically from a seed.

The project is what a careful maintainer's small library looks like: a src-layout package (`benchpkg`) of about
1,500 lines of strictly typed code, about 60 pytest tests that take a few seconds (real computation, no sleeps),
ruff (lint and format), mypy (strict) and pytest configured in pyproject.toml and passing, and the peers' hook
configurations committed beside it: `.pre-commit-config.yaml` (pre-commit and prek) and `lefthook.yml`, each
running the same four checks at the pre-push stage without passing file names.

Usage: fixture.py DEST [--seed N] [--work N]
  --work scales the tests' computation (default 100; 50 halves the suite's duration).
The same seed and work factor always give byte-identical files.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "benchpkg"
VERSION = "1.0.0"

# The four checks, as every manager runs them (argv, no shell).
CHECKS: list[tuple[str, list[str]]] = [
    ("ruff-check", ["ruff", "check"]),
    ("ruff-format", ["ruff", "format", "--check"]),
    ("mypy", ["mypy"]),
    ("pytest", ["pytest"]),
]


@dataclass(frozen=True)
class Template:
    """One family of functions: its imports, its source, and a test that exercises it (scaled by work)."""

    name: str
    imports: tuple[str, ...]
    source: str
    test: str


# Sources are written as ruff format writes them (line length 100); `@K1@`... are seeded constants, `@W1@`...
# are workload sizes derived from --work.
TEMPLATES: list[Template] = [
    Template(
        "sieve",
        ("import math",),
        '''
def primes_below(limit: int) -> list[int]:
    """Return the primes below ``limit`` (sieve of Eratosthenes)."""
    if limit < 3:
        return []
    sieve = bytearray([1]) * limit
    sieve[0] = sieve[1] = 0
    for n in range(2, math.isqrt(limit - 1) + 1):
        if sieve[n]:
            sieve[n * n :: n] = bytearray(len(range(n * n, limit, n)))
    return [n for n, flag in enumerate(sieve) if flag]


def is_prime(candidate: int) -> bool:
    """Trial division, for checking the sieve."""
    if candidate < 2:
        return False
    return all(candidate % d for d in range(2, math.isqrt(candidate) + 1))
''',
        """
def test_primes_below_@T@() -> None:
    primes = mod.primes_below(@W1@)
    assert primes[:6] == [2, 3, 5, 7, 11, 13]
    known = set(primes)
    assert all(mod.is_prime(p) for p in primes[-@W2@:])
    assert not any(mod.is_prime(n) for n in range(@W1@ - 200, @W1@) if n not in known)
""",
    ),
    Template(
        "edit",
        (),
        '''
def edit_distance(left: str, right: str) -> int:
    """Levenshtein distance between two strings."""
    if len(left) < len(right):
        left, right = right, left
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, start=1):
        current = [i]
        for j, b in enumerate(right, start=1):
            cost = 0 if a == b else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[-1]


def closest(word: str, candidates: list[str]) -> str | None:
    """The candidate nearest to ``word`` (ties: alphabetical); ``None`` without candidates."""
    if not candidates:
        return None
    return min(sorted(candidates), key=lambda candidate: edit_distance(word, candidate))
''',
        """
def test_edit_distance_@T@() -> None:
    rng = random.Random(@K1@)
    words = ["".join(rng.choice("abcde") for _ in range(@W3@)) for _ in range(4)]
    for word in words:
        assert mod.edit_distance(word, word) == 0
        assert mod.edit_distance(word, "") == len(word)
    assert mod.edit_distance(words[0], words[1]) == mod.edit_distance(words[1], words[0])
    assert mod.edit_distance("kitten", "sitting") == 3
    assert mod.closest("kiten", ["sitting", "kitten", "mitten"]) == "kitten"
""",
    ),
    Template(
        "words",
        ("from collections import Counter",),
        '''
STOP_WORDS = frozenset({"the", "and", "for", "with", "that", "this"})


def word_counts(text: str, *, minimum: int = @K2@) -> dict[str, int]:
    """Count the words of ``text`` at least ``minimum`` characters long, most common first."""
    words = (word.strip(".,;:!?\\"'()").lower() for word in text.split())
    counts = Counter(word for word in words if len(word) >= minimum and word not in STOP_WORDS)
    return dict(counts.most_common())


def top_words(text: str, count: int) -> list[str]:
    """The ``count`` most frequent words of ``text``."""
    return list(word_counts(text))[:count]
''',
        """
def test_word_counts_@T@() -> None:
    rng = random.Random(@K1@)
    vocabulary = ["alpha", "beta", "gamma", "delta", "epsilon", "the", "and"]
    text = " ".join(rng.choice(vocabulary) for _ in range(@W4@))
    counts = mod.word_counts(text, minimum=2)
    assert "the" not in counts
    assert sum(counts.values()) == sum(1 for w in text.split() if w not in {"the", "and"})
    assert mod.top_words("b a b c b a", 2) == []
""",
    ),
    Template(
        "stats",
        ("import math", "from collections.abc import Iterable", "from dataclasses import dataclass"),
        '''
@dataclass(frozen=True)
class Summary:
    """Count, mean and spread of a series."""

    count: int
    mean: float
    stdev: float
    low: float
    high: float


def summarize(values: Iterable[float]) -> Summary:
    """Summarize ``values`` in one pass (Welford's algorithm)."""
    count = 0
    mean = 0.0
    m2 = 0.0
    low = math.inf
    high = -math.inf
    for value in values:
        count += 1
        delta = value - mean
        mean += delta / count
        m2 += delta * (value - mean)
        low = min(low, value)
        high = max(high, value)
    if count == 0:
        raise ValueError("cannot summarize an empty series")
    stdev = math.sqrt(m2 / (count - 1)) if count > 1 else 0.0
    return Summary(count, mean, stdev, low, high)
''',
        """
def test_summarize_@T@() -> None:
    rng = random.Random(@K1@)
    values = [rng.gauss(@K2@, 3.0) for _ in range(@W5@)]
    summary = mod.summarize(values)
    assert summary.count == len(values)
    assert math.isclose(summary.mean, statistics.fmean(values), rel_tol=1e-9)
    assert math.isclose(summary.stdev, statistics.stdev(values), rel_tol=1e-9)
    assert summary.low == min(values)
    with pytest.raises(ValueError, match="empty"):
        mod.summarize([])
""",
    ),
    Template(
        "matrix",
        ("from collections.abc import Sequence",),
        '''
def matmul(left: Sequence[Sequence[float]], right: Sequence[Sequence[float]]) -> list[list[float]]:
    """Multiply two matrices given as lists of rows."""
    if not left or len(left[0]) != len(right):
        raise ValueError("matrix shapes do not match")
    columns = list(zip(*right, strict=True))
    return [[sum(a * b for a, b in zip(row, col, strict=True)) for col in columns] for row in left]


def identity(size: int) -> list[list[float]]:
    """The ``size`` x ``size`` identity matrix."""
    return [[1.0 if i == j else 0.0 for j in range(size)] for i in range(size)]


def transpose(matrix: Sequence[Sequence[float]]) -> list[list[float]]:
    """Rows become columns."""
    return [list(column) for column in zip(*matrix, strict=True)]
''',
        """
def test_matmul_@T@() -> None:
    rng = random.Random(@K1@)
    size = @W6@
    matrix = [[rng.uniform(-1.0, 1.0) for _ in range(size)] for _ in range(size)]
    assert mod.matmul(matrix, mod.identity(size)) == matrix
    product = mod.matmul(matrix, mod.transpose(matrix))
    assert all(math.isclose(product[i][j], product[j][i]) for i in range(size) for j in range(size))
    with pytest.raises(ValueError, match="shapes"):
        mod.matmul([[1.0, 2.0]], [[1.0, 2.0]])
""",
    ),
    Template(
        "topo",
        ("from collections import deque", "from collections.abc import Iterable, Mapping"),
        '''
def topological_order(graph: Mapping[str, Iterable[str]]) -> list[str]:
    """Order the nodes so that each comes after its dependencies (Kahn's algorithm)."""
    dependents: dict[str, list[str]] = {}
    pending: dict[str, int] = {}
    for node, deps in graph.items():
        pending.setdefault(node, 0)
        for dep in deps:
            pending.setdefault(dep, 0)
            pending[node] += 1
            dependents.setdefault(dep, []).append(node)
    ready = deque(sorted(node for node, count in pending.items() if count == 0))
    order: list[str] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for child in sorted(dependents.get(node, [])):
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    if len(order) != len(pending):
        raise ValueError("the graph has a cycle")
    return order
''',
        """
def test_topological_order_@T@() -> None:
    rng = random.Random(@K1@)
    nodes = [f"n{i}" for i in range(@W7@)]
    graph = {node: rng.sample(nodes[:i], min(i, 3)) for i, node in enumerate(nodes)}
    order = mod.topological_order(graph)
    position = {node: i for i, node in enumerate(order)}
    assert all(position[dep] < position[node] for node, deps in graph.items() for dep in deps)
    with pytest.raises(ValueError, match="cycle"):
        mod.topological_order({"a": ["b"], "b": ["a"]})
""",
    ),
    Template(
        "rle",
        ("from collections.abc import Iterable",),
        '''
def run_length_encode(data: str) -> list[tuple[str, int]]:
    """Encode ``data`` as (character, run length) pairs."""
    runs: list[tuple[str, int]] = []
    for char in data:
        if runs and runs[-1][0] == char:
            runs[-1] = (char, runs[-1][1] + 1)
        else:
            runs.append((char, 1))
    return runs


def run_length_decode(runs: Iterable[tuple[str, int]]) -> str:
    """The inverse of :func:`run_length_encode`."""
    return "".join(char * count for char, count in runs)
''',
        """
def test_run_length_@T@() -> None:
    rng = random.Random(@K1@)
    data = "".join(rng.choice("aaab") for _ in range(@W16@))
    runs = mod.run_length_encode(data)
    assert mod.run_length_decode(runs) == data
    assert all(a[0] != b[0] for a, b in itertools.pairwise(runs))
    assert mod.run_length_encode("") == []
""",
    ),
    Template(
        "collatz",
        (),
        '''
def collatz_length(start: int) -> int:
    """Number of steps for ``start`` to reach 1 under the Collatz map."""
    if start < 1:
        raise ValueError(f"start must be positive, got {start}")
    steps = 0
    n = start
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def longest_collatz(limit: int) -> tuple[int, int]:
    """The start below ``limit`` with the longest Collatz sequence, and that length."""
    best = (1, 0)
    for start in range(1, limit):
        length = collatz_length(start)
        if length > best[1]:
            best = (start, length)
    return best
''',
        """
def test_collatz_@T@() -> None:
    assert mod.collatz_length(1) == 0
    assert mod.collatz_length(27) == 111
    start, length = mod.longest_collatz(@W8@)
    assert length == mod.collatz_length(start)
    assert all(mod.collatz_length(n) <= length for n in range(1, @W8@, 97))
    with pytest.raises(ValueError, match="positive"):
        mod.collatz_length(0)
""",
    ),
    Template(
        "sorting",
        ("from collections.abc import Sequence",),
        '''
def insertion_sort(values: Sequence[int]) -> list[int]:
    """A stable sort, quadratic: for short lists and for checking."""
    result = list(values)
    for i in range(1, len(result)):
        item = result[i]
        j = i - 1
        while j >= 0 and result[j] > item:
            result[j + 1] = result[j]
            j -= 1
        result[j + 1] = item
    return result


def bisect_index(values: Sequence[int], target: int) -> int:
    """The index of ``target`` in the sorted ``values``, or -1."""
    low, high = 0, len(values)
    while low < high:
        mid = (low + high) // 2
        if values[mid] < target:
            low = mid + 1
        else:
            high = mid
    return low if low < len(values) and values[low] == target else -1
''',
        """
def test_sorting_@T@() -> None:
    rng = random.Random(@K1@)
    values = [rng.randrange(10_000) for _ in range(@W9@)]
    ordered = mod.insertion_sort(values)
    assert ordered == sorted(values)
    for value in values[:50]:
        assert ordered[mod.bisect_index(ordered, value)] == value
    assert mod.bisect_index(ordered, -1) == -1
""",
    ),
    Template(
        "settings",
        ("from dataclasses import dataclass, field",),
        '''
@dataclass
class Settings:
    """Settings read from ``key = value`` lines."""

    name: str = "default"
    retries: int = @K3@
    ratio: float = 0.5
    tags: list[str] = field(default_factory=list)


def parse_settings(text: str) -> Settings:
    """Parse ``key = value`` lines; ``#`` starts a comment; unknown keys are errors."""
    settings = Settings()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, value = (part.strip() for part in line.partition("="))
        if not sep:
            raise ValueError(f"line {number}: expected key = value, got {raw!r}")
        if key == "name":
            settings.name = value
        elif key == "retries":
            settings.retries = int(value)
        elif key == "ratio":
            settings.ratio = float(value)
        elif key == "tags":
            settings.tags = [tag.strip() for tag in value.split(",") if tag.strip()]
        else:
            raise ValueError(f"line {number}: unknown key {key!r}")
    return settings
''',
        """
def test_parse_settings_@T@() -> None:
    for i in range(@W10@):
        text = f"name = job{i}  # a comment\\nretries = {i % 7}\\n\\nratio = 0.25\\ntags = a, b,\\n"
        settings = mod.parse_settings(text)
        assert settings == mod.Settings(f"job{i}", i % 7, 0.25, ["a", "b"])
    assert mod.parse_settings("").retries == @K3@
    with pytest.raises(ValueError, match="unknown key"):
        mod.parse_settings("colour = red")
""",
    ),
    Template(
        "lru",
        ("from collections import OrderedDict",),
        '''
class LruCache:
    """A least-recently-used cache of at most ``capacity`` entries."""

    def __init__(self, capacity: int = @K4@) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._items: OrderedDict[str, int] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> int | None:
        """The value of ``key``, now the most recently used; ``None`` when absent."""
        if key in self._items:
            self._items.move_to_end(key)
            self.hits += 1
            return self._items[key]
        self.misses += 1
        return None

    def put(self, key: str, value: int) -> None:
        """Store ``value``, evicting the least recently used entries beyond capacity."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
''',
        """
def test_lru_cache_@T@() -> None:
    rng = random.Random(@K1@)
    cache = mod.LruCache(@K4@)
    for _ in range(@W15@):
        key = str(rng.randrange(@K4@ * 2))
        if cache.get(key) is None:
            cache.put(key, len(key))
    assert len(cache) == @K4@
    assert cache.hits + cache.misses == @W15@
    with pytest.raises(ValueError, match="capacity"):
        mod.LruCache(0)
""",
    ),
    Template(
        "adler",
        (),
        '''
MODULUS = 65521


def adler32(data: bytes, start: int = 1) -> int:
    """The Adler-32 checksum of ``data``, as zlib.adler32 computes it."""
    a, b = start & 0xFFFF, (start >> 16) & 0xFFFF
    for byte in data:
        a = (a + byte) % MODULUS
        b = (b + a) % MODULUS
    return (b << 16) | a
''',
        """
def test_adler32_@T@() -> None:
    rng = random.Random(@K1@)
    data = bytes(rng.randrange(256) for _ in range(@W11@))
    assert mod.adler32(data) == zlib.adler32(data)
    half = len(data) // 2
    assert mod.adler32(data[half:], mod.adler32(data[:half])) == zlib.adler32(data)
    assert mod.adler32(b"") == 1
""",
    ),
    Template(
        "fib",
        (),
        '''
def fibonacci_mod(n: int, modulus: int = @K5@) -> int:
    """The ``n``-th Fibonacci number modulo ``modulus`` (fast doubling, iterative)."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    a, b = 0, 1
    for bit in bin(n)[2:]:
        c = (a * ((2 * b - a) % modulus)) % modulus
        d = (a * a + b * b) % modulus
        a, b = (d, (c + d) % modulus) if bit == "1" else (c, d)
    return a


def fibonacci_slow(n: int, modulus: int = @K5@) -> int:
    """The same number, one step at a time: for checking."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) % modulus
    return a
''',
        """
def test_fibonacci_@T@() -> None:
    assert [mod.fibonacci_mod(n, 10**9) for n in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
    for n in range(0, @W12@, 7):
        assert mod.fibonacci_mod(n) == mod.fibonacci_slow(n)
    with pytest.raises(ValueError, match="negative"):
        mod.fibonacci_mod(-1)
""",
    ),
    Template(
        "paths",
        ("import heapq", "import math", "from collections.abc import Mapping"),
        '''
def shortest_paths(edges: Mapping[str, Mapping[str, float]], source: str) -> dict[str, float]:
    """Distances from ``source`` over non-negative edge weights (Dijkstra)."""
    distances = {source: 0.0}
    queue: list[tuple[float, str]] = [(0.0, source)]
    while queue:
        distance, node = heapq.heappop(queue)
        if distance > distances.get(node, math.inf):
            continue
        for neighbour, weight in edges.get(node, {}).items():
            if weight < 0:
                raise ValueError(f"negative weight on {node} -> {neighbour}")
            candidate = distance + weight
            if candidate < distances.get(neighbour, math.inf):
                distances[neighbour] = candidate
                heapq.heappush(queue, (candidate, neighbour))
    return distances
''',
        """
def test_shortest_paths_@T@() -> None:
    rng = random.Random(@K1@)
    size = @W13@
    edges = {
        f"v{i}": {f"v{rng.randrange(size)}": rng.uniform(1.0, 9.0) for _ in range(4)}
        for i in range(size)
    }
    distances = mod.shortest_paths(edges, "v0")
    assert distances["v0"] == 0.0
    for node, distance in distances.items():
        for neighbour, weight in edges[node].items():
            assert distances[neighbour] <= distance + weight + 1e-9
    with pytest.raises(ValueError, match="negative"):
        mod.shortest_paths({"a": {"b": -1.0}}, "a")
""",
    ),
    Template(
        "roman",
        (),
        '''
NUMERALS = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def to_roman(number: int) -> str:
    """Write 1..3999 in Roman numerals."""
    if not 0 < number < 4000:
        raise ValueError(f"{number} cannot be written in Roman numerals")
    parts: list[str] = []
    for value, numeral in NUMERALS:
        count, number = divmod(number, value)
        parts.append(numeral * count)
    return "".join(parts)


def from_roman(text: str) -> int:
    """Read a Roman numeral; the inverse of :func:`to_roman` for its output."""
    values = {numeral: value for value, numeral in NUMERALS if len(numeral) == 1}
    total = 0
    for current, following in zip(text, [*text[1:], ""], strict=True):
        value = values[current]
        total += -value if following and values[following] > value else value
    return total
''',
        """
def test_roman_@T@() -> None:
    for _ in range(@W14@):
        for number in range(1, 4000, 3):
            assert mod.from_roman(mod.to_roman(number)) == number
    assert mod.to_roman(1994) == "MCMXCIV"
    with pytest.raises(ValueError, match="Roman"):
        mod.to_roman(0)
""",
    ),
]

TOPICS = [
    "ingest",
    "catalog",
    "ledger",
    "routing",
    "metrics",
    "archive",
    "schedule",
    "inventory",
    "pricing",
    "search",
    "billing",
    "reports",
]

# Workload sizes at --work 100, tuned for about 3 s of tests on a 2020s x86 core.
WORK = {
    "W1": 200_000,
    "W2": 2_000,
    "W3": 175,
    "W4": 60_000,
    "W5": 35_000,
    "W6": 48,
    "W7": 5_000,
    "W8": 9_000,
    "W9": 1_800,
    "W10": 7_500,
    "W11": 120_000,
    "W12": 3_400,
    "W13": 8_000,
    "W14": 12,
    "W15": 75_000,
    "W16": 70_000,
}

TEST_IMPORTS = {
    "itertools": "import itertools",
    "math": "import math",
    "random": "import random",
    "statistics": "import statistics",
    "zlib": "import zlib",
    "pytest": "import pytest",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=int, default=100)
    args = parser.parse_args(argv)
    if args.dest.exists() and any(args.dest.iterdir()):
        print(f"fixture.py: {args.dest} is not empty; give a new directory", file=sys.stderr)
        return 2
    files = generate(args.seed, args.work)
    for relative, text in files.items():
        path = args.dest / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    src_lines = sum(t.count("\n") for p, t in files.items() if p.startswith("src/"))
    tests = sum(t.count("\ndef test_") for p, t in files.items() if p.startswith("tests/"))
    print(f"fixture: {src_lines} lines in src/, {tests} tests, seed {args.seed}, work {args.work}")
    return 0


def generate(seed: int, work: int) -> dict[str, str]:
    """Every file of the project, by relative path."""
    rng = random.Random(seed)
    sizes = {k: max(1, v * work // 100) for k, v in WORK.items()}
    files: dict[str, str] = {}
    modules: list[str] = []
    for index, topic in enumerate(TOPICS):
        # Four templates in rotation (each appears three or four times), a fifth chosen by the seed.
        chosen = rotation(index)
        chosen.append(rng.choice([t.name for t in TEMPLATES if t.name not in chosen]))
        templates = [t for t in TEMPLATES if t.name in chosen]
        constants = {
            "K1": str(rng.randrange(1, 10_000)),
            "K2": str(rng.randrange(2, 5)),
            "K3": str(rng.randrange(1, 9)),
            "K4": str(rng.randrange(16, 64)),
            "K5": f"{rng.choice([1_000_000_007, 998_244_353, 1_000_000_009]):_}",
        }
        files[f"src/{PACKAGE}/{topic}.py"] = module_source(topic, index, templates, constants)
        files[f"tests/test_{topic}.py"] = test_source(topic, templates, constants, sizes)
        modules.append(topic)
    files.update(package_files(modules))
    return files


def substitute(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    if "@" in text.replace("@dataclass", ""):
        raise AssertionError(f"unsubstituted placeholder in:\n{text}")
    return text


def module_source(topic: str, index: int, templates: list[Template], constants: dict[str, str]) -> str:
    imports = merge_imports([imp for t in templates for imp in t.imports])
    head = f'"""{topic.capitalize()} helpers of benchpkg (module {index + 1} of {len(TOPICS)})."""\n\n'
    head += "from __future__ import annotations\n\n"
    if imports:
        head += "\n".join(imports) + "\n\n"
    body = "\n\n\n".join(substitute(t.source.strip("\n"), constants) for t in templates)
    # isort's rule: two blank lines after the imports before a def or class, one before a statement.
    gap = "\n" if body.startswith(("def ", "class ", "@")) else ""
    return head + gap + body + "\n"


def test_source(topic: str, templates: list[Template], constants: dict[str, str], sizes: dict[str, int]) -> str:
    tests = []
    for position, template in enumerate(templates):
        values = {**constants, **{k: str(v) for k, v in sizes.items()}, "T": str(position)}
        tests.append(substitute(template.test.strip("\n"), values))
    body = "\n\n\n".join(tests)
    needed = sorted(name for name in TEST_IMPORTS if f"{name}." in body)
    stdlib = [TEST_IMPORTS[n] for n in needed if n != "pytest"]
    lines = [f'"""Tests of benchpkg.{topic}."""', "", "from __future__ import annotations", ""]
    if stdlib:
        lines += [*stdlib, ""]
    if "pytest" in needed:
        lines += ["import pytest", ""]
    lines += [f"from {PACKAGE} import {topic} as mod", "", "", ""]
    return "\n".join(lines) + body + "\n"


def merge_imports(lines: list[str]) -> list[str]:
    """One statement per module, in isort's default order (ruff's I001): `import x` lines first, then
    `from x import ...`, modules alphabetical, names by type (CONSTANTS, Classes, functions)."""
    plain = sorted({line for line in lines if line.startswith("import ")})
    names: dict[str, set[str]] = {}
    for line in lines:
        if line.startswith("from "):
            module, _, imported = line[len("from ") :].partition(" import ")
            names.setdefault(module, set()).update(n.strip() for n in imported.split(","))

    def by_type(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    froms = [f"from {m} import {', '.join(sorted(n, key=by_type))}" for m, n in sorted(names.items())]
    return plain + froms


def package_files(modules: list[str]) -> dict[str, str]:
    module_list = ", ".join(sorted(modules))
    all_names = "".join(f'    "{m}",\n' for m in sorted(modules))
    init = (
        f'"""benchpkg: a generated library that relgate\'s benchmark gates."""\n\n'
        f"from {PACKAGE} import {module_list}\n\n"
        f"__all__ = [\n{all_names}]\n"
    )
    init = wrap_import(init, module_list)
    cli = '''"""A small command line over the package's helpers."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from benchpkg import MODULE_A, MODULE_B


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="benchpkg", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    roman = commands.add_parser("roman", help="write a number in Roman numerals")
    roman.add_argument("number", type=int)
    distance = commands.add_parser("distance", help="edit distance between two words")
    distance.add_argument("left")
    distance.add_argument("right")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "roman":
        try:
            print(MODULE_A.to_roman(args.number))
        except ValueError as error:
            print(f"error: {error}")
            return 2
        return 0
    print(MODULE_B.edit_distance(args.left, args.right))
    return 0
'''
    roman_module = next(m for i, m in enumerate(modules) if "roman" in rotation(i))
    edit_module = next(m for i, m in enumerate(modules) if "edit" in rotation(i))
    if roman_module == edit_module:
        cli = cli.replace("from benchpkg import MODULE_A, MODULE_B", "from benchpkg import MODULE_A")
        cli = cli.replace("MODULE_B", "MODULE_A")
    cli = cli.replace("MODULE_A, MODULE_B", ", ".join(sorted([roman_module, edit_module])))
    cli = cli.replace("MODULE_A", roman_module).replace("MODULE_B", edit_module)
    test_cli = f'''"""Tests of the package as a whole and its command line."""

from __future__ import annotations

import pytest

import {PACKAGE}
from {PACKAGE}.cli import main


def test_every_module_is_exported() -> None:
    assert {PACKAGE}.__all__ == [
{"".join(f'        "{m}",{chr(10)}' for m in sorted(modules))}    ]


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roman", "2024"]) == 0
    assert main(["distance", "flaw", "lawn"]) == 0
    assert main(["roman", "0"]) == 2
    assert capsys.readouterr().out.splitlines()[:2] == ["MMXXIV", "2"]
'''
    conftest = '''"""Shared test configuration."""

from __future__ import annotations

import os

import pytest


def pytest_sessionstart(session: pytest.Session) -> None:
    """Append a line to $BENCH_RUNLOG when set: the benchmark counts the runs that ran the tests."""
    log = os.environ.get("BENCH_RUNLOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"pytest {session.config.rootpath}\\n")
'''
    pyproject = f'''[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{PACKAGE}"
version = "{VERSION}"
description = "A generated library that relgate's benchmark gates."
readme = "README.md"
license = "MIT"
license-files = ["LICENSE"]
requires-python = ">=3.10"
authors = [{{ name = "relgate benchmark" }}]
classifiers = ["Programming Language :: Python :: 3", "Typing :: Typed"]

[project.scripts]
benchpkg = "{PACKAGE}.cli:main"

[tool.ruff]
line-length = 100
target-version = "py310"

[tool.ruff.lint]
select = ["E", "F", "W", "I", "B", "UP", "SIM", "C4", "RUF"]

[tool.mypy]
strict = true
files = ["src", "tests"]
mypy_path = "src"

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]
addopts = ["-q"]

[tool.relgate]
# The benchmark compares the same four checks everywhere: no index (no network) and no build.
index = "off"
build = false
'''
    pre_commit = "# The same four checks as every other manager in the benchmark, on the whole project, at pre-push.\n"
    pre_commit += "default_install_hook_types: [pre-push]\nrepos:\n  - repo: local\n    hooks:\n"
    for name, argv in CHECKS:
        pre_commit += (
            f"      - id: {name}\n        name: {' '.join(argv)}\n        entry: {' '.join(argv)}\n"
            "        language: system\n        pass_filenames: false\n        always_run: true\n"
            "        stages: [pre-push]\n"
        )
    lefthook = "# The same four checks as every other manager in the benchmark, in parallel, at pre-push.\n"
    lefthook += "pre-push:\n  parallel: true\n  jobs:\n"
    for name, argv in CHECKS:
        lefthook += f"    - name: {name}\n      run: {' '.join(argv)}\n"
    return {
        f"src/{PACKAGE}/__init__.py": init,
        f"src/{PACKAGE}/py.typed": "",
        f"src/{PACKAGE}/cli.py": cli,
        "tests/__init__.py": "",
        "tests/conftest.py": conftest,
        "tests/test_package.py": test_cli,
        "pyproject.toml": pyproject,
        "README.md": f"# {PACKAGE}\n\nA generated library: the fixture of relgate's benchmark (bench/).\n",
        "LICENSE": MIT.replace("@YEAR@", "2025"),
        "CHANGELOG.md": f"# Changelog\n\n## {VERSION}\n\n- First release.\n",
        ".gitignore": "__pycache__/\n*.pyc\n.mypy_cache/\n.ruff_cache/\n.pytest_cache/\n.venv/\ndist/\n",
        ".pre-commit-config.yaml": pre_commit,
        "lefthook.yml": lefthook,
    }


def rotation(index: int) -> list[str]:
    """The four templates module `index` always holds, whatever the seed."""
    return [TEMPLATES[(index * 4 + k) % len(TEMPLATES)].name for k in range(4)]


def wrap_import(text: str, module_list: str) -> str:
    """Wrap the long `from benchpkg import ...` line as ruff format does."""
    line = f"from {PACKAGE} import {module_list}"
    if len(line) <= 100:
        return text
    names = "".join(f"    {m.strip()},\n" for m in module_list.split(","))
    return text.replace(line, f"from {PACKAGE} import (\n{names})")


MIT = """MIT License

Copyright (c) @YEAR@ relgate benchmark

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of
the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO
THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

if __name__ == "__main__":
    sys.exit(main())
