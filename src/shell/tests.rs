//! Scripts, words and programs as projects write them.

use super::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn scripts_split_into_simple_commands() {
    let cases: [(&str, &[&str]); 14] = [
        (
            "pip install -e .[dev] \\\n  --no-cache-dir\n# comment\nruff check . && ruff format --check .\npytest -q | tee out.txt",
            &[
                "pip install -e .[dev] --no-cache-dir",
                "ruff check .",
                "ruff format --check .",
                "pytest -q",
                "tee out.txt",
            ],
        ),
        // Trailing blanks after the backslash, PowerShell's backtick.
        (
            "python -m pytest \\  \n    tests -x",
            &["python -m pytest tests -x"],
        ),
        ("pytest `\n  -x", &["pytest -x"]),
        ("a || b; c |& d", &["a", "b", "c", "d"]),
        ("ruff check . # not mypy", &["ruff check ."]),
        ("echo a#b", &["echo a#b"]),
        (
            r#"python -c "import a; a.b()" && pytest -k 'x or y'"#,
            &[r#"python -c "import a; a.b()""#, "pytest -k 'x or y'"],
        ),
        (
            "python -c \"\nimport sys\nprint(sys.version)\n\"\nmypy .",
            &["python -c \"\nimport sys\nprint(sys.version)\n\"", "mypy ."],
        ),
        // A stray apostrophe does not swallow the script.
        ("echo don't\npytest", &["echo don't", "pytest"]),
        (
            "cat > .pypirc <<'EOF'\n[pypi]\nit's = 1\nEOF\ntwine upload dist/*",
            &["cat > .pypirc <<'EOF'", "twine upload dist/*"],
        ),
        ("echo $((1 << 2))\npytest", &["echo $((1 << 2))", "pytest"]),
        (
            "uvicorn app & sleep 1 && pytest 2>&1 &>log",
            &["uvicorn app", "sleep 1", "pytest 2>&1 &>log"],
        ),
        (
            "echo ${{ github.ref == 'x' && 'a' || 'b' }}; find . -exec rm {} \\;",
            &[
                "echo ${{ github.ref == 'x' && 'a' || 'b' }}",
                "find . -exec rm {} \\;",
            ],
        ),
        ("\n\n  \n", &[]),
    ];
    for (script, expected) in cases {
        assert_eq!(commands(script), s(expected), "{script:?}");
    }
}

#[test]
fn words_split_like_a_shell() {
    let cases: [(&str, &[&str]); 7] = [
        (
            r#"pytest -m "not slow" 'a b' c\ d"#,
            &["pytest", "-m", "not slow", "a b", "c d"],
        ),
        (
            "pytest {posargs:-x tests} # comment",
            &["pytest", "{posargs:-x tests}"],
        ),
        (
            "uv run --python ${{ matrix.python }} pytest",
            &["uv", "run", "--python", "${{ matrix.python }}", "pytest"],
        ),
        (
            r".venv\Scripts\pytest.exe tests\unit",
            &[r".venv\Scripts\pytest.exe", r"tests\unit"],
        ),
        (
            r#"echo "C:\tools \"x\" \$HOME" '\n'"#,
            &["echo", r#"C:\tools "x" $HOME"#, r"\n"],
        ),
        (r#"pytest "" x"#, &["pytest", "", "x"]),
        ("echo a#b", &["echo", "a#b"]),
    ];
    for (line, expected) in cases {
        assert_eq!(words(line), s(expected), "{line:?}");
    }
}

#[test]
fn programs_behind_prefixes_and_runners() {
    // (command, its runners, the program)
    let cases = [
        ("ruff check .", "", "ruff"),
        ("PYTHONWARNINGS=error .venv/bin/flake8 src", "", "flake8"),
        ("FORCE_COLOR=1 uvx ruff check", "uvx", "ruff"),
        ("env -u CI FOO=1 time -p pytest", "", "pytest"),
        ("xvfb-run -a -s '-screen 0 1x1x24' pytest", "", "pytest"),
        ("sudo -E nice -n 5 mypy", "", "mypy"),
        ("command -v ruff", "", "command"),
        ("xargs -n 1 twine upload", "", "twine"),
        ("python -m pytest tests", "python -m", "pytest"),
        (
            "python3.12 -X dev -W error -m mypy .",
            "python3.12 -X dev -W error -m",
            "mypy",
        ),
        ("py -3.12 -m pytest", "py -3.12 -m", "pytest"),
        ("pypy3 -m pytest", "pypy3 -m", "pytest"),
        ("{envpython} -m pytest", "{envpython} -m", "pytest"),
        ("{env_python} -m pytest", "{env_python} -m", "pytest"),
        ("python setup.py sdist", "python", "setup.py"),
        ("python -c 'import pytest'", "", "python"),
        ("python", "", "python"),
        ("python -m", "", "python"),
        (
            "uv run --frozen --group dev mypy src",
            "uv run --frozen --group dev",
            "mypy",
        ),
        (
            "uv run --with pytest-cov -- pytest",
            "uv run --with pytest-cov --",
            "pytest",
        ),
        ("uv run python -m pytest", "uv run python -m", "pytest"),
        (
            "uv tool run --from ruff==0.6 ruff check",
            "uv tool run --from ruff==0.6",
            "ruff",
        ),
        (
            "uvx --from 'black[jupyter]' black .",
            "uvx --from black[jupyter]",
            "black",
        ),
        (
            "pipx run --spec mypy==1 mypy",
            "pipx run --spec mypy==1",
            "mypy",
        ),
        ("pipx install ruff", "", "pipx"),
        ("poetry run black --check src", "poetry run", "black"),
        ("pdm run pytest", "pdm run", "pytest"),
        ("rye run pytest", "rye run", "pytest"),
        ("pipenv run pytest", "pipenv run", "pytest"),
        ("pixi run -e test pytest", "pixi run -e test", "pytest"),
        ("hatch run pytest", "hatch run", "pytest"),
        (
            "hatch -e docs run mkdocs build",
            "hatch -e docs run",
            "mkdocs",
        ),
        (
            "uv --directory pkg run pytest",
            "uv --directory pkg run",
            "pytest",
        ),
        ("uv pip install -e .", "", "uv"),
        ("hatch run lint:check", "", "hatch"),
        (
            "conda run -n env --no-capture-output pytest",
            "conda run -n env --no-capture-output",
            "pytest",
        ),
        ("coverage run -m pytest -x", "coverage run -m", "pytest"),
        (
            "coverage run --source src --parallel-mode -m pytest",
            "coverage run --source src --parallel-mode -m",
            "pytest",
        ),
        ("coverage run tests/run.py", "coverage run", "run.py"),
        (
            "coverage run --module pytest",
            "coverage run --module",
            "pytest",
        ),
        ("uv run", "", "uv"),
        (
            r".venv\Scripts\python.exe -m pytest",
            r".venv\Scripts\python.exe -m",
            "pytest",
        ),
        ("/usr/bin/pytest.exe -q", "", "pytest"),
    ];
    for (line, runners, program_name) in cases {
        let words = words(line);
        let found = program(&words).unwrap();
        assert_eq!(
            (
                words[found.start..found.at].join(" ").as_str(),
                found.name.as_str()
            ),
            (runners, program_name),
            "{line}"
        );
        assert_eq!(name(&words[found.at]), found.name);
    }
    assert_eq!(program(&words("FOO=1 env")), None);
    assert_eq!(program(&[]), None);
}
