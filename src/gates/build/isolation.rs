//! Whether the build can run without isolation: only when the interpreter it would run with holds every
//! distribution the build asks for, in a version that satisfies it. That is `build-system.requires` and what
//! the backend's `get_requires_for_build_sdist` and `get_requires_for_build_wheel` hooks add (PEP 517):
//! setuptools before 70.1 asks for `wheel` there, hatchling for its build hooks' dependencies, setuptools-scm
//! for nothing more. The hooks are asked in the build's own copy of the project, by a small script run with
//! that interpreter (the frontend would ask them the same way); the requirements are then evaluated here
//! (PEP 508 markers against that interpreter's environment, PEP 440 specifiers against what is installed).
//! Anything short of a positive answer builds in an isolated environment, as CI does.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use pep508_rs::{
    MarkerEnvironment, MarkerEnvironmentBuilder, Requirement, VerbatimUrl, VersionOrUrl,
};
use serde::Deserialize;

use super::frontend::BuildSystem;
use crate::process::{self, Ended, Spec};
use crate::python::name;

/// How the build runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Every requirement is installed beside the interpreter: no download, works offline.
    WithoutIsolation,
    /// In an isolated environment whose requirements come from the package index. `why` says what the
    /// interpreter lacks (or why the backend could not be asked); `missing` are those requirements.
    Isolated { why: String, missing: Vec<String> },
}

/// The interpreter's answer (written by [`PROBE`] to a file: a backend may print on stdout).
#[derive(Debug, Deserialize)]
struct Answer {
    env: BTreeMap<String, String>,
    /// Installed distributions: name as declared, version.
    installed: Vec<(String, String)>,
    /// Requirements each hook asked for.
    hooks: BTreeMap<String, Vec<String>>,
    /// The backend could not be imported, or a hook raised: `Type: message`.
    error: Option<String>,
}

/// Ask the backend, with `python`, in the project copy at `project`, what the build needs, and decide.
pub fn decide(
    python: Option<&Path>,
    system: &BuildSystem,
    project: &Path,
    env: &[(OsString, OsString)],
    timeout: Duration,
) -> Decision {
    let Some(python) = python else {
        return Decision::Isolated {
            why: "no interpreter of the project's to build without isolation".into(),
            missing: Vec::new(),
        };
    };
    let answer = match ask(python, system, project, env, timeout) {
        Ok(answer) => answer,
        Err(why) => {
            return Decision::Isolated {
                why: format!("the backend could not be asked what it needs ({why})"),
                missing: Vec::new(),
            };
        }
    };
    let asked = system
        .requires
        .iter()
        .map(|r| (r.clone(), "build-system.requires".to_owned()))
        .chain(answer.hooks.iter().flat_map(|(hook, reqs)| {
            reqs.iter()
                .map(move |r| (r.clone(), format!("{}'s {hook}", system.backend)))
        }));
    let mut missing: Vec<(String, String)> = Vec::new();
    for (requirement, by) in asked {
        if !satisfied(&requirement, &answer) && !missing.iter().any(|(r, _)| *r == requirement) {
            missing.push((requirement, by));
        }
    }
    let python = python.display();
    // A module that cannot be imported is the environment's lack; any other exception is the project's own
    // error, which the build without isolation then reports as CI would (no download needed to see it).
    let import_error =
        |e: &str| e.starts_with("ModuleNotFoundError") || e.starts_with("ImportError");
    if let Some(error) = answer.error.filter(|e| import_error(e)) {
        return Decision::Isolated {
            why: format!(
                "{python} cannot import what {} needs: {error}",
                system.backend
            ),
            missing: missing.into_iter().map(|(r, _)| r).collect(),
        };
    }
    if missing.is_empty() {
        return Decision::WithoutIsolation;
    }
    let listed: Vec<String> = missing
        .iter()
        .map(|(r, by)| format!("{r} (asked for by {by})"))
        .collect();
    Decision::Isolated {
        why: format!("{python} lacks {}", listed.join(", ")),
        missing: missing.into_iter().map(|(r, _)| r).collect(),
    }
}

/// Whether a requirement holds for the interpreter that answered: its markers do not apply, or a version of
/// it that its specifiers accept is installed. A requirement that cannot be read never holds.
fn satisfied(requirement: &str, answer: &Answer) -> bool {
    let Ok(requirement) = Requirement::<VerbatimUrl>::from_str(requirement.trim()) else {
        return false;
    };
    let Some(env) = marker_environment(&answer.env) else {
        return false;
    };
    if !requirement.evaluate_markers(&env, &[]) {
        return true;
    }
    let wanted = requirement.name.to_string();
    let installed = answer
        .installed
        .iter()
        .find(|(n, _)| name::normalize(n).as_deref() == Some(wanted.as_str()));
    let Some((_, version)) = installed else {
        return false;
    };
    match &requirement.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
            pep440_rs::Version::from_str(version).is_ok_and(|v| specifiers.contains(&v))
        }
        Some(VersionOrUrl::Url(_)) | None => true,
    }
}

fn marker_environment(values: &BTreeMap<String, String>) -> Option<MarkerEnvironment> {
    let get = |key: &str| values.get(key).map(String::as_str);
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: get("implementation_name")?,
        implementation_version: get("implementation_version")?,
        os_name: get("os_name")?,
        platform_machine: get("platform_machine")?,
        platform_python_implementation: get("platform_python_implementation")?,
        platform_release: get("platform_release")?,
        platform_system: get("platform_system")?,
        platform_version: get("platform_version")?,
        python_full_version: get("python_full_version")?,
        python_version: get("python_version")?,
        sys_platform: get("sys_platform")?,
    })
    .ok()
}

fn ask(
    python: &Path,
    system: &BuildSystem,
    project: &Path,
    env: &[(OsString, OsString)],
    timeout: Duration,
) -> Result<Answer, String> {
    let out = crate::process::ScratchDir::new("relgate-probe-")
        .map_err(|e| format!("no temporary directory: {e}"))?;
    let answer = out.path().join("answer.json");
    let mut argv: Vec<OsString> = vec![
        python.as_os_str().into(),
        "-c".into(),
        PROBE.into(),
        answer.as_os_str().into(),
        system.backend.clone().into(),
    ];
    argv.extend(system.backend_path.iter().map(OsString::from));
    let finished = process::run(&Spec {
        argv,
        cwd: project.to_path_buf(),
        env: env.to_vec(),
        env_remove: vec!["PYTHONPATH".into()],
        timeout,
        max_output: 16 * 1024,
    })
    .map_err(|e| e.to_string())?;
    match finished.ended {
        Ended::Exited(0) => {}
        Ended::Exited(code) => return Err(format!("{} exited with {code}", python.display())),
        _ => return Err("the interpreter was stopped".into()),
    }
    let text = std::fs::read_to_string(&answer).map_err(|e| format!("no answer: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("an answer that cannot be read: {e}"))
}

/// Run by the build's interpreter in the project: the marker environment (as `packaging` computes it), the
/// installed distributions, and what the backend's `get_requires_*` hooks ask for, written as JSON to argv[1].
/// The project directory is left off `sys.path` (the frontend runs hooks that way; `backend-path` is added).
const PROBE: &str = r#"
import importlib, importlib.metadata as md, json, os, platform, sys
sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
out, backend, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
impl = sys.implementation
version = "{0.major}.{0.minor}.{0.micro}".format(impl.version)
if impl.version.releaselevel != "final":
    version += impl.version.releaselevel[0] + str(impl.version.serial)
answer = {
    "env": {
        "implementation_name": impl.name,
        "implementation_version": version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    },
    "installed": [],
    "hooks": {},
    "error": None,
}
for dist in md.distributions():
    name = dist.metadata["Name"]
    if name:
        answer["installed"].append([name, dist.version])
try:
    sys.path[:0] = [os.path.abspath(p) for p in paths]
    module, _, attrs = backend.partition(":")
    hooks = importlib.import_module(module)
    for attr in filter(None, attrs.split(".")):
        hooks = getattr(hooks, attr)
    for hook in ("get_requires_for_build_sdist", "get_requires_for_build_wheel"):
        ask = getattr(hooks, hook, None)
        if ask is not None:
            answer["hooks"][hook] = [str(r) for r in ask(None)]
except BaseException as e:
    answer["error"] = "%s: %s" % (type(e).__name__, e)
with open(out, "w") as f:
    json.dump(answer, f)
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(installed: &[(&str, &str)]) -> Answer {
        let env = [
            ("implementation_name", "cpython"),
            ("implementation_version", "3.11.7"),
            ("os_name", "posix"),
            ("platform_machine", "x86_64"),
            ("platform_python_implementation", "CPython"),
            ("platform_release", "6.1"),
            ("platform_system", "Linux"),
            ("platform_version", "#1"),
            ("python_full_version", "3.11.7"),
            ("python_version", "3.11"),
            ("sys_platform", "linux"),
        ];
        Answer {
            env: env
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            installed: installed
                .iter()
                .map(|(n, v)| ((*n).into(), (*v).into()))
                .collect(),
            hooks: BTreeMap::new(),
            error: None,
        }
    }

    #[test]
    fn requirements_hold_by_name_version_and_marker() {
        let a = answer(&[("setuptools", "65.5.0"), ("Setuptools_SCM", "10.3.4")]);
        assert!(satisfied("setuptools", &a));
        assert!(satisfied("setuptools>=61", &a));
        assert!(!satisfied("setuptools>=70.1", &a));
        assert!(satisfied("setuptools-scm[toml]>=8", &a));
        assert!(!satisfied("wheel", &a));
        assert!(satisfied("wheel; python_version < '3.8'", &a));
        assert!(!satisfied("wheel; python_version >= '3.8'", &a));
        assert!(!satisfied("not a requirement !", &a));
    }
}
