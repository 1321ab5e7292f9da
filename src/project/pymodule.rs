//! Finding a Python module in a project and reading a string assignment from it, without running Python.

use std::sync::LazyLock;

use regex::Regex;

use super::Source;

/// A string assigned to `name` at the top of a module: `name = "1.2.3"`, `name: str = '1.2.3'`,
/// `__version__ = version = "1.2.3"`, `VERSION = StrictVersion('0.20')` (a version class around a literal).
/// Returns the value and its 1-based line.
pub fn read_assignment(text: &str, name: &str) -> Option<(String, u32)> {
    let pattern = format!(
        r#"(?m)^{}\s*(?::\s*[\w\[\]., ]+)?\s*=\s*(?:\w+\s*=\s*)*(?:(?:\w+\.)*(?:StrictVersion|LooseVersion|Version|parse_version)\(\s*)?[rRuU]?(?:"([^"\n]*)"|'([^'\n]*)')"#,
        regex::escape(name)
    );
    let re = Regex::new(&pattern).ok()?;
    let caps = re.captures(text)?;
    let value = caps.get(1).or_else(|| caps.get(2))?;
    let line = text[..value.start()].matches('\n').count() + 1;
    Some((
        value.as_str().to_owned(),
        u32::try_from(line).unwrap_or(u32::MAX),
    ))
}

/// `from .mod import name` / `from pkg.mod import name as x` re-exports of `name`: the module to follow.
pub fn reexport_of(text: &str, name: &str) -> Option<String> {
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^from\s+([.\w]+)\s+import\s+\(?([^)\n]+)\)?").expect("static regex")
    });
    IMPORT.captures_iter(text).find_map(|caps| {
        let imported = caps.get(2)?.as_str();
        let names_it = imported.split(',').any(|part| {
            let mut words = part.split_whitespace();
            words.next() == Some(name)
        });
        names_it.then(|| caps[1].to_owned())
    })
}

/// Candidate files for a dotted module name, in the order Python's import would find them.
pub fn module_files(module: &str, package_roots: &[String]) -> Vec<String> {
    let rel = module.replace('.', "/");
    let mut files = Vec::new();
    for root in package_roots {
        let prefix = if root.is_empty() || root == "." {
            String::new()
        } else {
            format!("{}/", root.trim_end_matches('/'))
        };
        files.push(format!("{prefix}{rel}.py"));
        files.push(format!("{prefix}{rel}/__init__.py"));
    }
    files
}

/// Where packages live: the configured package dir, else the directories package discovery searches
/// (`packages.find` `where`), else the project root and `src/`.
pub fn package_roots(package_dir: Option<String>, find_where: Vec<String>) -> Vec<String> {
    match package_dir {
        Some(dir) => vec![dir],
        None if !find_where.is_empty() => find_where,
        None => vec![String::new(), "src".to_owned()],
    }
}

/// The value of `attr` in `module` (following one level of `from .x import attr` re-export), with the file
/// and line it was read from.
pub fn find_attr(
    source: &dyn Source,
    module: &str,
    attr: &str,
    roots: &[String],
) -> anyhow::Result<AttrLookup> {
    let mut tried = Vec::new();
    for file in module_files(module, roots) {
        let Some(text) = source.read(&file)? else {
            continue;
        };
        if let Some((value, line)) = read_assignment(&text, attr) {
            return Ok(AttrLookup::Found { value, file, line });
        }
        if let Some(target) = reexport_of(&text, attr) {
            let is_package = file.ends_with("__init__.py");
            let mut candidates =
                module_files(&resolve_relative(module, &target, is_package), roots);
            // Python 2's implicit relative import: `from core import __version__` inside the package.
            if !target.starts_with('.') {
                candidates.extend(module_files(
                    &resolve_relative(module, &format!(".{target}"), is_package),
                    roots,
                ));
            }
            for next in candidates {
                if let Some(text) = source.read(&next)? {
                    if let Some((value, line)) = read_assignment(&text, attr) {
                        return Ok(AttrLookup::Found {
                            value,
                            file: next,
                            line,
                        });
                    }
                }
            }
        }
        return Ok(AttrLookup::NotLiteral { file });
    }
    tried.extend(module_files(module, roots));
    Ok(AttrLookup::NoModule { tried })
}

#[derive(Debug)]
pub enum AttrLookup {
    Found {
        value: String,
        file: String,
        line: u32,
    },
    /// The module exists but the attribute is computed (or absent).
    NotLiteral {
        file: String,
    },
    NoModule {
        tried: Vec<String>,
    },
}

/// Turn `from .x import` inside `pkg.mod` into `pkg.x` (or `pkg.mod.x` inside a package's `__init__`).
fn resolve_relative(current: &str, target: &str, is_package: bool) -> String {
    let dots = target.chars().take_while(|c| *c == '.').count();
    if dots == 0 {
        return target.to_owned();
    }
    let mut parts: Vec<&str> = current.split('.').collect();
    // In a package's __init__, one dot means the package itself; in a module, its parent package.
    let drop = if is_package { dots - 1 } else { dots };
    for _ in 0..drop {
        parts.pop();
    }
    let rest = &target[dots..];
    if !rest.is_empty() {
        parts.push(rest);
    }
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_forms() {
        assert_eq!(
            read_assignment("__version__ = '1.2.3'\n", "__version__"),
            Some(("1.2.3".into(), 1))
        );
        assert_eq!(
            read_assignment("x = 1\n__version__: str = \"2.0\"\n", "__version__"),
            Some(("2.0".into(), 2))
        );
        assert_eq!(
            read_assignment("__version__ = version = \"3.1\"\n", "__version__"),
            Some(("3.1".into(), 1))
        );
        assert_eq!(
            read_assignment("__version__ = get_version()\n", "__version__"),
            None
        );
        assert_eq!(
            read_assignment("VERSION = StrictVersion('0.20')\n", "VERSION"),
            Some(("0.20".into(), 1))
        );
        assert_eq!(
            read_assignment("__version__ = get_version('pkg')\n", "__version__"),
            None
        );
        assert_eq!(
            read_assignment("    __version__ = '1'\n", "__version__"),
            None
        );
    }

    #[test]
    fn reexports() {
        assert_eq!(
            reexport_of(
                "from ._version import __version__ as __version__\n",
                "__version__"
            ),
            Some("._version".into())
        );
        assert_eq!(
            reexport_of("from .about import (name, __version__)\n", "__version__"),
            Some(".about".into())
        );
        assert_eq!(reexport_of("import os\n", "__version__"), None);
    }

    #[test]
    fn relative_resolution() {
        assert_eq!(resolve_relative("pkg", "._version", true), "pkg._version");
        assert_eq!(resolve_relative("pkg.mod", ".other", false), "pkg.other");
        assert_eq!(resolve_relative("pkg", "pkg.v", true), "pkg.v");
    }
}
