//! The project's own code as its layout shows it: what a tool that needs targets (mypy, pylint) checks when
//! neither its configuration nor the project's command names any.

use std::path::Path;

/// Top-level directories that are not the project's package.
const NOT_PACKAGES: [&str; 7] = [
    "tests",
    "test",
    "docs",
    "doc",
    "examples",
    "scripts",
    "benchmarks",
];

/// The project's code in `dir`: the src layout's `src`, else the package (or module) named after the project,
/// else the packages at the top level; with what they are, for the note that says why. `None` when the
/// layout shows none of these.
pub fn packages(dir: &Path, name: Option<&str>) -> Option<(Vec<String>, String)> {
    if dir.join("src").is_dir() {
        return Some((vec!["src".into()], "the src layout's src".into()));
    }
    if let Some(name) = name {
        let module = name.replace(['-', '.'], "_").to_ascii_lowercase();
        if dir.join(&module).join("__init__.py").is_file()
            || dir.join(format!("{module}.py")).is_file()
        {
            let target = if dir.join(&module).is_dir() {
                module.clone()
            } else {
                format!("{module}.py")
            };
            let what = format!("the package {target}");
            return Some((vec![target], what));
        }
    }
    let mut packages: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().join("__init__.py").is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| !n.starts_with('.') && !NOT_PACKAGES.contains(&n.as_str()))
                .collect()
        })
        .unwrap_or_default();
    packages.sort();
    if packages.is_empty() {
        return None;
    }
    let what = format!(
        "the package{} {}",
        if packages.len() > 1 { "s" } else { "" },
        packages.join(", ")
    );
    Some((packages, what))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_follow_the_layout() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(packages(d, None), None);
        std::fs::create_dir_all(d.join("my_pkg")).unwrap();
        std::fs::write(d.join("my_pkg/__init__.py"), "").unwrap();
        std::fs::create_dir_all(d.join("tests")).unwrap();
        std::fs::write(d.join("tests/__init__.py"), "").unwrap();
        assert_eq!(packages(d, None).unwrap().0, ["my_pkg"]);
        assert_eq!(
            packages(d, Some("my-pkg")).unwrap(),
            (vec!["my_pkg".to_owned()], "the package my_pkg".to_owned())
        );
        std::fs::create_dir_all(d.join("src")).unwrap();
        assert_eq!(packages(d, Some("my-pkg")).unwrap().0, ["src"]);
    }
}
