//! The tools relgate detects and knows how to run: their check names, kinds, executables and distributions.

use crate::findings::Parser;
use crate::outcome::Kind;

/// A quality tool relgate detects from the project's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tool {
    Ruff,
    RuffFormat,
    Black,
    Isort,
    Flake8,
    Mypy,
    Pyright,
    Basedpyright,
    Pytest,
}

impl Tool {
    /// Every tool, in the order checks are reported.
    pub const ALL: [Tool; 9] = [
        Tool::Ruff,
        Tool::RuffFormat,
        Tool::Black,
        Tool::Isort,
        Tool::Flake8,
        Tool::Mypy,
        Tool::Pyright,
        Tool::Basedpyright,
        Tool::Pytest,
    ];

    /// The check's name, as in the report, `--skip` and `[tool.relgate.checks.NAME]`.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Ruff => "ruff",
            Tool::RuffFormat => "ruff-format",
            Tool::Black => "black",
            Tool::Isort => "isort",
            Tool::Flake8 => "flake8",
            Tool::Mypy => "mypy",
            Tool::Pyright => "pyright",
            Tool::Basedpyright => "basedpyright",
            Tool::Pytest => "pytest",
        }
    }

    pub fn from_name(name: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.name() == name)
    }

    /// isort is a formatter: it rewrites the file, and `isort PATH` is the fix, as for black; its check is
    /// `--check-only`, the formatters' `--check`.
    pub fn kind(self) -> Kind {
        match self {
            Tool::Ruff | Tool::Flake8 => Kind::Lint,
            Tool::RuffFormat | Tool::Black | Tool::Isort => Kind::Format,
            Tool::Mypy | Tool::Pyright | Tool::Basedpyright => Kind::Type,
            Tool::Pytest => Kind::Test,
        }
    }

    /// The executable's name.
    pub fn program(self) -> &'static str {
        match self {
            Tool::Ruff | Tool::RuffFormat => "ruff",
            other => other.name(),
        }
    }

    /// The distribution on the package index (to install it, and to read its version from `*.dist-info`).
    pub fn distribution(self) -> &'static str {
        self.program()
    }

    /// Tools that import the project and its dependencies: they must run in the project's environment, never
    /// from an unrelated installation on PATH.
    pub fn needs_project_env(self) -> bool {
        matches!(self, Tool::Mypy | Tool::Pytest)
    }

    pub fn parser(self) -> Parser {
        match self {
            Tool::Ruff => Parser::Ruff,
            Tool::RuffFormat => Parser::RuffFormat,
            Tool::Black => Parser::Black,
            Tool::Isort => Parser::Isort,
            Tool::Flake8 => Parser::Flake8,
            Tool::Mypy => Parser::Mypy,
            Tool::Pyright | Tool::Basedpyright => Parser::Pyright,
            Tool::Pytest => Parser::Pytest,
        }
    }

    /// The tool a distribution name stands for in a list of dependencies (`ruff>=0.5` is ruff's linter: the
    /// first of the two checks ruff's distribution runs).
    pub fn from_distribution(name: &str) -> Option<Tool> {
        Tool::ALL.into_iter().find(|t| t.distribution() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for tool in Tool::ALL {
            assert_eq!(Tool::from_name(tool.name()), Some(tool));
        }
        // ruff's distribution runs two checks; the linter stands for it.
        for tool in Tool::ALL {
            let expected = if tool == Tool::RuffFormat {
                Tool::Ruff
            } else {
                tool
            };
            assert_eq!(Tool::from_distribution(tool.distribution()), Some(expected));
        }
        assert_eq!(Tool::from_distribution("tox"), None);
    }
}
